"""Floors and targets: the model's rows equal the plan's aggregates; binding floors are priced; an impossible
floor is diagnosed by name (the brute-force property test is in test_property.py)."""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from opt_instances import random_problem

from optimise import PlacementProblem, check_plan, evaluate_plan, floor_values, price_floors, solve
from optimise.prepare import prepare


def _toy(floors=None, floor_streams=None) -> PlacementProblem:
    """One year, one vehicle, three services each worth benefit £10,000 and cost £4,000."""
    return PlacementProblem(
        years=["2025/26"], discount_factor=np.ones(1),
        services=pd.DataFrame({"service_id": ["S0", "S1", "S2"], "fte": 1.0, "volume": 1.0}),
        vehicles=pd.DataFrame({"vehicle_id": ["SQ", "V"], "kind": ["status_quo", "ca"], "is_status_quo": [True, False]}),
        placements=pd.DataFrame({"service_id": ["S0", "S1", "S2"], "vehicle_id": "V", "site_id": None}),
        placement_streams=pd.DataFrame({"service_id": ["S0", "S1", "S2"], "vehicle_id": "V", "offset": 0,
                                        "benefit_gbp": 10_000.0, "cost_gbp": 4_000.0}),
        floors=floors, floor_streams=floor_streams, name="toy")


def _floor(**kw):
    row = dict(floor_id="F1", measure="cost", vehicle_id=None, sense="at_most", bound=0.0, year=None, cumulative=False)
    return pd.DataFrame([row | kw])


def test_cost_ceiling_limits_moves_and_is_priced():
    plan = solve(_toy(_floor(bound=11_500.0)))
    assert plan.status == "optimal" and math.isclose(plan.npv_gbp, 12_000.0)  # two services: cost £8,000
    prices = price_floors(_toy(_floor(bound=11_500.0)), plan)
    r = prices.iloc[0]
    assert r.binding and r.step == 1_000.0 and math.isclose(r.min_slack, 3_500.0)
    assert math.isclose(r.cost_of_floor_gbp, 6_000.0)  # dropped: all three move
    assert math.isclose(r.shadow_price_gbp, 6.0)  # £12,500 admits the third service: £6,000 per £1,000


def test_slack_floor_is_not_binding():
    problem = _toy(_floor(measure="benefit", sense="at_least", bound=5_000.0))
    plan = solve(problem)
    assert math.isclose(plan.npv_gbp, 18_000.0)
    r = price_floors(problem, plan).iloc[0]
    assert not r.binding and r.cost_of_floor_gbp == 0.0 and r.shadow_price_gbp == 0.0
    assert math.isclose(r.min_slack, 25_000.0)


def test_members_floor_forces_a_loss_making_move():
    problem = _toy(_floor(measure="members", vehicle_id="V", sense="at_least", bound=2.0))
    problem.placement_streams["cost_gbp"] = [12_000.0, 11_000.0, 4_000.0]  # only S2 pays
    plan = solve(problem)
    moved = set(plan.assignment.loc[plan.assignment["transfer_year"].notna(), "service_id"])
    assert moved == {"S1", "S2"} and math.isclose(plan.npv_gbp, 6_000.0 - 1_000.0)
    r = price_floors(problem, plan).iloc[0]
    assert r.binding and math.isclose(r.cost_of_floor_gbp, 1_000.0) and math.isclose(r.shadow_price_gbp, 1_000.0)


def test_floor_streams_count_only_their_entries():
    """A partner's net: only S0's money is that partner's; at least £0 keeps S0 from its loss-making move."""
    fs = pd.DataFrame({"floor_id": ["F1"], "anchor": ["service"], "service_id": ["S0"], "vehicle_id": ["V"],
                       "offset": [0], "benefit_gbp": [1_000.0], "cost_gbp": [3_000.0]})
    problem = _toy(_floor(measure="net", sense="at_least", bound=0.0), fs)
    plan = solve(problem)
    moved = set(plan.assignment.loc[plan.assignment["transfer_year"].notna(), "service_id"])
    assert moved == {"S1", "S2"}
    v = floor_values(problem.normalised(), evaluate_plan(problem, plan))
    assert v["value"].tolist() == [0.0]
    free = solve(_toy(None))
    assert check_plan(problem, free) == ["floor F1 in 2025/26: net is £-2,000, but must be at least £0"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_model_rows_equal_the_plans_aggregates(seed):
    """Each floor row's linear body, from the objective's coefficients, equals floor_values of the plan."""
    base = random_problem(12, seed=seed)
    T = base.normalised().T
    floors = pd.DataFrame([
        dict(floor_id="benefit_cum", measure="benefit", vehicle_id=None, sense="at_least", bound=-1e12, year=None, cumulative=True),
        dict(floor_id="cost_year", measure="cost", vehicle_id=None, sense="at_most", bound=1e12, year=T - 1, cumulative=False),
        dict(floor_id="net_cum", measure="net", vehicle_id=None, sense="at_least", bound=-1e12, year=None, cumulative=True),
        dict(floor_id="members", measure="members", vehicle_id="V0", sense="at_most", bound=1e6, year=None, cumulative=False)])
    problem = dataclasses.replace(base, floors=floors)
    plan = solve(problem)
    assert plan.status == "optimal" and plan.violations == []
    prep = prepare(problem)
    xv = _decisions(prep, plan)
    got = []
    ev = evaluate_plan(problem, plan)
    for row, co in prep.floors:
        per_year = co["x"].T @ xv["x"] + co["y"].T @ xv["y"] + co["w"].T @ xv["w"]
        per_year = per_year + co["curve"] * (ev.profile["cost_gbp"].to_numpy() - _stream_cost(prep, xv))
        if row.cumulative:
            per_year = np.cumsum(per_year)
        years = [T - 1] if row.measure == "members" else (range(T) if row.year is None else [row.year])
        got += [float(per_year[t]) for t in years]
    want = floor_values(problem.normalised(), ev)["value"].to_numpy()
    assert np.allclose(got, want, rtol=1e-9, atol=1e-6)
    assert want[T - 1] == pytest.approx(float(ev.profile["benefit_gbp"].sum()))  # cumulative benefit by the end


def _decisions(prep, plan) -> dict:
    a = plan.assignment[plan.assignment["transfer_year"].notna()]
    moves = {(s, v, site, int(t)) for s, v, site, t in a[["service_id", "vehicle_id", "site_id", "transfer_year"]].itertuples(index=False)}
    est = {(v, int(t)) for v, t in plan.vehicles.dropna(subset=["established_year"])[["vehicle_id", "established_year"]].itertuples(index=False)}
    op = plan.sites[plan.sites["open"].astype(bool) & plan.sites["opened_year"].notna()]
    opened = {(s, int(t)) for s, t in op[["site_id", "opened_year"]].itertuples(index=False)}
    return {"x": np.array([tuple(r) in moves for r in prep.X[["service_id", "vehicle_id", "site_id", "t"]].itertuples(index=False)], float),
            "y": np.array([tuple(r) in est for r in prep.Y[["vehicle_id", "t"]].itertuples(index=False)], float),
            "w": np.array([tuple(r) in opened for r in prep.W[["site_id", "t"]].itertuples(index=False)], float)}


def _stream_cost(prep, xv) -> np.ndarray:
    """Cost of the streams and sites alone (the rest of the plan's cost is its cost curves)."""
    return prep.xc.T @ xv["x"] + prep.yc.T @ xv["y"] + prep.wc.T @ xv["w"]


def test_infeasible_floor_is_named():
    plan = solve(_toy(_floor(measure="members", vehicle_id="V", sense="at_least", bound=4.0)))
    assert plan.status == "infeasible"
    assert "membership floors" in plan.diagnosis
    assert "Floor F1: V must have at least 4 services by 2025/26; the rules allow it 1 fewer." in plan.diagnosis
    plan = solve(_toy(_floor(measure="net", sense="at_least", bound=20_000.0)))
    assert plan.status == "infeasible" and "money floors and targets" in plan.diagnosis
    assert "Floor F1: net in 2025/26 must be at least £20,000; it misses by £2,000" in plan.diagnosis


def test_malformed_floor_is_a_clear_error():
    with pytest.raises(ValueError, match="floors row 0: sense must be at_least or at_most, got 'above'"):
        solve(_toy(_floor(sense="above")))
    with pytest.raises(ValueError, match="floors row 0: a members floor needs a known vehicle_id"):
        solve(_toy(_floor(measure="members", vehicle_id="NOPE")))


def test_floors_couple_blocks_in_decomposition():
    from optimise import independent_blocks, solve_decomposed

    problem = _toy(_floor(bound=11_500.0))
    problem.placements["vehicle_id"] = ["V", "V", "W"]  # S2 alone in its own block without the floor
    problem.vehicles = pd.DataFrame({"vehicle_id": ["SQ", "V", "W"], "kind": ["status_quo", "ca", "ca"],
                                     "is_status_quo": [True, False, False]})
    problem.placement_streams["vehicle_id"] = ["V", "V", "W"]
    assert independent_blocks(dataclasses.replace(problem, floors=None)) == [["S0", "S1"], ["S2"]]
    assert independent_blocks(problem) == [["S0", "S1", "S2"]]
    plan = solve_decomposed(problem)
    assert math.isclose(plan.npv_gbp, 12_000.0)  # the floor holds across blocks: two moves, not three
