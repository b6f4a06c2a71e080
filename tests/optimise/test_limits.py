"""Issue 10: time limits that hold (a plan, its bound and gap within the promise), vehicle dependencies, and
the defects found by independent brute-force checks (each with its own test)."""

import time

import numpy as np
import pandas as pd
import pytest

from optimise import OptionRules, PlacementProblem, check_plan, evaluate_plan, solve
from optimise.prepare import prepare
from optimise.start import greedy_start

YEARS = ["2020/21", "2021/22", "2022/23", "2023/24"]


def two_vehicles(rules=None, **kw) -> PlacementProblem:
    """Services S1 -> A and S2 -> B (no sites); each transfer costs 100 and saves 60 a year from the next."""
    args = dict(
        name="two", years=YEARS, discount_factor=np.ones(4),
        services=pd.DataFrame({"service_id": ["S1", "S2"], "fte": 1.0, "volume": 1.0, "current_vehicle_id": "SQ",
                               "current_site_id": None}),
        vehicles=pd.DataFrame({"vehicle_id": ["SQ", "A", "B"], "kind": ["status_quo", "ca", "jv"],
                               "earliest_year": [0, 0, 0], "latest_year": np.nan, "max_sites": np.nan,
                               "is_status_quo": [True, False, False]}),
        placements=pd.DataFrame({"service_id": ["S1", "S2"], "vehicle_id": ["A", "B"], "site_id": None}),
        placement_streams=pd.DataFrame([(s, v, k, 60.0 if k else 0.0, 100.0 if k == 0 else 0.0)
                                        for s, v in (("S1", "A"), ("S2", "B")) for k in range(4)],
                                       columns=["service_id", "vehicle_id", "offset", "benefit_gbp", "cost_gbp"]),
        vehicle_streams=pd.DataFrame({"vehicle_id": ["A", "B"], "offset": 0, "benefit_gbp": 0.0, "cost_gbp": 10.0}),
        rules=rules or OptionRules(name="two"))
    args.update(kw)
    return PlacementProblem(**args)


def deps(lag: int) -> pd.DataFrame:
    return pd.DataFrame({"vehicle_id": ["B"], "requires_vehicle_id": ["A"], "min_lag_years": [lag]})


# ---------------------------------------------------------------------------------------------- dependencies

def test_a_vehicle_waits_for_the_one_it_requires():
    free = solve(two_vehicles())
    assert free.status == "optimal"
    assert free.vehicles.set_index("vehicle_id")["established_year"].to_dict() == {"A": 0, "B": 0}
    # each vehicle: -10 - 100 + 3 x 60 = 70 when set up in year 0; B a year later earns 60 less
    assert free.npv_gbp == pytest.approx(140.0)
    tied = solve(two_vehicles(vehicle_dependencies=deps(1)))
    assert tied.status == "optimal" and tied.violations == []
    assert tied.vehicles.set_index("vehicle_id")["established_year"].to_dict() == {"A": 0, "B": 1}
    assert tied.npv_gbp == pytest.approx(70.0 + 10.0)
    # the unconstrained plan breaks the rule, and the checker says so in words
    problem = two_vehicles(vehicle_dependencies=deps(1))
    assert check_plan(problem, free) == [
        "B is established in 2020/21 but requires A established at least 1 year(s) earlier (A is established in 2020/21)"]


def test_a_vehicle_whose_requirement_is_not_allowed_is_left_out():
    problem = two_vehicles(OptionRules(name="no A", forbidden_vehicles=("A",)), vehicle_dependencies=deps(0))
    plan = solve(problem)
    assert plan.status == "optimal" and plan.npv_gbp == 0.0
    assert any("B requires A to be established first" in n for n in plan.provenance["notes"])


def test_a_dependency_that_leaves_no_year_is_diagnosed():
    # B must move S2 (forced mapping) but may start only 4 years after A: beyond the horizon
    problem = two_vehicles(OptionRules(name="too late", forced_mappings={"S2": "B"}), vehicle_dependencies=deps(4))
    plan = solve(problem)
    assert plan.status == "infeasible"
    assert "B requires A established 4 year(s) earlier, which leaves no year in B's window" in plan.diagnosis


def test_greedy_start_respects_dependencies():
    prep = prepare(two_vehicles(vehicle_dependencies=deps(2)))
    g = greedy_start(prep)
    est = dict(zip(prep.Y.iloc[g.y]["vehicle_id"], prep.Y.iloc[g.y]["t"]))
    assert est["A"] == 0 and est.get("B", 9) >= 2


# ---------------------------------------------------------------------------------------------- defects (item 7)

def test_forced_establishment_year_outside_window_filters_that_vehicle_only():
    # A's window is 2020/21..2021/22; forcing it into 2023/24 leaves A out, B is still optimised
    vehicles = two_vehicles().vehicles.assign(latest_year=[np.nan, 1, np.nan])
    plan = solve(two_vehicles(OptionRules(name="late A", forced_vehicle_years={"A": 3}), vehicles=vehicles))
    assert plan.status == "optimal"
    est = plan.vehicles.set_index("vehicle_id")["established_year"]
    assert pd.isna(est["A"]) and est["B"] == 0
    assert plan.npv_gbp == pytest.approx(70.0)
    assert any("A is forced to be established in year index 3, outside its window" in n for n in plan.provenance["notes"])


def test_infeasible_with_no_binaries_and_a_funding_cap_is_diagnosed_not_check_failed():
    # every service must move but the option forbids both vehicles: no transfer variable survives
    rules = OptionRules(name="nowhere", status_quo_allowed=False, forbidden_vehicles=("A", "B"))
    plan = solve(two_vehicles(rules, funding_cap_cumulative_gbp=50.0))
    assert plan.status == "infeasible"
    assert "S1 must move" in plan.diagnosis and "S2 must move" in plan.diagnosis


@pytest.mark.parametrize("year", [4, 7, -1])
def test_forced_year_outside_the_horizon_is_a_clear_error(year):
    with pytest.raises(ValueError, match=rf"forced year of service S1 is year index {year}, outside the horizon 0..3"):
        solve(two_vehicles(OptionRules(name="bad", forced_years={"S1": year})))


def test_too_early_forced_year_names_the_vehicle_window():
    vehicles = two_vehicles().vehicles.assign(earliest_year=[0, 2, 0])
    plan = solve(two_vehicles(OptionRules(name="early", forced_years={"S1": 1}), vehicles=vehicles))
    assert plan.status == "infeasible"
    assert "S1 is forced to move in 2021/22, before any vehicle it may move into can be established (A from 2022/23)" \
        in plan.diagnosis
    assert "no eligible placement" not in plan.diagnosis


def test_zero_funding_caps_are_named_as_the_conflict():
    # S1 must move into A; every transfer costs 100 in its year, and the caps are zero
    rules = OptionRules(name="no money", forced_mappings={"S1": "A"})
    plan = solve(two_vehicles(rules, funding_cap_yearly_gbp=pd.Series([0.0] * 4), funding_cap_cumulative_gbp=0.0))
    assert plan.status == "infeasible"
    assert "The conflict is between services that must move and the" in plan.diagnosis
    assert "funding cap" in plan.diagnosis.splitlines()[0]
    assert "cannot be established" not in plan.diagnosis
    fams = {f["family"] for f in plan.provenance["findings"]}
    assert fams & {"funding_yearly", "funding_cumulative"} and "must_move" not in fams


# ---------------------------------------------------------------------------------------------- time limits

def test_a_checked_plan_comes_back_even_when_highs_has_no_time():
    # a 0.05 s limit: HiGHS cannot even start, the greedy plan (checked) is the answer, with a valid bound
    problem = two_vehicles()
    plan = solve(problem, time_limit=0.05)
    assert plan.status in ("feasible", "optimal") and plan.violations == []
    assert plan.bound_gbp is not None and plan.bound_gbp >= plan.npv_gbp - 1e-9 and plan.gap is not None
    assert evaluate_plan(problem, plan).npv_gbp == pytest.approx(plan.objective_gbp)


def test_no_plan_within_the_limit_is_status_no_solution(monkeypatch):
    import optimise.engine as engine

    monkeypatch.setattr(engine, "greedy_start", lambda prep, **kw: None)  # no greedy plan to fall back on
    rules = OptionRules(name="all move", status_quo_allowed=False)  # and doing nothing is not allowed
    plan = solve(two_vehicles(rules), time_limit=0.05)
    assert plan.status == "no_solution" and not plan.has_solution
    assert "No feasible plan was found within the time limit of 0.05 s" in plan.diagnosis


@pytest.fixture(scope="module")
def national_problem(tmp_path_factory):
    """shared_services of a generated national study, 40 authorities x 60 services (2,400 services)."""
    import importlib.util
    from pathlib import Path

    from appraisal.adapters.to_optimise import build_problem
    from appraisal.study import load_study

    script = Path(__file__).parents[2] / "studies" / "national" / "generate.py"
    spec = importlib.util.spec_from_file_location("national_generate", script)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    out = tmp_path_factory.mktemp("national")
    gen.main(["--authorities", "40", "--services-per-authority", "60", "--seed", "0", "--out", str(out)])
    problem, _ = build_problem(load_study(out), "shared_services")
    return problem


@pytest.mark.slow
def test_five_second_limit_on_a_large_instance_returns_a_plan_within_the_promise(national_problem):
    tick = time.perf_counter()
    plan = solve(national_problem, time_limit=5)
    total = time.perf_counter() - tick
    after_model = total - plan.provenance["timings"]["model_seconds"]
    assert after_model <= 5 * 1.1, plan.provenance["timings"]  # the promise: limit + model build + 10 %
    assert plan.status in ("feasible", "optimal") and plan.violations == []
    assert plan.npv_gbp > 0  # better than doing nothing
    assert plan.bound_gbp >= plan.npv_gbp and 0 <= plan.gap < 1
    assert plan.gap == pytest.approx((plan.bound_gbp - plan.npv_gbp) / max(abs(plan.bound_gbp), abs(plan.npv_gbp)))
