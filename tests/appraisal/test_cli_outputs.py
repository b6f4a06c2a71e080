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
