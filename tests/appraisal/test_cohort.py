"""The cohort (care pathway) model against hand-computed cohorts, and its lines in a study's appraisal.

Fixture tests/fixtures/cohort: states contact (£100 an entry), reablement (£2,000 an entry), home care
(£10,000 a person-year, 100 people at the start), no_care (£0). 1,000 new contacts a year, annual periods.
Today: contact → reablement 0.2, → home care 0.5, → no_care the rest (0.3); reablement → home care 0.3 (the
rest leave); home care → home care 0.8. Option `reable` from 2025/26: contact → reablement 0.5, no_care 0.3,
home care the rest (0.2).

Worked by hand (today):
  year 0: contact 1,000, home care 100            cost 1,000×100 + 100×10,000            = 1,100,000
  year 1: contact 1,000, reablement 200 (0.2×1,000), home care 500 + 80 = 580
                                                  cost 100,000 + 400,000 + 5,800,000     = 6,300,000
  year 2: contact 1,000, reablement 200, home care 500 + 0.3×200 + 0.8×580 = 1,024
                                                  cost 100,000 + 400,000 + 10,240,000    = 10,740,000
Option (its model routes the contacts of 2025/26 onwards, so year 1 equals today's):
  year 2: reablement 500, home care 200 + 60 + 464 = 724
                                                  cost 100,000 + 1,000,000 + 7,240,000   = 8,340,000
Difference in year 2: home care saves 3,000,000 (a benefit), reablement costs 600,000 more (a cost).
With the £1.5m reablement team in 2025/26 and no discounting: NPSV = 3,000,000 − 600,000 − 1,500,000 = 900,000.
With the option's reablement share r (home care takes 0.7 − r): year-2 saving 8,000,000·r − 1,600,000, so
NPSV(r) = 8,000,000·r − 3,100,000 and the option breaks even at r = 0.3875.
"""
from pathlib import Path
import shutil

import numpy as np
import pandas as pd
import pytest

from appraisal.money.cohort import CohortInputs, run_cohort, yearly_entrants
from appraisal.money.cohort_lines import cohort_specs
from appraisal.money.document import document_plan
from appraisal.money.ledger import plan_money
from appraisal.money.plans import Plan
from appraisal.money.metrics import appraise_option
from appraisal.study import StudyError, load_study
from appraisal.uncertainty.scenario import scenario_model
from appraisal.workflows.sensitivity import ranges, switching

ROOT = Path(__file__).parents[2]
COHORT = ROOT / "tests" / "fixtures" / "cohort"


def build_streams(study, option_id, vehicles=None):
    """The option's money by line under its document plan, or under a plan establishing `vehicles`."""
    plan = document_plan(study, option_id) if vehicles is None else \
        Plan(option_id, "file", pd.DataFrame(columns=["service_id", "vehicle_id", "site_id", "t"]), dict(vehicles))
    return plan_money(study, option_id, plan).streams


def test_engine_matches_the_hand_computed_cohort():
    # states: contact, reablement, home_care, no_care
    p = np.zeros((4, 4))
    p[0, 1], p[0, 2], p[0, 3] = 0.2, 0.5, 0.3
    p[1, 2] = 0.3
    p[2, 2] = 0.8
    entrants = np.zeros((3, 4))
    entrants[:, 0] = 1000
    r = run_cohort(CohortInputs(p, entrants, np.array([0, 0, 100.0, 0]), np.array([0, 0, 10000.0, 0]),
                                np.array([100.0, 2000.0, 0, 0])))
    assert r.yearly_cost.sum(axis=1).tolist() == pytest.approx([1_100_000, 6_300_000, 10_740_000])
    assert r.occupancy[:, 2].tolist() == pytest.approx([100, 580, 1024])
    # staying in home care is not a new entry: arrivals into home care are 0, 500, 560
    assert r.arrivals[:, 2].tolist() == pytest.approx([0, 500, 560])


def test_engine_adds_the_periods_of_a_year():
    # one state, £10,000 a person-year, half stay each half-year, 100 entrants a year (50 a half-year):
    # people 50, 75 | 87.5, 93.75; cost per half-year = people × 5,000
    r = run_cohort(CohortInputs(np.array([[0.5]]), yearly_entrants(np.array([[100.0], [100.0]]), 2),
                                np.zeros(1), np.array([10000.0]), np.zeros(1), periods_per_year=2))
    assert r.yearly_cost[:, 0].tolist() == pytest.approx([625_000, 906_250])
    assert r.yearly_person_years[:, 0].tolist() == pytest.approx([62.5, 90.625])


def test_engine_refuses_shares_above_one():
    with pytest.raises(ValueError, match="shares out of state 0 sum to 1.1"):
        run_cohort(CohortInputs(np.array([[0.6, 0.5], [0, 0]]), np.zeros((1, 2)), np.zeros(2), np.zeros(2), np.zeros(2)))


def test_cohort_lines_enter_the_ledger_and_the_npsv():
    study = load_study(COHORT)
    s = build_streams(study, "reable")
    lines = s[s["stream_id"].str.startswith("cohort:")].set_index("stream_id")
    assert lines.loc["cohort:asc:home_care", "kind"] == "benefit"
    assert lines.loc["cohort:asc:home_care", "amount_gbp"] == pytest.approx(3_000_000)
    assert lines.loc["cohort:asc:home_care", "year"] == "2026/27"
    assert lines.loc["cohort:asc:reablement", "kind"] == "cost"
    assert lines.loc["cohort:asc:reablement", "amount_gbp"] == pytest.approx(600_000)
    assert appraise_option(study, "reable").metrics["npsv_gbp"] == pytest.approx(900_000)
    assert build_streams(study, "today").empty  # the do-minimum states no target operating model


def _with_team(tmp_path, years=3):
    folder = tmp_path / "cohort"
    shutil.copytree(COHORT, folder)
    (folder / "vehicles.csv").write_text("vehicle_id,name,kind,planned_year,source\n"
                                         "team,Reablement team,council,2025/26,test\n")
    text = (folder / "cohort_models.csv").read_text().replace(",2025/26,,", ",2025/26,team,")
    (folder / "cohort_models.csv").write_text(text)
    if years != 3:
        (folder / "study.yaml").write_text((folder / "study.yaml").read_text().replace("years: 3", f"years: {years}"))
        extra = "".join(f"asc,today,contact,{2024 + y}/{(25 + y) % 100:02d},1000,test\n" for y in range(3, years))
        (folder / "cohort_entrants.csv").write_text((folder / "cohort_entrants.csv").read_text() + extra)
    return load_study(folder)


def test_a_vehicle_plan_moves_the_target_operating_model(tmp_path):
    study = _with_team(tmp_path)
    # the vehicle a year earlier: every pathway line one year earlier (the 2026/27 saving now falls in 2025/26)
    early = build_streams(study, "reable", vehicles={"team": 0})
    hc = early[early["stream_id"] == "cohort:asc:home_care"].set_index("year")["amount_gbp"]
    assert hc["2025/26"] == pytest.approx(3_000_000)
    never = build_streams(study, "reable", vehicles={})
    assert not never["stream_id"].str.startswith("cohort:").any()


def test_cohort_rates_are_sensitivity_parameters_with_a_switching_value():
    study = load_study(COHORT)
    model = scenario_model(study)
    assert model.outcomes()["reable"]["npsv_gbp"] == pytest.approx(900_000)
    # hand-computed: NPSV(r) = 8,000,000 r − 3,100,000
    assert model.outcomes({"reablement_share": 0.3})["reable"]["npsv_gbp"] == pytest.approx(-700_000)
    sw = switching(model, ranges(study), "reable").set_index("parameter")
    assert sw.loc["reablement_share", "npv_zero_at"] == pytest.approx(0.3875, abs=1e-9)
    # the home-care unit cost ±5% cannot sink the option: no switch in range
    assert sw.loc["home_care_cost", "npv_status"] == "no switch within range"


def test_cohort_rate_dominates_the_sobol_indices(tmp_path):
    from appraisal.workflows.sensitivity import run_sensitivity

    study = load_study(COHORT)
    run = run_sensitivity(study, "sobol", 256, tmp_path, seed=3, scheduler="serial", progress=False)
    idx = run.analysis["reable.npsv_gbp"].indices
    assert idx.loc["reablement_share", "S1"] > 0.9
    assert idx.loc["home_care_cost", "S1"] < 0.05
    # the same model per sample: each sampled NPSV is the hand formula 10^7·c·r − 2·10^6·c − 2·10^6·r − 1.1·10^6
    r, c = run.samples["reablement_share"].to_numpy(), run.samples["home_care_cost"].to_numpy()
    expected = 1e7 * c * r - 2e6 * c - 2e6 * r + 400_000 - 1_500_000
    assert run.outputs["reable.npsv_gbp"].to_numpy() == pytest.approx(expected, rel=1e-9)


def test_option_restating_a_row_replaces_todays_row_and_inherits_the_rest():
    spec = cohort_specs(load_study(COHORT))["asc"]
    today, option = spec.today, spec.options["reable"]
    assert option.shares[0].tolist() == [0.0, 0.5, 0.0, 0.3] and option.remainder[0] == 2
    assert option.shares[1].tolist() == today.shares[1].tolist()  # reablement row inherited


@pytest.mark.parametrize("file,edit,message", [
    ("cohort_transitions.csv", ("asc,today,home_care,home_care,0.8,test", "asc,today,home_care,home_care,0.8,test\n"
                                "asc,today,home_care,no_care,0.3,test"),
     "cohort_transitions.csv, row 6, column 'share': model 'asc', scenario 'today': shares out of 'home_care' sum to 1.1"),
    ("cohort_transitions.csv", ("asc,reable,contact,home_care,,", "asc,reable,contact,residential,,"),
     "cohort_transitions.csv, row 9, column 'to_state': 'residential' is not a state of model 'asc'"),
    ("cohort_entrants.csv", ("asc,today,contact,2026/27,1000,test\n", ""),
     "cohort_entrants.csv, row 2, column 'year': model 'asc', state 'contact': today's entrants have no row for 2026/27"),
    ("cohort_states.csv", ("asc,no_care,today,No ongoing care,0,per_year,,test",
                           "asc,no_care,today,No ongoing care,0,per_year,,test\nasc,home_care,reable,,9000,per_year,5,test"),
     "cohort_states.csv, row 6, column 'opening_people': the opening caseload is today's"),
    ("cohort_transitions.csv", ("asc,today,contact,reablement,0.2", "asc,later,contact,reablement,0.2"),
     "cohort_transitions.csv, row 2, column 'scenario': 'later' is not 'today' or an option_id"),
])
def test_bad_cohort_tables_give_one_clear_problem(tmp_path, file, edit, message):
    folder = tmp_path / "cohort"
    shutil.copytree(COHORT, folder)
    path = folder / file
    text = path.read_text()
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1]))
    with pytest.raises(StudyError) as err:
        load_study(folder)
    assert message in str(err.value)


def test_bad_cohort_target_is_named(tmp_path):
    folder = tmp_path / "cohort"
    shutil.copytree(COHORT, folder)
    path = folder / "uncertainties.csv"
    path.write_text(path.read_text().replace("cohort:asc:contact>reablement", "cohort:asc:contact>home_care"))
    with pytest.raises(StudyError, match="row 2, column 'target'.*takes the rest of 'contact'"):
        load_study(folder)  # found by the loader's checks, before any command runs


def test_results_show_the_pathway_by_scenario():
    from appraisal.workflows.appraise import financial_case

    cohorts = financial_case(load_study(COHORT)).results()["cohorts"]["asc"]
    assert cohorts["states"] == ["contact", "reablement", "home_care", "no_care"]
    today, option = cohorts["scenarios"]["today"], cohorts["scenarios"]["reable"]
    assert list(today["person_years"]["home_care"].values()) == pytest.approx([100, 580, 1024])
    assert option["person_years"]["home_care"]["2026/27"] == pytest.approx(724)
    assert option["entries"]["reablement"]["2026/27"] == pytest.approx(500)
    assert sum(today["cost_gbp"]["home_care"].values()) - sum(option["cost_gbp"]["home_care"].values()) \
        == pytest.approx(3_000_000)


def test_shifting_a_time_homogeneous_pathway_equals_re_running_it(tmp_path):
    """A plan that moves a vehicle-tied model shifts its lines (the ledger's one rule for every line). With
    constant entrants and an option that restates only rows the opening caseload does not pass through, that
    equals re-running the pathway with the moved start."""
    study = _with_team(tmp_path, years=6)
    moved = build_streams(study, "reable", vehicles={"team": 3})
    lines = moved[moved["stream_id"].str.startswith("cohort:")]
    spec = cohort_specs(study)["asc"]
    rerun = spec.difference("reable", start=3)  # the model from 2027/28 instead of 2025/26
    for s, state in enumerate(spec.states):
        mine = lines[lines["stream_id"] == f"cohort:asc:{state}"]
        signed = np.zeros(6)
        np.add.at(signed, mine["t"].to_numpy(int), np.where(mine["kind"] == "benefit", 1, -1) * mine["amount_gbp"])
        assert signed.tolist() == pytest.approx(rerun[:, s].tolist(), abs=1e-6)


def test_a_share_range_that_would_overfill_its_row_is_refused(tmp_path):
    folder = tmp_path / "cohort"
    shutil.copytree(COHORT, folder)
    path = folder / "uncertainties.csv"
    # the option's other rows out of contact take 0.3 (no_care); a reach of 0.8 would make 1.1
    path.write_text(path.read_text().replace("triangular,0.2,0.5,0.6", "triangular,0.2,0.5,0.8"))
    with pytest.raises(StudyError, match="row 2, column 'target'.*at its high value 0.8 the shares out of 'contact' "
                                         "would sum to 1.1"):
        load_study(folder)  # found by the loader's checks, before any command runs


def test_cli_lists_every_cohort_problem_and_exits_2(tmp_path):
    import subprocess
    import sys

    folder = tmp_path / "cohort"
    shutil.copytree(COHORT, folder)
    path = folder / "cohort_transitions.csv"
    path.write_text(path.read_text().replace("asc,today,contact,reablement,0.2,", "asc,today,contact,reablement,1.2,")
                    .replace("asc,today,home_care,home_care,0.8,", "asc,today,home_care,care_home,0.8,"))
    run = subprocess.run([sys.executable, "-m", "appraisal.cli", "validate", str(folder)], capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stdout + run.stderr
    text = " ".join(run.stderr.split())
    assert "cohort_transitions.csv, row 2, column 'share': expected a number ≤ 1, got 1.2" in text
    assert "cohort_transitions.csv, row 6, column 'to_state': 'care_home' is not a state of model 'asc'" in text


def test_sample_model_with_a_cohort_pickles_for_dask_workers():
    import pickle

    model = scenario_model(load_study(COHORT))
    again = pickle.loads(pickle.dumps(model))
    assert again.outcomes({"reablement_share": 0.3})["reable"]["npsv_gbp"] == pytest.approx(-700_000)


def test_ledger_under_a_scenario_re_runs_the_pathway_like_the_sample_model():
    from appraisal.money.metrics import appraise_plan

    study = load_study(COHORT)
    ledger = appraise_plan(study, document_plan(study, "reable"), scenario={"reablement_share": 0.3})
    assert ledger.metrics["npsv_gbp"] == pytest.approx(-700_000)
    assert scenario_model(study).outcomes({"reablement_share": 0.3})["reable"]["npsv_gbp"] == pytest.approx(-700_000)
