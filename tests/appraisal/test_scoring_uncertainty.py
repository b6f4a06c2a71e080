"""Value-driver scoring and the uncertainty model on the hand-computable mini study."""
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from appraisal.cli import app
from appraisal.workflows.appraise import financial_case
from appraisal.uncertainty.scenario import scenario_model
from appraisal.workflows.score import score_study
from appraisal.study import load_study
from appraisal.workflows.sensitivity import ranges, switching, tornado

MINI = Path(__file__).parents[1] / "fixtures" / "mini"
PV_B = 540 / 1.1 + 990 / 1.21 + 990 / 1.331
PV_C = 1800 + 120 / 1.1 + 120 / 1.21 + 120 / 1.331


@pytest.fixture(scope="module")
def study():
    return load_study(MINI)


def test_metric_and_judgement_drivers_scored(study):
    case = financial_case(study)
    scoring = score_study(study, {o: r.metrics for o, r in case.options.items()}, smaa_n=2000, seed=1)
    t = scoring.result.table
    # saving (weight 2): status quo NPSV 0 beats merge −45.5; funding (1): 0 beats 1,800; service (1): Red 0 / Green 100
    assert t.at["status_quo", "total"] == pytest.approx(75.0)
    assert t.at["merge", "total"] == pytest.approx(25.0)
    assert scoring.result.preferred == ["status_quo"]
    assert scoring.rag.at["merge", "service"] == "Green"
    acc = scoring.smaa.acceptability
    assert acc.sum(axis=1).tolist() == pytest.approx([1.0, 1.0])
    # saving weight drawn in [1, 3] of 5 at most: merge needs the service weight above ~1/2 to win, never here
    assert acc.at["status_quo", 1] == pytest.approx(1.0)


def test_scenario_model_matches_money_engine(study):
    model = scenario_model(study)
    base = model.outcomes()["merge"]
    assert base["npsv_gbp"] == pytest.approx(PV_B - PV_C)
    assert base["funding_requirement_gbp"] == pytest.approx(1800)
    delayed = model.outcomes({"delay": 1})["merge"]
    assert delayed["npsv_gbp"] == pytest.approx((540 / 1.21 + 990 / 1.331) - (1800 / 1.1 + 120 / 1.21 + 120 / 1.331))


def test_tornado_and_switching_values(study):
    model = scenario_model(study)
    tor = tornado(model, ranges(study), "merge").set_index("parameter")
    assert tor.at["cost_scale", "outcome_low"] == pytest.approx(PV_B - 0.9 * PV_C)
    assert tor.at["cost_scale", "outcome_high"] == pytest.approx(PV_B - 1.5 * PV_C)
    sv = switching(model, ranges(study), "merge").set_index("parameter")
    assert sv.at["cost_scale", "npv_zero_at"] == pytest.approx(PV_B / PV_C, rel=1e-6)
    assert sv.at["benefit_scale", "npv_zero_at"] == pytest.approx(PV_C / PV_B, rel=1e-6)
    assert sv.at["cost_scale", "preferred_changes_at"] == pytest.approx(PV_B / PV_C, rel=1e-6)
    assert sv.at["cost_scale", "preferred_at_base"] == "status_quo"


def test_cli_score_and_resumable_sensitivity(tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["score", str(MINI), "--out", str(tmp_path / "score"), "--smaa-runs", "500"])
    assert res.exit_code == 0, res.output
    data = json.loads((tmp_path / "score" / "results.json").read_text())
    assert data["rank"] == {"status_quo": 1, "merge": 2}
    assert data["switching"][0]["parameter"] == "benefit_scale"
    args = ["sensitivity", str(MINI), "--out", str(tmp_path / "sens"), "-n", "32", "--workers", "0"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    one = json.loads((tmp_path / "sens" / "results.json").read_text())
    assert one["computed"] == 32 * 5 and one["resumed_from"] == 0
    again = runner.invoke(app, args)
    two = json.loads((tmp_path / "sens" / "results.json").read_text())
    assert two["computed"] == 0 and two["resumed_from"] == 160
    assert one["outcomes"] == two["outcomes"]
    bad = runner.invoke(app, ["sensitivity", str(MINI), "--method", "fast"])
    assert bad.exit_code == 2
