"""The risk register: scores, expected cost of risk, the risk-adjusted NPSV and the Monte Carlo draw.

Mini fixture (10% constant discount, 2020/21 = year 0) plus two risks:
r1 partner withdraws: likelihood 3 × impact 4 = 12 (medium); occurs with probability 0.25 and then costs
   Uniform(£1,000, £3,000) in 2022/23 (year 2): expected cost 0.25 × 2,000 = £500, PV 500 / 1.1² = £413.22.
r2 data-sharing agreement late: 2 × 2 = 4 (low), not quantified.
"""
from pathlib import Path
import shutil

import numpy as np
import pytest

from appraisal.study import StudyError, load_study
from appraisal.uncertainty.params import Uniform
from appraisal.uncertainty.risk import RiskCost
from appraisal.uncertainty.scenario import scenario_model
from appraisal.workflows.appraise import financial_case
from appraisal.workflows.sensitivity import ranges, run_sensitivity, study_params

MINI = Path(__file__).parents[2] / "tests" / "fixtures" / "mini"
RISKS = ("risk_id,description,category,likelihood,impact,owner,mitigation,probability,cost_distribution,cost_low_gbp,"
         "cost_high_gbp,cost_year,options,source\n"
         "r1,A partner withdraws,partnership,3,4,Programme Board,Early engagement and a risk-share,0.25,uniform,1000,3000,"
         "2022/23,merge,test\n"
         "r2,Data-sharing agreement late,information,2,2,Information governance lead,Start the DPIA now,,,,,,,test\n")


@pytest.fixture
def with_risks(tmp_path):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    (folder / "risks.csv").write_text(RISKS)
    return folder


def test_register_scores_and_expected_cost_of_risk(with_risks):
    case = financial_case(load_study(with_risks))
    results = case.results()
    register = results["risks"]["register"]
    assert [r["risk_id"] for r in register] == ["r1", "r2"]  # highest score first
    r1, r2 = register
    assert (r1["score"], r1["rating"], r2["score"], r2["rating"]) == (12, "medium", 4, "low")
    assert r1["expected_cost_gbp"] == pytest.approx(500.0)
    assert r1["pv_expected_cost_gbp"] == pytest.approx(500 / 1.21)
    assert "expected_cost_gbp" not in r2
    merge = results["options"]["merge"]["metrics"]
    assert merge["npsv_risk_adjusted_gbp"] == pytest.approx(merge["npsv_gbp"] - 500 / 1.21)
    nothing = results["options"]["status_quo"]["metrics"]
    assert nothing["npsv_risk_adjusted_gbp"] == pytest.approx(nothing["npsv_gbp"])  # r1 applies to merge only
    assert list(case.tables()["risk_register"]["risk_id"]) == ["r1", "r2"]


def test_risk_cost_is_a_point_mass_at_zero_plus_the_cost_draw():
    p = RiskCost("risk:r1", 0.25, Uniform("c", 1000.0, 3000.0))
    assert p.ppf(np.array([0.0, 0.5, 0.7499, 0.75, 0.875, 1.0])).tolist() == pytest.approx([0, 0, 0, 1000, 2000, 3000])


def test_quantified_risk_feeds_the_monte_carlo(with_risks, tmp_path):
    study = load_study(with_risks)
    assert [p.name for p in study_params(study)][-1] == "risk:r1"
    assert ranges(study)["risk:r1"] == (0.0, 0.0, 3000.0)
    model = scenario_model(study)
    base = model.outcomes()["merge"]["npsv_gbp"]
    assert base == pytest.approx(financial_case(study).options["merge"].metrics["npsv_gbp"])  # base: risk not drawn
    hit = model.outcomes({"risk:r1": 2000.0})
    assert hit["merge"]["npsv_gbp"] == pytest.approx(base - 2000 / 1.21)
    assert hit["status_quo"]["npsv_gbp"] == pytest.approx(model.outcomes()["status_quo"]["npsv_gbp"])
    # the cost multiplier does not scale a risk cost
    assert model.outcomes({"risk:r1": 2000.0, "cost_scale": 2.0})["merge"]["npsv_gbp"] == pytest.approx(
        model.outcomes({"cost_scale": 2.0})["merge"]["npsv_gbp"] - 2000 / 1.21)
    run = run_sensitivity(study, "montecarlo", 4000, tmp_path, seed=7, scheduler="serial", progress=False)
    draws = run.samples["risk:r1"].to_numpy()
    assert (draws == 0).mean() == pytest.approx(0.75, abs=0.03)
    assert draws.mean() == pytest.approx(500, rel=0.08)


def test_quantified_risk_needs_its_year(with_risks):
    path = with_risks / "risks.csv"
    path.write_text(path.read_text().replace("1000,3000,2022/23", "1000,3000,"))
    with pytest.raises(StudyError, match="risks.csv, row 2: a quantified risk needs cost_year"):
        load_study(with_risks)


def test_risk_adjusted_npsv_is_an_option_metric_for_value_drivers(with_risks):
    case = financial_case(load_study(with_risks))
    m = case.options["merge"].metrics
    assert m["npsv_risk_adjusted_gbp"] == pytest.approx(m["npsv_gbp"] - 500 / 1.21)
