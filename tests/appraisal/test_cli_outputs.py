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
    result = subprocess.run([sys.executable, "-m", "appraisal.cli", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "Usage" in result.stdout  # one real process; the commands in this one
    for command in (["init"], ["validate"], ["describe"], ["appraise"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output, command


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
    with pytest.raises(StudyError, match=r"study.xlsx:costs, row 3, column 'amount_gbp': expected an amount in £ .*got 'lots'"):
        load_study(folder)


HUBS = Path(__file__).parents[1] / "fixtures" / "hubs"


@pytest.mark.parametrize("columns", [80, 160])
def test_appraise_optimise_and_score_tables_name_options_fit_the_width_and_add_up(tmp_path, columns):
    """Each row of the financial case adds up (PV benefits − PV costs = NPSV, the present values the NPSV is
    made of, not undiscounted totals), options appear by name, and no line is wider than the console."""
    import re

    from appraisal.report.fmt import money
    from appraisal.study import load_study

    s = load_study(HUBS)
    names = dict(zip(s.tables["options"]["option_id"], s.tables["options"]["name"]))
    cli = CliRunner(env={"COLUMNS": str(columns)})
    res = cli.invoke(app, ["appraise", str(HUBS), "--out", str(tmp_path / "a")])
    assert res.exit_code == 0, res.output
    results = json.loads((tmp_path / "a" / "results.json").read_text())
    unit = results["display_unit"]
    text = " ".join(res.output.split())
    for oid, node in results["options"].items():
        m = node["metrics"]
        assert m["pv_benefits_gbp"] - m["pv_costs_gbp"] == pytest.approx(m["npsv_gbp"], abs=0.01)
        first_word = names[oid].split()[0]
        assert first_word in text
        for key in ("pv_benefits_gbp", "pv_costs_gbp", "npsv_gbp"):
            assert money(m[key], unit) in text
    outputs = [res.output]
    for command, study in (("optimise", HUBS), ("score", MINI)):  # hubs has placements, mini value drivers
        r = cli.invoke(app, [command, str(study), "--out", str(tmp_path / command)])
        assert r.exit_code == 0, r.output
        outputs.append(r.output)
        s2 = load_study(study)
        names |= dict(zip(s2.tables["options"]["option_id"], s2.tables["options"]["name"]))
    for out in outputs:
        table_lines = [ln for ln in out.splitlines() if re.search(r"£|%", ln)]
        assert table_lines and max(len(ln.rstrip()) for ln in table_lines) <= columns
        rest = " ".join(" ".join(table_lines).split())  # warnings may name ids (they point into the files)
        for name in sorted(names.values(), key=len, reverse=True):
            rest = rest.replace(name, "")
        rest = re.sub(r"\S*/\S*", "", rest)  # paths
        assert not [oid for oid in names if re.search(rf"\b{re.escape(oid)}\b", rest)], rest
