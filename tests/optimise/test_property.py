"""The MILP optimum equals brute-force enumeration on random small instances; every plan passes check_plan."""

import math

from hypothesis import HealthCheck, given, settings

from optimise import check_plan, evaluate_plan, solve
from opt_instances import brute_force, small_problems


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True, database=None)
@given(small_problems())
def test_milp_matches_brute_force(problem):
    _matches_brute_force(problem)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True, database=None)
@given(small_problems(dependency=True))
def test_milp_matches_brute_force_with_vehicle_dependencies(problem):
    _matches_brute_force(problem)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True, database=None)
@given(small_problems(floors=True))
def test_milp_matches_brute_force_with_floors(problem):
    _matches_brute_force(problem)


def _matches_brute_force(problem):
    best, _ = brute_force(problem)
    plan = solve(problem)
    if best is None:
        assert plan.status == "infeasible", (plan.status, plan.npv_gbp)
        assert plan.diagnosis and "No plan satisfies" in plan.diagnosis
        return
    assert plan.status == "optimal", plan.diagnosis
    assert plan.violations == []
    assert check_plan(problem, plan) == []
    assert math.isclose(plan.objective_gbp, best, rel_tol=1e-7, abs_tol=1e-6), (plan.objective_gbp, best)
    assert math.isclose(evaluate_plan(problem, plan).npv_gbp, plan.objective_gbp, rel_tol=1e-9, abs_tol=1e-6)
