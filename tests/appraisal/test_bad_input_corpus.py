"""The generated corpus of bad inputs (tests/appraisal/bad_inputs.py): each gives its one clear problem.

Every case is a copy of a real study (CSV or its workbook) with one fault. In process (fast), it must raise
`StudyError` whose problems are exactly the expected one (file or sheet, row, column, phrase), plus only
the follow-on lines the case allows; a sample goes through the CLI (exit code 2, no traceback, nothing
written in --out).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from appraisal.cli import app
from appraisal.study import StudyError, load_study
from appraisal.study.template import study_to_workbook
from appraisal.workflows.check import load_checked

sys.path.insert(0, str(Path(__file__).parent))  # the generator lives beside this test (import-mode=importlib)
from bad_inputs import STUDIES, corpus  # noqa: E402

CASES = corpus()
runner = CliRunner()


@pytest.fixture(scope="session")
def originals(tmp_path_factory):
    """Each study as a CSV folder and as its converted workbook study."""
    base = tmp_path_factory.mktemp("originals")
    out = {}
    for name, folder in STUDIES.items():
        csv_copy = base / f"{name}-csv"
        shutil.copytree(folder, csv_copy)
        out[(name, "csv")] = csv_copy
        book = base / f"{name}-xlsx"
        study_to_workbook(folder, book)
        out[(name, "xlsx")] = book
    return out


def _problems(folder: Path, checked: bool) -> list:
    with pytest.raises(StudyError) as info:
        (load_checked if checked else load_study)(folder)
    return info.value.problems


def test_the_corpus_is_large_and_covers_both_formats_and_every_study():
    assert len(CASES) >= 300
    assert {c.fmt for c in CASES} == {"csv", "xlsx"}
    assert {c.study for c in CASES} == set(STUDIES)
    assert len({c.id for c in CASES}) == len(CASES), "case ids are unique"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_its_one_clear_problem(case, originals, tmp_path):
    folder = tmp_path / "study"
    shutil.copytree(originals[(case.study, case.fmt)], folder)
    case.mutate(folder)
    problems = _problems(folder, case.checked)
    hits = [p for p in problems if p.file == case.where and case.row in (p.row, "any") and p.column == case.column
            and case.text in p.message]
    lines = "\n".join(map(str, problems))
    assert hits, f"expected {case.where}, row {case.row}, column {case.column}: ...{case.text}...; got\n{lines}"
    others = [p for p in problems if p not in hits]
    assert all(case.extra_ok and case.extra_ok(str(p)) for p in others), f"more than the one problem:\n{lines}"
    for p in problems:  # every line says where and what
        assert p.file and p.message and "Traceback" not in p.message


SAMPLE = [c for i, c in enumerate(CASES) if i % 37 == 0 and not c.checked]


@pytest.mark.parametrize("case", SAMPLE, ids=[c.id for c in SAMPLE])
def test_a_sample_through_the_cli_exits_2_and_writes_nothing(case, originals, tmp_path):
    folder = tmp_path / "study"
    shutil.copytree(originals[(case.study, case.fmt)], folder)
    case.mutate(folder)
    out = tmp_path / "out"
    result = runner.invoke(app, ["appraise", str(folder), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert case.text in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_one_case_through_a_real_process(originals, tmp_path):
    case = next(c for c in CASES if c.id.endswith("-csv-costs-semicolons"))
    folder = tmp_path / "study"
    shutil.copytree(originals[(case.study, case.fmt)], folder)
    case.mutate(folder)
    run = subprocess.run([sys.executable, "-m", "appraisal.cli", "validate", str(folder)], capture_output=True,
                         text=True)
    assert run.returncode == 2
    assert "costs.csv: is semicolon-delimited" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout
