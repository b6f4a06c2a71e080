"""Buy-in wiring: study -> agent inputs, determinism, delayed valuation, the agent-based optimisation loop."""
import shutil
from pathlib import Path

import pytest

from appraisal.workflows.buyin import agent_based_optimise, buyin_inputs, delayed_npv, run_buyin
from appraisal.workflows.optimise import optimise_option
from appraisal.study import load_study

HUBS = Path(__file__).parents[1] / "fixtures" / "hubs"




def test_inputs_carry_each_partners_share_of_the_plan(contested):
    plan = optimise_option(contested, "hub", reproduce=False).plan
    inputs = buyin_inputs(contested, "hub", plan)
    value = inputs.partner_value.set_index("partner_id")
    assert value.at["trust", "cost_share_gbp"] > value.at["city", "cost_share_gbp"]  # the levy
    assert set(inputs.governance["partner_id"]) == {"city", "trust"}
    assert inputs.planned_month["hub"] == 12 * int(plan.vehicles.set_index("vehicle_id").at["hub", "established_year"])
    assert inputs.horizon_months == 48


def test_same_seed_same_runs_other_seed_other_runs(contested):
    plan = optimise_option(contested, "hub", reproduce=False).plan
    a = run_buyin(contested, "hub", 120, seed=3, plan=plan)
    b = run_buyin(contested, "hub", 120, seed=3, plan=plan)
    c = run_buyin(contested, "hub", 120, seed=4, plan=plan)
    assert a.results.outcomes.equals(b.results.outcomes)
    assert not a.results.outcomes["established_month"].equals(c.results.outcomes["established_month"])
    probs = a.prob_by_year.set_index("year")["prob_established"]
    assert 0 < probs["2023/24"] < 1  # contested: agreed in some runs only
    assert list(probs) == sorted(probs)  # cumulative probability never falls


def test_no_delay_means_the_planned_npv(contested):
    base = load_study(HUBS)
    option = optimise_option(base, "hub", reproduce=False)
    buy = run_buyin(base, "hub", 50, seed=1, plan=option.plan)
    assert buy.median["prob_never"].iloc[0] == 0
    assert (buy.results.outcomes["delay_months"] == 0).all()
    # no delay: every run's plan is the plan; through plan_money its NPSV is the MILP's NPV + the constant
    npsv = option.plan.npv_gbp + option.constant_gbp
    assert buy.money["expected_npsv_under_buyin_gbp"] == pytest.approx(npsv)
    assert buy.money["npsv_as_planned_gbp"] == pytest.approx(npsv)
    assert buy.money["plans_appraised"] == 1
    assert delayed_npv(base, "hub", option.plan, buy.results.outcomes) == pytest.approx(npsv)


def test_agent_based_loop_moves_the_hub_to_when_it_is_agreed(contested):
    result = agent_based_optimise(contested, "hub", runs=150, seed=1)
    assert result.iterations, "at least one buy-in iteration"
    first = result.iterations[0]
    assert first["earliest_years"]["hub"] >= 1
    established = result.aware_plan.vehicles.set_index("vehicle_id").at["hub", "established_year"]
    if result.aware_plan.assignment["moves"].any():
        assert established >= first["earliest_years"]["hub"]
    summary = result.summary()
    assert summary["naive_npsv_under_buyin_gbp"] is not None
    assert summary["npsv_difference_under_buyin_gbp"] == pytest.approx(
        summary["aware_npsv_under_buyin_gbp"] - summary["naive_npsv_under_buyin_gbp"])


def test_missing_budget_is_a_clear_error(tmp_path):
    folder = tmp_path / "hubs"
    shutil.copytree(HUBS, folder)
    partners = folder / "partners.csv"
    partners.write_text(partners.read_text().replace(",2000000,", ",,"))
    with pytest.raises(ValueError, match="city have no budget_gbp"):
        buyin_inputs(load_study(folder), "hub")


def test_declared_interventions_raise_agreement(contested):
    from appraisal.workflows.buyin import compare_study_interventions

    plan = optimise_option(contested, "hub", reproduce=False).plan
    table = compare_study_interventions(contested, "hub", runs=150, seed=1, plan=plan).set_index("scenario")
    assert set(table.index) == {"baseline", "cap_trust", "pay_trust", "majority"}
    assert table.at["pay_trust", "prob_agreed"] > table.at["baseline", "prob_agreed"]
    assert table.at["cap_trust", "delta_prob_agreed"] > 0
    assert table.at["pay_trust", "cost_gbp"] == pytest.approx(100_000)
