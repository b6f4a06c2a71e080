"""The study's floors table: the engine's floor rows equal the ledger's aggregates of the plan (slack for slack),
a partner floor changes the optimised plan, bad rows are clear errors."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from appraisal.adapters.optimiser import evaluate_plan, floor_values, price_floors, solve
from appraisal.adapters.to_optimise import build_problem, engine_tables, from_engine
from appraisal.money.document import document_plan
from appraisal.money.ledger import plan_money
from appraisal.study import load_study
from appraisal.study.errors import StudyError

HUBS = Path(__file__).resolve().parents[1] / "fixtures" / "hubs"
HEADER = "floor_id,option_id,measure,selector,vehicle_id,sense,value_gbp,pct,baseline_gbp,count,year,cumulative,source\n"


def _study(tmp_path, rows: str):
    d = tmp_path / "hubs"
    shutil.copytree(HUBS, d)
    if rows:  # a header-only table is an error (harden): no rows means no floors.csv
        (d / "floors.csv").write_text(HEADER + rows)
    return load_study(d)


def _ledger_aggregate(study, oid, plan, measure, party=None, cumulative=False) -> np.ndarray:
    s = plan_money(study, oid, plan).streams
    if party is not None:
        s = s[s["party"] == party]
    T = len(study.years)
    b = s[s["kind"] == "benefit"].groupby("t")["adj_amount_gbp"].sum().reindex(range(T), fill_value=0.0).to_numpy()
    c = s[s["kind"] == "cost"].groupby("t")["adj_amount_gbp"].sum().reindex(range(T), fill_value=0.0).to_numpy()
    out = {"benefits": b, "costs": c, "net": b - c}[measure]
    return np.cumsum(out) if cumulative else out


ROWS = ("trust_net,hub,net,partner:trust,,at_least,-100000,,,,,yes,test: the trust never more than £0.1m down\n"
        "city_cost,hub,costs,partner:city,,at_most,,40,1000000,,2021/22,no,test: 40% of a £1m labelled baseline\n"
        "all_benefit,hub,benefits,,,at_least,0,,,,,yes,test\n"
        "hub_size,hub,members,,hub,at_least,,,,2,,no,test\n")


def test_engine_rows_equal_the_ledger_for_plans(tmp_path):
    study = _study(tmp_path, ROWS)
    problem, _ = build_problem(study, "hub")
    P = problem.normalised()
    engine = solve(problem)
    assert engine.status == "optimal", engine.diagnosis
    plans = [document_plan(study, "hub"), from_engine("hub", engine, "optimised")]
    for plan in plans:
        ev = evaluate_plan(problem, **engine_tables(plan, len(study.years)))
        got = floor_values(P, ev).set_index(["floor_id", "t"])["slack"]
        trust = _ledger_aggregate(study, "hub", plan, "net", "trust", cumulative=True)
        for t in range(len(study.years)):
            assert got["trust_net", t] == pytest.approx(trust[t] + 100_000, abs=0.01)
        city = _ledger_aggregate(study, "hub", plan, "costs", "city")
        assert got["city_cost", 1] == pytest.approx(400_000 - city[1], abs=0.01)
        benefit = _ledger_aggregate(study, "hub", plan, "benefits", cumulative=True)
        for t in range(len(study.years)):
            assert got["all_benefit", t] == pytest.approx(benefit[t], abs=0.01)
        members = len(plan.moves)
        assert got["hub_size", len(study.years) - 1] == members - 2


def test_partner_floor_changes_the_plan_and_is_priced(tmp_path):
    free = _study(tmp_path / "a", "")
    p0, c0 = build_problem(free, "hub")
    base = solve(p0)
    city0 = _ledger_aggregate(free, "hub", from_engine("hub", base, "optimised"), "net", "city", cumulative=True)
    assert city0[-1] == pytest.approx(1_040_000, abs=1)  # the free plan leaves the city £1.04m up by 2023/24
    floor = 1_060_000.0
    study = _study(tmp_path / "b", f"city_net,hub,net,partner:city,,at_least,{floor},,,,2023/24,yes,test\n")
    problem, c1 = build_problem(study, "hub")
    plan = solve(problem)
    assert plan.status == "optimal", plan.diagnosis
    city = _ledger_aggregate(study, "hub", from_engine("hub", plan, "optimised"), "net", "city", cumulative=True)
    assert city[-1] >= floor - 0.01
    assert plan.npv_gbp < base.npv_gbp
    prices = price_floors(problem, plan)
    r = prices.iloc[0]
    assert r.binding and r.cost_of_floor_gbp == pytest.approx(base.npv_gbp - plan.npv_gbp, abs=0.01)


def test_bad_floor_rows_name_file_row_and_column(tmp_path):
    with pytest.raises(StudyError) as e:
        _study(tmp_path / "a", "f1,hub,net,partner:nobody,,at_least,0,,,,,no,test\n")
    assert "floors.csv, row 2, column 'selector': 'partner:nobody': no partner 'nobody'" in str(e.value)
    with pytest.raises(StudyError) as e:
        _study(tmp_path / "b", "f1,hub,net,,,at_least,0,10,100,,,no,test\n")
    assert "floors.csv, row 2" in str(e.value) and "exactly one of value_gbp or (pct and baseline_gbp)" in str(e.value)
    with pytest.raises(StudyError) as e:
        _study(tmp_path / "c", "f1,hub,members,,nohub,at_least,,,,2,,no,test\n")
    assert "floors.csv, row 2, column 'vehicle_id': 'nohub' is not a vehicle_id" in str(e.value)


def test_cli_reports_floors_with_their_price(tmp_path):
    import json

    from typer.testing import CliRunner

    from appraisal.cli import app

    _study(tmp_path, "city_net,hub,net,partner:city,,at_least,1060000,,,,2023/24,yes,test\n"
                     "hub_size,hub,members,,hub,at_most,,,,3,,no,test\n")
    out = tmp_path / "out"
    res = CliRunner(env={"COLUMNS": "160"}).invoke(app, ["optimise", str(tmp_path / "hubs"), "--option", "hub", "--out", str(out)])
    assert res.exit_code == 0, res.output
    floors = {f["floor_id"]: f for f in json.loads((out / "results.json").read_text())["options"]["hub"]["floors"]}
    city, size = floors["city_net"], floors["hub_size"]
    assert city["binding"] and city["value"] >= 1_060_000 - 0.01 and city["bound"] == 1_060_000
    assert city["cost_of_floor_gbp"] > 0 and city["shadow_price_gbp"] >= 0
    assert not size["binding"] and size["value"] <= 3 and size["cost_of_floor_gbp"] == 0
    assert "floors and targets" in res.output and "city_net" in res.output and "hub_size" in res.output
