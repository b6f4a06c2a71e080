"""A study copy with many kinds of deliberate errors: one line each, file/row/column, exit code 2."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from appraisal.study import StudyError, load_study

MINI = Path(__file__).parents[1] / "fixtures" / "mini"


def _edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text()
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1))


@pytest.fixture()
def broken(tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(MINI, folder)
    _edit(folder, "partners.csv", '"£10,000,000",0.6', "lots,1.5")               # non-numeric money, fraction > 1
    _edit(folder, "services.csv", "fo_s,South front office,Front office,south",
          "fo_n,South front office,Front office,east")                            # duplicate id, dangling partner
    _edit(folder, "benefits.csv", "shared,1000,500,1500,2021/22", "ghost,1000,500,1500,2030/31")  # bad ref, year
    _edit(folder, "benefits.csv", "shared,100,,,2021/22", "shared,100,,,2021")   # malformed year
    _edit(folder, "costs.csv", "c_run,Front office,recurring,shared,100", "c_run,Front office,recurring,shared,-5")
    _edit(folder, "allocations.csv", "south,40", "south,30")                      # shares sum to 90%
    _edit(folder, "governance.csv", "funds,source", "funds,vote")                 # misspelt header
    return folder


EXPECTED = [
    ("partners.csv, row 2, column 'budget_gbp'", "expected an amount in £ written 1234567.89, £1,234,567.89 or -250000"),
    ("partners.csv, row 2, column 'financial_pressure'", "expected a number ≤ 1, got 1.5"),
    ("services.csv, row 3, column 'service_id'", "duplicate service_id 'fo_n'"),
    ("services.csv, row 3, column 'current_provider'", "'east' is not a partner_id in partners.csv"),
    ("benefits.csv, row 2, column 'vehicle_id'", "'ghost' is not a vehicle_id in vehicles.csv"),
    ("benefits.csv, row 2, column 'start_year'", "year 2030/31 is outside the horizon 2020/21 to 2023/24"),
    ("benefits.csv, row 3, column 'start_year'", "a financial year like '2017/18', got '2021'"),
    ("costs.csv, row 3, column 'amount_gbp'", "expected a number ≥ 0, got -5"),
    ("allocations.csv, row 2, column 'weight'", "shares of allocation 'split' sum to 90%, expected 100%"),
    ("governance.csv, column 'vote'", "unknown column"),
    ("governance.csv, column 'source'", "required column is missing"),
]


def test_every_problem_is_reported_once_with_file_row_column(broken):
    with pytest.raises(StudyError) as info:
        load_study(broken)
    lines = [str(p) for p in info.value.problems]
    for where, what in EXPECTED:
        assert any(line.startswith(where) and what in line for line in lines), (where, what, lines)
    assert len(lines) == len(set(lines))
    assert len(lines) == len(EXPECTED), "\n".join(lines)


def test_cli_prints_one_line_per_problem_and_exits_2(broken):
    run = subprocess.run([sys.executable, "-m", "appraisal.cli", "validate", str(broken)],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr + run.stdout
    problem_lines = [line for line in run.stderr.splitlines() if line.startswith("  ")]
    assert len(problem_lines) == len(EXPECTED)
    assert "The study has 11 problem(s)" in run.stderr


def test_missing_folder_yaml_and_bad_yaml(tmp_path):
    with pytest.raises(StudyError, match="study folder not found"):
        load_study(tmp_path / "nope")
    (tmp_path / "s").mkdir()
    with pytest.raises(StudyError, match="study.yaml not found"):
        load_study(tmp_path / "s")
    (tmp_path / "s" / "study.yaml").write_text("name: x\nhorizon: {start: 2017/18, years: 0}\nbogus: 1\n")
    with pytest.raises(StudyError) as info:
        load_study(tmp_path / "s")
    text = str(info.value)
    assert "study.yaml, column 'horizon.years': expected a number ≥ 1, got 0" in text
    assert "study.yaml, column 'bogus'" in text
    (tmp_path / "s" / "study.yaml").write_text("name: [unclosed\n")
    with pytest.raises(StudyError, match="not valid YAML"):
        load_study(tmp_path / "s")


def test_the_valid_fixture_loads():
    study = load_study(MINI)
    assert study.years == ["2020/21", "2021/22", "2022/23", "2023/24"]
    assert len(study.tables["services"]) == 2
    assert study.tables["partners"].set_index("partner_id").loc["north", "budget_gbp"] == 10_000_000
