"""Read a study folder (study.yaml + CSV tables, or one Excel workbook) into validated DataFrames.

Every problem is collected and raised together as a `StudyError`; nothing is silently defaulted.
"""
from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import UnionType
from typing import Annotated, Union, get_args, get_origin

import pandas as pd
import yaml
from pydantic import ValidationError

from appraisal.study.errors import Problem, StudyError
from appraisal.study.numbers import is_money, number_text
from appraisal.study.read import decode, read_csv_cells, read_workbook_cells
from appraisal.study.requirements import requirement_problems
from appraisal.study.periods import PERIODS_PER_YEAR, period_index, period_labels, year_of_period
from appraisal.study.schema import TABLE_MODELS, Row, StudyConfig, fy_label, fy_start
from appraisal.study.validate import cross_reference_problems

IGNORED_FILES = {"COLUMNS.csv"}  # written by `reformkit init` beside the tables: documentation, not data


@dataclass
class Study:
    """A validated study: its configuration and one DataFrame per table (missing tables are empty)."""

    path: Path
    config: StudyConfig
    tables: dict[str, pd.DataFrame]
    sources: dict[str, str]  # table -> file (or workbook:sheet) it came from
    input_hashes: dict[str, str] = field(default_factory=dict)
    raw_ids: dict[str, set[str]] = field(default_factory=dict)  # "table.column" -> ids as typed, valid rows or not
    unreadable: set[str] = field(default_factory=set)  # tables with a whole-table problem (not checked against)
    flawed: set[str] = field(default_factory=set)  # tables with any problem (checks across their rows skipped)
    warnings: list[Problem] = field(default_factory=list)  # harmless oddities, printed by validate and describe
    notes: list[str] = field(default_factory=list)  # one-line notes for the user (e.g. the format-1 deprecation)
    cache: dict = field(default_factory=dict, repr=False, compare=False)  # derived data built once (the ledger)

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def years(self) -> list[str]:
        start = fy_start(self.config.horizon.start)
        return [fy_label(start + i) for i in range(self.config.horizon.years)]

    def year_index(self, label: str | None, default: int = 0) -> int:
        """The financial year index of a year label, or of the year a period label falls in."""
        return default if label is None else self.years.index(year_of_period(label))

    @property
    def period(self) -> str:
        """The plan's time step: year (default), quarter or month (appraisal/study/periods.py)."""
        return self.config.horizon.period

    @property
    def periods_per_year(self) -> int:
        return PERIODS_PER_YEAR[self.period]

    @property
    def periods(self) -> list[str]:
        """The time axis of plans, the ledger and the optimiser: the years, or their quarters or months."""
        return period_labels(self.years, self.period)

    def period_index(self, label: str | None, default: int = 0, end: bool = False) -> int:
        """The index of a year or period label on the period axis (a year label = its first period, or its last
        with end=True); in a yearly study, the year index."""
        return default if label is None else period_index(label, self.years, self.period, end)

    @property
    def option_ids(self) -> list[str]:
        return list(self.config.options) or self.tables["options"]["option_id"].tolist()

    @property
    def choice_ids(self) -> list[str]:
        """Options that are choices (not views of another option): the ones scored and ranked."""
        views = set(self.tables["options"].loc[self.tables["options"]["view_of"].notna(), "option_id"])
        return [o for o in self.option_ids if o not in views]

    def table(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def study_hash(self) -> str:
        digest = hashlib.sha256()
        for key in sorted(self.input_hashes):
            digest.update(f"{key}:{self.input_hashes[key]}\n".encode())
        return digest.hexdigest()[:16]


def _empty_frame(model: type[Row]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in model.model_fields})


def _friendly(err: dict) -> str:
    kind, got, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    if kind == "missing":
        return "a value is required here"
    if kind in {"float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"}:
        want = "a whole number" if kind.startswith("int") else "a number"
        return f"expected {want}, got '{got}'"
    if kind in {"greater_than_equal", "greater_than"}:
        bound = ctx.get("ge", ctx.get("gt"))
        sign = "≥" if kind == "greater_than_equal" else ">"
        return f"expected a number {sign} {bound:g}, got {got}"
    if kind in {"less_than_equal", "less_than"}:
        bound = ctx.get("le", ctx.get("lt"))
        return f"expected a number ≤ {bound:g}, got {got}"
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected')}, got '{got}'"
    if kind == "string_pattern_mismatch":
        return f"expected an id of letters, digits, '_', '-' or '.', got '{got}'"
    if kind == "extra_forbidden":
        return "unknown setting (check its spelling)"
    if kind == "string_too_short":
        return "a value is required here"
    if kind == "string_too_long":
        return f"expected at most {ctx.get('max_length')} characters, got {len(str(got))}"
    if kind == "finite_number":
        return f"expected a finite number, got '{got}'"
    if kind in {"string_type", "dict_type", "list_type", "model_type", "bool_type", "bool_parsing"}:
        return f"{err['msg'].lower()}, got '{got}'"
    msg = err["msg"]
    return msg.removeprefix("Value error, ")


def _numeric_field(annotation) -> str | None:
    """'int' or 'float' when a field holds one number (optional or not), else None."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    args = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    kinds = set()
    for a in args:
        while get_origin(a) is Annotated:
            a = get_args(a)[0]
        if a is not type(None):
            kinds.add(a)
    if kinds == {int}:
        return "int"
    if kinds and kinds <= {int, float}:
        return "float"
    return None


@cache
def _numeric_fields(model: type[Row]) -> dict[str, str]:
    return {name: kind for name, f in model.model_fields.items() if (kind := _numeric_field(f.annotation))}


def validate_rows(header: list[str], rows: list[tuple[int, list[str]]], model: type[Row], where: str,
                  skip: set[int] = frozenset()) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate each row of a raw table (cells as typed); return typed rows and the problems found.
    Rows in `skip` already have a problem of their own (a formula without a value, too many cells)."""
    problems: list[Problem] = []
    known = set(model.model_fields)
    columns = [str(c).strip() for c in header]
    seen: dict[str, list[int]] = {}
    for j, col in enumerate(columns):
        seen.setdefault(col, []).append(j)
    for col, places in seen.items():
        if not col:
            if any(cells[j].strip() for _, cells in rows for j in places):
                problems.append(Problem(where, None, None, f"a column with values has no header (column {places[0] + 1})"))
            continue
        if len(places) > 1:
            problems.append(Problem(where, None, col, f"header '{col}' appears {len(places)} times (columns "
                                                      f"{', '.join(str(j + 1) for j in places)}); keep one"))
        elif col not in known:
            near = difflib.get_close_matches(col, list(known), n=1)
            hint = f"did you mean '{near[0]}'? " if near else ""
            problems.append(Problem(where, None, col, f"unknown column; {hint}expected some of: {', '.join(model.model_fields)}"))
    required = [n for n, f in model.model_fields.items() if f.is_required()]
    for col in required:
        if col not in seen:
            problems.append(Problem(where, None, col, "required column is missing"))
    if problems:
        return _empty_frame(model).assign(source_row=pd.Series(dtype=int)), problems
    numeric = _numeric_fields(model)
    records = []
    for row_no, cells in rows:
        if row_no in skip:
            continue
        record, typed_text = {}, {}
        bad = False
        for col, cell in zip(columns, cells):
            if not col or not cell.strip():
                continue  # a blank cell means the column's default (or "required" if it has none)
            if col in numeric:
                try:
                    cell = number_text(cell, is_money(col), numeric[col] == "int")
                except ValueError as exc:
                    problems.append(Problem(where, row_no, col, str(exc)))
                    bad = True
                    continue
                typed_text[col] = cells[columns.index(col)].strip()
            record[col] = cell.strip()  # padding around a value is not part of it
        if not record and not bad:
            continue  # a blank line
        try:
            typed = model.model_validate(record)
        except ValidationError as exc:
            for err in exc.errors():
                column = str(err["loc"][0]) if err["loc"] else None
                if bad and column in numeric and err["type"] == "missing":
                    continue  # already reported as a bad number
                if column in typed_text:
                    err = {**err, "input": typed_text[column]}  # show the cell as typed, not as normalised
                problems.append(Problem(where, row_no, column, _friendly(err)))
            continue
        except (TypeError, ArithmeticError) as exc:
            problems.append(Problem(where, row_no, None, f"cannot read this row ({exc})"))
            continue
        if not bad:
            records.append(typed.model_dump() | {"source_row": row_no})
    if not records:
        frame = _empty_frame(model)
        frame["source_row"] = pd.Series(dtype=int)
        if not problems and not skip:
            problems.append(Problem(where, None, None, "this table is empty (a header and no rows): add rows or "
                                                       "remove the table"))
        return frame, problems
    return _typed_frame(records), problems


def _typed_frame(records: list[dict]) -> pd.DataFrame:
    """Columns stay Python objects (None for blanks, lists for lists); columns that are wholly
    numeric (no blanks) become float or int so they can be summed."""
    frame = pd.DataFrame({col: pd.Series([r[col] for r in records], dtype=object) for col in records[0]})
    for col in frame.columns:
        values = frame[col].tolist()
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            frame[col] = pd.Series(values, dtype="int64" if all(isinstance(v, int) for v in values) else "float64")
    return frame


def _inside(folder: Path, name: str, where: str, column: str) -> tuple[Path | None, Problem | None]:
    """The file `name` relative to the study folder, refused when it resolves outside the folder."""
    target = (folder / name).resolve()
    root = folder.resolve()
    if target != root and root not in target.parents:
        return None, Problem(where, None, column, f"'{name}' is outside the study folder; tables must be files "
                                                  "inside it (a path relative to study.yaml)")
    if target.exists() and not target.is_file():
        return None, Problem(where, None, column, f"'{name}' is a folder, not a file")
    return target, None


def _table_name(sheet: str) -> str:
    return sheet.strip()


def _read_raw(path: Path, config: StudyConfig) -> tuple[dict, dict[str, str], list[Problem], dict[str, str]]:
    """Raw tables {name: (header, rows, where)}, input hashes, problems, and where each absent table was sought."""
    raw: dict[str, tuple[list[str], list, str]] = {}
    hashes: dict[str, str] = {}
    problems: list[Problem] = []
    sought: dict[str, str] = {}
    if config.workbook:
        sought.update({name: f"{config.workbook}: sheet '{name}'" for name in TABLE_MODELS})
        book, problem = _inside(path, config.workbook, "study.yaml", "workbook")
        if problem:
            return raw, hashes, [problem], sought
        if not book.exists():
            return raw, hashes, [Problem("study.yaml", None, "workbook", f"file '{config.workbook}' not found")], sought
        hashes[config.workbook] = hashlib.sha256(book.read_bytes()).hexdigest()
        sheets, problems = read_workbook_cells(book, config.workbook)
        by_table: dict[str, str] = {}
        for sheet, (header, rows, bad) in sheets.items():
            name = _table_name(sheet)
            where = f"{config.workbook}:{sheet}"
            if name.startswith("_") or name.lower() == "readme":
                continue
            if name not in TABLE_MODELS:
                near = difflib.get_close_matches(name, list(TABLE_MODELS), n=1)
                hint = f"did you mean '{near[0]}'? " if near else ""
                problems.append(Problem(where, None, None, f"unknown sheet; {hint}expected some of: {', '.join(TABLE_MODELS)}"))
                continue
            if name in by_table:
                problems.append(Problem(where, None, None, f"a second sheet for table '{name}' (also '{by_table[name]}')"))
                continue
            by_table[name] = sheet
            if not header:
                problems.append(Problem(where, None, None, "this table is empty: row 1 should be the header"))
            raw[name] = (header, rows, where, bad)
        return raw, hashes, problems, sought
    known_files = set()
    for name in TABLE_MODELS:
        file_name = config.tables.get(name, f"{name}.csv")
        sought[name] = file_name
        file_path, problem = _inside(path, file_name, "study.yaml", f"tables.{name}")
        if problem:
            problems.append(problem)
            raw[name] = ([], [], file_name, set())
            continue
        known_files.add(file_path)
        if not file_path.exists():
            if name in config.tables:
                problems.append(Problem("study.yaml", None, f"tables.{name}", f"file '{file_name}' not found"))
                raw[name] = ([], [], file_name, set())
            continue
        data = file_path.read_bytes()
        hashes[file_name] = hashlib.sha256(data).hexdigest()
        header, rows, found, bad = read_csv_cells(file_path, file_name)
        problems.extend(found)
        raw[name] = (header, rows, file_name, bad)
    expected = [f"{n}.csv" for n in TABLE_MODELS]
    for extra in sorted(path.glob("*.csv")):
        if extra.resolve() in known_files or extra.name in IGNORED_FILES:
            continue
        if extra.stem in config.tables:
            continue  # the default file of a table study.yaml names elsewhere (reported as a warning)
        near = difflib.get_close_matches(extra.name, expected, n=1)
        hint = f"did you mean '{near[0]}'? " if near else ""
        problems.append(Problem(extra.name, None, None, f"not a table reformkit reads; {hint}rename it, move it out of "
                                                        "the study folder, or name it under `tables:` in study.yaml"))
    return raw, hashes, problems, sought


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML safe loader that refuses a key given twice (PyYAML would silently keep the last)."""


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    keys = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in keys:
            raise yaml.constructor.ConstructorError(None, None, f"setting '{key}' is given twice", key_node.start_mark)
        keys.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def read_config(path: Path) -> StudyConfig:
    config_path = path / "study.yaml"
    if not path.exists():
        raise StudyError([Problem(str(path), None, None, "study folder not found")])
    if not path.is_dir():
        raise StudyError([Problem(str(path), None, None, "is a file; give the study folder (the one holding study.yaml)")])
    if not config_path.is_file():
        raise StudyError([Problem(str(config_path), None, None, "study.yaml not found in the study folder")])
    text, problems = decode(config_path.read_bytes(), "study.yaml")
    if text is None:
        raise StudyError(problems)
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark else None
        raise StudyError([Problem("study.yaml", row, None, f"not valid YAML ({getattr(exc, 'problem', exc)})")]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise StudyError([Problem("study.yaml", None, None, f"expected settings (name: ..., horizon: ...), got a "
                                                            f"{type(data).__name__}")])
    try:
        return StudyConfig.model_validate(data)
    except ValidationError as exc:
        problems, seen = [], set()
        for e in exc.errors():
            # a union's alternatives add tags such as "literal['constant']" to the path: one line per setting
            loc = ".".join(str(p) for p in e["loc"] if not any(ch in str(p) for ch in "[("))
            if loc not in seen:
                seen.add(loc)
                problems.append(Problem("study.yaml", None, loc or None, _friendly(e)))
        raise StudyError(problems) from None


def load_study(path: str | Path, needs: tuple[str, ...] = ()) -> Study:
    """Load and validate a study folder. Raises `StudyError` listing every problem found.

    `needs`: capabilities beyond `appraise` the caller will use (see appraisal.study.requirements);
    a table they require that is absent is one problem."""
    path = Path(path)
    config = read_config(path)
    raw, hashes, problems, sought = _read_raw(path, config)
    hashes["study.yaml"] = hashlib.sha256((path / "study.yaml").read_bytes()).hexdigest()
    tables: dict[str, pd.DataFrame] = {}
    sources: dict[str, str] = {}
    raw_ids: dict[str, set[str]] = {}
    unreadable: set[str] = set()
    flawed: set[str] = set()
    for name, model in TABLE_MODELS.items():
        if name in raw:
            header, rows, where, bad = raw[name]
            sources[name] = where
            if bad:
                flawed.add(name)
            if not header:
                unreadable.add(name)
                tables[name] = _empty_frame(model).assign(source_row=pd.Series(dtype=int))
                continue
            typed, found = validate_rows(header, rows, model, where, bad)
            for j, col in enumerate(header):
                if str(col).strip().endswith("_id") or str(col).strip() == "component":
                    raw_ids.setdefault(f"{name}.{str(col).strip()}", set()).update(
                        cells[j].strip() for _, cells in rows if cells[j].strip())
            if any(p.row is None for p in found):
                unreadable.add(name)
            if found:
                flawed.add(name)
            problems.extend(found)
            tables[name] = typed
        else:
            tables[name], sources[name] = _empty_frame(model).assign(source_row=pd.Series(dtype=int)), sought[name]
    book_unreadable = bool(config.workbook) and not raw and bool(problems)
    if book_unreadable:
        unreadable |= set(TABLE_MODELS)  # nothing to check the references against
    for table, why in [] if book_unreadable else requirement_problems(set(raw), needs):
        if config.workbook:
            problems.append(Problem(config.workbook, None, None, f"sheet '{table}' is missing: {why}"))
        else:
            problems.append(Problem(sought[table], None, None, f"required table is missing: {why}"))
        unreadable.add(table)
    study = Study(path=path, config=config, tables=tables, sources=sources, input_hashes=hashes,
                  raw_ids=raw_ids, unreadable=unreadable, flawed=flawed | unreadable)
    if config.workbook:
        for extra in sorted(path.glob("*.csv")):
            if extra.name not in IGNORED_FILES:
                study.warnings.append(Problem(extra.name, None, None, f"not read: this study reads its tables from "
                                                                      f"{config.workbook}"))
    for name, file_name in config.tables.items():
        if file_name != f"{name}.csv" and (path / f"{name}.csv").is_file() and not config.workbook:
            study.warnings.append(Problem(f"{name}.csv", None, None, f"not read: study.yaml reads table '{name}' "
                                                                     f"from '{file_name}'"))
    from appraisal.study.programme import programme_options

    problems.extend(programme_options(study, "options" in raw))
    problems.extend(cross_reference_problems(study))
    if problems:
        raise StudyError(problems)
    if config.format == 1:
        from appraisal.study.upgrade import upgrade_in_place

        upgrade_in_place(study)  # raises StudyError if the old money cannot be entered once
    from appraisal.study.ledger_rules import ledger_problems

    problems = ledger_problems(study)
    if problems:
        raise StudyError(problems)
    return study
