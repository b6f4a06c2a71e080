"""Structure of the HTML report: self-contained, one plotly.js, every chart beside its data table."""
from __future__ import annotations

import base64
import json
import re

import numpy as np
import pandas as pd

import pytest

from appraisal.workflows.outputs import write_json
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


def test_large_study_stays_small_and_legible(full_inputs, tmp_path):
    """1,200 services on 12 vehicles and 30 sites, 8 options over 30 years: under 8 MB, Sankey pooled."""
    import time

    results, tables = full_inputs
    years = [f"{2020 + i}/{(21 + i) % 100:02d}" for i in range(30)]
    big = json.loads(json.dumps(results))
    big["years"] = years
    template = big["options"]["merge"]
    big["options"] = {}
    for k in range(8):
        opt = json.loads(json.dumps(template))
        opt["name"] = f"Option {k}"
        opt["metrics"]["npsv_gbp"] = 1e6 * k
        opt["yearly"] = {col: {y: float(i * (k + 1)) for i, y in enumerate(years)} for col in template["yearly"]}
        big["options"][f"opt{k}"] = opt
    big["preferred_option"] = "opt7"
    n = 1200
    assignment = pd.DataFrame({"option_id": "opt7", "service_id": [f"s{i}" for i in range(n)],
                               "service_name": [f"Service number {i}" for i in range(n)],
                               "vehicle_id": [f"v{i % 12}" for i in range(n)],
                               "vehicle_name": [f"Vehicle {i % 12}" for i in range(n)],
                               "site_id": [f"site{i % 30}" for i in range(n)], "transfer_year": years[3],
                               "fte": [float(1 + i % 17) for i in range(n)]})
    started = time.perf_counter()
    files = render_report(big, {**tables, "assignment": assignment, "phasing": tables["phasing"].assign(option_id="opt7")},
                          tmp_path, pdf=False)
    seconds = time.perf_counter() - started
    html = files.html.read_text(encoding="utf-8")
    assert files.html.stat().st_size < MAX_BYTES
    assert seconds < 10
    m = re.search(r'Plotly\.newPlot\(\s*"chart-sankey",\s*(\[.*?\]),\s*\{', html, re.S)
    sankey = json.loads(m.group(1))[0]
    services = [lbl for lbl in sankey["node"]["label"] if lbl.startswith(("Service number", "Other services"))]
    assert len(services) == 40 and "Other services (1161)" in services
    assert html.count("Service number 1199") == 1  # the data table still lists every service


def test_sparse_and_missing_values_render(tmp_path):
    years = ["2024/25", "2025/26"]
    results = {"study": "Sparse", "years": years, "display_unit": "gbp_m", "preferred_option": "a",
               "options": {"a": {"name": "A", "metrics": {"npsv_gbp": None, "bcr": None, "payback_year": None,
                                                          "funding_requirement_gbp": None},
                                 "yearly": {"net_gbp": {years[0]: None, years[1]: 5e5}}}},
               "buyin": {"vehicles": {"v": {"name": "V", "prob_by_year": {}, "median_establishment": None,
                                            "planned": None}}, "pivotal": []},
               "scoring": {"switching": []}, "sensitivity": {"method": "sobol", "outcome": "npsv_gbp", "indices": []}}
    html = build_html(results, {"phasing": pd.DataFrame(columns=["option_id", "vehicle_id", "planned_year"])})
    assert "<h1>Sparse</h1>" in html and len(PLOTLY_BANNER.findall(html)) == 1
    assert build_html({"study": "Empty", "years": [], "options": {}}).count("No option has results") == 1


def test_npsv_components_add_up_to_the_engine_npsv(mini_case):
    from appraisal.report.charts import components

    results, tables = mini_case
    fig, data = components(results, tables["component_profile"], "merge", "gbp")
    assert data["contribution_gbp"].sum() == pytest.approx(results["options"]["merge"]["metrics"]["npsv_gbp"], abs=1e-3)
    assert data.loc[data["kind"] == "benefit", "pv_gbp"].sum() == pytest.approx(
        results["options"]["merge"]["metrics"]["pv_benefits_gbp"], abs=1e-3)


def test_numpy_and_nan_values_are_accepted(full_inputs):
    results, tables = full_inputs
    r = json.loads(json.dumps(results))
    m = r["options"]["merge"]["metrics"]
    m["npsv_gbp"], m["bcr"], m["funding_requirement_gbp"] = np.float64(-45.5), float("nan"), np.int64(1800)
    r["provenance"]["seeds"] = [np.int64(1), {"a": np.float32(0.5)}]
    html = build_html(r, tables)
    assert "It needs £1,800 of funding" in html and "benefit-cost ratio" not in html.split("The NPSV of")[1][:200]
