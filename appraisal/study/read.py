"""Read a table's raw cells, as the user wrote them, from a CSV file or a workbook sheet.

Each reader returns (header, rows, problems): the header exactly as typed (so a duplicated header is named
as written, not as pandas' `name.1`), and rows as (spreadsheet row number, list of cell strings), header =
row 1. Nothing is guessed: a file that is not UTF-8, a semicolon- or tab-delimited file, a row with more
cells than the header and an Excel formula without a saved value are each one clear problem.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from appraisal.study.errors import Problem

Rows = list[tuple[int, list[str]]]
DELIMITERS = {";": ("semicolon", "';'"), "\t": ("tab", "tabs"), "|": ("pipe", "'|'")}


def decode(data: bytes, where: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 text (a byte-order mark is allowed), or a problem naming the file and the likely encoding."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Problem(where, None, None, "is UTF-16 text (Excel's 'Unicode Text'); save it as UTF-8 "
                                                 "('CSV UTF-8' in Excel)")]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        snippet = data[max(0, exc.start - 20):exc.start + 20].decode("cp1252", errors="replace")
        line = data[:exc.start].count(b"\n") + 1
        return None, [Problem(where, None, None,
                              f"is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}, near "
                              f"'{snippet.strip()}'; it looks like latin-1/Windows-1252): save it as UTF-8 "
                              "('CSV UTF-8' in Excel)")]


def read_csv_cells(path: Path, where: str) -> tuple[list[str], Rows, list[Problem], set[int]]:
    """(header, rows, problems, rows not to validate: their problem is already reported)."""
    text, problems = decode(path.read_bytes(), where)
    if text is None:
        return [], [], problems, set()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records = []
    try:
        for record in reader:
            records.append(record)
    except csv.Error as exc:
        detail = "a double quote opened here is never closed" if "end of data" in str(exc) else str(exc)
        return [], [], [Problem(where, len(records) + 1, None, f"cannot read as CSV: {detail}")], set()
    if not records or not any(c.strip() for c in records[0]):
        return [], [], [Problem(where, None, None, "this table is empty: row 1 should be the header")], set()
    header = records[0]
    if len(header) == 1:
        for delim, (name, shown) in DELIMITERS.items():
            if delim in header[0]:
                return [], [], [Problem(where, None, None,
                                        f"is {name}-delimited ({shown} between the headers); reformkit reads "
                                        "comma-separated CSV: save it as 'CSV UTF-8 (comma delimited)'")], set()
    rows: Rows = []
    bad: set[int] = set()
    for i, cells in enumerate(records[1:], start=2):
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            problems.append(Problem(where, i, None, f"has {len(cells)} cells but the header has {len(header)} "
                                                    "(a value containing a comma needs double quotes)"))
            bad.add(i)
        rows.append((i, (cells + [""] * len(header))[:len(header)]))
    return header, rows, problems, bad


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def read_workbook_cells(book: Path, name: str) -> tuple[dict[str, tuple[list[str], Rows, set[int]]], list[Problem]]:
    """Every sheet of a workbook: cells by their saved (cached) value. A formula cell without a saved
    value (a workbook written by a program and never opened in Excel) is a problem, not a blank."""
    from openpyxl import load_workbook

    try:
        formulas = load_workbook(book, read_only=True, data_only=False)
        read = {ws.title: [list(r) for r in ws.iter_rows()] for ws in formulas.worksheets}  # one pass over the cells
        values = None
        if any(c.data_type == "f" for rows_f in read.values() for r in rows_f for c in r):
            values = load_workbook(book, read_only=True, data_only=True)  # the saved results of the formulas
    except Exception as exc:  # openpyxl raises many kinds on a corrupt or non-Excel file
        return {}, [Problem(name, None, None, f"cannot read as an Excel workbook ({type(exc).__name__}: {exc})")]
    sheets: dict[str, tuple[list[str], Rows, set[int]]] = {}
    problems: list[Problem] = []
    try:
        for ws in formulas.worksheets:
            where = f"{name}:{ws.title}"
            cells_f = read[ws.title]
            kinds = [[getattr(c, "data_type", None) for c in r] for r in cells_f]
            grid = ([list(r) for r in values[ws.title].iter_rows(values_only=True)] if values is not None
                    else [[getattr(c, "value", None) for c in r] for r in cells_f])
            if not grid or not any(v is not None and str(v).strip() for v in grid[0]):
                sheets[ws.title] = ([], [], set())
                continue
            header = [_cell_text(v) for v in grid[0]]
            while header and not header[-1].strip():
                header.pop()
            rows: Rows = []
            bad: set[int] = set()
            for i, raw in enumerate(grid[1:], start=2):
                kind = kinds[i - 1] if i - 1 < len(kinds) else []
                cells = []
                for j in range(len(header)):
                    value = raw[j] if j < len(raw) else None
                    if value is None and j < len(kind) and kind[j] == "f":
                        problems.append(Problem(where, i, header[j] or None,
                                                "is a formula with no saved result (the workbook was never "
                                                "recalculated): open and save it in Excel, or type the value"))
                        bad.add(i)
                    cells.append(_cell_text(value))
                extra = [v for v in raw[len(header):] if v is not None and str(v).strip()]
                if extra:
                    problems.append(Problem(where, i, None, f"has values beyond the last header column "
                                                            f"('{_cell_text(extra[0])}')"))
                    bad.add(i)
                rows.append((i, cells))
            sheets[ws.title] = (header, rows, bad)
    finally:
        formulas.close()
        if values is not None:
            values.close()
    return sheets, problems
