"""What each table column accepts, read from the schema: its kind, allowed values and unit.

`reformkit init` writes this as COLUMNS.csv (and the README sheet of a workbook template); the bad-input
corpus in tests/ uses it to know which wrong values to try on each column.
"""
from __future__ import annotations

from types import UnionType
from typing import Annotated, Literal, Union, get_args, get_origin

import annotated_types as at
import pandas as pd
from pydantic.fields import FieldInfo

from appraisal.study.numbers import is_money
from appraisal.study.schema import TABLE_MODELS, Row


def _parts(annotation, metadata: list) -> tuple[object, list]:
    """The innermost type of an (optional, annotated) field and every constraint on the way."""
    metadata = list(metadata)
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation, *extra = get_args(annotation)
            for e in extra:
                metadata.extend(e.metadata if isinstance(e, FieldInfo) else [e])
        elif origin in (Union, UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation, metadata
            annotation = args[0]
        else:
            return annotation, metadata


def _bounds(metadata: list) -> tuple[str, float | None, float | None]:
    lo = hi = None
    text = []
    for m in metadata:
        if isinstance(m, at.Ge):
            lo = m.ge
            text.append(f"≥ {m.ge:g}")
        elif isinstance(m, at.Gt):
            lo = m.gt
            text.append(f"> {m.gt:g}")
        elif isinstance(m, at.Le):
            hi = m.le
            text.append(f"≤ {m.le:g}")
        elif isinstance(m, at.Lt):
            hi = m.lt
            text.append(f"< {m.lt:g}")
    return " and ".join(text), lo, hi


def _validators(metadata: list) -> set[str]:
    return {getattr(getattr(m, "func", None), "__name__", "") for m in metadata}


def column_spec(model: type[Row], name: str) -> dict:
    """kind (id, ids, money, number, whole, fraction, fractions, flag, choice, year, month, text),
    allowed (in words), unit, lo/hi bounds, choices, required."""
    f = model.model_fields[name]
    inner, metadata = _parts(f.annotation, f.metadata)
    funcs = _validators(metadata)
    bounds, lo, hi = _bounds(metadata)
    choices: list[str] = []
    unit = ""
    if get_origin(inner) is Literal:
        kind, choices = "choice", [str(c) for c in get_args(inner)]
        allowed = "one of: " + ", ".join(choices)
    elif "_safe_id" in funcs:
        kind, allowed = "id", "an id: letters, digits, '_', '-' or '.' (not only dots), at most 100 characters"
    elif "_id_list" in funcs:
        kind, allowed = "ids", "ids separated by ';' (blank = all)"
    elif "_fraction_list" in funcs:
        kind, allowed, unit = "fractions", "fractions from 0 to 1 separated by ';', e.g. 0.1;0.6;1", "fraction"
    elif "_bool" in funcs or inner is bool:
        kind, allowed = "flag", "yes or no (also y/n, true/false, 1/0, x/-)"
    elif "_financial_year" in funcs:
        kind, allowed, unit = "year", "a financial year like 2017/18, within the study's horizon", "financial year"
    elif inner is int:
        kind, allowed = "whole", "a whole number" + (f" {bounds}" if bounds else "")
    elif inner is float and is_money(name):
        kind, unit = "money", "£ a year" if name.endswith("_per_year") or "run_rate" in name else "£"
        allowed = "an amount in £: 1234567.89, £1,234,567.89 or -250000" + (f"; {bounds}" if bounds else "")
    elif inner is float:
        kind = "fraction" if (lo, hi) == (0, 1) else "number"
        allowed = ("a number from 0 to 1" if kind == "fraction" else "a plain number such as 12.5 or 1e6"
                   + (f"; {bounds}" if bounds else ""))
        unit = "fraction" if kind == "fraction" else ""
    elif name == "election_month":
        kind, allowed, unit = "month", "a month like 2021-05", "month"
    else:
        kind, allowed = "text", "text"
    if not unit:
        unit = ("%" if name.endswith("_pct") else "months" if name.endswith("_months") or name == "months"
                else "years" if name.endswith("_years") else "FTE" if "fte" in name
                else "units a year" if name == "volume" else "")
    return {"kind": kind, "allowed": allowed, "unit": unit, "lo": lo, "hi": hi, "choices": choices,
            "required": f.is_required(), "description": f.description or ""}


def describe_columns() -> pd.DataFrame:
    """Every table's columns: required, allowed values, unit, meaning (COLUMNS.csv of `reformkit init`)."""
    from appraisal.study.validate import REFERENCES

    refers = {(t, c): " or ".join(f"a {key} of {target}" for target, key in targets) for t, c, targets in REFERENCES}
    rows = []
    for table, model in TABLE_MODELS.items():
        for column in model.model_fields:
            spec = column_spec(model, column)
            if (table, column) in refers:
                spec["allowed"] = refers[(table, column)] + ("" if spec["required"] else " (blank = none)")
            rows.append({"table": table, "column": column, "required": spec["required"],
                         "allowed values": spec["allowed"], "unit": spec["unit"], "description": spec["description"]})
    return pd.DataFrame(rows)
