"""Debian's Chromium, driven by Playwright, over a generated report: no console errors, every chart drawn
with data, tables present, a screenshot kept under tests/report/artifacts/."""
from __future__ import annotations

import pytest

from appraisal.report import render_report
from appraisal.report.pdf import CHROMIUM

EVIL = "<script>alert(1)</script>"

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium: "
                                 "run `make browser` (scripts/ensure-chromium.sh)")]

CHART_STATE = """() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(d => ({
    id: d.id,
    traces: Array.isArray(d.data) ? d.data.length : 0,
    points: Array.isArray(d.calcdata) ? d.calcdata.reduce((n, c) => n + (c ? c.length : 0), 0) : 0,
    drawn: !!d.querySelector('svg.main-svg, canvas'),
    marks: d.querySelectorAll('.point, .bars path, .trace path, .sankey-node, .sankey-link, .waterfall path').length,
    width: d.getBoundingClientRect().width,
}))"""



def _open(browser, path):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems, dialogs, requests = [], [], []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:", "blob:")) else None)
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_function("() => Array.from(document.querySelectorAll('.plotly-graph-div'))"
                           ".every(d => d._fullLayout)", timeout=30_000)
    return page, problems, dialogs, requests


def test_report_renders_in_chromium(browser, rendered, artifacts):
    page, problems, dialogs, requests = _open(browser, rendered.html)
    assert problems == [] and dialogs == []
    assert requests == [], f"the report reached out to the network: {requests}"
    charts = page.evaluate(CHART_STATE)
    assert len(charts) >= 10
    for c in charts:
        assert c["traces"] > 0 and c["points"] > 0, c
        assert c["drawn"] and c["marks"] > 0, c
        assert c["width"] > 300, c
    assert page.locator("table").count() >= len(charts) + 5
    assert page.locator("details.data table").count() == len(charts)
    assert page.locator("#summary li").count() >= 8
    page.screenshot(path=str(artifacts / "report.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(artifacts / "report-print.png"), full_page=True)
    page.close()


def test_script_names_show_as_text_in_chromium(browser, evil_inputs, tmp_path, artifacts):
    files = render_report(*evil_inputs, tmp_path, pdf=False)
    page, problems, dialogs, _ = _open(browser, files.html)
    assert dialogs == [] and problems == []
    assert page.title() == f"{EVIL}: option appraisal"
    assert page.locator("h1").inner_text() == EVIL
    page.locator("details.data").first.evaluate("d => d.open = true")
    assert page.get_by_text(EVIL, exact=True).count() >= 3
    # plotly shows the name as text too (the Sankey node label)
    assert EVIL in page.locator("#chart-sankey").inner_text()
    page.screenshot(path=str(artifacts / "report-escaping.png"))
    page.close()
