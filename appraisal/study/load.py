"""Read a study folder (study.yaml + CSV tables, or one Excel workbook) into validated DataFrames.

Every problem is collected and raised together as a `StudyError`; nothing is silently defaulted.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml
from pydantic import ValidationError

from appraisal.study.errors import Problem, StudyError
from appraisal.study.schema import REQUIRED_TABLES, TABLE_MODELS, Row, StudyConfig, fy_label, fy_start
from appraisal.study.validate import cross_reference_problems

MONEY_SUFFIXES = ("_gbp", "_gbp_per_year")


@dataclass
class Study:
    """A validated study: its configuration and one DataFrame per table (missing tables are empty)."""

    path: Path
    config: StudyConfig
    tables: dict[str, pd.DataFrame]
    sources: dict[str, str]  # table -> file (or workbook:sheet) it came from
    input_hashes: dict[str, str] = field(default_factory=dict)
    raw_ids: dict[str, set[str]] = field(default_factory=dict)  # "table.column" -> ids as typed, valid rows or not
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
        return default if label is None else self.years.index(label)

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
    msg = err["msg"]
    return msg.removeprefix("Value error, ")


def _clean_cell(column: str, value: str) -> str:
    if column.endswith(MONEY_SUFFIXES) and isinstance(value, str):
        return value.replace("£", "").replace(",", "").strip()
    return value


def validate_rows(raw: pd.DataFrame, model: type[Row], where: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate each row of a raw string table; return typed rows and the problems found."""
    problems: list[Problem] = []
    known = set(model.model_fields)
    columns = [str(c).strip() for c in raw.columns]
    raw = raw.copy()
    raw.columns = columns
    for col in columns:
        if col not in known:
            problems.append(Problem(where, None, col, f"unknown column; expected some of: {', '.join(model.model_fields)}"))
    required = [n for n, f in model.model_fields.items() if f.is_required()]
    for col in required:
        if col not in columns:
            problems.append(Problem(where, None, col, "required column is missing"))
    if any(p.row is None for p in problems):
        return _empty_frame(model), problems
    records = []
    for i, record in enumerate(raw.to_dict(orient="records")):
        row_no = i + 2  # header is row 1, as a spreadsheet numbers it
        record = {k: _clean_cell(k, v) for k, v in record.items() if v is not None and str(v).strip() != ""}
        if not record:
            continue  # a blank line; a blank cell means the column's default (or "required" if it has none)
        try:
            records.append(model.model_validate(record).model_dump() | {"source_row": row_no})
        except (TypeError, ArithmeticError) as exc:
            problems.append(Problem(where, row_no, None, f"cannot read this row ({exc})"))
        except ValidationError as exc:
            for err in exc.errors():
                column = str(err["loc"][0]) if err["loc"] else None
                problems.append(Problem(where, row_no, column, _friendly(err)))
    if not records:
        frame = _empty_frame(model)
        frame["source_row"] = pd.Series(dtype=int)
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


def _read_raw(path: Path, config: StudyConfig) -> tuple[dict[str, tuple[pd.DataFrame, str]], dict[str, str], list[Problem]]:
    raw: dict[str, tuple[pd.DataFrame, str]] = {}
    hashes: dict[str, str] = {}
    problems: list[Problem] = []
    if config.workbook:
        book = path / config.workbook
        if not book.exists():
            return raw, hashes, [Problem("study.yaml", None, "workbook", f"file '{config.workbook}' not found")]
        hashes[config.workbook] = hashlib.sha256(book.read_bytes()).hexdigest()
        try:
            sheets = pd.read_excel(book, sheet_name=None, dtype=str, keep_default_na=False, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many kinds on a corrupt file
            return raw, hashes, [Problem(config.workbook, None, None, f"cannot read as an Excel workbook ({exc})")]
        for sheet, frame in sheets.items():
            name = sheet.strip()
            if name.startswith("_") or name.lower() == "readme":
                continue
            if name not in TABLE_MODELS:
                problems.append(Problem(f"{config.workbook}:{sheet}", None, None,
                                        f"unknown sheet; expected some of: {', '.join(TABLE_MODELS)}"))
                continue
            raw[name] = (frame, f"{config.workbook}:{sheet}")
        return raw, hashes, problems
    for name in TABLE_MODELS:
        file_name = config.tables.get(name, f"{name}.csv")
        file_path = path / file_name
        if not file_path.exists():
            if name in config.tables:
                problems.append(Problem("study.yaml", None, f"tables.{name}", f"file '{file_name}' not found"))
            continue
        hashes[file_name] = hashlib.sha256(file_path.read_bytes()).hexdigest()
        try:
            frame = pd.read_csv(file_path, dtype=str, keep_default_na=False, skipinitialspace=True, comment=None)
        except Exception as exc:
            problems.append(Problem(file_name, None, None, f"cannot read as CSV ({exc})"))
            continue
        raw[name] = (frame, file_name)
    return raw, hashes, problems


def read_config(path: Path) -> StudyConfig:
    config_path = path / "study.yaml"
    if not path.exists():
        raise StudyError([Problem(str(path), None, None, "study folder not found")])
    if not config_path.exists():
        raise StudyError([Problem(str(config_path), None, None, "study.yaml not found in the study folder")])
    try:
        data = yaml.safe_load(config_path.read_text()) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark else None
        raise StudyError([Problem("study.yaml", row, None, f"not valid YAML ({getattr(exc, 'problem', exc)})")]) from None
    try:
        return StudyConfig.model_validate(data)
    except ValidationError as exc:
        problems = [Problem("study.yaml", None, ".".join(str(p) for p in e["loc"]) or None, _friendly(e))
                    for e in exc.errors()]
        raise StudyError(problems) from None


def load_study(path: str | Path) -> Study:
    """Load and validate a study folder. Raises `StudyError` listing every problem found."""
    path = Path(path)
    config = read_config(path)
    raw, hashes, problems = _read_raw(path, config)
    hashes["study.yaml"] = hashlib.sha256((path / "study.yaml").read_bytes()).hexdigest()
    tables: dict[str, pd.DataFrame] = {}
    sources: dict[str, str] = {}
    raw_ids: dict[str, set[str]] = {}
    for name, model in TABLE_MODELS.items():
        if name in raw:
            frame, where = raw[name]
            typed, found = validate_rows(frame, model, where)
            for col in frame.columns:
                if str(col).strip().endswith("_id"):
                    raw_ids[f"{name}.{str(col).strip()}"] = {str(v).strip() for v in frame[col] if str(v).strip()}
            problems.extend(found)
            tables[name], sources[name] = typed, where
        else:
            tables[name], sources[name] = _empty_frame(model).assign(source_row=pd.Series(dtype=int)), f"{name}.csv"
            if name in REQUIRED_TABLES:
                problems.append(Problem(f"{name}.csv", None, None, "required table is missing"))
    study = Study(path=path, config=config, tables=tables, sources=sources, input_hashes=hashes,
                  raw_ids=raw_ids)
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
