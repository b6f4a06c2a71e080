"""The illustrative adult social care reablement study: a cohort model drives its savings."""
from pathlib import Path

import pytest

from appraisal.study import load_study
from appraisal.uncertainty.scenario import scenario_model
from appraisal.workflows.appraise import financial_case
from appraisal.workflows.sensitivity import ranges, switching

STUDY = Path(__file__).parents[2] / "studies" / "asc_reablement"


@pytest.fixture(scope="module")
def study():
    return load_study(STUDY)


def test_pathway_lines_and_targets(study):
    case = financial_case(study)
    assert case.targets()["ok"].all()
    r = case.options["reablement_first"]
    lines = r.streams[r.streams["stream_id"].str.startswith("cohort:")]
    kinds = lines.groupby("stream_id")["kind"].agg(set).to_dict()
    assert kinds["cohort:asc:reablement"] == {"cost"}  # more reablement episodes
    assert kinds["cohort:asc:home_care_low"] == {"benefit"}  # fewer people in long-term home care
    assert set(lines["t"]) <= set(range(1, 10))  # nothing before the model starts in 2026/27
    assert case.options["do_minimum"].metrics["npsv_gbp"] == 0
    # the ICB's pooled contribution moves money between partners and is outside the NPSV
    party = r.by_party.set_index("partner_id")
    assert party.loc["icb", "transfers_out_gbp"] == pytest.approx(9 * 600_000)
    assert party.loc["county", "transfers_in_gbp"] == pytest.approx(9 * 600_000)


def test_reablement_reach_switching_value(study):
    model = scenario_model(study)
    base = financial_case(study).options["reablement_first"].metrics["npsv_gbp"]
    assert model.outcomes()["reablement_first"]["npsv_gbp"] == pytest.approx(base, rel=1e-9)  # two paths agree
    sw = switching(model, ranges(study), "reablement_first").set_index("parameter")
    at = sw.loc["reablement_reach", "npv_zero_at"]
    assert 0.12 < at < 0.20
    assert model.outcomes({"reablement_reach": at})["reablement_first"]["npsv_gbp"] == pytest.approx(0, abs=1.0)
    assert model.outcomes({"reablement_reach": at - 0.01})["reablement_first"]["npsv_gbp"] < 0
