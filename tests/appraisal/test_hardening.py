"""Every case listed in issue 13, each with its clear answer, exit code and figures.

Numbers misread, missing becomes zero, paths escaping the study, tracebacks, vague messages, CLI
arguments, checks made too late and spreadsheet formula injection.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from appraisal import exit_codes
from appraisal.cli import app
from appraisal.money.metrics import appraise_study
from appraisal.study import StudyError, load_study
from appraisal.workflows.targets import results_tree

ROOT = Path(__file__).resolve().parents[2]
LLR, PLYMOUTH, LANCS = ROOT / "studies" / "llr", ROOT / "studies" / "plymouth", ROOT / "studies" / "lancashire"
MINI, HUBS = ROOT / "tests" / "fixtures" / "mini", ROOT / "tests" / "fixtures" / "hubs"
runner = CliRunner()


def copy(src: Path, tmp_path: Path, name: str = "study") -> Path:
    dst = tmp_path / name
    shutil.copytree(src, dst)
    return dst


def replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, path)
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(StudyError) as info:
        load_study(folder)
    return [str(p) for p in info.value.problems]


def cell(folder: Path, table: str, row: int, column: str, value: str) -> None:
    frame = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
    frame.loc[row - 2, column] = value
    frame.to_csv(folder / f"{table}.csv", index=False)


# ----------------------------------------------------------------------------------- numbers mean one thing


@pytest.mark.parametrize("value", ["1,2,3", "575325,26", "£1m", "5k", "1 000", "£1,000,00", "1_000"])
def test_money_in_an_unaccepted_form_is_an_error_naming_the_cell_and_the_forms(tmp_path, value):
    folder = copy(LLR, tmp_path)
    cell(folder, "costs", 2, "amount_gbp", value)
    lines = problems_of(folder)
    assert lines == [f"costs.csv, row 2, column 'amount_gbp': expected an amount in £ written 1234567.89, "
                     f"£1,234,567.89 or -250000 (thousands separators only as in 1,234,567.89; no units such as m "
                     f"or k, no decimal comma), got '{value}'"]


@pytest.mark.parametrize("value,expected", [("£1,234,567.89", 1234567.89), ("1,234,567.89", 1234567.89),
                                            ("£575325.26", 575325.26), ("-£250,000", -250000.0),
                                            ("1e6", 1e6), (" 42 ", 42.0)])
def test_money_in_an_accepted_form_reads_as_written(tmp_path, value, expected):
    folder = copy(MINI, tmp_path)
    cell(folder, "costs", 2, "amount_gbp", value.replace("-", ""))
    assert load_study(folder).tables["costs"]["amount_gbp"].iloc[0] == abs(expected)
    if expected < 0:
        frame = pd.read_csv(folder / "benefits.csv", dtype=str, keep_default_na=False)
        frame.loc[0, "run_rate_gbp"] = value
        frame.to_csv(folder / "benefits.csv", index=False)
        assert load_study(folder).tables["benefits"]["run_rate_gbp"].iloc[0] == expected


def test_a_decimal_comma_no_longer_multiplies_llr_costs(tmp_path):
    """The issue: `575325,26` read as 57,532,526 took LLR's costs from £2.27m to £59.2m with exit 0."""
    folder = copy(LLR, tmp_path)
    frame = pd.read_csv(folder / "costs.csv", dtype=str, keep_default_na=False)
    row = int(frame.index[frame["amount_gbp"].str.contains(".", regex=False)][0]) if \
        frame["amount_gbp"].str.contains(".", regex=False).any() else 0
    frame.loc[row, "amount_gbp"] = frame.loc[row, "amount_gbp"].replace(".", ",") if "." in frame.loc[
        row, "amount_gbp"] else frame.loc[row, "amount_gbp"] + ",26"
    frame.to_csv(folder / "costs.csv", index=False)
    out = tmp_path / "out"
    result = runner.invoke(app, ["appraise", str(folder), "--out", str(out)])
    assert result.exit_code == exit_codes.BAD_INPUT
    assert f"costs.csv, row {row + 2}, column 'amount_gbp': expected an amount in £" in result.output
    assert not out.exists()


@pytest.mark.parametrize("value,phrase", [("nan", "expected an amount in £"), ("inf", "expected an amount in £"),
                                          ("-inf", "expected an amount in £"), ("1e309", "between -1e15 and 1e15"),
                                          ("1e308", "between -1e15 and 1e15"), ("1e16", "between -1e15 and 1e15")])
def test_nan_infinity_and_overflow_are_errors(tmp_path, value, phrase):
    folder = copy(PLYMOUTH, tmp_path)
    cell(folder, "benefits", 2, "run_rate_gbp", value)
    lines = problems_of(folder)
    assert len(lines) == 1 and lines[0].startswith("benefits.csv, row 2, column 'run_rate_gbp': ") and phrase in lines[0]


@pytest.mark.parametrize("ramp,got", [("0.1;1.2;1", "1.2 in '0.1;1.2;1'"), ("-0.1;1", "-0.1 in '-0.1;1'"),
                                      ("0.5;nan", "'0.5;nan'")])
def test_ramps_outside_0_to_1_are_errors(tmp_path, ramp, got):
    folder = copy(PLYMOUTH, tmp_path)
    cell(folder, "benefits", 2, "ramp", ramp)
    assert problems_of(folder) == [f"benefits.csv, row 2, column 'ramp': fractions between 0 and 1 separated by "
                                   f"';' like '0.1;0.6;1', got {got}"]


# ----------------------------------------------------------------------------------- required is required


def test_a_workbook_without_its_costs_sheet_is_one_clear_line(tmp_path):
    """The issue: Plymouth level 4's costs became £0 instead of £317,188."""
    from openpyxl import load_workbook

    folder = tmp_path / "book"
    assert runner.invoke(app, ["convert", str(PLYMOUTH), str(folder)]).exit_code == 0
    assert appraise_study(load_study(folder))["level4"].metrics["costs_total_gbp"] == pytest.approx(317187.5)
    book = load_workbook(folder / "study.xlsx")
    del book["costs"]
    book.save(folder / "study.xlsx")
    assert problems_of(folder) == ["study.xlsx: sheet 'costs' is missing: every study needs this table (without it "
                                   "every option's costs would read as £0)"]


def test_a_formula_is_read_by_its_saved_value_or_rejected(tmp_path):
    from openpyxl import load_workbook

    folder = tmp_path / "book"
    assert runner.invoke(app, ["convert", str(PLYMOUTH), str(folder)]).exit_code == 0
    book = load_workbook(folder / "study.xlsx")
    ws = book["costs"]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("amount_gbp") + 1, value="=128250*1")
    book.save(folder / "study.xlsx")
    assert problems_of(folder) == ["study.xlsx:costs, row 2, column 'amount_gbp': is a formula with no saved result "
                                   "(the workbook was never recalculated): open and save it in Excel, or type the value"]
    # the same formula with a saved result (as Excel writes it): the saved value is read
    _set_cached_value(folder / "study.xlsx", "costs", 2, header.index("amount_gbp") + 1, "128250")
    study = load_study(folder)
    assert study.tables["costs"]["amount_gbp"].iloc[0] == 128250
    assert appraise_study(study)["level4"].metrics["costs_total_gbp"] == pytest.approx(317187.5)


def _set_cached_value(book: Path, sheet: str, row: int, col: int, value: str) -> None:
    """Write a formula's saved result into the sheet XML, as Excel does on save."""
    import re
    import zipfile

    from openpyxl.utils import get_column_letter
    from openpyxl import load_workbook

    index = load_workbook(book, read_only=True).sheetnames.index(sheet) + 1
    ref = f"{get_column_letter(col)}{row}"
    tmp = book.with_suffix(".tmp")
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == f"xl/worksheets/sheet{index}.xml":
                text = data.decode()
                text, n = re.subn(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)(<v\s*/>|<v></v>)?', rf"\1\2<v>{value}</v>", text)
                assert n == 1
                data = text.encode()
            zout.writestr(item, data)
    tmp.replace(book)


def test_a_duplicated_interventions_row_is_an_error_not_a_double_count(tmp_path):
    """The issue: a duplicated interventions.csv row took a package's cost from £12m to £16m."""
    folder = copy(LANCS, tmp_path)
    lines = (folder / "interventions.csv").read_text().splitlines()
    (folder / "interventions.csv").write_text("\n".join([*lines, lines[1]]) + "\n")
    found = problems_of(folder)
    assert len(found) == 1 and found[0].startswith(f"interventions.csv, row {len(lines) + 1}, column 'package': "
                                                   "duplicate package/kind/partner_id/vehicle_id")
    assert "(first on row 2)" in found[0]


def test_a_repeated_rule_is_one_warning(tmp_path):
    folder = copy(HUBS, tmp_path)
    lines = (folder / "option_rules.csv").read_text().splitlines()
    (folder / "option_rules.csv").write_text("\n".join([*lines, lines[1]]) + "\n")
    study = load_study(folder)
    assert [str(w) for w in study.warnings] == [f"option_rules.csv: row(s) {len(lines) + 1} repeat an earlier rule "
                                                "exactly; a rule counts once"]


def test_header_only_options_says_the_table_is_empty(tmp_path):
    """The issue: 154 "is not an option_id" lines instead of one."""
    folder = copy(LANCS, tmp_path)
    header = (folder / "options.csv").read_text().splitlines()[0]
    (folder / "options.csv").write_text(header + "\n")
    assert problems_of(folder) == ["options.csv: this table is empty (a header and no rows): add rows or remove the table"]


def test_semicolons_latin1_and_duplicated_headers_are_named(tmp_path):
    folder = copy(LLR, tmp_path)
    text = (folder / "services.csv").read_text()
    (folder / "services.csv").write_text(text.replace(",", ";"))
    (folder / "partners.csv").write_bytes((folder / "partners.csv").read_text().replace(
        "source\n", "source\n", 1).encode("utf-8") + "x,Café,county_council,,0.5,0.5,2,,né\n".encode("latin-1"))
    header = (folder / "sites.csv").read_text().splitlines()[0].split(",")
    replace(folder / "sites.csv", ",".join(header), ",".join(header[:-1] + ["name"]))
    lines = problems_of(folder)
    assert "services.csv: is semicolon-delimited (';' between the headers); reformkit reads comma-separated CSV: " \
           "save it as 'CSV UTF-8 (comma delimited)'" in lines
    assert any(line.startswith("partners.csv: is not UTF-8 text (byte 0xe9 on line") and "latin-1" in line
               for line in lines)
    assert any(line.startswith("sites.csv, column 'name': header 'name' appears 2 times") for line in lines)
    assert not any("name.1" in line for line in lines)


def test_a_latin1_study_yaml_names_the_file(tmp_path):
    folder = copy(MINI, tmp_path)
    (folder / "study.yaml").write_bytes((folder / "study.yaml").read_bytes() + "# Café\n".encode("latin-1"))
    lines = problems_of(folder)
    assert len(lines) == 1 and lines[0].startswith("study.yaml: is not UTF-8 text (byte 0xe9")


def test_describe_lists_the_optional_tables_a_study_lacks():
    result = runner.invoke(app, ["describe", str(PLYMOUTH)])
    assert result.exit_code == 0
    assert "Optional tables this study does not have" in result.output
    assert "no placements" in result.output and "no uncertainties" in result.output


# ----------------------------------------------------------------------------------- confined paths


@pytest.mark.parametrize("path,phrase", [("../x.csv", "is outside the study folder"),
                                         ("/etc/hostname", "is outside the study folder"), (".", "is a folder")])
def test_table_paths_stay_inside_the_study(tmp_path, path, phrase):
    folder = copy(MINI, tmp_path)
    (tmp_path / "x.csv").write_text("secret\n")
    with open(folder / "study.yaml", "a") as fh:
        fh.write(f"tables: {{services: '{path}'}}\n")
    lines = problems_of(folder)
    assert lines == [f"study.yaml, column 'tables.services': '{path}' {phrase}" + (
        "; tables must be files inside it (a path relative to study.yaml)" if "outside" in phrase else ", not a file")]
    assert "secret" not in "".join(lines)


def test_an_option_id_of_dots_is_refused(tmp_path):
    folder = copy(HUBS, tmp_path)
    replace(folder / "options.csv", "stay,Nothing moves", "..,Nothing moves")
    replace(folder / "option_rules.csv", "stay,forbid_vehicle", "..,forbid_vehicle")
    message = "column 'option_id': '..' cannot be an id: ids name files and folders of the results; use letters or digits"
    assert problems_of(folder) == [f"option_rules.csv, row 2, {message}", f"options.csv, row 2, {message}"]


def test_output_never_leaves_out(tmp_path):
    from appraisal.cli import out_folder
    from appraisal.exit_codes import BadInput

    assert out_folder(tmp_path / "out", "opt1") == (tmp_path / "out" / "opt1").resolve()
    with pytest.raises(BadInput, match="outside --out"):
        out_folder(tmp_path / "out" / "inner", "..")


# ----------------------------------------------------------------------------------- no tracebacks


@pytest.mark.parametrize("args,phrase", [
    (["optimise", str(HUBS), "--time-limit", "-1"], "--time-limit"),
    (["optimise", str(HUBS), "--gap", "-0.5"], "--gap"),
    (["optimise", str(HUBS), "--gap", "2"], "--gap"),
    (["optimise", str(HUBS), "--seed", "-1"], "--seed"),
    (["optimise", str(HUBS), "--points", "1"], "--points"),
    (["optimise", str(HUBS), "--pareto", "cost"], "--pareto takes 'funding' or 'score'"),
    (["buyin", str(MINI), "--runs", "0"], "--runs"),
    (["run", str(MINI), "--runs", "0"], "--runs"),
    (["sensitivity", str(MINI), "-n", "0"], "-n"),
    (["sensitivity", str(MINI), "-n", "100"], "-n must be a power of 2"),
    (["sensitivity", str(MINI), "--method", "latin"], "--method must be sobol, morris or montecarlo"),
    (["sensitivity", str(MINI), "--workers", "-1"], "--workers"),
    (["score", str(MINI), "--smaa-runs", "0"], "--smaa-runs"),
    (["run", str(MINI), "--samples", "3"], "--samples must be a power of 2"),
    (["run", str(MINI), "--time-limit", "0"], "--time-limit"),
])
def test_every_argument_is_range_checked(tmp_path, args, phrase):
    out = tmp_path / "out"
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == exit_codes.BAD_INPUT, result.output
    assert phrase in result.output
    assert not out.exists()
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_unreachable_scheduler_is_reported_within_5_seconds(tmp_path):
    from appraisal.exit_codes import SchedulerUnreachable
    from appraisal.uncertainty.executor import connect

    start = time.perf_counter()
    with pytest.raises(SchedulerUnreachable, match="cannot reach the dask scheduler at 'tcp://127.0.0.1:1' within 4 s"):
        connect("tcp://127.0.0.1:1")
    assert time.perf_counter() - start < 5  # includes importing distributed
    with pytest.raises(SchedulerUnreachable, match="'nonsense' is not a scheduler address"):
        connect("nonsense")
    out = tmp_path / "out"
    result = runner.invoke(app, ["sensitivity", str(MINI), "--method", "montecarlo", "-n", "8", "--scheduler",
                                 "tcp://127.0.0.1:1", "--out", str(out)])
    assert result.exit_code == exit_codes.BAD_INPUT, result.output
    assert "cannot reach the dask scheduler at 'tcp://127.0.0.1:1' within 4 s" in result.output


def test_a_locked_store_says_another_run_holds_it(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); time.sleep(60)", str(out / "runs.duckdb")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = runner.invoke(app, ["sensitivity", str(MINI), "--method", "montecarlo", "-n", "8", "--workers", "0",
                                     "--out", str(out)])
        assert result.exit_code == exit_codes.BAD_INPUT, result.output
        assert f"the results store {out / 'runs.duckdb'} is held by another reformkit run (process {holder.pid})" \
            in result.output.replace("\n", "")
    finally:
        holder.kill()
        holder.wait()


def test_a_view_of_itself_is_found_by_validate_and_run_does_not_start(tmp_path):
    folder = copy(LANCS, tmp_path)
    replace(folder / "options.csv", "opt3_enabled,", "opt3_enabled,", 1)
    frame = pd.read_csv(folder / "options.csv", dtype=str, keep_default_na=False)
    frame.loc[frame["option_id"] == "opt3_enabled", "view_of"] = "opt3_enabled"
    frame.to_csv(folder / "options.csv", index=False)
    row = int(frame.index[frame["option_id"] == "opt3_enabled"][0]) + 2
    for command in (["validate", str(folder)], ["run", str(folder), "--out", str(tmp_path / "out"), "--no-pdf"]):
        result = runner.invoke(app, command)
        assert result.exit_code == exit_codes.BAD_INPUT
        assert f"options.csv, row {row}, column 'view_of': 'opt3_enabled' refers to itself" in result.output
    assert not (tmp_path / "out").exists()


def test_a_precedence_cycle_is_found_by_validate(tmp_path):
    folder = copy(HUBS, tmp_path)
    frame = pd.read_csv(folder / "precedence.csv", dtype=str, keep_default_na=False)
    first = frame.iloc[0]
    frame.loc[len(frame)] = {**first.to_dict(), "before_service_id": first["after_service_id"],
                             "after_service_id": first["before_service_id"]}
    frame.to_csv(folder / "precedence.csv", index=False)
    lines = problems_of(folder)
    assert len(lines) == 1
    assert lines[0].startswith("precedence.csv, column 'before_service_id': before_service_id → after_service_id "
                               "links form a cycle")
    assert first["before_service_id"] in lines[0] and first["after_service_id"] in lines[0]


def test_ctrl_c_is_exit_5_without_a_traceback(tmp_path, monkeypatch):
    import appraisal.workflows.appraise as appraise_module

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(appraise_module, "financial_case", interrupted)
    result = runner.invoke(app, ["appraise", str(MINI), "--out", str(tmp_path / "out")])
    assert result.exit_code == exit_codes.INTERRUPTED
    assert "interrupted" in result.output and "Traceback" not in result.output


# exit 3 (infeasible) and 4 (no plan in time) through exit_code_for: tests/appraisal/test_cli_exit_codes.py


# ----------------------------------------------------------------------------------- checked up front


def test_validate_finds_what_later_commands_would_fail_on(tmp_path):
    folder = copy(LANCS, tmp_path)
    with open(folder / "study.yaml", "a") as fh:
        fh.write("adjustments:\n"
                 "  - {name: ob, applies_to: costs, optimism_bias: {project_type: outsourcing, measure: duration}}\n"
                 "  - {name: typo, applies_to: benefits, pct: 5, components: [Front Ofice]}\n")
    replace(folder / "study.yaml", "adjustments: []\n", "")
    frame = pd.read_csv(folder / "uncertainties.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "target"] = "benefit:nosuch"
    frame.to_csv(folder / "uncertainties.csv", index=False)
    shutil.copy(folder / "benefits.csv", folder / "benefit.csv")
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == exit_codes.BAD_INPUT
    text = result.output.replace("\n", " ")
    assert "study.yaml, column 'adjustments.1.components': 'Front Ofice' is not a component of any benefit line" in text
    assert "uncertainties.csv, row 2, column 'target': 'benefit:nosuch' is not one of" in text
    assert "benefit.csv: not a table reformkit reads; did you mean 'benefits.csv'?" in text
    # the optimism-bias figure is checked once the tables are clean
    replace(folder / "study.yaml", "components: [Front Ofice]", "components: []")
    frame.loc[0, "target"] = "benefits"
    frame.to_csv(folder / "uncertainties.csv", index=False)
    (folder / "benefit.csv").unlink()
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == exit_codes.BAD_INPUT
    assert "study.yaml, column 'adjustments.0.optimism_bias': no optimism-bias figure for outsourcing/duration" in \
        result.output.replace("\n", " ")


def test_a_target_path_that_names_nothing_fails_validate(tmp_path):
    folder = copy(PLYMOUTH, tmp_path)
    frame = pd.read_csv(folder / "targets.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "metric"] = frame.loc[0, "metric"].replace("options.", "option.")
    frame.to_csv(folder / "targets.csv", index=False)
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == exit_codes.BAD_INPUT
    assert "targets.csv, row 2, column 'metric': " in result.output and "no 'option' after '(root)'" in result.output


def test_columns_csv_lists_allowed_values_and_units(tmp_path):
    assert runner.invoke(app, ["init", str(tmp_path / "new")]).exit_code == 0
    columns = pd.read_csv(tmp_path / "new" / "COLUMNS.csv", keep_default_na=False)
    assert list(columns.columns) == ["table", "column", "required", "allowed values", "unit", "description"]
    row = columns[(columns.table == "costs") & (columns.column == "kind")].iloc[0]
    assert row["allowed values"] == "one of: one_off, recurring"
    row = columns[(columns.table == "costs") & (columns.column == "amount_gbp")].iloc[0]
    assert row["unit"] == "£" and "£1,234,567.89" in row["allowed values"] and "≥ 0" in row["allowed values"]
    row = columns[(columns.table == "partners") & (columns.column == "financial_pressure")].iloc[0]
    assert row["allowed values"] == "a number from 0 to 1" and row["unit"] == "fraction"
    row = columns[(columns.table == "benefits") & (columns.column == "vehicle_id")].iloc[0]
    assert row["allowed values"] == "a vehicle_id of vehicles (blank = none)"
    assert (columns["allowed values"] != "").all()


# ----------------------------------------------------------------------------------- safe outputs


def test_formula_strings_are_text_in_results_and_convert_and_reload(tmp_path):
    from openpyxl import load_workbook

    folder = copy(MINI, tmp_path)
    frame = pd.read_csv(folder / "options.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "name"] = "=HYPERLINK(\"http://x\",\"click\")"
    frame.to_csv(folder / "options.csv", index=False)
    book = tmp_path / "book"
    assert runner.invoke(app, ["convert", str(folder), str(book)]).exit_code == 0
    ws = load_workbook(book / "study.xlsx")["options"]
    cells = [c for r in ws.iter_rows() for c in r if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert load_study(book).tables["options"]["name"].iloc[0] == "=HYPERLINK(\"http://x\",\"click\")"
    out = tmp_path / "out"
    assert runner.invoke(app, ["appraise", str(folder), "--out", str(out)]).exit_code == 0
    wb = load_workbook(out / "results.xlsx")
    assert not [c for ws in wb.worksheets for r in ws.iter_rows() for c in r if c.data_type == "f"]


@pytest.mark.parametrize("study", [LLR, LANCS, PLYMOUTH, ROOT / "studies" / "national" / "small",
                                   ROOT / "studies" / "estate_programme", ROOT / "tests" / "fixtures" / "ownership",
                                   ROOT / "tests" / "fixtures" / "hubs_quarterly"], ids=lambda p: p.name)
def test_convert_round_trips_every_study(tmp_path, study):
    book = tmp_path / "book"
    assert runner.invoke(app, ["convert", str(study), str(book)]).exit_code == 0
    a, b = load_study(study), load_study(book)
    assert (a.period, a.periods) == (b.period, b.periods)  # the period setting and quarter labels carry over
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name].drop(columns="source_row"), b.tables[name].drop(columns="source_row"))
        assert a.tables[name]["source_row"].tolist() == b.tables[name]["source_row"].tolist()
    assert json.dumps(results_tree(a), sort_keys=True) == json.dumps(results_tree(b), sort_keys=True)


# ----------------------------------------------------------------------------------- exit codes


def test_exit_codes_are_in_help_and_readme():
    result = subprocess.run([sys.executable, "-m", "appraisal.cli", "--help"], capture_output=True, text=True)
    text = " ".join(result.stdout.split())
    for code, meaning in exit_codes.MEANINGS.items():
        assert f"{code} {' '.join(meaning.split())}" in text
    readme = (ROOT / "README.md").read_text()
    assert "| 3 | infeasible" in readme and "| 5 | interrupted" in readme and "| 4 | no plan" in readme
    assert (exit_codes.OK, exit_codes.BAD_INPUT, exit_codes.INFEASIBLE, exit_codes.NO_PLAN,
            exit_codes.INTERRUPTED) == (0, 2, 3, 4, 5)


@pytest.mark.cluster
@pytest.mark.slow
def test_the_scheduler_killed_mid_run_is_exit_5(tmp_path):
    """A real `dask scheduler` and worker; the scheduler is killed while `sensitivity` runs on it."""
    dask = str(Path(sys.executable).with_name("dask"))
    sf, logs = tmp_path / "scheduler.json", tmp_path / "scheduler.log"
    procs = []
    env = {**os.environ, "DASK_LOGGING__DISTRIBUTED": "info"}  # the scheduler's log says when the client is in
    try:
        with open(logs, "w") as log:
            procs.append(subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                           "--scheduler-file", str(sf)], stdout=log, stderr=subprocess.STDOUT,
                                          env=env))
        deadline = time.time() + 60
        while not (sf.exists() and sf.stat().st_size > 0):
            assert time.time() < deadline, logs.read_text()
            time.sleep(0.2)
        address = json.loads(sf.read_text())["address"]
        procs.append(subprocess.Popen([dask, "worker", "--scheduler-file", str(sf), "--host", "127.0.0.1", "--nthreads",
                                       "1", "--no-nanny", "--no-dashboard"], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        run = subprocess.Popen([sys.executable, "-m", "appraisal.cli", "sensitivity", str(MINI), "--method",
                                "montecarlo", "-n", "20000", "--agents", "--scheduler", address, "--out",
                                str(tmp_path / "out")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 120
        while "Receive client connection" not in logs.read_text():
            assert time.time() < deadline and run.poll() is None, logs.read_text()
            time.sleep(0.5)
        time.sleep(3)
        procs[0].kill()
        out, errors = run.communicate(timeout=120)
        assert run.returncode == exit_codes.INTERRUPTED, errors
        assert "interrupted: the dask scheduler or a worker was lost" in errors
        assert "Traceback" not in out + errors
    finally:
        for p in procs:
            p.kill()
            p.wait()


# ----------------------------------------------------------------------------------- found by trying new inputs


@pytest.mark.parametrize("name,edit,expected", [
    ("utf16", lambda f: (f / "costs.csv").write_bytes((f / "costs.csv").read_text().encode("utf-16")),
     "costs.csv: is UTF-16 text (Excel's 'Unicode Text'); save it as UTF-8 ('CSV UTF-8' in Excel)"),
    ("tabs", lambda f: (f / "costs.csv").write_text((f / "costs.csv").read_text().replace(",", "\t")),
     "costs.csv: is tab-delimited (tabs between the headers); reformkit reads comma-separated CSV: save it as "
     "'CSV UTF-8 (comma delimited)'"),
    ("unclosed-quote", lambda f: (f / "costs.csv").write_text((f / "costs.csv").read_text()
                                                              + 'c9,"Front office,one_off,shared,1,1,,,split,merge,t\n'),
     "costs.csv, row 4: cannot read as CSV: a double quote opened here is never closed"),
    ("underflow", lambda f: replace(f / "costs.csv", ",1500,", ",1e-400,"),
     "costs.csv, row 2, column 'amount_gbp': expected a number a computer can hold (this one is too small: it would "
     "read as 0), got '1e-400'"),
    ("unicode-minus", lambda f: replace(f / "costs.csv", ",1500,", ",−1500,"),
     "costs.csv, row 2, column 'amount_gbp': expected an amount in £ written 1234567.89, £1,234,567.89 or -250000 "
     "(thousands separators only as in 1,234,567.89; no units such as m or k, no decimal comma), got '−1500'"),
    ("options-twice", lambda f: replace(f / "study.yaml", "preferred_option", "options: [merge, merge]\npreferred_option"),
     "study.yaml, column 'options': option(s) merge listed twice"),
    ("no-header-column", lambda f: (f / "options.csv").write_text("\n".join(
        line + (",x" if i else ",") for i, line in enumerate((f / "options.csv").read_text().splitlines())) + "\n"),
     "options.csv: a column with values has no header (column 5)"),
])
def test_inputs_found_by_a_careful_tester(tmp_path, name, edit, expected):
    folder = copy(MINI, tmp_path)
    edit(folder)
    assert problems_of(folder) == [expected]


def test_a_view_cannot_be_the_preferred_option(tmp_path):
    folder = copy(LANCS, tmp_path)
    replace(folder / "study.yaml", "preferred_option: opt3", "preferred_option: opt3_enabled")
    assert problems_of(folder) == ["study.yaml, column 'preferred_option': 'opt3_enabled' is a view of 'opt3', not a "
                                   "choice; name 'opt3'"]


def test_out_must_be_a_folder_and_a_scheduler_an_address(tmp_path):
    (tmp_path / "file").write_text("x")
    result = runner.invoke(app, ["appraise", str(MINI), "--out", str(tmp_path / "file")])
    flat = re.sub(r"[│╭╮╰╯─\s]+", " ", result.output)
    assert result.exit_code == exit_codes.BAD_INPUT and "is a file" in flat, flat
    result = runner.invoke(app, ["buyin", str(MINI), "--scheduler", "http://x", "--out", str(tmp_path / "o")])
    assert result.exit_code == exit_codes.BAD_INPUT
    assert "'http://x' is not a scheduler address" in result.output and not (tmp_path / "o").exists()


def test_an_unexpected_error_is_exit_1_with_the_traceback_saved(tmp_path, monkeypatch):
    import appraisal.workflows.appraise as appraise_module

    def broken(*args, **kwargs):
        raise TypeError("a bug")

    monkeypatch.setattr(appraise_module, "financial_case", broken)
    result = runner.invoke(app, ["appraise", str(MINI), "--out", str(tmp_path / "out")])
    assert result.exit_code == exit_codes.INTERNAL
    assert "internal error (a bug in reformkit, please report it): TypeError: a bug" in result.output
    assert "Traceback" not in result.output


def test_csv_files_beside_a_workbook_are_named_and_tables_with_a_workbook_refused(tmp_path):
    book = tmp_path / "book"
    assert runner.invoke(app, ["convert", str(MINI), str(book)]).exit_code == 0
    shutil.copy(MINI / "costs.csv", book / "costs.csv")
    assert [str(w) for w in load_study(book).warnings] == ["costs.csv: not read: this study reads its tables from "
                                                           "study.xlsx"]
    result = runner.invoke(app, ["validate", str(book)])
    assert result.exit_code == 0 and "warning: costs.csv: not read" in result.output
    with open(book / "study.yaml", "a") as fh:
        fh.write("tables: {costs: costs.csv}\n")
    assert problems_of(book) == ["study.yaml, column 'tables': a workbook study reads every table from study.xlsx; "
                                 "remove `tables:` or `workbook:`"]
