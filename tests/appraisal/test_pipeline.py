"""`reformkit run` end to end: every section in results.json, the tables, the workbook and the report."""
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from appraisal.cli import app

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def lancashire_run(lancashire_report):
    """The session's one `reformkit run` of Lancashire (tests/conftest.py) and the step lines the command prints."""
    from appraisal.report.terminal import step_lines

    out = Path(lancashire_report.report.html).parent
    return out, "\n".join(step_lines(lancashire_report.results, lancashire_report.seconds))


def test_every_section_is_computed(lancashire_run):
    out, output = lancashire_run
    r = json.loads((out / "results.json").read_text())
    assert {"options", "positions", "targets", "optimise", "buyin", "scoring", "sensitivity", "provenance"} <= set(r)
    assert all(t["within_tolerance"] for t in r["targets"]) and len(r["targets"]) == 107
    assert r["options"]["opt3"]["metrics"]["net_total_gbp"] == pytest.approx(135_000_000)
    assert r["optimise"]["opt3"]["document_plan_npsv_gbp"] == pytest.approx(135_000_000, abs=1)
    # one number, one meaning: the document plan's NPSV is the financial case's, and the optimised plan's
    # NPSV is the MILP objective plus the constant
    assert r["optimise"]["opt3"]["document_plan_npsv_gbp"] == pytest.approx(r["options"]["opt3"]["metrics"]["npsv_gbp"], abs=0.005)
    o = r["optimise"]["opt3"]
    assert o["milp_objective_gbp"] + o["constant_gbp"] == pytest.approx(o["npsv_gbp"], abs=0.005)
    assert r["scoring"]["rank"]["opt3"] == r["scoring"]["rank"]["opt4"] == 1  # the equal-weights tie
    assert set(r["buyin"]["vehicles"]) == {"ica", "wbc", "ca", "fo", "pss"}
    assert len(r["sensitivity"]["indices"]) == 4 and r["sensitivity"]["runs"] == 16 * 6
    assert "Document figures reproduced: 107 of 107" in output


def test_outputs_on_disk(lancashire_run):
    out, _ = lancashire_run
    html = (out / "report.html").read_text()
    assert (out / "report.html").stat().st_size < 8 * 1024 * 1024
    assert not re.search(r"<script[^>]+src=[\"']https?:", html)
    assert html.count("plotly.js v") <= 2  # one embedded bundle (its banner may repeat the version once)
    assert "Interventions against doing nothing" in html and "Acute side payments" in html
    sheets = pd.read_excel(out / "results.xlsx", sheet_name=None)
    assert {"option_metrics", "assignment", "scores", "tornado", "document_figures"} <= set(sheets)
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["seconds"]) >= {"financial_case", "optimise", "buyin", "scoring", "sensitivity", "report"}
    assert (out / "sensitivity" / "runs.duckdb").exists()


def test_a_study_without_scores_says_so(tmp_path):
    out = tmp_path / "plymouth"
    result = CliRunner().invoke(app, ["run", str(ROOT / "studies" / "plymouth"), "--out", str(out), "--no-pdf",
                                      "--runs", "50"])
    assert result.exit_code == 0, result.output
    r = json.loads((out / "results.json").read_text())
    assert r["notes_run"] and "has no score" in r["notes_run"][0]
    assert "Value-driver scoring skipped" in (out / "report.html").read_text()
    assert r["optimise"]["level4"]["npsv_gbp"] == pytest.approx(r["options"]["level4"]["metrics"]["npsv_gbp"])
