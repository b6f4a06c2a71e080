"""Joint money (an AND of establishment decisions) and from_year (timing rules) in the MILP, by hand.

Two standalone vehicles a and b, three years, no discounting: each earns 100 a year from its establishment.
"""
import numpy as np
import pandas as pd
import pytest

from optimise import OptionRules, PlacementProblem, evaluate_plan, solve


def problem(joint_benefit=0.0, joint_cost=0.0, from_year=0, a_from_year=0, rules=None) -> PlacementProblem:
    return PlacementProblem(
        years=["2024/25", "2025/26", "2026/27"], discount_factor=np.ones(3),
        services=pd.DataFrame({"service_id": ["s1"], "fte": [1.0], "volume": [0.0], "current_vehicle_id": ["sq"],
                               "current_site_id": [None]}),
        vehicles=pd.DataFrame({"vehicle_id": ["sq", "a", "b"], "kind": ["status_quo", "other", "other"],
                               "earliest_year": [0, 0, 0], "latest_year": [np.nan] * 3, "max_sites": [np.nan] * 3,
                               "is_status_quo": [True, False, False]}),
        placements=pd.DataFrame(columns=["service_id", "vehicle_id", "site_id"]),
        vehicle_streams=pd.DataFrame({"vehicle_id": ["a"] * 3 + ["b"] * 3, "offset": [0, 1, 2] * 2,
                                      "benefit_gbp": [100.0] * 6, "cost_gbp": [0.0] * 6,
                                      "from_year": [a_from_year] * 3 + [0] * 3}),
        joint_streams=pd.DataFrame({"joint_id": ["j"] * 3, "vehicle_id": ["a"] * 3, "offset": [0, 1, 2],
                                    "benefit_gbp": [joint_benefit] * 3, "cost_gbp": [joint_cost] * 3,
                                    "from_year": [from_year] * 3}),
        joint_requires=pd.DataFrame({"joint_id": ["j"], "requires_vehicle_id": ["b"]}),
        rules=rules or OptionRules(),
    )


def test_a_joint_cost_is_paid_whenever_both_exist():
    """Both vehicles: 600 - 3 x 250 = -150; one of them alone: 300. Without the row z >= y + E - 1 the solver
    would take both and 'forget' the joint cost (600)."""
    p = problem(joint_cost=250.0)
    plan = solve(p)
    assert plan.objective_gbp == pytest.approx(300.0)
    assert plan.npv_gbp == pytest.approx(300.0)
    est = plan.vehicles.set_index("vehicle_id")["established_year"].dropna()
    assert len(est) == 1
    both = pd.DataFrame({"vehicle_id": ["a", "b"], "established_year": [0, 0]})
    none = pd.DataFrame(columns=["service_id", "vehicle_id", "site_id", "transfer_year"])
    assert evaluate_plan(p, none, vehicles=both).npv_gbp == pytest.approx(-150.0)


def test_a_joint_benefit_counts_only_in_the_years_both_exist():
    p = problem(joint_benefit=50.0)
    none = pd.DataFrame(columns=["service_id", "vehicle_id", "site_id", "transfer_year"])
    later = pd.DataFrame({"vehicle_id": ["a", "b"], "established_year": [0, 2]})  # a 300, b 100, joint t=2: 50
    assert evaluate_plan(p, none, vehicles=later).npv_gbp == pytest.approx(450.0)
    plan = solve(p)
    assert plan.objective_gbp == pytest.approx(750.0) == pytest.approx(plan.npv_gbp)  # both at 0: 600 + 150
    alone = solve(problem(joint_benefit=50.0, rules=OptionRules(forbidden_vehicles=("b",))))
    assert alone.objective_gbp == pytest.approx(300.0)  # b forbidden: the joint money never counts


def test_from_year_masks_absolute_years_whatever_the_establishment_year():
    """a's money from 2025/26 only: established in 2024/25 it earns 200, not 300; the joint money from 2026/27."""
    p = problem(joint_benefit=50.0, from_year=2, a_from_year=1)
    plan = solve(p)
    assert plan.objective_gbp == pytest.approx(200 + 300 + 50) == pytest.approx(plan.npv_gbp)
