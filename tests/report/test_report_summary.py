"""The executive summary is built from the numbers: change a number and the sentence changes."""
from __future__ import annotations

import copy

import pytest

from appraisal.report.summary import executive_summary, summary_facts


def _one(sentences: list[str], start: str) -> str:
    found = [s for s in sentences if s.startswith(start) or start in s]
    assert len(found) == 1, (start, sentences)
    return found[0]


@pytest.fixture
def inputs(full_inputs):
    results, tables = full_inputs
    return copy.deepcopy(results), tables


def test_summary_quotes_the_engine_figures(inputs):
    results, tables = inputs
    m = results["options"]["merge"]["metrics"]
    text = executive_summary(results, tables)
    assert _one(text, "is the preferred option").startswith("Shared service is the preferred option")
    npsv = _one(text, "The NPSV of")
    assert "\u2212£46" in npsv and "£2,053" in npsv and "0.98" in npsv  # -45.53, 2052.89, 0.978 from the engine
    assert round(m["npsv_gbp"]) == -46 and round(m["pv_benefits_gbp"]) == 2053
    assert _one(text, "of funding") == "It needs £1,800 of funding before savings cover costs and the need peaks in 2020/21."
    assert "payback" in _one(text, "Cumulative net cash") and "2023/24" in _one(text, "Cumulative net cash")


def test_funding_sentence_follows_the_numbers(inputs):
    results, tables = inputs
    m = results["options"]["merge"]["metrics"]
    m["funding_requirement_gbp"], m["funding_peak_year"] = 2_500_000.0, "2022/23"
    results["display_unit"] = "gbp_m"
    assert _one(executive_summary(results, tables), "of funding") == \
        "It needs £2.5m of funding before savings cover costs and the need peaks in 2022/23."
    m["funding_requirement_gbp"] = 0.0
    assert any("needs no up-front funding" in s for s in executive_summary(results, tables))


def test_preferred_option_and_reason_follow_the_numbers(inputs):
    results, tables = inputs
    results["scoring"]["rank"] = {"merge": 2, "status_quo": 1}
    first = executive_summary(results, tables)[0]
    assert "ranks second of 2" in first
    results["scoring"]["rank"] = {"merge": 1, "status_quo": 1}
    assert "ranks joint first of 2 on the weighted scoring with a total score of 61.0 (tied with Do nothing)" in \
        executive_summary(results, tables)[0]
    # make the preferred option the NPSV leader: the reason becomes the NPSV lead, with the margin
    results["options"]["merge"]["metrics"]["npsv_gbp"] = 1_000.0
    first = executive_summary(results, tables)[0]
    # doing nothing carries no money in the mini study: the preferred option is the only one quantified
    assert "it is the only one of the 2 options whose money the study quantifies" in first
    assert any(s.startswith("Do nothing carries no money figures in the study") for s in executive_summary(results, tables))
    # a plan that moves nothing and sets up no vehicle is the counterfactual: zero by construction, not unquantified
    results["options"]["status_quo"]["plan_changes"] = {"services_moved": 0, "vehicles_established": []}
    said = executive_summary(results, tables)
    assert any(s.startswith("Do nothing is the do-nothing counterfactual") for s in said)
    assert not any("Do nothing carries no money" in s for s in said)
    results["options"]["status_quo"]["plan_changes"] = {"services_moved": 2, "vehicles_established": []}
    assert any(s.startswith("Do nothing carries no money figures") for s in executive_summary(results, tables))
    results["options"]["status_quo"]["metrics"]["pv_costs_gbp"] = 10.0
    first = executive_summary(results, tables)[0]
    assert "highest net present social value (NPSV) of the 2 options, £1,000 ahead of Do nothing" in first
    assert not any("has a higher NPSV" in s for s in executive_summary(results, tables))
    # no declared preference: the NPSV leader is named instead
    del results["preferred_option"]
    first = executive_summary(results, tables)[0]
    assert first.startswith("No preferred option is declared; Shared service leads")


def test_buyin_risk_is_the_least_likely_needed_vehicle(inputs):
    results, tables = inputs
    risk = _one(executive_summary(results, tables), "Buy-in risk")
    assert "Shared front office" in risk and "42% chance" in risk and "(2021/22)" in risk and "15 months after" in risk
    results["buyin"]["vehicles"]["shared"]["prob_by_year"]["2021/22"] = 0.17
    results["buyin"]["vehicles"]["shared"]["median_establishment"] = "2021-10"
    risk = _one(executive_summary(results, tables), "Buy-in risk")
    assert "17% chance" in risk and "6 months after" in risk
    # a second needed vehicle that is riskier takes over; one the option does not use is ignored
    results["buyin"]["vehicles"]["unused"] = {"name": "Unused trust", "planned": "2021-04", "median_establishment": None,
                                              "prob_by_year": {"2021/22": 0.01}}
    assert "Unused trust" not in _one(executive_summary(results, tables), "Buy-in risk")
    tables = {**tables, "phasing": tables["phasing"].assign(vehicle_id=["unused"])}
    risk = _one(executive_summary(results, tables), "Buy-in risk")
    assert "Unused trust" in risk and "1% chance" in risk and "not agreed within the horizon" in risk


def test_flip_assumption_is_the_nearest_switching_value(inputs):
    results, tables = inputs
    flip = _one(executive_summary(results, tables), "closest to flipping")
    assert "the weight on value for money" in flip and "0.5 to 0.62" in flip and "+24%" in flip
    results["scoring"]["switching"][0]["preferred_changes_at"] = 22.0  # optimism bias 20 -> 22 is now nearer
    flip = _one(executive_summary(results, tables), "closest to flipping")
    assert "optimism bias on costs" in flip and "20 to 22" in flip and "+10%" in flip
    for s in results["scoring"]["switching"]:
        s["preferred_changes_at"] = None
    assert any("None of the 2 assumptions tested changes the preferred option" in s
               for s in executive_summary(results, tables))


def test_sections_absent_give_no_sentences(mini_case):
    results, tables = mini_case
    text = executive_summary(results, tables)
    assert not any(w in s for s in text for w in ("Buy-in", "flipping", "uncertainty", "document", "optimiser"))
    facts = summary_facts(results, tables)
    assert facts["preferred"] == "merge" and facts["funding_requirement_gbp"] == pytest.approx(1800.0)


def test_top_sensitivity_driver_and_targets(inputs):
    results, tables = inputs
    text = executive_summary(results, tables)
    assert "Most of the uncertainty in the NPSV comes from Running cost a year (total-order Sobol index 0.70)." in text
    assert _one(text, "figures published").startswith("1 of 2 figures")
    results["sensitivity"]["indices"][1]["ST"] = 0.9
    assert any("comes from Optimism bias (%) (total-order Sobol index 0.90)" in s
               for s in executive_summary(results, tables))
