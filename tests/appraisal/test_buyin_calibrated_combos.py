"""--calibrated with --agent-based, --interventions and --cheapest: runs draw from the posterior, every candidate
package on the same draws and seeds (common random numbers); a study's own fit is found and checked."""
import json
import shutil
from pathlib import Path

import pytest

from appraisal.study import load_study
from appraisal.workflows.buyin import (BASE_RATES, agent_based_optimise, base_rates_hash, cheapest_package,
                                       compare_study_interventions, load_posterior, run_buyin, write_posterior)
from appraisal.workflows.buyin_calibration import study_hash, study_posterior_folder

HUBS = Path(__file__).parents[1] / "fixtures" / "hubs"


@pytest.fixture(scope="module")
def post():
    from agents import calibrate
    from agents.calibrate import recovery_case

    inputs, design, priors = recovery_case()
    return calibrate(inputs, design.assign(n_agreed=[3, 5, 6]), priors, population_size=12, generations=1, seed=1)


def test_agent_based_loop_draws_from_the_posterior(contested, post):
    result = agent_based_optimise(contested, "hub", runs=40, seed=1, posterior=post)
    assert result.buyin.results.provenance["calibrated"]
    s = result.summary()
    assert s["aware_under_buyin"]["runs"] == 40 and s["naive_under_buyin"]["runs"] == 40
    assert s["npsv_difference_under_buyin_gbp"] == pytest.approx(
        s["aware_npsv_under_buyin_gbp"] - s["naive_npsv_under_buyin_gbp"])


def test_interventions_compared_on_the_same_posterior_draws(contested, post):
    table = compare_study_interventions(contested, "hub", 40, seed=3, posterior=post).set_index("scenario")
    plain = run_buyin(contested, "hub", 40, seed=3, posterior=post, with_money=False)
    agreed = plain.results.outcomes["agreed_month"].notna().mean()
    assert table.at["baseline", "prob_agreed"] == pytest.approx(agreed)  # the baseline is the buy-in run itself
    assert {"cap_trust", "pay_trust", "majority"} <= set(table.index)
    assert table.at["majority", "prob_agreed"] >= table.at["baseline", "prob_agreed"]  # same draws: never worse


def test_cheapest_route_searches_on_posterior_draws_with_common_random_numbers(contested, post):
    c = cheapest_package(contested, "hub", runs=40, seed=2, target_prob=0.8, posterior=post)
    s = c.summary()
    hub = c.route.vehicles[0]
    assert s["calibrated"] and s["param_draws"] == 10
    # the search's baseline and the whole option's posterior simulation are the same runs
    assert s["prob_on_time_before"]["hub"] == pytest.approx(hub.baseline_prob)
    assert s["prob_on_time_after"]["hub"] == pytest.approx(hub.prob if hub.reached else hub.baseline_prob)
    assert s["money_without"]["runs"] == 40


def test_cli_combines_calibrated_with_agent_based_interventions_and_cheapest(tmp_path, post):
    from typer.testing import CliRunner

    from appraisal.cli import app

    folder = tmp_path / "hubs"
    shutil.copytree(HUBS, folder)
    study = load_study(folder)
    post.info |= {"base_rates": str(BASE_RATES), "base_rates_hash": base_rates_hash(BASE_RATES), "study": study.name,
                  "study_path": str(folder), "study_hash": study_hash(study)}
    write_posterior(post, study_posterior_folder(study))
    assert load_posterior(study=study).info["study"] == study.name
    r = CliRunner().invoke(app, ["buyin", str(folder), "--out", str(tmp_path / "out"), "--calibrated", "--agent-based",
                                 "--interventions", "--cheapest", "-n", "40"])
    assert r.exit_code == 0, r.output
    res = json.loads((tmp_path / "out" / "results.json").read_text())
    assert res["calibration"]["calibrated"] and res["cheapest"]["param_draws"] == 10
    assert res["agent_based"]["aware_under_buyin"]["runs"] == 40
    assert {x["scenario"] for x in res["interventions"]} >= {"baseline", "cap_trust"}
    # the study's own fit is refused once the study changes
    (folder / "partners.csv").write_text((folder / "partners.csv").read_text().replace("0.7", "0.8"))
    with pytest.raises(ValueError, match="the study's files as they were"):
        load_posterior(study=load_study(folder))


def test_report_caveat_states_the_calibration_and_its_misfits():
    from appraisal.report.caveats import buyin

    cal = {"calibrated": True, "calibrated_parameters": ["disposition_sd", "stance_in_principle"],
           "uncalibrated_parameters": ["noise_sd"],
           "targets": [{"vehicle_id": "ca_consent", "case": "base rates", "n_cases": 9, "n_agreed": 6,
                        "predictive_share": 0.19},
                       {"vehicle_id": "pooled_budget", "case": "base rates", "n_cases": 20, "n_agreed": 20,
                        "predictive_share": 0.95},
                       {"vehicle_id": "fo", "case": "study X", "n_cases": 1, "n_agreed": 1, "predictive_share": 1.0}]}
    text = buyin({"buyin": {"calibration": cal}})
    assert "disposition_sd, stance_in_principle" in text and "this study's recorded evidence" in text
    assert "ca_consent (base rates): observed 67%, model 19%" in text and "pooled_budget" not in text
    assert "1 other behavioural parameters remain judgement defaults" in text
    assert "Uncalibrated" in buyin({"buyin": {"calibration": {"calibrated": False}}})
