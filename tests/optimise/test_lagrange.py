"""Coupled national problems by Lagrangian decomposition: the bound is valid, the plan feasible.

Small instances from the independent generator (regions coupled by a national shared service and a
national cumulative funding cap) and from the project's own generator (coupled by transfers per year and
a cumulative cap); the monolithic optimum is the reference.
"""

import sys
from pathlib import Path

import pytest

from optimise import check_plan, find_regions, solve, solve_coupled

sys.path.insert(0, str(Path(__file__).parents[2]))  # the repository root, for studies.*
from studies.benchmarks.independent_generator import generate as independent  # noqa: E402
from studies.synthetic.generate import generate as synthetic  # noqa: E402


def _check(problem, plan):
    best = solve(problem, rel_gap=1e-9)
    assert best.status == "optimal"
    assert plan.violations == [] and check_plan(problem, plan) == []
    assert plan.bound_gbp >= best.objective_gbp - 1e-6 * abs(best.objective_gbp)  # a valid bound
    assert plan.npv_gbp <= best.objective_gbp + 1e-6 * abs(best.objective_gbp)  # and a real plan
    assert plan.gap == pytest.approx((plan.bound_gbp - plan.npv_gbp) / max(abs(plan.bound_gbp), abs(plan.npv_gbp), 1.0))
    return best


@pytest.mark.parametrize("seed", [0, 1])
def test_shared_service_and_funding_cap(seed):
    problem = independent(60, seed=seed, services_per_region=20)
    regions = find_regions(problem)
    assert len(regions) == 3  # the national shared service is set aside, the three regions found
    plan = solve_coupled(problem, time_limit=60, rel_gap=1e-9)
    best = _check(problem, plan)
    d = plan.provenance["decomposition"]
    assert d["shared_vehicles"] == ["NSS"] and d["regions"] == 3
    # the repair finds the optimum here; the bound is the LP's (the funding cap is what the LP relaxes badly)
    assert plan.npv_gbp >= 0.99 * best.objective_gbp, (plan.npv_gbp, plan.bound_gbp, best.objective_gbp)
    assert plan.gap < 0.05


@pytest.mark.slow
def test_transfers_and_cumulative_cap_on_synthetic():
    problem = synthetic(300, seed=0, services_per_authority=10, coupled=True)  # 30 authorities: two regions
    problem.funding_cap_cumulative_gbp = 6e6
    plan = solve_coupled(problem, time_limit=120, rel_gap=1e-4, lp_iterations=25, mip_iterations=2)
    best = _check(problem, plan)
    assert plan.provenance["decomposition"]["regions"] == 2 and best.objective_gbp > 1e6
    assert plan.npv_gbp >= 0.99 * best.objective_gbp and plan.gap < 0.05


@pytest.mark.slow
def test_regions_on_dask_workers_give_the_same_plan():
    from distributed import Client, LocalCluster

    problem = independent(60, seed=1, services_per_region=20)
    here = solve_coupled(problem, time_limit=60, rel_gap=1e-4)
    with Client(LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")) as client:
        there = solve_coupled(problem, client=client, time_limit=60, rel_gap=1e-4)
    assert there.violations == [] and there.npv_gbp == pytest.approx(here.npv_gbp, rel=1e-9)
    assert there.bound_gbp == pytest.approx(here.bound_gbp, rel=1e-9)
    assert there.assignment.equals(here.assignment)
