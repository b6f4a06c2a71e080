"""The base case of every sensitivity is the appraisal itself: a parameter whose range is not centred on the
study's figure (uniform 0.5–1 on benefits, a delay of 0–2 years) still has the study's value in the base."""
import shutil
from pathlib import Path

import pytest

from appraisal.study import load_study
from appraisal.uncertainty.scenario import scenario_model
from appraisal.workflows.appraise import financial_case
from appraisal.workflows.sensitivity import ranges, switching, tornado

HUBS = Path(__file__).parents[1] / "fixtures" / "hubs"


@pytest.fixture(scope="module")
def off_centre(tmp_path_factory):
    folder = tmp_path_factory.mktemp("offcentre") / "hubs"
    shutil.copytree(HUBS, folder)
    (folder / "uncertainties.csv").write_text(
        "parameter,target,distribution,low,mode,high,mean,sd,source\n"
        "benefit_share,benefits,uniform,0.5,,1.0,,,test: only the downside is uncertain\n"
        "cost_scale,costs,pert,0.9,1.0,1.6,,,test\n"
        "delay,delay_years,uniform,0,,2,,,test: up to two years late (none in the appraisal)\n")
    return load_study(folder)


def test_the_base_case_of_the_scenario_model_is_the_appraised_npsv(off_centre):
    case = financial_case(off_centre)
    model = scenario_model(off_centre)
    base = model.outcomes()
    for oid, r in case.options.items():
        assert base[oid]["npsv_gbp"] == pytest.approx(r.metrics["npsv_gbp"], abs=0.01)
    # a scenario that names one parameter leaves the others at the study's figures, not their ranges' centres
    one = model.outcomes({"cost_scale": 1.0})
    assert one["hub"]["npsv_gbp"] == pytest.approx(case.options["hub"].metrics["npsv_gbp"], abs=0.01)
    assert model.outcomes({"benefit_share": 0.75})["hub"]["npsv_gbp"] < base["hub"]["npsv_gbp"] - 1000


def test_tornado_and_switching_values_are_centred_on_the_study_figures(off_centre):
    bounds = ranges(off_centre)
    assert bounds["benefit_share"] == (0.5, 1.0, 1.0) and bounds["delay"] == (0.0, 0.0, 2.0)
    model = scenario_model(off_centre)
    npsv = financial_case(off_centre).options["hub"].metrics["npsv_gbp"]
    tor = tornado(model, bounds, "hub").set_index("parameter")
    assert tor["base_outcome"].unique() == pytest.approx([npsv], abs=0.01)
    assert tor.at["delay", "outcome_low"] == pytest.approx(npsv, abs=0.01)  # low delay = no delay = the appraisal
    assert tor.at["benefit_share", "outcome_high"] == pytest.approx(npsv, abs=0.01)
    sv = switching(model, bounds, "hub").set_index("parameter")
    assert sv.at["benefit_share", "base_value"] == 1.0 and sv.at["delay", "base_value"] == 0.0
