"""Caveats sit next to the figure they qualify; infeasible options and views are never scored or ranked;
a missing key renders as "not available"; every id is shown by a human label."""
from __future__ import annotations

import copy
import re

import pandas as pd
import pytest

from appraisal.report import build_html, executive_summary
from appraisal.report.labels import Labels, humanise
from appraisal.report.summary import headline


def _section(html: str, sid: str) -> str:
    start = html.index(f'<section id="{sid}">')
    return html[start:html.index("</section>", start)]


def _figure(html: str, chart: str) -> str:
    start = html.index(f'id="fig-chart-{chart}"')
    return html[start:html.index("</figure>", start)]


@pytest.fixture
def inputs(full_inputs):
    return copy.deepcopy(full_inputs[0]), full_inputs[1]


def test_unconverged_indices_carry_a_caveat_beside_the_chart_and_are_not_quoted(inputs):
    results, tables = inputs
    results["sensitivity"]["converged"] = False
    results["sensitivity"]["n"] = 16
    html = build_html(results, tables)
    assert "Not converged: at 16 base samples" in _figure(html, "sobol")
    text = " ".join(executive_summary(results, tables))
    assert "have not converged" in text and "Most of the uncertainty" not in text
    results["sensitivity"]["converged"] = True
    assert "Not converged" not in build_html(results, tables)
    assert "Most of the uncertainty" in " ".join(executive_summary(results, tables))


def test_buyin_rests_on_uncalibrated_defaults_unless_calibrated(inputs):
    results, tables = inputs
    html = build_html(results, tables)
    buyin = html[html.index('id="buyin"'):html.index('id="fig-chart-buyin"')]
    assert "Uncalibrated: the buy-in model runs on its default behavioural parameters" in buyin
    assert "behavioural defaults, uncalibrated" in _section(html, "summary")
    results["buyin"]["calibration"] = {"calibrated": True, "method": "test"}
    html = build_html(results, tables)
    assert "Uncalibrated" not in html and "uncalibrated" not in _section(html, "summary")


def test_an_infeasible_option_is_shown_with_its_diagnosis_never_scored_or_ranked(inputs):
    results, tables = inputs
    results["optimise"]["status_quo"] = {"status": "infeasible", "diagnosis": "service fo_n has no allowed vehicle",
                                         "gap": None, "npsv_gbp": None}
    results["buyin_by_option"] = {"status_quo": {"prob_agreed_on_time": 1.0}, "merge": {"prob_agreed_on_time": 0.4}}
    html = build_html(results, tables)
    strategic = _section(html, "strategic")
    assert "infeasible — service fo_n has no allowed vehicle" in strategic
    assert "Do nothing is infeasible: service fo_n has no allowed vehicle. It is shown but not scored or ranked." in html
    # not in the NPSV chart, not in the ranking, not among the live-weight options
    npsv = re.search(r'Plotly\.newPlot\(\s*"chart-options-npsv",\s*(\[.*?\]),\s*\{', html, re.S).group(1)
    assert "Do nothing" not in npsv
    weights = html[html.index('id="live-weights"'):html.index("</script>", html.index('id="live-weights"'))]
    assert '"status_quo"' not in weights and '"merge"' in weights
    assert "Not scored or ranked: Do nothing" in html
    assert Labels(results).choices() == ["merge"]


def test_a_view_of_another_option_never_leads_and_no_non_sequitur(inputs):
    results, tables = inputs
    results["options"]["merge_enabled"] = copy.deepcopy(results["options"]["merge"])
    results["options"]["merge_enabled"]["name"] = "Shared service with enabled benefits (view)"
    results["options"]["merge_enabled"]["metrics"]["npsv_gbp"] = 9e9
    results["labels"] = {**results.get("labels", {}), "options": {"merge_enabled": {"view_of": "merge"}}}
    text = executive_summary(results, tables)
    assert not any("enabled benefits (view) has a higher NPSV" in s for s in text)
    assert not any("rests on more than the money" in s for s in text)
    html = build_html(results, tables)
    assert "a view of Shared service: appraised, not ranked" in _section(html, "strategic")


def test_document_figures_that_did_not_reproduce_are_flagged_beside_the_table(inputs):
    results, tables = inputs
    html = build_html(results, tables)
    appendix = _section(html, "appendix")
    assert "1 of 2 figures published in the source document did not reproduce: Funding requirement." in appendix
    assert "did not reproduce" in _section(html, "summary")


def test_money_past_the_horizon_is_flagged(inputs):
    results, tables = inputs
    last = results["years"][-1]
    a = tables["assignment"].copy()
    a.loc[a["option_id"] == "merge", "transfer_year"] = last
    html = build_html(results, {**tables, "assignment": a})
    assert f"transfers 2 of its 2 services in the final year of the horizon ({last})" in html


def test_missing_keys_render_as_not_available(mini_case):
    results, tables = mini_case
    r = copy.deepcopy(results)
    for oid in r["options"]:
        r["options"][oid]["metrics"].pop("bcr", None)
        r["options"][oid]["metrics"].pop("funding_requirement_gbp", None)
    html = build_html(r, {})
    assert "The value-for-money judgement: not available" in html
    h = headline(r, {})
    assert ("Funding need", "not available", "") in h["numbers"]


def test_every_id_has_a_human_label(inputs):
    results, tables = inputs
    assert humanise("implementation_delay") == "Implementation delay" and humanise("run_rate_gbp") == "Run rate (£)"
    lab = Labels(results)
    assert lab.outcome("merge.npsv_gbp") == "NPSV of Shared service" and lab.parameter("run_rate_gbp") == "Running cost a year"
    html = build_html(results, tables)
    body = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    for raw in ("merge.npsv_gbp", "run_rate_gbp", "optimism_bias_pct", "{'", "dtype"):
        assert raw not in body, raw


def test_uncertainty_label_column_defaults_to_the_humanised_id(tmp_path):
    from appraisal.study.schema import UncertaintyRow

    row = UncertaintyRow(parameter="implementation_delay", target="delay_years", distribution="uniform", low=0, high=1,
                         source="test")
    assert row.label == "Implementation delay"
    assert UncertaintyRow(parameter="x", label="Delay to go-live (years)", target="delay_years", distribution="uniform",
                          low=0, high=1, source="t").label == "Delay to go-live (years)"
