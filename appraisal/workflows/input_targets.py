"""Targets on inputs: a published input figure (a staffing budget of £19.2m, a 64% share) that the study's
own tables must reproduce, checked like the output targets.

A target `metric` starting `inputs.` addresses the validated tables:

* ``inputs.<table>.<key>.<column>``                   one row's value; key = the row's key columns joined by ':'
                                                       (``inputs.allocations.p1:lcity.weight``)
* ``inputs.<table>.total.<column>``                   the column's sum over the table
* ``inputs.<table>.by.<column>.<value>.<measure>``    the sum of <measure> over rows whose <column> is <value>
                                                       (``inputs.costs.by.component.staffing.amount_times_quantity_gbp``)
* ``inputs.<table>.share.<column>.<value>.<measure>`` that sum divided by the total (0-1)

`costs` also offers ``amount_times_quantity_gbp`` (amount × quantity: a recurring line's £ a year). Values
compare as text, so ``by.phase.P1`` and ``by.start_year.2019/20`` work; ids containing dots cannot be named.
"""
from __future__ import annotations

import pandas as pd

from appraisal.study import Study
from appraisal.study.validate import KEYS
from appraisal.study.validate_cohort import COHORT_KEYS
from appraisal.workflows.targets import TargetPathError


def _table(study: Study, name: str) -> pd.DataFrame:
    if name not in study.tables:
        raise TargetPathError(f"no table '{name}'; known: {', '.join(sorted(study.tables))}")
    frame = study.tables[name]
    if name == "costs" and not frame.empty:
        frame = frame.assign(amount_times_quantity_gbp=frame["amount_gbp"].astype(float) * frame["quantity"].astype(float))
    return frame


def _column(frame: pd.DataFrame, name: str, table: str) -> pd.Series:
    if name not in frame.columns or name == "source_row":
        known = [c for c in frame.columns if c != "source_row"]
        raise TargetPathError(f"table '{table}' has no column '{name}'; known: {', '.join(known)}")
    return frame[name]


def _number(series: pd.Series, path: str) -> float:
    try:
        return float(pd.to_numeric(series, errors="raise").sum())
    except (TypeError, ValueError):
        raise TargetPathError(f"'{path}': the column is not numeric") from None


def _key_columns(study: Study, table: str, frame: pd.DataFrame) -> list[str]:
    keys = KEYS | COHORT_KEYS
    if table in keys:
        return keys[table]
    ids = [c for c in frame.columns if c.endswith("_id")]
    if not ids:
        raise TargetPathError(f"table '{table}' has no id column to name a row by; use total, by or share")
    return ids[:1]


def resolve_input(study: Study, path: str) -> float:
    parts = path.split(".")
    if len(parts) < 4:
        raise TargetPathError(f"'{path}': expected inputs.<table>.<key>|total|by|share...")
    table, what = parts[1], parts[2]
    frame = _table(study, table)
    if what == "total" and len(parts) == 4:
        return _number(_column(frame, parts[3], table), path)
    if what in ("by", "share") and len(parts) == 6:
        column, value, measure = parts[3], parts[4], parts[5]
        hit = _column(frame, column, table).astype(str) == value
        if not hit.any():
            raise TargetPathError(f"'{path}': no row of '{table}' has {column} = {value}")
        part = _number(_column(frame, measure, table)[hit], path)
        if what == "by":
            return part
        total = _number(frame[measure], path)
        if total == 0:
            raise TargetPathError(f"'{path}': the total of {measure} is 0")
        return part / total
    if len(parts) == 4:
        keys = _key_columns(study, table, frame)
        wanted = what.split(":")
        if len(wanted) != len(keys):
            raise TargetPathError(f"'{path}': rows of '{table}' are named by {':'.join(keys)}")
        hit = pd.Series(True, index=frame.index)
        for k, v in zip(keys, wanted):
            hit &= frame[k].astype(str) == v
        if not hit.any():
            raise TargetPathError(f"'{path}': no row of '{table}' with {':'.join(keys)} = {what}")
        return _number(_column(frame, parts[3], table)[hit], path)
    raise TargetPathError(f"'{path}': expected inputs.<table>.<key>.<column>, inputs.<table>.total.<column>, "
                          "inputs.<table>.by.<column>.<value>.<measure> or inputs.<table>.share.<column>.<value>.<measure>")
