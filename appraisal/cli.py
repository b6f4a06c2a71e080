"""The `reformkit` command line. Each command reads a study, runs engines through `appraisal`, writes DIR."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup
from rich.console import Console

from appraisal import exit_codes
from appraisal.exit_codes import BadInput, Infeasible, Interrupted, NoPlan
from appraisal.study import StudyError

console = Console()
err = Console(stderr=True)
# dask/tornado failures that mean the cluster went away under a running command
LOST_CLUSTER = {"CommClosedError", "KilledWorker", "FutureCancelledError", "CancelledError", "StreamClosedError",
                "FutureCancelledError", "TimeoutError"}


def exit_code_for(exc: BaseException) -> int:
    """The one place errors become exit codes (appraisal.exit_codes); prints one clear message, no traceback."""
    if isinstance(exc, BrokenPipeError):  # the reader went away (`reformkit ... | head`): nothing more to say
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return exit_codes.OK
    if isinstance(exc, StudyError):
        err.print(f"[bold red]The study has {len(exc.problems)} problem(s):[/]")
        for problem in exc.problems:
            err.print(f"  {problem}", markup=False, highlight=False, soft_wrap=True)
        return exit_codes.BAD_INPUT
    if isinstance(exc, (Infeasible, NoPlan)):
        err.print(f"{'infeasible' if isinstance(exc, Infeasible) else 'no plan'}: {exc}", markup=False,
                  highlight=False, soft_wrap=True)
        return exit_codes.INFEASIBLE if isinstance(exc, Infeasible) else exit_codes.NO_PLAN
    if isinstance(exc, KeyboardInterrupt):
        err.print("[bold red]interrupted[/] (Ctrl-C); finished sensitivity runs are kept: run the same command "
                  "again to resume", highlight=False)
        return exit_codes.INTERRUPTED
    if isinstance(exc, Interrupted) or type(exc).__name__ in LOST_CLUSTER or from_cluster(exc):
        err.print(f"[bold red]interrupted:[/] the dask scheduler or a worker was lost ({type(exc).__name__}: "
                  f"{exc}); finished runs are kept: run the same command again to resume",
                  highlight=False, soft_wrap=True)
        return exit_codes.INTERRUPTED
    if isinstance(exc, (BadInput, FileExistsError, FileNotFoundError, NotADirectoryError, IsADirectoryError,
                        PermissionError, ValueError)):
        err.print(f"error: {exc}", highlight=False, soft_wrap=True, markup=False)
        return exit_codes.BAD_INPUT
    import tempfile
    import traceback

    log = Path(tempfile.gettempdir()) / "reformkit-error.log"
    log.write_text("".join(traceback.format_exception(exc)))
    err.print(f"internal error (a bug in reformkit, please report it): {type(exc).__name__}: {exc}; "
              f"the traceback is in {log}", highlight=False, soft_wrap=True, markup=False)
    return exit_codes.INTERNAL


def from_cluster(exc: BaseException) -> bool:
    """Raised by dask.distributed or tornado (a worker, nanny or scheduler that failed or went away)."""
    import traceback

    if type(exc).__module__.split(".")[0] in {"distributed", "tornado"}:
        return True
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and any(part in frames[-1].filename for part in ("/distributed/", "/tornado/"))


def quiet_cluster_logs() -> None:
    """dask.distributed logs reconnection attempts and lost workers with tracebacks on stderr; the CLI reports
    what happened in one line (exit_code_for), so only dask's critical messages are shown (here and in workers)."""
    import logging
    import os

    os.environ["DASK_LOGGING__DISTRIBUTED"] = "critical"  # read by worker processes as they start
    import distributed  # noqa: F401 - its import configures its loggers (some, e.g. distributed.client, by name)

    named = [n for n in logging.root.manager.loggerDict if n.startswith(("distributed.", "tornado."))]
    for name in ("distributed", "tornado", *named):
        logging.getLogger(name).setLevel(logging.CRITICAL)


class ReformkitGroup(TyperGroup):
    """Runs a command and maps whatever it raises to an exit code (see exit_code_for)."""

    def invoke(self, ctx):
        quiet_cluster_logs()
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException, SystemExit):
            raise  # usage errors and exits: typer prints them (a bad argument exits 2)
        except BaseException as exc:  # noqa: BLE001 - KeyboardInterrupt too: exit 5, not a traceback
            raise typer.Exit(exit_code_for(exc)) from None


app = typer.Typer(help="reformkit: optimise, simulate and appraise public-service reform options.\n\n"
                       + exit_codes.help_text(),
                  cls=ReformkitGroup, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

StudyArg = Annotated[Path, typer.Argument(help="Study folder (study.yaml + tables)")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", file_okay=False, help="Folder for results")]
SEED_MAX = 2**31 - 1
SchedulerOpt = Annotated[str | None, typer.Option("--scheduler", help="Join a dask cluster at tcp://HOST:PORT")]
WorkersOpt = Annotated[int, typer.Option("--workers", min=0, max=256,
                                         help="Local dask worker processes (0 = run in this process)")]
SeedOpt = Annotated[int, typer.Option(min=0, max=SEED_MAX, help="Seed (0 to 2147483647)")]


@contextmanager
def dask_client(scheduler: str | None, workers: int):
    """A dask.distributed client: the given scheduler, a LocalCluster of `workers` processes, or none."""
    if scheduler is None and workers <= 0:
        yield None
        return
    from distributed import Client, LocalCluster

    from appraisal.uncertainty.executor import connect

    if scheduler:
        with connect(scheduler) as client:
            yield client
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        yield client


def load(study: Path, *needs: str):
    """Load a study and run every check a command makes on its input (appraisal.workflows.check)."""
    from appraisal.workflows.check import load_checked

    return load_checked(study, needs)


def out_folder(out: Path, *parts: str) -> Path:
    """A path under --out; refuses one that would leave it (ids are checked, this is the last guard)."""
    root = out.resolve()
    target = root.joinpath(*parts).resolve()
    if target != root and root not in target.parents:
        raise BadInput(f"'{'/'.join(parts)}' would be written outside --out {out}")
    return target


@app.command()
def init(folder: Annotated[Path, typer.Argument(help="New folder for the study")],
         excel: Annotated[bool, typer.Option("--excel", help="One workbook instead of CSV files")] = False):
    """Write a commented study template to fill in."""
    from appraisal.study.template import write_template

    files = write_template(folder, excel=excel)
    console.print(f"Wrote {len(files)} files to {folder}. Edit them, then run: reformkit validate {folder}")


@app.command()
def convert(study: StudyArg, folder: Annotated[Path, typer.Argument(help="New folder for the workbook study")]):
    """Turn a CSV study into one Excel workbook (a sheet per table) that strategy teams can edit."""
    from appraisal.study.template import study_to_workbook

    load(study)
    files = study_to_workbook(study, folder)
    load(folder)
    console.print(f"Wrote {', '.join(str(f) for f in files)}; edit the workbook, then: reformkit validate {folder}")


@app.command()
def validate(study: StudyArg):
    """Check a study: schema, cross-references and every check a later command makes (exit code 2 if any)."""
    from appraisal.money.checks import study_warnings

    s = load(study)
    warnings = study_warnings(s)
    counts = ", ".join(f"{len(f)} {name}" for name, f in s.tables.items() if len(f))
    by = "" if s.period == "year" else f" by {s.period} ({len(s.periods)} periods)"
    console.print(f"[green]OK[/] {s.name}: {counts}; horizon {s.years[0]}–{s.years[-1]}{by}", highlight=False)
    print_notes(s, warnings)


def print_warnings(s) -> None:
    """The loader's warnings (harmless oddities such as a repeated rule), on stderr."""
    for w in s.warnings:
        err.print(f"warning: {w}", markup=False, highlight=False, soft_wrap=True)


def print_notes(s, warnings: list[str]) -> None:
    """The study's one-line notes (e.g. a deprecated format), the loader's and the money warnings, on stderr."""
    print_warnings(s)
    for note in s.notes:
        err.print(f"[yellow]note:[/] {note}", highlight=False, soft_wrap=True)
    for w in warnings[:MAX_WARNINGS]:
        err.print(f"[yellow]warning:[/] {w}", highlight=False, soft_wrap=True)
    if len(warnings) > MAX_WARNINGS:
        err.print(f"[yellow]… and {len(warnings) - MAX_WARNINGS} more warnings[/] (all of them in results.json "
                  "'warnings' of `reformkit appraise`)", highlight=False)


MAX_WARNINGS = 20


@app.command()
def upgrade(study: StudyArg, out: OutOpt = Path("out/upgraded")):
    """Rewrite a format-1 study in format 2 (every pound entered once) with identical results."""
    from appraisal.study.upgrade import write_study

    s = load(study)
    if out.resolve() == study.resolve():
        raise BadInput("--out must be a new folder, not the study itself")
    files = write_study(s, out)
    load(out)
    console.print(f"Wrote {len(files)} files to {out} (format 2). Check it with: reformkit validate {out}")


@app.command()
def describe(study: StudyArg):
    """Print summary tables of a study, and the optional tables it does not have (and what that means)."""
    from appraisal.report.terminal import study_tables
    from appraisal.study.requirements import ABSENT_MEANS

    s = load(study)
    print_warnings(s)
    for table in study_tables(s, ABSENT_MEANS):
        console.print(table)


PlanOpt = Annotated[str, typer.Option("--plan", help="document (each option's document plan), optimised (solve "
                                                     "each option), or a plan table FILE (.csv/.xlsx)")]


def option_names(s) -> dict[str, str]:
    """option_id -> the study's name for it (what every table prints)."""
    return dict(zip(s.tables["options"]["option_id"], s.tables["options"]["name"]))


def chosen_plans(s, plan: str) -> dict | None:
    """The plans `--plan` names: None = the document plans; optimised; or read from a plan table."""
    if plan == "document":
        return None
    if plan == "optimised":
        return optimised_plans(s)
    from appraisal.money.plans import read_plans

    path = Path(plan)
    if not path.exists():
        raise BadInput(f"--plan takes 'document', 'optimised' or a plan table file; '{plan}' is none of them")
    return read_plans(s, path)


@app.command()
def appraise(study: StudyArg, out: OutOpt = Path("out/appraise"), plan: PlanOpt = "document"):
    """The financial case per option under a plan: profiles, adjustments, discounting, NPSV/NPV, BCR, payback,
    funding."""
    from appraisal.workflows.appraise import financial_case, write_financial_case

    s = load(study)
    case = financial_case(s, chosen_plans(s, plan))
    write_financial_case(case, out)
    print_notes(s, case.warnings)
    from appraisal.report.terminal import financial_case_table

    names = option_names(s)
    console.print(financial_case_table(f"{s.name}: financial case ({s.config.discounting.schedule} discounting)",
                                       {o: (names.get(o, o), r.plan.kind, r.metrics) for o, r in case.options.items()},
                                       s.config.display_unit))
    console.print(f"Results written to {out}/results.json, tables/, results.xlsx, manifest.json")


@app.command()
def optimise(study: StudyArg, out: OutOpt = Path("out/optimise"),
             option: Annotated[list[str] | None, typer.Option("--option", help="Option id (repeatable); default all")] = None,
             time_limit: Annotated[float | None, typer.Option(min=0.01, max=1e6,
                                                              help="Seconds per solve, a promise: each solve answers within "
                                                                   "this + model build + 10%, with the best plan found, "
                                                                   "its bound and gap")] = None,
             gap: Annotated[float, typer.Option(min=0, max=1, help="Relative optimality gap to stop at (0 to 1)")] = 1e-6,
             seed: Annotated[int, typer.Option(min=0, max=SEED_MAX, help="HiGHS random seed")] = 0,
             alternatives: Annotated[int, typer.Option("--alternatives", min=0, max=100,
                                                       help="Near-optimal plans that differ most (MGA)")] = 0,
             slack: Annotated[float, typer.Option(min=0, max=100, help="Alternatives lie within this % of the optimum")] = 5.0,
             pareto: Annotated[str | None, typer.Option(help="Trade-off front of NPSV against 'funding' or 'score'")] = None,
             points: Annotated[int, typer.Option(min=2, max=100, help="Points on the trade-off front")] = 5,
             decompose: Annotated[bool, typer.Option("--decompose", help="Solve independent blocks of services apart; at national scale, regions "
                                                    "tied by national caps or vehicles by Lagrangian decomposition (proven bound)")] = False,
             scheduler: SchedulerOpt = None,
             workers: Annotated[int, typer.Option("--workers", min=0, max=256,
                                                  help="Dask workers for --decompose (0 = in this process)")] = 0):
    """Best placement of services into vehicles, sites and years per option (Pyomo + HiGHS).

    Exit codes: 0 every option has a plan; 2 bad input (study or arguments); 3 some option is infeasible
    (no plan satisfies its rules; the diagnosis is printed); 4 no infeasible option, but for some option no plan
    was found within the time limit; 1 an unexpected internal error (e.g. a plan that failed the constraint check).
    """
    from appraisal.workflows.optimise import near_optimal, optimise_option, tradeoff
    from appraisal.workflows.outputs import write_json
    from appraisal.workflows.provenance import provenance

    if pareto is not None and pareto not in ("funding", "score"):
        raise BadInput(f"--pareto takes 'funding' or 'score', got '{pareto}'")
    s = load(study, "optimise")
    chosen = option or s.option_ids
    unknown = sorted(set(chosen) - set(s.tables["options"]["option_id"]))
    if unknown:
        raise BadInput(f"unknown option(s) {unknown}; the study has {s.option_ids}")
    results = {}
    with progress_bar() as bar, dask_client(scheduler, workers if decompose else 0) as client:
        task = bar.add_task("optimising", total=len(chosen))
        for oid in chosen:
            bar.update(task, description=f"option {oid}")
            r = optimise_option(s, oid, time_limit=time_limit, rel_gap=gap, seed=seed, decompose=decompose,
                                client=client)
            results[oid] = r.summary()
            folder = out_folder(out, oid)
            r.plan.write(folder)
            if r.optimised is not None:
                r.optimised.write(s, folder / "plan.csv")
            if r.document is not None:
                r.document.plan.write(s, folder / "document_plan.csv")
            if alternatives > 0 and r.plan.has_solution:
                alt, alt_plans = near_optimal(s, r, alternatives, slack, time_limit)
                for k, p in enumerate(alt_plans, start=1):
                    p.write(s, folder / f"alternative_{k}.csv")
                alt.to_csv(folder / "alternatives.csv", index=False, lineterminator="\n")
                results[oid]["alternatives"] = alt.to_dict(orient="records")
            if pareto and r.plan.has_solution:
                front = tradeoff(r, pareto, points, time_limit)
                front.to_csv(folder / f"pareto_{pareto}.csv", index=False, lineterminator="\n")
                results[oid]["pareto"] = front.to_dict(orient="records")
            bar.advance(task)
    write_json(out / "results.json", {"study": s.name, "options": results,
                                      "provenance": provenance(s, command="optimise", seed=seed, gap=gap,
                                                               time_limit=time_limit)})
    from appraisal.report.terminal import floors_table, method_lines, optimised_table

    unit = s.config.display_unit
    names = option_names(s)
    table = optimised_table(f"{s.name}: optimised plans", names, results, unit)
    for oid, r in results.items():
        if r["diagnosis"]:
            console.print(f"[yellow]{names.get(oid, oid)}:[/] {r['diagnosis']}", highlight=False)
        for w in r["warnings"]:
            err.print(f"[yellow]warning:[/] {w}", highlight=False, soft_wrap=True)
    console.print(table)
    for line in method_lines(names, results, unit):
        console.print(line, highlight=False, markup=False)
    floors = floors_table(results, unit)
    if floors is not None:
        console.print(floors)
    console.print(f"Plans written to {out}/<option>/ (plan.csv, document_plan.csv: plan tables that "
                  f"`reformkit appraise --plan FILE` reads) and {out}/results.json")
    statuses = {oid: r["status"] for oid, r in results.items()}
    if any(v == "infeasible" for v in statuses.values()):
        raise Infeasible(f"no plan satisfies the rules of option(s) "
                         f"{', '.join(o for o, v in statuses.items() if v == 'infeasible')} (diagnosis above)")
    if any(v == "no_solution" for v in statuses.values()):
        raise NoPlan(f"no plan found within the time limit for option(s) "
                     f"{', '.join(o for o, v in statuses.items() if v == 'no_solution')}; raise --time-limit")
    unexpected = sorted({v for v in statuses.values()} - {"optimal", "feasible"})
    if unexpected:
        raise RuntimeError(f"optimise ended with status {', '.join(unexpected)} (e.g. a plan that failed the constraint check)")


@app.command()
def buyin(study: StudyArg, out: OutOpt = Path("out/buyin"),
          option: Annotated[str | None, typer.Option("--option", help="Option id; default the preferred option")] = None,
          runs: Annotated[int, typer.Option("--runs", "-n", min=1, max=1_000_000, help="Replications")] = 500,
          seed: Annotated[int, typer.Option(min=0, max=SEED_MAX, help="Master seed; each run's seed is derived from it")] = 1,
          agent_based: Annotated[bool, typer.Option("--agent-based", help="Re-optimise with buy-in until the plan is stable")] = False,
          interventions: Annotated[bool, typer.Option("--interventions", help="Compare the study's intervention packages")] = False,
          calibrated: Annotated[bool, typer.Option("--calibrated", help="Draw behavioural parameters from the posterior fitted by `reformkit calibrate`")] = False,
          cheapest: Annotated[bool, typer.Option("--cheapest", help="Find the cheapest package of interventions that gets each vehicle agreed on time")] = False,
          target_prob: Annotated[float, typer.Option("--target-prob", help="With --cheapest: required P(agreed by the planned year)")] = 0.8,
          scheduler: SchedulerOpt = None, workers: WorkersOpt = 2):
    """Partner buy-in (Mesa): probability each vehicle is agreed by each year, median date, pivotal partners."""
    from appraisal.workflows.buyin import (agent_based_optimise, cheapest_package, compare_study_interventions,
                                           load_posterior, run_buyin)
    from appraisal.workflows.optimise import optimise_option
    from appraisal.workflows.outputs import write_json, write_tables
    from appraisal.workflows.provenance import provenance

    s = load(study, "buyin", *(("optimise",) if agent_based else ()))  # plain buy-in needs no services
    from appraisal.money.metrics import preferred_option

    oid = option or preferred_option(s)
    if oid not in set(s.tables["options"]["option_id"]):
        raise BadInput(f"unknown option '{oid}'; the study has {s.option_ids}")
    if not 0 < target_prob <= 1:
        raise BadInput(f"--target-prob must lie in (0, 1], not {target_prob}")
    posterior = load_posterior(study=s) if calibrated else None
    with dask_client(scheduler, workers) as client:
        with console.status(f"simulating {runs} runs of partner buy-in for option {oid}..."):
            if agent_based:
                loop = agent_based_optimise(s, oid, runs, seed, client=client, posterior=posterior)
                result, extra = loop.buyin, {"agent_based": loop.summary()}
                if result is None:  # no optimised plan to iterate on: say so, and run the document's plan
                    plan = loop.naive.plan
                    extra["agent_based"]["fallback"] = (f"no optimised plan ({plan.status}): agent-based "
                                                        "optimisation skipped; buy-in of the document's plan")
                    result = run_buyin(s, oid, runs, seed, plan=None, client=client, posterior=posterior)
            else:
                plan = optimise_option(s, oid, reproduce=False).plan
                result, extra = run_buyin(s, oid, runs, seed, plan=plan if plan.has_solution else None,
                                          client=client, posterior=posterior), {}
            compared = None
            if interventions:
                compared = compare_study_interventions(s, oid, runs, seed, plan=None if agent_based else plan,
                                                       client=client, posterior=posterior)
                extra["interventions"] = compared.to_dict(orient="records")
        route = None
        if cheapest:
            with console.status(f"searching the cheapest route to agreement (P ≥ {target_prob:.0%})..."):
                route = cheapest_package(s, oid, min(runs, 200), seed, target_prob, posterior=posterior,
                                         client=client)
                extra["cheapest"] = route.summary()
    summary = result.summary(s) | extra
    summary["provenance"] = provenance(s, command="buyin", seed=seed, runs=runs, option=oid,
                                       engine=summary.pop("provenance"))
    write_json(out / "results.json", summary)
    frames = {"outcomes": result.results.outcomes, "prob_by_year": result.prob_by_year,
              "median_establishment": result.median, "pivotal": result.pivotal, "power": result.power,
              "trajectories": result.results.trajectories}
    if compared is not None:
        frames["interventions"] = compared
    if route is not None:
        frames["cheapest_package"] = route.table
    write_tables(out, frames)
    from appraisal.report.terminal import buyin_table
    from appraisal.report.terminal_buyin import buyin_sections

    option_name = s.tables["options"].set_index("option_id")["name"].get(oid, oid)
    console.print(buyin_table(summary, s.years, f"{s.name}: buy-in for {option_name} ({runs} runs, seed {seed})",
                              console.width))
    vehicle_names = dict(zip(s.tables["vehicles"]["vehicle_id"], s.tables["vehicles"]["name"]))
    partner_names = dict(zip(s.tables["partners"]["partner_id"], s.tables["partners"]["name"]))
    for part in buyin_sections(summary, result.power, vehicle_names, partner_names,
                               route=None if route is None else route.table, compared=compared, target_prob=target_prob):
        console.print(part, highlight=False)
    console.print(f"Results written to {out}/results.json and {out}/tables/")


@app.command("calibrate")
def calibrate_cmd(study: Annotated[Path | None, typer.Argument(help="Study folder: fit to the base rates and this study's recorded evidence (stances, decision dates)")] = None,
                  option: Annotated[str | None, typer.Option("--option", help="With STUDY: the option whose vehicles' evidence is read; default the preferred option")] = None,
                  base_rates: Annotated[Path | None, typer.Option("--base-rates", help="Folder of reference_classes.csv, calibration_targets.csv, priors.csv")] = None,
                  seed: Annotated[int, typer.Option(min=0, max=SEED_MAX, help="Seed of the ABC-SMC sampler")] = 1,
                  population: Annotated[int, typer.Option("--population", min=2, max=100_000, help="Particles per generation")] = 100,
                  generations: Annotated[int, typer.Option("--generations", min=1, max=100, help="ABC-SMC generations (at most; it stops when every count is matched)")] = 6):
    """Fit the behavioural parameters (ABC-SMC, pyabc) to base rates of English partnership vehicles — and, with
    STUDY, jointly to what that study's documents record (each vehicle whose deciding members all have a recorded
    stance and decision date is one case). Writes posterior_particles.csv and posterior.json next to the base
    rates, or into STUDY/calibration/, for `reformkit buyin --calibrated`."""
    from appraisal.workflows.buyin import BASE_RATES, fit_base_rates, write_posterior
    from appraisal.workflows.buyin_calibration import study_posterior_folder

    folder = base_rates or BASE_RATES
    s = None
    if study is not None:
        s = load(study, "buyin")
        if option is not None and option not in s.option_ids:
            raise BadInput(f"unknown option '{option}'; the study has {s.option_ids}")
    what = f"the base rates in {folder}" + ("" if s is None else f" and the evidence of {s.name}")
    with console.status(f"calibrating to {what} ({population} particles × {generations} generations)..."):
        post = fit_base_rates(folder, seed=seed, population_size=population, generations=generations, study=s,
                              option_id=option)
    path = write_posterior(post, folder if s is None else study_posterior_folder(s))
    from appraisal.report.terminal_buyin import fitted_targets_table, posterior_table

    console.print(posterior_table(post.summary()["parameters"]))
    console.print(fitted_targets_table(post.targets))
    if s is not None and not post.info.get("study_targets"):
        console.print(f"{s.name} records no vehicle whose deciding members all have a stance and a decision date: "
                      "the fit rests on the base rates alone", highlight=False)
    console.print(f"final distance {post.history['epsilon'].iloc[-1]:.3f} after {len(post.history)} generations; "
                  f"written to {path}")


@app.command()
def score(study: StudyArg, out: OutOpt = Path("out/score"),
          smaa_runs: Annotated[int, typer.Option("--smaa-runs", min=1, max=10_000_000,
                                                 help="Monte Carlo draws for rank acceptability")] = 10_000,
          seed: Annotated[int, typer.Option(min=0, max=SEED_MAX, help="Seed of the SMAA draws")] = 0):
    """Value-driver scores, ranks, weight swings, SMAA acceptabilities and switching values."""
    from appraisal.workflows.outputs import write_json, write_tables
    from appraisal.workflows.score import score_outputs

    s = load(study, "score")
    summary, tables = score_outputs(s, smaa_runs=smaa_runs, seed=seed)
    write_json(out / "results.json", summary)
    write_tables(out, tables)
    from appraisal.report.terminal import scores_table

    console.print(scores_table(f"{s.name}: value-driver scores (0–100, swing weights)", option_names(s), summary))
    if summary["tied"]:
        console.print(f"[yellow]Tie for first place:[/] {', '.join(summary['preferred'])} — see the weight swings")
    console.print(f"Results written to {out}/results.json and {out}/tables/")


@app.command()
def sensitivity(study: StudyArg, out: OutOpt = Path("out/sensitivity"),
                method: Annotated[str, typer.Option(help="sobol | morris | montecarlo")] = "sobol",
                n: Annotated[int, typer.Option("-n", min=1, max=10_000_000,
                                               help="Sobol base N (a power of 2, at least 4), Morris trajectories "
                                                    "or Monte Carlo runs")] = 256,
                seed: Annotated[int, typer.Option(min=0, max=SEED_MAX, help="Sampling seed")] = 0,
                reoptimise: Annotated[bool, typer.Option("--reoptimise", help="Re-solve the MILP per sample")] = False,
                optimised: Annotated[bool, typer.Option("--optimised", help="Fix each option's optimised plan instead of the study's own")] = False,
                agents: Annotated[bool, typer.Option("--agents", help="Simulate partner buy-in in every sample")] = False,
                scheduler: SchedulerOpt = None, workers: WorkersOpt = 2):
    """Sobol, Morris or Monte Carlo study of the declared uncertainties; resumable (DuckDB store in OUT)."""
    from appraisal.workflows.outputs import write_json, write_tables
    from appraisal.workflows.provenance import provenance
    from appraisal.workflows.sensitivity import run_sensitivity

    check_method(method, n, "-n")
    s = load(study, "sensitivity", *(("optimise",) if optimised or reoptimise else ()))
    plans = optimised_plans(s) if optimised else None
    sched = scheduler or ("serial" if workers <= 0 else None)
    run = run_sensitivity(s, method, n, out, seed=seed, scheduler=sched, n_workers=workers or None, plans=plans,
                          agents=agents, reoptimise=reoptimise)
    summary = {"method": method, "n": n, "seed": seed, "runs": len(run.outputs), "computed": run.computed,
               "resumed_from": run.resumed_from, "model": "reoptimise" if reoptimise else
               ("optimised plans" if optimised else "study plans") + (" + agents" if agents else ""),
               "scenario_discovery": run.discovery, "outcomes": {}}
    tables = {"samples": run.samples.reset_index(), "outputs": run.outputs.reset_index()}
    for name, res in run.analysis.items():
        frame = getattr(res, "indices", None)
        if frame is None:
            frame = res.summary.to_frame("value")
        frame = frame.reset_index()
        summary["outcomes"][name] = {"indices": frame.to_dict(orient="records"),
                                     "converged": getattr(res, "converged", None)}
        tables[f"indices_{name.replace('.', '_')}"] = frame
    summary["provenance"] = provenance(s, command="sensitivity", method=method, n=n, seed=seed)
    write_json(out / "results.json", summary)
    write_tables(out, tables)
    console.print(f"{len(run.outputs)} runs ({run.computed} computed now, {run.resumed_from} resumed from {run.store})")
    from appraisal.report.terminal import discovery_line, sensitivity_tables

    if run.discovery:
        console.print(discovery_line(run.discovery))
    labels = s.tables["uncertainties"].set_index("parameter")["label"].to_dict()
    for table in sensitivity_tables(run.analysis, labels, option_names(s)):
        console.print(table)
    console.print(f"Results written to {out}/results.json and {out}/tables/")


def check_method(method: str, n: int, flag: str) -> None:
    if method not in ("sobol", "morris", "montecarlo"):
        raise BadInput(f"--method must be sobol, morris or montecarlo, got '{method}'")
    if method == "sobol" and (n < 4 or n & (n - 1)):
        raise BadInput(f"{flag} must be a power of 2 (at least 4) for Sobol sampling, got {n}")


def optimised_plans(s) -> dict:
    """Each option's optimised plan (options with no feasible plan keep their document plan)."""
    from appraisal.workflows.optimise import optimise_option

    plans = {}
    for oid in s.option_ids:
        r = optimise_option(s, oid, reproduce=False)
        if r.optimised is not None:
            plans[oid] = r.optimised
    return plans


@app.command()
def run(study: StudyArg, out: OutOpt = Path("out/run"),
        runs: Annotated[int, typer.Option("--runs", "-n", min=1, max=1_000_000, help="Buy-in replications per option")] = 300,
        seed: Annotated[int, typer.Option(min=0, max=SEED_MAX, help="Master seed for buy-in, scoring and sampling")] = 1,
        method: Annotated[str, typer.Option(help="Sensitivity method: sobol | morris | montecarlo")] = "sobol",
        samples: Annotated[int, typer.Option(min=1, max=10_000_000, help="Sensitivity base sample size (Sobol: a "
                                                                           "power of 2, at least 4)")] = 128,
        time_limit: Annotated[float, typer.Option(min=0.01, max=1e6, help="Seconds per MILP solve")] = 60.0,
        pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also print report.pdf with Chromium")] = True,
        calibrated: Annotated[bool, typer.Option("--calibrated/--uncalibrated",
                                                 help="Buy-in draws behavioural parameters from the stored calibration "
                                                      "(`reformkit calibrate`), or uses the judgement defaults")] = True,
        decompose: Annotated[bool, typer.Option("--decompose", help="Optimise as `reformkit optimise --decompose` "
                                                                    "(regions on the --workers)")] = False,
        scheduler: SchedulerOpt = None, workers: WorkersOpt = 0):
    """The whole pipeline for every option, then report.html (+ PDF), results.json and results.xlsx."""
    from appraisal.report.terminal import options_table, step_lines, steps
    from appraisal.workflows.run import RunSettings, run_study

    check_method(method, samples, "--samples")
    s = load(study)
    settings = RunSettings(runs=runs, seed=seed, sensitivity_method=method, sensitivity_n=samples,
                           time_limit=time_limit, pdf=pdf, workers=workers or None, calibrated=calibrated,
                           scheduler=scheduler or ("serial" if workers <= 0 else None), decompose=decompose)
    with steps(err, total=6) as step, dask_client(scheduler, workers if decompose else 0) as client:
        output = run_study(s, out, settings, progress=step, client=client)
    r = output.results
    for line in step_lines(r, output.seconds):
        console.print(line, highlight=False, markup=False)
    console.print(options_table(r))
    report = output.report
    console.print(f"Report: {report.html}" + (f" and {report.pdf}" if report.pdf else "")
                  + (f" ({output.seconds['report']:.1f} s)" if "report" in output.seconds else ""),
                  highlight=False, markup=False, soft_wrap=True)
    if report.message:
        console.print(f"[yellow]{report.message}[/]", highlight=False)
    console.print(f"Everything in {out}/ ({output.seconds['total']:.1f} s)")


def progress_bar():
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=err, transient=False)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
