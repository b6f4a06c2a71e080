"""Near-optimal alternatives (MGA) and the NPV / funding (or score) Pareto front."""

import numpy as np
import pytest

from optimise import alternatives, check_plan, distance_table, evaluate_plan, pareto, solve
from opt_instances import random_problem


@pytest.fixture(scope="module")
def problem():
    return random_problem(12, n_vehicles=3, n_sites_per_vehicle=2, T=4, seed=11)


@pytest.fixture(scope="module")
def best(problem):
    plan = solve(problem)
    assert plan.status == "optimal"
    return plan


def test_alternatives_are_distinct_and_within_slack(problem, best):
    alts = alternatives(problem, best, n=3, slack_pct=10.0)
    assert len(alts) == 3
    floor = best.npv_gbp - 0.10 * abs(best.npv_gbp)
    for a in alts:
        assert a.violations == [] and check_plan(problem, a) == []
        assert a.npv_gbp >= floor - 1e-6
        assert a.npv_gbp <= best.npv_gbp + 1e-6
        assert a.objective_gbp == pytest.approx(evaluate_plan(problem, a).npv_gbp, abs=1e-3)
    d = distance_table(problem, [best] + alts).to_numpy()
    off = d[~np.eye(len(d), dtype=bool)]
    assert off.min() > 0  # all distinct
    # the first alternative is as far from the optimum as any plan in the slack can be: at least as far as the others
    assert d[0, 1] >= max(d[0, 2], d[0, 3]) - 1e-9
    assert alts[0].provenance["mga"]["hamming_to_previous"] == [d[0, 1]]


def test_pareto_funding_front_is_monotone(problem, best):
    front = pareto(problem, second="funding", points=4)
    t = front.table
    assert len(t) == 4 and (t["status"] == "optimal").all()
    assert np.all(np.diff(t["npv_gbp"]) >= -1e-6)  # more funding allowed -> NPV never falls
    assert np.all(np.diff(t["second_value"]) >= -1e-6)
    assert np.all(t["second_value"] <= t["epsilon"] + 1e-3 * np.maximum(1, t["epsilon"]))
    assert t["npv_gbp"].iloc[-1] == pytest.approx(best.npv_gbp, rel=1e-9, abs=1e-3)
    assert t["second_value"].iloc[0] <= best.peak_funding_gbp
    assert all(p.violations == [] for p in front.plans)


def test_pareto_score_front_trades_npv_for_score(problem):
    problem = problem.__class__(**{**problem.__dict__})
    pl = problem.placements.copy()
    pl["score"] = (np.arange(len(pl)) % 3).astype(float)  # a value-driver score per placement
    problem.placements = pl
    front = pareto(problem, second="score", points=3)
    t = front.table
    assert (t["status"] == "optimal").all()
    assert np.all(np.diff(t["npv_gbp"]) >= -1e-6)  # eps falls along the front, NPV rises
    assert np.all(np.diff(t["second_value"]) <= 1e-6)
    assert t["second_value"].iloc[0] >= t["second_value"].iloc[-1]
