"""The CLI's appraise/init/describe: files written, byte-identical on a re-run, templates that validate."""
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from appraisal.cli import app

MINI = Path(__file__).parents[1] / "fixtures" / "mini"
runner = CliRunner()


def test_appraise_writes_results_tables_workbook_manifest(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["appraise", str(MINI), "--out", str(out)])
    assert result.exit_code == 0, result.output
    results = json.loads((out / "results.json").read_text())
    merge = results["options"]["merge"]
    assert merge["metrics"]["funding_requirement_gbp"] == pytest.approx(1800)
    assert merge["yearly"]["cumulative_net_gbp"]["2023/24"] == pytest.approx(360)
    assert merge["by_party"]["north"]["benefits_gbp"] == pytest.approx(1620)
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["input_hashes"]) >= {"study.yaml", "benefits.csv", "costs.csv"}
    assert manifest["packages"]["pandas"] == pd.__version__
    sheets = pd.read_excel(out / "results.xlsx", sheet_name=None)
    assert {"option_metrics", "yearly_profile", "who_pays_who_benefits"} <= set(sheets)
    first = {p.name: p.read_bytes() for p in (out / "tables").iterdir()}
    runner.invoke(app, ["appraise", str(MINI), "--out", str(out)])
    assert first == {p.name: p.read_bytes() for p in (out / "tables").iterdir()}


@pytest.mark.parametrize("excel", [False, True])
def test_init_writes_a_template_that_validates(tmp_path, excel):
    folder = tmp_path / "new"
    args = ["init", str(folder)] + (["--excel"] if excel else [])
    assert runner.invoke(app, args).exit_code == 0
    check = runner.invoke(app, ["validate", str(folder)])
    assert check.exit_code == 0, check.output
    assert "OK My reform study" in check.output
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "is not empty" in again.output


def test_every_command_has_help():
    for command in ([], ["init"], ["validate"], ["describe"], ["appraise"]):
        result = subprocess.run([sys.executable, "-m", "appraisal.cli", *command, "--help"],
                                capture_output=True, text=True)
        assert result.returncode == 0 and "Usage" in result.stdout


def test_describe_prints_tables():
    result = runner.invoke(app, ["describe", str(MINI)])
    assert result.exit_code == 0
    assert "Shared service" in result.output and "benefits" in result.output


def test_a_study_in_one_workbook_gives_the_same_results(tmp_path):
    from openpyxl import load_workbook

    from appraisal.money.metrics import appraise_study
    from appraisal.study import StudyError, load_study

    llr = Path(__file__).parents[2] / "studies" / "llr"
    folder = tmp_path / "llr_xlsx"
    assert runner.invoke(app, ["convert", str(llr), str(folder)]).exit_code == 0
    csv_case, xlsx_case = appraise_study(load_study(llr)), appraise_study(load_study(folder))
    for oid in csv_case:
        assert csv_case[oid].metrics == pytest.approx(xlsx_case[oid].metrics)
    # an error in a sheet is reported with the sheet, row and column
    book = load_workbook(folder / "study.xlsx")
    sheet = book["costs"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=3, column=header.index("amount_gbp") + 1, value="lots")
    book.save(folder / "study.xlsx")
    with pytest.raises(StudyError, match=r"study.xlsx:costs, row 3, column 'amount_gbp': expected a number, got 'lots'"):
        load_study(folder)
