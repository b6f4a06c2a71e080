"""Partner buy-in on the source studies (agent model through appraisal), pinned per seed."""
from pathlib import Path

import pytest

from agents.summary import chosen_option
from appraisal.workflows.buyin import run_buyin
from appraisal.study import load_study

STUDIES = Path(__file__).parents[2] / "studies"


@pytest.fixture(scope="module")
def lancashire_opt3():
    return run_buyin(load_study(STUDIES / "lancashire"), "opt3", runs=200, seed=1)


def test_lancashire_buyin_for_ica_wbc_and_ca(lancashire_opt3):
    probs = lancashire_opt3.prob_by_year.pivot(index="vehicle_id", columns="year", values="prob_established")
    # seed 1, 200 runs: the commissioning authority and the Wellbeing Corporations are rarely agreed in time
    assert probs.loc["ica", "2022/23"] == pytest.approx(0.025)
    assert probs.loc["wbc", "2022/23"] == pytest.approx(0.095)
    assert probs.loc["ca", "2022/23"] == pytest.approx(0.305)
    assert (probs.diff(axis=1).fillna(0) >= 0).all().all()  # agreement never comes undone
    assert probs.loc["wbc", "2019/20"] < probs.loc["wbc", "2022/23"]


def test_lancashire_pivotal_partners(lancashire_opt3):
    pivotal = lancashire_opt3.pivotal.set_index(["vehicle_id", "partner_id"])["pivotal_share"]
    assert pivotal.loc[("pss", "lcc")] == pytest.approx(1.0)  # LCC alone decides its shared P&SS
    assert pivotal.loc["wbc"].idxmax() in {"blackpool", "blackburn"}  # unitary funders hold WBC vetoes


def test_plymouth_integration_levels_as_the_partners_choice():
    study = load_study(STUDIES / "plymouth")
    buy = run_buyin(study, "level4", runs=300, seed=1)
    choice = chosen_option(buy.results, ["l4_ic_entity", "l3_lead_org", "l2_pooled", "l1_collab"]).set_index("option")
    assert choice["prob"].sum() == pytest.approx(1.0)
    assert choice.loc["l4_ic_entity", "prob"] == pytest.approx(0.403333, abs=1e-6)  # the recommended ambition
    assert choice.loc["l4_ic_entity", "prob"] > choice.loc["l3_lead_org", "prob"] > choice.loc["l1_collab", "prob"]
