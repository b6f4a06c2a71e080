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


def test_decompose_takes_coupled_regions_to_the_lagrangian_decomposition():
    """solve_decomposed (``reformkit optimise --decompose``): a problem a national cap and a national shared
    service tie into one block goes by region to solve_coupled, with its proven bound; below the size
    threshold, or with a coupling row the decomposition does not price (a floor), it is solved whole and the
    plan says why."""
    import pandas as pd

    from optimise import solve_decomposed

    problem = independent(60, seed=0, services_per_region=20)
    plan = solve_decomposed(problem, regions_from_services=0, time_limit=60, rel_gap=1e-9)
    best = _check(problem, plan)
    assert plan.provenance["decomposition"]["method"] == "lagrange" and plan.provenance["decomposition"]["regions"] == 3
    direct = solve_coupled(problem, time_limit=60, rel_gap=1e-9)
    assert plan.npv_gbp == pytest.approx(direct.npv_gbp, rel=1e-12) and plan.bound_gbp == pytest.approx(direct.bound_gbp, rel=1e-12)

    whole = solve_decomposed(problem, time_limit=60, rel_gap=1e-9)  # 60 services: below the default threshold
    assert whole.provenance["decomposition"]["method"] == "whole model" and whole.status == "optimal"
    assert whole.objective_gbp == pytest.approx(best.objective_gbp, rel=1e-9)
    assert any("60 services, fewer than 12,000" in n for n in whole.provenance["notes"])

    problem.floors = pd.DataFrame([dict(floor_id="F1", measure="members", vehicle_id="COOP-R02", sense="at_least",
                                        bound=1.0, year=None, cumulative=False)])
    with pytest.raises(ValueError, match="does not price floors and targets"):
        solve_coupled(problem, time_limit=60)
    floored = solve_decomposed(problem, regions_from_services=0, time_limit=60, rel_gap=1e-9)
    assert floored.provenance["decomposition"]["method"] == "whole model" and floored.status == "optimal"
    assert any("not by region: floors and targets" in n for n in floored.provenance["notes"])
    assert int(floored.assignment.loc[floored.assignment["moves"], "vehicle_id"].eq("COOP-R02").sum()) >= 1
    assert floored.objective_gbp == pytest.approx(solve(problem, rel_gap=1e-9).objective_gbp, rel=1e-9)


def test_a_regions_greedy_plan_under_its_share_keeps_the_share():
    """The fallback of a regional repair that finds no plan in its time (the national study at 120 s: two of
    nine regions): the region's greedy plan with its shares as caps, whose money is the region's own."""
    import numpy as np

    from optimise import evaluate_plan
    from optimise.plan import plan_from_decisions
    from optimise.region_solver import RegionSolver
    from optimise.regions import coupling_of, region_problem, shared_vehicles_normalised

    problem = independent(60, seed=0, services_per_region=20)
    P = problem.normalised()
    regions = find_regions(problem)
    shared = shared_vehicles_normalised(P, regions)
    coupling = coupling_of(P, regions, shared)
    sub = region_problem(P, regions[2], shared, 2)
    solver = RegionSolver(sub, 2, coupling)
    free = solver._greedy_under({("cum", t): 1e12 for t in range(coupling.T)}, {"NSS": None}, 5.0)
    share = 0.8 * float(-np.cumsum(free["net"]).min())  # 80 % of what the unconstrained greedy needs at its peak
    g = solver._greedy_under({("cum", t): share for t in range(coupling.T)}, {"NSS": None}, 5.0)
    assert len(free["moves"]) > len(g["moves"]) > 0
    assert (np.cumsum(g["net"]) >= -share - 1e-3).all() and not (np.cumsum(free["net"]) >= -share).all()
    assert "NSS" not in set(g["moves"]["vehicle_id"]) and not g["E"]["NSS"].any()  # the copy only in its year: never
    plan = plan_from_decisions(sub, g["moves"], g["est"], g["opened"], "feasible")
    ev = evaluate_plan(sub, plan)
    assert ev.npv_gbp == pytest.approx(g["npv"], rel=1e-12)
    assert np.allclose(ev.profile["net_gbp"].to_numpy(dtype=float), g["net"])
    assert g["count"].sum() == len(g["moves"])
