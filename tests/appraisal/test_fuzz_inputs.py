"""Hypothesis fuzz over cell values and table shapes: never a traceback, never a silent change.

Cells: any text in a money, plain-number, fraction or ramp cell either loads as exactly the number an
independent reading of the accepted forms gives, or is one problem at that cell. Shapes: changes that keep
the meaning (columns or rows reordered, blank lines, padding, CRLF, a byte-order mark, every cell quoted)
load with identical results; changes that break it (a duplicated row or header, a stray cell, an unknown
column, a dropped required column, no rows) are StudyErrors, never another exception.
"""
from __future__ import annotations

import csv
import io
import json
import random
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from appraisal.money.metrics import appraise_study
from appraisal.study import StudyError, load_study
from appraisal.study.load import validate_rows
from appraisal.study.schema import BenefitRow, PartnerRow
from appraisal.workflows.targets import results_tree

MINI = Path(__file__).parents[1] / "fixtures" / "mini"

# the accepted forms, written independently of appraisal.study.numbers
PLAIN = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d{1,3})?"
GROUPED = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"
MONEY_FORM = re.compile(rf"\s*(?:[-+]?£?[-+]?)({PLAIN}|{GROUPED})\s*")
NUMBER_FORM = re.compile(rf"\s*[-+]?({PLAIN})\s*")


def oracle(text: str, money: bool) -> float | None:
    """The value a cell means, or None if it is not in an accepted form (or out of range)."""
    m = (MONEY_FORM if money else NUMBER_FORM).fullmatch(text)
    if not m:
        return None
    head = text.strip()[: text.strip().index(m.group(1))]
    if head.count("-") + head.count("+") > 1:
        return None
    value = float(Decimal(m.group(1).replace(",", "")))
    value = -value if "-" in head else value
    return value if abs(value) <= 1e15 else None


number_text = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=0, max_value=1e16).map(lambda x: f"£{x:,.2f}"),
    st.floats(min_value=0, max_value=1e16).map(lambda x: f"{x:,.0f}"),
    st.integers(min_value=-10**17, max_value=10**17).map(str),
    st.text(alphabet="0123456789,.£-+eE kmn_ ", min_size=1, max_size=12),
    st.from_regex(r"\A-?£?\d{1,3}(,\d{1,4}){0,3}(\.\d{0,3})?\Z"),
)


def _load_cell(model, column: str, value: str, base: dict):
    header = list(base) + [column]
    rows = [(2, [*base.values(), value])]
    return validate_rows(header, rows, model, "t.csv")


@settings(max_examples=400, deadline=None)
@given(number_text)
def test_a_money_cell_reads_as_written_or_is_one_problem(text):
    typed, problems = _load_cell(PartnerRow, "budget_gbp", text, {"partner_id": "p", "name": "P", "type": "ccg",
                                                                   "source": "s"})
    want = oracle(text, money=True)
    if text.strip() == "":  # a blank cell is the column's default (none), not a number
        assert problems == [] and typed["budget_gbp"].iloc[0] is None
    elif want is None or want < 0:
        assert [(p.row, p.column) for p in problems] == [(2, "budget_gbp")], (text, problems)
        assert typed.empty
    else:
        assert problems == [], (text, problems)
        assert typed["budget_gbp"].iloc[0] == want


@settings(max_examples=300, deadline=None)
@given(number_text)
def test_a_fraction_cell_reads_as_written_or_is_one_problem(text):
    typed, problems = _load_cell(PartnerRow, "risk_appetite", text, {"partner_id": "p", "name": "P", "type": "ccg",
                                                                      "source": "s"})
    want = oracle(text, money=False)
    if text.strip() == "":  # blank: the default 0.5
        assert problems == [] and typed["risk_appetite"].iloc[0] == 0.5
    elif want is None or not 0 <= want <= 1:
        assert [(p.row, p.column) for p in problems] == [(2, "risk_appetite")], (text, problems)
    else:
        assert problems == [] and typed["risk_appetite"].iloc[0] == want


@settings(max_examples=200, deadline=None)
@given(st.lists(number_text, min_size=1, max_size=4))
@example(["0.0", " "])  # found by hypothesis: a trailing separator
@example(["0.25", "", "1"])
@example([" "])
def test_a_ramp_reads_as_written_or_is_one_problem(parts):
    text = ";".join(parts)
    base = {"benefit_id": "b", "component": "c", "run_rate_gbp": "1", "source": "s"}
    typed, problems = _load_cell(BenefitRow, "ramp", text, base)
    # a blank cell is no ramp; an empty entry between separators ("0.25;;1", "0.0; ") is refused, never
    # skipped: skipping would shift every later year of the ramp
    values = [oracle(p, money=False) for p in text.split(";")] if text.strip() else []
    if any(v is None or not 0 <= v <= 1 for v in values):
        assert [(p.row, p.column) for p in problems] == [(2, "ramp")], (text, problems)
    else:
        assert problems == [] and typed["ramp"].iloc[0] == values


# ------------------------------------------------------------------------------------ shapes


def _read(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.reader(fh))


def _write(path: Path, records: list[list[str]], *, crlf=False, bom=False, quote_all=False) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n" if crlf else "\n",
               quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL).writerows(records)
    path.write_bytes(("\ufeff" if bom else "").encode() + buf.getvalue().encode())


@pytest.fixture(scope="module")
def baseline():
    return json.dumps(results_tree(load_study(MINI)), sort_keys=True)


KEEPS = ["shuffle_columns", "shuffle_rows", "blank_lines", "pad", "crlf", "bom", "quote_all"]
BREAKS = ["duplicate_row", "duplicate_header", "stray_cell", "unknown_column", "drop_required", "no_rows"]
TABLES = ["partners", "services", "vehicles", "benefits", "costs", "options", "allocations", "governance"]


def _apply(records: list[list[str]], op: str, rnd: random.Random, table: str) -> tuple[list[list[str]], dict]:
    header, rows = records[0], [r for r in records[1:] if r]
    fmt = {}
    if op == "shuffle_columns":
        order = list(range(len(header)))
        rnd.shuffle(order)
        return [[r[i] for i in order] for r in [header, *rows]], fmt
    if op == "shuffle_rows":
        rows = rows[:]
        rnd.shuffle(rows)
        return [header, *rows], fmt
    if op == "blank_lines":
        out = [header]
        for r in rows:
            out += [r] + ([[]] if rnd.random() < 0.5 else [])
        return out, fmt
    if op == "pad":
        return [header] + [[f" {c} " if c and rnd.random() < 0.5 else c for c in r] for r in rows], fmt
    if op in ("crlf", "bom", "quote_all"):
        return [header, *rows], {op: True}
    if op == "duplicate_row":
        return [header, *rows, rows[rnd.randrange(len(rows))]], fmt
    if op == "duplicate_header":
        j = rnd.randrange(len(header))
        return [header + [header[j]]] + [r + [r[j]] for r in rows], fmt
    if op == "stray_cell":
        i = rnd.randrange(len(rows))
        return [header] + [r + ["stray"] if k == i else r for k, r in enumerate(rows)], fmt
    if op == "unknown_column":
        return [header + ["comment"]] + [r + ["x"] for r in rows], fmt
    if op == "drop_required":
        from appraisal.study.schema import TABLE_MODELS

        fields = TABLE_MODELS[table].model_fields
        j = next(i for i, c in enumerate(header) if c in fields and fields[c].is_required())
        return [[c for i, c in enumerate(r) if i != j] for r in [header, *rows]], fmt
    if op == "no_rows":
        return [header], fmt
    raise AssertionError(op)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.sampled_from(TABLES), ops=st.lists(st.sampled_from(KEEPS), min_size=1, max_size=3),
       breaking=st.one_of(st.none(), st.sampled_from(BREAKS)), seed=st.integers(0, 2**16))
def test_table_shapes_never_traceback_and_never_change_results_silently(tmp_path_factory, baseline, table, ops,
                                                                         breaking, seed):
    folder = tmp_path_factory.mktemp("shape") / "mini"
    shutil.copytree(MINI, folder)
    rnd = random.Random(seed)
    records = _read(folder / f"{table}.csv")
    fmt: dict = {}
    for op in ops + ([breaking] if breaking else []):
        records, extra = _apply(records, op, rnd, table)
        fmt |= extra
    _write(folder / f"{table}.csv", records, **fmt)
    if breaking is None:
        study = load_study(folder)  # no StudyError: the meaning was kept
        assert json.dumps(results_tree(study), sort_keys=True) == baseline
        appraise_study(study)
    else:
        with pytest.raises(StudyError) as info:
            load_study(folder)
        assert all(p.file for p in info.value.problems)
