"""Study -> placement problem -> optimised plan -> money engine: the objective is the appraised NPSV."""
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from appraisal.cli import app
from appraisal.workflows.optimise import optimise_option
from appraisal.study import load_study

HUBS = Path(__file__).parents[1] / "fixtures" / "hubs"


@pytest.fixture(scope="module")
def hub():
    return optimise_option(load_study(HUBS), "hub")


def test_plan_objective_equals_money_engine_npsv(hub):
    assert hub.plan.status == "optimal"
    assert hub.plan.objective_gbp + hub.constant_gbp == pytest.approx(hub.npsv_gbp, abs=0.005)
    assert hub.document is not None and hub.document.plan.kind == "document"


def test_optimised_plan_never_worse_than_the_document_plan(hub):
    ref_npv = hub.summary()["document_plan_npsv_gbp"]
    assert hub.npsv_gbp >= ref_npv - 1e-6
    assert hub.comparison["npsv_gain_gbp"] == pytest.approx(hub.npsv_gbp - ref_npv)


def test_rules_and_structure_hold(hub):
    moves = hub.plan.assignment.set_index("service_id")
    assert moves.at["a", "transfer_year"] == 1  # force_year rule: a moves in 2021/22
    open_sites = hub.plan.sites[hub.plan.sites["open"]]
    assert len(open_sites) <= 1  # max_sites = 1
    assert hub.plan.violations == []
    if moves.at["d", "moves"]:
        assert moves.at["d", "transfer_year"] >= moves.at["a", "transfer_year"] + 1  # precedence a -> d, lag 1


def test_cli_optimise_writes_results_and_identical_tables(tmp_path):
    out = tmp_path / "opt"
    runner = CliRunner()
    result = runner.invoke(app, ["optimise", str(HUBS), "--option", "hub", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "results.json").read_text())
    assert data["options"]["hub"]["status"] == "optimal"
    assert data["options"]["hub"]["gap"] == pytest.approx(0, abs=1e-6)
    first = (out / "hub" / "assignment.csv").read_bytes()
    runner.invoke(app, ["optimise", str(HUBS), "--option", "hub", "--out", str(out)])
    assert (out / "hub" / "assignment.csv").read_bytes() == first


def test_cli_alternatives_and_pareto_front(tmp_path):
    out = tmp_path / "mga"
    result = CliRunner().invoke(app, ["optimise", str(HUBS), "--option", "hub", "--alternatives", "2", "--slack", "20",
                                      "--pareto", "funding", "--points", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "results.json").read_text())["options"]["hub"]
    best = data["npsv_gbp"]
    for alt in data["alternatives"]:
        assert alt["npsv_gbp"] >= best - 0.2 * abs(best) - 1e-6  # within the 20% slack
        assert alt["changes_from_optimum"] > 0  # and a different plan
    front = data["pareto"]
    assert len(front) == 3
    npsv = [p["npsv_gbp"] for p in front]
    funding = [p["second_value"] for p in front]
    assert npsv == sorted(npsv) and funding == sorted(funding)  # more funding buys more NPSV
    assert npsv[-1] == pytest.approx(best, rel=1e-6)
    bad = CliRunner().invoke(app, ["optimise", str(HUBS), "--option", "hub", "--pareto", "cost", "--out", str(out)])
    assert bad.exit_code == 2 and "--pareto takes 'funding' or 'score'" in bad.output
