"""Structure of the HTML report: self-contained, one plotly.js, every chart beside its data table."""
from __future__ import annotations

import base64
import json
import re

import numpy as np

import pytest

from appraisal.outputs import write_json
from appraisal.report import build_html, render_report
from appraisal.report.fmt import money, pick_unit

PLOTLY_BANNER = re.compile(r"\*\s*plotly\.js v\d+\.\d+\.\d+")
MAX_BYTES = 8 * 1024 * 1024


def _charts(html: str) -> list[str]:
    return re.findall(r'<div id="([^"]+)" class="plotly-graph-div"', html)


def test_one_plotly_copy_no_external_sources_and_small(rendered):
    html = rendered.html.read_text(encoding="utf-8")
    assert len(PLOTLY_BANNER.findall(html)) == 1
    assert html.count("Copyright 2012-") == 1
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.I), "no script may load from a URL"
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?(https?:)?//", html, re.I)
    assert not re.search(r"@import|url\(\s*[\"']?(https?:)?//", html.split("<body>")[0], re.I)
    # plotly.js itself mentions CDN URLs in strings (geo/topojson); what matters is that nothing loads them
    assert not re.search(r"<(iframe|img|embed|object)[^>]*\b(src|data)\s*=\s*[\"']?(https?:)?//", html, re.I)
    size = rendered.html.stat().st_size
    assert size < MAX_BYTES, f"{size / 1e6:.2f} MB"
    # plotly.js is embedded before the first chart is drawn
    assert html.index("plotly.js v") < html.index('class="plotly-graph-div"')


def test_every_section_and_every_chart_has_its_table(rendered):
    html = rendered.html.read_text(encoding="utf-8")
    for sid in ("summary", "options", "services", "phasing", "money", "buyin", "sensitivity", "optimise",
                "targets", "appendix"):
        assert f'<section id="{sid}">' in html, sid
    ids = _charts(html)
    assert {"chart-options-npsv", "chart-sankey", "chart-gantt", "chart-yearly", "chart-cumulative",
            "chart-components", "chart-buyin", "chart-pivotal", "chart-tornado", "chart-sobol"} <= set(ids)
    assert len(ids) == len(set(ids))
    for div_id in ids:
        figure = html[html.index(f'id="fig-{div_id}"'):]
        figure = figure[:figure.index("</figure>")]
        assert '<details class="data">' in figure and "<table" in figure, div_id
    assert html.count("<figure") == len(ids) == html.count('<details class="data">')


def test_document_figures_and_provenance_shown(rendered):
    html = rendered.html.read_text(encoding="utf-8")
    assert "Funding requirement" in html and "Test document §2" in html
    assert 'class="rag-red">no<' in html and 'class="rag-green">yes<' in html
    assert "fb0bc83a542e7223" in html and "95515801584f76b1" in html


def test_appraise_only_results_render_without_optional_sections(mini_case, tmp_path):
    results, tables = mini_case
    files = render_report(results, {}, tmp_path, pdf=False)
    html = files.html.read_text(encoding="utf-8")
    assert files.pdf is None and files.message is None
    for absent in ("services", "phasing", "buyin", "sensitivity", "optimise", "targets"):
        assert f'<section id="{absent}">' not in html
    assert '<section id="summary">' in html and '<section id="money">' in html
    assert "chart-components" not in html  # no component table given
    assert len(PLOTLY_BANNER.findall(html)) == 1


def test_renders_from_results_json_as_the_cli_writes_it(full_inputs, tmp_path):
    results, tables = full_inputs
    write_json(tmp_path / "results.json", results)
    reloaded = json.loads((tmp_path / "results.json").read_text())
    html = build_html(reloaded, tables)
    assert len(_charts(html)) >= 10


def test_money_follows_display_unit(mini_case):
    results, tables = mini_case
    big = json.loads(json.dumps(results))
    big["display_unit"] = "gbp_m"
    big["options"]["merge"]["metrics"]["funding_requirement_gbp"] = 12_345_678.0
    html = build_html(big, tables)
    assert "£12.3m" in html and "millions of pounds" in html and "\\u00a3 million" in html
    assert money(-45_529_677, "gbp_m") == "\u2212£45.5m"
    assert money(1_800, "gbp_k") == "£2k" and money(1_800, "gbp") == "£1,800" and money(None) == "–"
    assert pick_unit({"options": {"a": {"metrics": {"npsv_gbp": 4.1e7}}}}) == "gbp_m"
    assert pick_unit({"display_unit": "gbp_k", "options": {}}) == "gbp_k"


def test_html_is_deterministic(full_inputs):
    assert build_html(*full_inputs) == build_html(*full_inputs)


@pytest.mark.parametrize("unit", ["gbp", "gbp_k", "gbp_m"])
def test_chart_values_are_in_display_units(full_inputs, unit):
    results, tables = full_inputs
    results = {**results, "display_unit": unit}
    html = build_html(results, tables)
    factor = {"gbp": 1, "gbp_k": 1e3, "gbp_m": 1e6}[unit]
    m = re.search(r'Plotly\.newPlot\(\s*"chart-yearly",\s*(\[.*?\]),\s*\{', html, re.S)
    data = json.loads(m.group(1))
    costs = next(t for t in data if t["name"] == "Costs (adjusted)")
    expected = [-results["options"]["merge"]["yearly"]["costs_adjusted_gbp"][y] / factor for y in results["years"]]
    assert _values(costs["y"]) == pytest.approx(expected)


def _values(v):
    """plotly.py sends numeric arrays as {dtype, bdata} (base64); decode them, or take a plain list."""
    if isinstance(v, dict):
        return list(np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]))
    return list(v)
