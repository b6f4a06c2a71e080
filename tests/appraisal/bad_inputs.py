"""Generate a corpus of bad inputs from the real studies, in both formats (CSV folder and one workbook).

Each case is a copy of a study with ONE deliberate fault and the one problem it must produce: where (file
or workbook:sheet), row (as a spreadsheet numbers it, header = row 1), column, and a phrase of the message.
Cell faults are derived from the schema (appraisal.study.columns): every column kind gets the wrong values
a careful tester would try (decimal commas, `1,2,3`, units, nan/inf/overflow, out-of-range fractions, bad
ids, years, choices, flags). Shape faults (duplicate rows and headers, missing and empty tables, delimiters,
encodings, formulas without a saved value, unknown files and sheets) and study.yaml faults (paths outside
the study, cycles, adjustments, uncertainties, targets) are listed by hand.

Run as a script to print the corpus size by study, format and kind.
"""
from __future__ import annotations

import csv
import io
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

from appraisal.study.columns import column_spec
from appraisal.study.schema import TABLE_MODELS
from appraisal.study.validate import KEYS, REFERENCES

ROOT = Path(__file__).resolve().parents[2]
STUDIES = {"llr": ROOT / "studies" / "llr", "lancashire": ROOT / "studies" / "lancashire",
           "plymouth": ROOT / "studies" / "plymouth", "national": ROOT / "studies" / "national" / "small"}
REFERENCE_COLUMNS = {(t, c) for t, c, _ in REFERENCES}
BOOK = "study.xlsx"

AMOUNT = "expected an amount in £"
PLAIN = "expected a plain number"
RANGE = "between -1e15 and 1e15"

# kind -> (bad value, phrase of the expected message)
CELL_FAULTS: dict[str, list[tuple[str, str]]] = {
    "money": [("1,2,3", AMOUNT), ("575325,26", AMOUNT), ("£1m", AMOUNT), ("5k", AMOUNT), ("nan", AMOUNT),
              ("inf", AMOUNT), ("1e309", RANGE), ("12 000", AMOUNT), ("1_000", AMOUNT), ("£-£5", AMOUNT),
              ("1,000,00", AMOUNT), ("(500)", AMOUNT), ("-1e16", RANGE), ("£", AMOUNT)],
    "number": [("nan", PLAIN), ("-inf", PLAIN), ("1e400", RANGE), ("abc", PLAIN), ("£5", PLAIN), ("1,5", PLAIN),
               ("0x10", PLAIN)],
    "whole": [("2.5", "expected a whole number"), ("x", PLAIN), ("nan", PLAIN)],
    "fraction": [("1.5", "expected a number ≤ 1"), ("-0.2", "expected a number ≥ 0"), ("nan", PLAIN),
                 ("50%", PLAIN)],
    "fractions": [("0.5;1.5", "fractions between 0 and 1"), ("0.5,1", "fractions between 0 and 1"),
                  ("-0.1;1", "fractions between 0 and 1"), ("0.2;nan", "fractions between 0 and 1")],
    "flag": [("maybe", "yes or no")],
    "choice": [("bogus_value", "expected one of")],
    "year": [("2017", "a financial year like"), ("2017/19", "a financial year like"),
             ("2095/96", "outside the horizon")],
    "month": [("2021-13", "a month like")],
    "id": [("..", "cannot be an id"), ("a b", "expected an id of letters")],
    "ref": [("ghost_zz", "is not a")],
}


@dataclass
class Case:
    id: str
    study: str
    fmt: str  # "csv" or "xlsx"
    mutate: Callable[[Path], None]
    where: str
    row: int | None | str  # "any": a YAML line number
    column: str | None
    text: str
    extra_ok: Callable[[str], bool] | None = None  # follow-on problems allowed (a renamed key's references)
    checked: bool = False  # needs the later commands' checks (appraisal.workflows.check)
    kind: str = "cell"
    tags: dict = field(default_factory=dict)


# ------------------------------------------------------------------------------------ reading and editing


def read_table(folder: Path, table: str) -> tuple[list[str], list[list[str]]]:
    with open(folder / f"{table}.csv", newline="", encoding="utf-8-sig") as fh:
        records = list(csv.reader(fh))
    return records[0], records[1:]


def write_table(folder: Path, table: str, header: list[str], rows: list[list[str]], encoding="utf-8",
                delimiter=",") -> None:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows([header, *rows])
    (folder / f"{table}.csv").write_bytes(buf.getvalue().encode(encoding))


def edit_csv(table: str, fn: Callable[[list[str], list[list[str]]], tuple[list[str], list[list[str]]]]):
    def mutate(folder: Path) -> None:
        header, rows = read_table(folder, table)
        write_table(folder, table, *fn(header, rows))
    return mutate


def edit_book(table: str, fn):
    """Apply the same (header, rows) edit to a workbook sheet."""
    def mutate(folder: Path) -> None:
        from openpyxl import load_workbook

        book = load_workbook(folder / BOOK)
        ws = book[table]
        grid = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
        header, rows = fn(grid[0], grid[1:])
        del book[table]
        new = book.create_sheet(table)
        for r in [header, *rows]:
            new.append(r)
        for row in new.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("=") and not getattr(fn, "formula", False):
                    cell.data_type = "s"
        book.save(folder / BOOK)
    return mutate


def edit(fmt: str, table: str, fn):
    return edit_csv(table, fn) if fmt == "csv" else edit_book(table, fn)


def where(fmt: str, table: str) -> str:
    return f"{table}.csv" if fmt == "csv" else f"{BOOK}:{table}"


def set_cell(r: int, c: int, value: str):
    def fn(header, rows):
        rows = [list(x) for x in rows]
        rows[r][c] = value
        return header, rows
    return fn


def edit_yaml(fn: Callable[[dict], None]):
    def mutate(folder: Path) -> None:
        data = yaml.safe_load((folder / "study.yaml").read_text())
        fn(data)
        (folder / "study.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return mutate


def both(*mutations):
    def mutate(folder: Path) -> None:
        for m in mutations:
            m(folder)
    return mutate


# ------------------------------------------------------------------------------------ cell faults


def _kind(table: str, column: str) -> str:
    if (table, column) in REFERENCE_COLUMNS:
        return "ref"
    return column_spec(TABLE_MODELS[table], column)["kind"]


def _referenced(table: str, column: str) -> bool:
    """Is this column's value named by other tables (so renaming it leaves dangling references)?"""
    return any((table, column) in targets for _, _, targets in REFERENCES) or (table, column) in {
        ("benefits", "component"), ("costs", "component")}


def cell_cases(study: str, fmt: str, budget: int) -> list[Case]:
    folder = STUDIES[study]
    cases = []
    turn = 0
    for table in TABLE_MODELS:
        if not (folder / f"{table}.csv").exists():
            continue
        header, rows = read_table(folder, table)
        if not rows:
            continue
        for c, column in enumerate(header):
            if column not in TABLE_MODELS[table].model_fields:
                continue
            kind = _kind(table, column)
            faults = list(CELL_FAULTS.get(kind, []))
            if kind == "ref":
                faults += CELL_FAULTS["id"][:1]
            if kind == "id" and table == "options":
                faults = faults[:1]
            spec = column_spec(TABLE_MODELS[table], column)
            if spec["required"] and kind in ("text", "choice", "id", "money", "number"):
                faults.append(("", "a value is required here"))
            if kind == "money" and spec["lo"] == 0:
                faults.append(("-5", "expected a number ≥ 0"))
            if not faults:
                continue
            r = next((i for i, row in enumerate(rows) if row[c].strip()), 0)
            old = rows[r][c]
            # rotate through the faults so each study tries every kind without trying all on every column
            pick = [faults[(turn + k) % len(faults)] for k in range(min(len(faults), 2 if fmt == "csv" else 1))]
            turn += 1
            for value, text in pick:
                if value == old or (text.startswith("outside") and not old):
                    continue
                extra = None
                if (kind == "id" or value == "") and _referenced(table, column) and old:
                    extra = (lambda old: lambda line: f"'{old}'" in line and "is not" in line)(old)
                if kind in ("money", "number", "fraction", "whole") and table in ("allocations",):
                    extra = None
                cases.append(Case(f"{study}-{fmt}-{table}.{column}={value!r}", study, fmt,
                                  edit(fmt, table, set_cell(r, c, value)), where(fmt, table), r + 2, column, text,
                                  extra_ok=extra))
    return cases[:budget]


# ------------------------------------------------------------------------------------ shape faults


def _first_optional(table: str, header: list[str]) -> str | None:
    fields = TABLE_MODELS[table].model_fields
    return next((c for c in header if c in fields and not fields[c].is_required() and c != "source"), None)


XLSX_TABLES = ("options", "costs")


def shape_cases(study: str, fmt: str) -> list[Case]:
    folder = STUDIES[study]
    cases = []
    tables = [t for t in TABLE_MODELS if (folder / f"{t}.csv").exists()]
    if fmt == "xlsx":  # a workbook edit costs ~0.3 s: the sheets that matter most
        tables = [t for t in tables if t in XLSX_TABLES]
    for table in tables:
        header, rows = read_table(folder, table)
        w = where(fmt, table)
        if table in KEYS and rows:
            cases.append(Case(f"{study}-{fmt}-{table}-duplicate-row", study, fmt,
                              edit(fmt, table, lambda h, r: (h, [*r, r[0]])), w, len(rows) + 2, KEYS[table][0],
                              "duplicate", kind="shape"))
        required = next((c for c in header if TABLE_MODELS[table].model_fields.get(c) is not None
                         and TABLE_MODELS[table].model_fields[c].is_required() and c != "source"), None)
        if required and (fmt == "xlsx" or tables.index(table) % 2 == 1):
            j = header.index(required)
            cases.append(Case(f"{study}-{fmt}-{table}-no-{required}", study, fmt,
                              edit(fmt, table, lambda h, r, j=j: (h[:j] + h[j + 1:], [x[:j] + x[j + 1:] for x in r])),
                              w, None, required, "required column is missing", kind="shape"))
        optional = _first_optional(table, header)
        if optional and (fmt == "xlsx" or tables.index(table) % 2 == 0):
            j = header.index(optional)
            misspelt = optional[:-1] if len(optional) > 3 else optional + "x"
            cases.append(Case(f"{study}-{fmt}-{table}-misspelt-{optional}", study, fmt,
                              edit(fmt, table, lambda h, r, j=j, m=misspelt: (h[:j] + [m] + h[j + 1:], r)),
                              w, None, misspelt, f"did you mean '{optional}'", kind="shape"))
            cases.append(Case(f"{study}-{fmt}-{table}-duplicate-header-{optional}", study, fmt,
                              edit(fmt, table, lambda h, r, j=j: (h + [h[j]], [x + [x[j]] for x in r])),
                              w, None, optional, "appears 2 times", kind="shape"))
        if table in ("options", "costs", "services"):
            cases.append(Case(f"{study}-{fmt}-{table}-header-only", study, fmt,
                              edit(fmt, table, lambda h, r: (h, [])), w, None, None, "this table is empty",
                              kind="shape"))
        if fmt == "csv" and table in ("options", "costs"):
            cases.append(Case(f"{study}-csv-{table}-semicolons", study, fmt,
                              lambda f, t=table: write_table(f, t, *read_table(f, t), delimiter=";"),
                              w, None, None, "is semicolon-delimited", kind="shape"))
            cases.append(Case(f"{study}-csv-{table}-latin1", study, fmt,
                              lambda f, t=table: write_table(f, t, *set_cell(0, read_table(f, t)[0].index("source"),
                                                                             "Café budget £")(*read_table(f, t)),
                                                             encoding="latin-1"),
                              w, None, None, "is not UTF-8", kind="shape"))
            cases.append(Case(f"{study}-csv-{table}-ragged", study, fmt,
                              edit_csv(table, lambda h, r: (h, [r[0] + ["stray"], *r[1:]])),
                              w, 2, None, f"cells but the header has", kind="shape"))
        if fmt == "xlsx" and table in ("costs", "benefits", "partners", "services"):
            money = next((c for c in header if c.endswith("_gbp") and any(x[header.index(c)] for x in rows)), None)
            if money:
                j = header.index(money)
                r0 = next(i for i, x in enumerate(rows) if x[j])
                fn = set_cell(r0, j, "=1+1")
                fn.formula = True
                cases.append(Case(f"{study}-xlsx-{table}-formula-{money}", study, fmt, edit_book(table, fn),
                                  w, r0 + 2, money, "is a formula with no saved result", kind="shape"))
    for table, why in (("options", "every study needs"), ("costs", "every study needs")):
        if fmt == "csv":
            cases.append(Case(f"{study}-csv-no-{table}", study, fmt, lambda f, t=table: (f / f"{t}.csv").unlink(),
                              f"{table}.csv", None, None, "required table is missing", kind="shape"))
        else:
            cases.append(Case(f"{study}-xlsx-no-{table}", study, fmt, _drop_sheet(table), BOOK, None, None,
                              f"sheet '{table}' is missing", kind="shape"))
    if fmt == "csv":
        cases.append(Case(f"{study}-csv-misspelt-file", study, fmt,
                          lambda f: shutil.copy(f / "costs.csv", f / "cost.csv"), "cost.csv", None, None,
                          "did you mean 'costs.csv'", kind="shape"))
    else:
        cases.append(Case(f"{study}-xlsx-misspelt-sheet", study, fmt, _rename_sheet("options", "option"),
                          f"{BOOK}:option", None, None, "did you mean 'options'", extra_ok=lambda line:
                          "sheet 'options' is missing" in line, kind="shape"))
    return cases


def _drop_sheet(table: str):
    def mutate(folder: Path) -> None:
        from openpyxl import load_workbook

        book = load_workbook(folder / BOOK)
        del book[table]
        book.save(folder / BOOK)
    return mutate


def _rename_sheet(table: str, new: str):
    def mutate(folder: Path) -> None:
        from openpyxl import load_workbook

        book = load_workbook(folder / BOOK)
        book[table].title = new
        book.save(folder / BOOK)
    return mutate


# ------------------------------------------------------------------------------------ study.yaml and semantics


def _set(path: list, value):
    def fn(data: dict) -> None:
        node = data
        for p in path[:-1]:
            node = node.setdefault(p, {})
        node[path[-1]] = value
    return fn


def yaml_cases(study: str, fmt: str) -> list[Case]:
    folder = STUDIES[study]
    cfg = yaml.safe_load((folder / "study.yaml").read_text())
    cases = [
        Case(f"{study}-{fmt}-horizon-years-0", study, fmt, edit_yaml(_set(["horizon", "years"], 0)), "study.yaml",
             None, "horizon.years", "expected a number ≥ 1", kind="yaml"),
        Case(f"{study}-{fmt}-horizon-start", study, fmt, edit_yaml(_set(["horizon", "start"], "2017")), "study.yaml",
             None, "horizon.start", "a financial year like", kind="yaml"),
        Case(f"{study}-{fmt}-schedule", study, fmt, edit_yaml(_set(["discounting", "schedule"], "stpr2")),
             "study.yaml", None, "discounting.schedule", "expected one of", kind="yaml"),
        Case(f"{study}-{fmt}-rate-nan", study, fmt, both(edit_yaml(_set(["discounting", "schedule"], "constant")),
                                                          edit_yaml(_set(["discounting", "rate_pct"], float("nan")))),
             "study.yaml", None, "discounting.rate_pct", "finite", kind="yaml"),
        Case(f"{study}-{fmt}-unknown-setting", study, fmt, edit_yaml(_set(["horizn"], 5)), "study.yaml", None,
             "horizn", "unknown setting", kind="yaml"),
        Case(f"{study}-{fmt}-preferred-ghost", study, fmt, edit_yaml(_set(["preferred_option"], "ghost")),
             "study.yaml", None, "preferred_option", "'ghost' is not an option_id", kind="yaml"),
        Case(f"{study}-{fmt}-duplicate-key", study, fmt,
             lambda f: (f / "study.yaml").write_text((f / "study.yaml").read_text() + "\nname: again\n"),
             "study.yaml", "any", None, "'name' is given twice", kind="yaml"),
        Case(f"{study}-{fmt}-yaml-latin1", study, fmt,
             lambda f: (f / "study.yaml").write_bytes((f / "study.yaml").read_bytes() + "\n# Café\n".encode("latin-1")),
             "study.yaml", None, None, "is not UTF-8", kind="yaml"),
        Case(f"{study}-{fmt}-adjust-component", study, fmt,
             edit_yaml(lambda d: d.setdefault("adjustments", []).append(
                 {"name": "typo", "applies_to": "benefits", "pct": 5, "components": ["Integraton"]})),
             "study.yaml", None, f"adjustments.{len(cfg.get('adjustments') or [])}.components",
             "'Integraton' is not a component", kind="yaml"),
        Case(f"{study}-{fmt}-adjust-category", study, fmt,
             edit_yaml(lambda d: d.setdefault("adjustments", []).append(
                 {"name": "typo", "applies_to": "costs", "pct": 5, "categories": ["capitol"]})),
             "study.yaml", None, f"adjustments.{len(cfg.get('adjustments') or [])}.categories",
             "'capitol' is not a cost category", kind="yaml"),
        Case(f"{study}-{fmt}-optimism-bias-type", study, fmt,
             edit_yaml(lambda d: d.setdefault("adjustments", []).append(
                 {"name": "ob", "applies_to": "costs", "optimism_bias": {"project_type": "rocketry"}})),
             "study.yaml", None, f"adjustments.{len(cfg.get('adjustments') or [])}.optimism_bias.project_type",
             "expected one of", kind="yaml"),
        Case(f"{study}-{fmt}-view-of-itself", study, fmt,
             edit(fmt, "options", lambda h, r: (h if "view_of" in h else h + ["view_of"],
                                                [list(r[0]) + ([] if "view_of" in h else [""]), *[
                                                    x + ([] if "view_of" in h else [""]) for x in r[1:]]])),
             where(fmt, "options"), 2, "view_of", "refers to itself", kind="semantic"),
    ]
    # the view edit above only adds the column; point row 2 at itself
    cases[-1].mutate = _view_of_itself(fmt)
    if fmt == "xlsx":
        cases = [c for c in cases if any(k in c.id for k in ("view-of", "duplicate-key"))]
    if fmt == "csv":
        cases += [
            Case(f"{study}-csv-path-up", study, fmt, edit_yaml(_set(["tables", "costs"], "../costs.csv")), "study.yaml",
                 None, "tables.costs", "outside the study folder", kind="yaml"),
            Case(f"{study}-csv-path-absolute", study, fmt, edit_yaml(_set(["tables", "services"], "/etc/hostname")),
                 "study.yaml", None, "tables.services", "outside the study folder", kind="yaml"),
            Case(f"{study}-csv-path-dot", study, fmt, edit_yaml(_set(["tables", "services"], ".")),
                 "study.yaml", None, "tables.services", "is a folder", kind="yaml"),
            Case(f"{study}-csv-path-missing", study, fmt, edit_yaml(_set(["tables", "sites"], "nosuch.csv")),
                 "study.yaml", None, "tables.sites", "not found", kind="yaml"),
        ]
    else:
        cases += [
            Case(f"{study}-xlsx-book-up", study, fmt, edit_yaml(_set(["workbook"], "../study.xlsx")), "study.yaml",
                 None, "workbook", "outside the study folder", kind="yaml"),
            Case(f"{study}-xlsx-book-missing", study, fmt, edit_yaml(_set(["workbook"], "other.xlsx")), "study.yaml",
                 None, "workbook", "not found", kind="yaml"),
            Case(f"{study}-xlsx-not-a-book", study, fmt, lambda f: (f / BOOK).write_text("name,x\n"), BOOK, None, None,
                 "cannot read as an Excel workbook", kind="yaml"),
        ]
    if fmt == "xlsx":
        return cases  # the checks below read typed tables: the same code for both formats
    if (folder / "precedence.csv").exists():
        header, rows = read_table(folder, "precedence")
        b, a = header.index("before_service_id"), header.index("after_service_id")
        cases.append(Case(f"{study}-{fmt}-precedence-cycle", study, fmt,
                          edit(fmt, "precedence", lambda h, r: (h, [*r, _swap(r[0], b, a)])),
                          where(fmt, "precedence"), None, "before_service_id", "form a cycle", kind="semantic"))
        cases.append(Case(f"{study}-{fmt}-precedence-self", study, fmt,
                          edit(fmt, "precedence", set_cell(0, a, rows[0][b])),
                          where(fmt, "precedence"), 2, "before_service_id", "refers to itself", kind="semantic"))
    if (folder / "uncertainties.csv").exists():
        header, rows = read_table(folder, "uncertainties")
        t = header.index("target")
        cases.append(Case(f"{study}-{fmt}-uncertainty-target", study, fmt,
                          edit(fmt, "uncertainties", set_cell(0, t, "benefit:nosuch")),
                          where(fmt, "uncertainties"), 2, "target", "'benefit:nosuch' is not one of", kind="semantic"))
    if (folder / "targets.csv").exists():
        header, rows = read_table(folder, "targets")
        m = header.index("metric")
        cases.append(Case(f"{study}-{fmt}-target-path", study, fmt,
                          edit(fmt, "targets", set_cell(0, m, rows[0][m] + "x")),
                          where(fmt, "targets"), 2, "metric", "no '", checked=True, kind="semantic"))
    if any(a.get("optimism_bias") for a in cfg.get("adjustments") or []) or study == "llr":
        cases.append(Case(f"{study}-{fmt}-optimism-bias-measure", study, fmt,
                          edit_yaml(lambda d: d.setdefault("adjustments", []).append(
                              {"name": "ob", "applies_to": "costs",
                               "optimism_bias": {"project_type": "outsourcing", "measure": "duration"}})),
                          "study.yaml", None, f"adjustments.{len(cfg.get('adjustments') or [])}.optimism_bias",
                          "no optimism-bias figure", checked=True, kind="semantic"))
    return cases


def _swap(row: list[str], b: int, a: int) -> list[str]:
    row = list(row)
    row[b], row[a] = row[a], row[b]
    return row


def _view_of_itself(fmt: str):
    def fn(header, rows):
        header = list(header)
        rows = [list(x) for x in rows]
        if "view_of" not in header:
            header.append("view_of")
            rows = [x + [""] for x in rows]
        j = header.index("view_of")
        i = next(k for k, x in enumerate(rows) if not x[j])
        rows[i][j] = rows[i][header.index("option_id")]
        fn.row = i + 2
        return header, rows
    return edit(fmt, "options", fn)


def corpus() -> list[Case]:
    cases = []
    for study in STUDIES:
        cases += cell_cases(study, "csv", budget=40)
        cases += cell_cases(study, "xlsx", budget=5)
        for fmt in ("csv", "xlsx"):
            cases += shape_cases(study, fmt) + yaml_cases(study, fmt)
    return cases


if __name__ == "__main__":
    cases = corpus()
    print(len(cases), "cases")
    print(Counter((c.study, c.fmt) for c in cases))
    print(Counter((c.fmt, c.kind) for c in cases))
