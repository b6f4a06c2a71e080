"""reformkit's public Python API: thin functions over `appraisal.workflows`, for notebooks and scripts.

    import appraisal as rk

    study = rk.load_study("studies/llr")
    case = rk.appraise(study)                       # every option under its document plan
    case.metrics                                    # DataFrame: one row per option, NPSV, NPV, BCR, payback …
    best = rk.optimise(study)                       # option_id -> OptimisedOption (the MILP's plan, appraised)
    rk.appraise(study, plans=rk.plans_of(best))     # the same NPSV as best[o].npsv_gbp, to the penny
    rk.buyin(study, runs=200, seed=1).prob_by_year  # DataFrame: probability each vehicle is agreed by year
    rk.score(study).table                           # DataFrame: MCDA totals and ranks
    rk.sensitivity(study, "sobol", 64).indices()    # DataFrame: Sobol indices of the preferred option's NPSV

Every function takes a loaded `Study` (or a path to one), every result's tables are pandas DataFrames, and
every random draw takes a `seed`. The command line (`reformkit …`) calls the same workflows.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from appraisal.money.document import document_plan
from appraisal.money.metrics import OptionAppraisal, preferred_option
from appraisal.money.plans import Plan, plans_table, read_plans
from appraisal.study import Study
from appraisal.study import load_study as _load
from appraisal.workflows.appraise import FinancialCase, financial_case
from appraisal.workflows.buyin import BuyIn, run_buyin
from appraisal.workflows.optimise import OptionPlan as OptimisedOption
from appraisal.workflows.optimise import optimise_option
from appraisal.workflows.run import RunOutput, RunSettings, run_study
from appraisal.workflows.score import Scoring, score_study
from appraisal.workflows.sensitivity import SensitivityRun, run_sensitivity

__all__ = ["load_study", "appraise", "optimise", "buyin", "score", "sensitivity", "run", "plans_of",
           "document_plan", "read_plans", "plans_table", "preferred_option",
           "Study", "Plan", "FinancialCase", "OptionAppraisal", "OptimisedOption", "BuyIn", "Scoring",
           "SensitivityRun", "RunOutput", "RunSettings"]


def load_study(path: str | Path | Study) -> Study:
    """A study folder (CSV tables + study.yaml) or one workbook, validated; bad input raises one
    `ValueError`-style error naming file, row, column and what was expected. A `Study` passes through."""
    return path if isinstance(path, Study) else _load(path)


def plans_of(results: dict[str, OptimisedOption]) -> dict[str, Plan]:
    """The optimised plans of `optimise(...)`'s results (options with no feasible plan are left out, so they
    keep their document plan wherever the plans are used)."""
    return {oid: r.optimised for oid, r in results.items() if r.optimised is not None}


def _plans(study: Study, plans) -> dict[str, Plan] | None:
    """None / "document" -> None (document plans); "optimised" -> solve each option; a path -> a plan table;
    a dict option_id -> Plan passes through."""
    if plans is None or (isinstance(plans, str) and plans == "document"):
        return None
    if isinstance(plans, str) and plans == "optimised":
        return plans_of(optimise(study, reproduce=False))
    if isinstance(plans, (str, Path)):
        return read_plans(study, plans)
    return dict(plans)


def appraise(study: str | Path | Study, plans: str | Path | dict[str, Plan] | None = None) -> FinancialCase:
    """The financial case of every option under a plan: the ledger's money through the Green Book metrics.

    `plans`: None or "document" (each option's document plan), "optimised" (solve each option first), a plan
    table file (`plan.csv` / .xlsx, as `reformkit optimise` writes), or a dict option_id -> `Plan`.
    Returns a `FinancialCase`: `.metrics` (DataFrame, one row per option), `.options[o].yearly` (DataFrame by
    year), `.tables()` (every table of results.xlsx), `.warnings` (money a plan moves out of the horizon …)."""
    study = load_study(study)
    return financial_case(study, _plans(study, plans))


def optimise(study: str | Path | Study, options: list[str] | str | None = None, *, time_limit: float | None = 60.0,
             rel_gap: float = 1e-6, seed: int = 0, reproduce: bool = True) -> dict[str, OptimisedOption]:
    """The best plan of each option (all, or the ones named) by the MILP (Pyomo + HiGHS), appraised by the
    ledger. Returns option_id -> `OptimisedOption`: `.npsv_gbp` (the ledger's NPSV of the plan, equal to the
    MILP objective + constant to the penny), `.optimised` (the `Plan`; `.table(study)` is a DataFrame),
    `.appraisal` (its `OptionAppraisal`), and with `reproduce` the document's plan beside it (`.document`,
    `.comparison`). `time_limit` (seconds per solve): a time-out keeps the best plan found with its gap."""
    study = load_study(study)
    ids = study.option_ids if options is None else ([options] if isinstance(options, str) else list(options))
    return {oid: optimise_option(study, oid, time_limit=time_limit, rel_gap=rel_gap, seed=seed, reproduce=reproduce)
            for oid in ids}


def buyin(study: str | Path | Study, option: str | None = None, *, runs: int = 200, seed: int = 0,
          plan: Plan | None = None) -> BuyIn:
    """Partner buy-in (the Mesa agent model), `runs` seeded replications of one option (default: the preferred
    option) under a plan (default: its document plan). Returns a `BuyIn`: `.prob_by_year` (probability each
    vehicle is agreed by each year), `.median` (median establishment month against the planned one),
    `.pivotal` (how often each partner decides a vehicle), all DataFrames; `.summary(study)` as results.json."""
    study = load_study(study)
    return run_buyin(study, option or preferred_option(study), runs, seed, plan=plan)


def score(study: str | Path | Study, case: FinancialCase | None = None, *, smaa_n: int = 10_000,
          seed: int = 0) -> Scoring:
    """The value-driver MCDA (UK MCA manual's linear additive model) of the options, with the financial
    figures of `case` (default: `appraise(study)`). Returns a `Scoring`: `.table` (totals, ranks, ties),
    `.rag`, `.swings`, `.switching_weights`, `.rank_reversal` (DataFrames) and `.smaa` (rank acceptability)."""
    study = load_study(study)
    case = case or appraise(study)
    return score_study(study, {o: r.metrics for o, r in case.options.items()}, smaa_n=smaa_n, seed=seed)


def sensitivity(study: str | Path | Study, method: str = "sobol", n: int = 64, out: str | Path | None = None, *,
                seed: int = 0, plans: str | Path | dict[str, Plan] | None = None, scheduler="serial",
                agents: bool = False, reoptimise: bool = False) -> SensitivityRun:
    """A sensitivity study on the study's `uncertainties` table: a SALib design (`sobol`, `morris` or
    `montecarlo`, base sample `n`, `seed`) evaluated for every option under fixed plans (`plans` as in
    `appraise`), or with the agent model in every sample (`agents`), or re-optimised per sample
    (`reoptimise`). Runs stream into `out/runs.duckdb` (default: a new temporary folder), so re-running the
    same call with the same `out` resumes. `scheduler`: "serial" (in-process), None (a local dask cluster) or
    "tcp://HOST:PORT". Returns a `SensitivityRun`: `.outputs` and `.samples` (DataFrames by sample),
    `.analysis` (outcome -> indices), `.indices()` (DataFrame of the preferred option's NPSV indices)."""
    study = load_study(study)
    folder = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="reformkit-sensitivity-"))
    return run_sensitivity(study, method, n, folder, seed=seed, scheduler=scheduler, plans=_plans(study, plans),
                           progress=False, agents=agents, reoptimise=reoptimise)


def run(study: str | Path | Study, out: str | Path, settings: RunSettings | None = None, **options) -> RunOutput:
    """The whole pipeline (`reformkit run`): appraise, optimise, buy-in, score and sensitivity of every option,
    then report.html (+ PDF), results.json and results.xlsx in `out`. `settings` or keyword options set
    `RunSettings` fields (runs, seed, sensitivity_method, sensitivity_n, time_limit, scheduler, workers, pdf,
    calibrated: buy-in on the stored calibration, the default, or on the judgement defaults).
    Returns a `RunOutput`: `.results` (the results.json tree) and `.tables` (DataFrames)."""
    study = load_study(study)
    if settings is None:
        settings = RunSettings(**options)
    elif options:
        raise TypeError("give either `settings` or keyword options, not both")
    return run_study(study, Path(out), settings)
