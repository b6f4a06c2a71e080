"""`reformkit optimise` ends with the documented exit codes: 0 plans, 3 infeasible (diagnosis printed),
4 no plan within the time limit, 2 bad input (appraisal/exit_codes.py)."""
import shutil
from pathlib import Path

from typer.testing import CliRunner

from appraisal import exit_codes
from appraisal.cli import app

SMALL = Path(__file__).parents[2] / "studies" / "national" / "small"
runner = CliRunner()


def test_exit_codes_are_the_shared_constants():
    assert (exit_codes.OK, exit_codes.BAD_INPUT, exit_codes.INFEASIBLE, exit_codes.NO_PLAN, exit_codes.INTERRUPTED) == \
        (0, 2, 3, 4, 5)


def test_a_plan_within_the_time_limit_exits_0(tmp_path):
    result = runner.invoke(app, ["optimise", str(SMALL), "--option", "shared_services", "--time-limit", "20",
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == exit_codes.OK, result.output


def test_an_infeasible_option_exits_3_with_its_diagnosis(tmp_path):
    study = tmp_path / "study"
    shutil.copytree(SMALL, study)
    limits = (study / "limits.csv").read_text().splitlines()
    # no money for the transition, and an option in which every service must move
    limits = [limits[0]] + [",".join(["funding_cap_yearly_gbp", "", "0", "test: no money"])]
    (study / "limits.csv").write_text("\n".join(limits) + "\n")
    result = runner.invoke(app, ["optimise", str(study), "--option", "commissioning_council", "--time-limit", "60",
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == exit_codes.INFEASIBLE, result.output
    text = " ".join(result.output.split())  # the console wraps long lines
    assert "No plan satisfies every constraint of option 'commissioning_council'" in text
    assert "The conflict is between services that must move and the yearly funding cap" in text, text


def test_no_plan_within_the_time_limit_exits_4(tmp_path, monkeypatch):
    import appraisal.workflows.optimise as optimisation
    from optimise.plan import empty_plan

    def nothing_in_time(problem, **kw):  # what solve returns when neither a start nor HiGHS has a plan in time
        return empty_plan(problem, "no_solution", diagnosis="No feasible plan was found within the time limit of 1 s.")

    monkeypatch.setattr(optimisation, "solve", nothing_in_time)
    result = runner.invoke(app, ["optimise", str(SMALL), "--option", "shared_services", "--time-limit", "1",
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == exit_codes.NO_PLAN, result.output
    assert "No feasible plan was found within the time limit" in " ".join(result.output.split())


def test_bad_arguments_exit_2(tmp_path):
    result = runner.invoke(app, ["optimise", str(SMALL), "--option", "no_such_option", "--out", str(tmp_path / "o")])
    assert result.exit_code == exit_codes.BAD_INPUT
