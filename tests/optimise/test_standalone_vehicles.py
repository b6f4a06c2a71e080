"""A vehicle with no placements (component-level money only) is established on its own merit."""
import numpy as np
import pandas as pd
import pytest

from opt_instances import brute_force
from optimise import OptionRules, PlacementProblem, check_plan, solve


def problem(benefit: float, rules: OptionRules | None = None) -> PlacementProblem:
    return PlacementProblem(
        years=["2024/25", "2025/26", "2026/27"], discount_factor=np.array([1.0, 1 / 1.035, 1 / 1.035**2]),
        services=pd.DataFrame({"service_id": ["s1"], "fte": [1.0], "volume": [0.0], "current_vehicle_id": ["sq"],
                               "current_site_id": [None]}),
        vehicles=pd.DataFrame({"vehicle_id": ["sq", "hub", "ica"], "kind": ["status_quo", "shared_service", "integrated_care"],
                               "earliest_year": [0, 0, 1], "latest_year": [np.nan] * 3, "max_sites": [np.nan] * 3,
                               "is_status_quo": [True, False, False]}),
        placements=pd.DataFrame({"service_id": ["s1"], "vehicle_id": ["hub"], "site_id": [None]}),
        placement_streams=pd.DataFrame({"service_id": ["s1"], "vehicle_id": ["hub"], "offset": [0],
                                        "benefit_gbp": [10.0], "cost_gbp": [0.0]}),
        # ica: set-up 100 in its first year, then `benefit` a year
        vehicle_streams=pd.DataFrame({"vehicle_id": ["ica", "ica", "ica", "hub"], "offset": [0, 1, 0, 0],
                                      "benefit_gbp": [0.0, benefit, benefit, 0.0], "cost_gbp": [100.0, 0.0, 0.0, 50.0]}),
        rules=rules or OptionRules(),
    )


def test_worth_it_alone_means_established_alone():
    plan = solve(problem(benefit=80.0))
    est = plan.vehicles.set_index("vehicle_id")["established_year"]
    assert est["ica"] == 1  # its earliest year: -100 + 80 + 80/1.035 discounted from 2025/26
    assert pd.isna(est["hub"])  # hub has placements: set-up 50 > benefit 10, and nothing moves
    assert check_plan(problem(80.0), plan) == []
    npv, _ = brute_force(problem(80.0))
    assert plan.objective_gbp == pytest.approx(npv)
    assert plan.objective_gbp == pytest.approx((-100 + 80) / 1.035 + 80 / 1.035**2)


def test_not_worth_it_or_not_allowed_means_never():
    assert pd.isna(solve(problem(benefit=30.0)).vehicles.set_index("vehicle_id").at["ica", "established_year"])
    barred = solve(problem(80.0, OptionRules(forbidden_vehicles=("ica",))))
    assert barred.objective_gbp == pytest.approx(0.0)
