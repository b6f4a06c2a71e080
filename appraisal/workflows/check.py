"""Every check a command makes on its input, run up front, so a study that validates never fails later.

The loader (appraisal.study) checks the schema, references, cycles, adjustments and uncertainties. Here
come the checks that need the money model: optimism-bias figures, the published targets' metric paths,
the value drivers' metrics and scores, the uncertainties' distributions and the buy-in inputs. Each
failure is one `Problem`; all are raised together as a `StudyError`.
"""
from __future__ import annotations

from pathlib import Path

from appraisal.study import Problem, Study, StudyError, load_study


def _problem(where: str, message: str, row: int | None = None, column: str | None = None) -> Problem:
    prefix = f"{where}: "
    return Problem(where, row, column, message[len(prefix):] if message.startswith(prefix) else message)


def optimism_bias_problems(study: Study) -> list[Problem]:
    from appraisal.money.adjustments import optimism_bias_pct

    problems = []
    for i, adj in enumerate(study.config.adjustments):
        if adj.optimism_bias is not None:
            ob = adj.optimism_bias
            try:
                optimism_bias_pct(ob.project_type, ob.bound, ob.measure)
            except ValueError as exc:
                problems.append(Problem("study.yaml", None, f"adjustments.{i}.optimism_bias", str(exc)))
    return problems


def target_problems(study: Study, tree: dict) -> list[Problem]:
    from appraisal.workflows.targets import TargetPathError, resolve

    targets = study.tables["targets"]
    problems = []
    for row in targets.itertuples(index=False):
        try:
            if row.metric.startswith("inputs."):  # a published input figure: resolved on the study's tables
                from appraisal.workflows.input_targets import resolve_input

                resolve_input(study, row.metric)
            else:
                resolve(tree, row.metric)
        except TargetPathError as exc:
            problems.append(Problem(study.sources["targets"], row.source_row, "metric", str(exc).strip("\"'")))
    return problems


def driver_problems(study: Study, metrics: dict) -> list[Problem]:
    from appraisal.workflows.score import performance

    if study.tables["value_drivers"].empty:
        return []
    try:
        performance(study, metrics)
    except ValueError as exc:
        text = str(exc)
        where = next((study.sources[t] for t in ("driver_scores", "value_drivers") if text.startswith(study.sources[t])),
                     study.sources["value_drivers"])
        return [_problem(where, text)]
    return []


def sensitivity_problems(study: Study) -> list[Problem]:
    from appraisal.workflows.sensitivity import study_params

    if study.tables["uncertainties"].empty:
        return []
    try:
        study_params(study)
    except ValueError as exc:
        return [_problem(study.sources["uncertainties"], str(exc))]
    return []


def buyin_problems(study: Study) -> list[Problem]:
    from appraisal.workflows.buyin import buyin_inputs

    if study.tables["governance"].empty or study.tables["partners"].empty:
        return []
    oid = study.config.preferred_option or study.option_ids[-1]
    try:
        buyin_inputs(study, oid)
    except ValueError as exc:
        return [_problem(study.sources["partners"], str(exc))]
    return []


def command_problems(study: Study, needs: tuple[str, ...] = ()) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) of every later command's input checks, on a study that loaded. A study may
    lack what one command needs (Plymouth has no driver scores, so it cannot be scored): that is an error
    when the caller `needs` the command, else a warning naming the command that would fail."""
    from appraisal.money.metrics import appraise_study
    from appraisal.workflows.targets import results_tree

    problems = optimism_bias_problems(study)
    if problems:
        return problems, []  # the money model cannot run without its adjustment figures
    appraisals = appraise_study(study)
    tree = results_tree(study, appraisals)
    problems += target_problems(study, tree)
    problems += sensitivity_problems(study)
    warnings = []
    for command, found in (("score", driver_problems(study, {o: r.metrics for o, r in appraisals.items()})),
                           ("buyin", buyin_problems(study))):
        if command in needs:
            problems += found
        else:
            warnings += [Problem(p.file, p.row, p.column, f"`{command}` cannot run: {p.message}") for p in found]
    return problems, warnings


def load_checked(path: str | Path, needs: tuple[str, ...] = ()) -> Study:
    """Load a study (tables its commands need included) and run every later command's input checks."""
    study = load_study(path, needs)
    problems, warnings = command_problems(study, needs)
    if problems:
        raise StudyError(problems)
    study.warnings.extend(warnings)
    return study
