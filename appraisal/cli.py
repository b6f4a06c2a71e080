"""The `reformkit` command line. Each command reads a study, runs engines through `appraisal`, writes DIR."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from appraisal.exit_codes import BAD_INPUT
from appraisal.study import StudyError, load_study

app = typer.Typer(help="reformkit: optimise, simulate and appraise public-service reform options.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
console = Console()
err = Console(stderr=True)

StudyArg = Annotated[Path, typer.Argument(help="Study folder (study.yaml + tables)")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Folder for results")]


SchedulerOpt = Annotated[str | None, typer.Option("--scheduler", help="Join a dask cluster at tcp://HOST:PORT")]
WorkersOpt = Annotated[int, typer.Option("--workers", help="Local dask worker processes (0 = run in this process)")]


@contextmanager
def dask_client(scheduler: str | None, workers: int):
    """A dask.distributed client: the given scheduler, a LocalCluster of `workers` processes, or none."""
    if scheduler is None and workers <= 0:
        yield None
        return
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler, timeout="20s") as client:
            yield client
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        yield client


@contextmanager
def user_errors():
    """Bad input ends with one line per problem and exit code 2, never a traceback."""
    try:
        yield
    except StudyError as exc:
        err.print(f"[bold red]The study has {len(exc.problems)} problem(s):[/]")
        for problem in exc.problems:
            err.print(f"  {problem}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(BAD_INPUT) from None
    except (FileExistsError, FileNotFoundError, ValueError) as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(BAD_INPUT) from None


def money(value: float | None, unit: str = "gbp_m") -> str:
    if value is None:
        return "–"
    scale, suffix = {"gbp": (1, ""), "gbp_k": (1e3, "k"), "gbp_m": (1e6, "m")}[unit]
    sign = "−" if value < 0 else ""
    return f"{sign}£{abs(value) / scale:,.{1 if unit == 'gbp_m' else 0}f}{suffix}"


@app.command()
def init(folder: Annotated[Path, typer.Argument(help="New folder for the study")],
         excel: Annotated[bool, typer.Option("--excel", help="One workbook instead of CSV files")] = False):
    """Write a commented study template to fill in."""
    from appraisal.study.template import write_template

    with user_errors():
        files = write_template(folder, excel=excel)
    console.print(f"Wrote {len(files)} files to {folder}. Edit them, then run: reformkit validate {folder}")


@app.command()
def convert(study: StudyArg, folder: Annotated[Path, typer.Argument(help="New folder for the workbook study")]):
    """Turn a CSV study into one Excel workbook (a sheet per table) that strategy teams can edit."""
    from appraisal.study.template import study_to_workbook

    with user_errors():
        load_study(study)
        files = study_to_workbook(study, folder)
        load_study(folder)
    console.print(f"Wrote {', '.join(str(f) for f in files)}; edit the workbook, then: reformkit validate {folder}")


@app.command()
def validate(study: StudyArg):
    """Check a study's schema and cross-references; list every problem (exit code 2 if any)."""
    from appraisal.money.checks import study_warnings

    with user_errors():
        s = load_study(study)
        warnings = study_warnings(s)
    counts = ", ".join(f"{len(f)} {name}" for name, f in s.tables.items() if len(f))
    console.print(f"[green]OK[/] {s.name}: {counts}; horizon {s.years[0]}–{s.years[-1]}")
    print_notes(s, warnings)


def print_notes(s, warnings: list[str]) -> None:
    """The study's one-line notes (e.g. a deprecated format) and the money warnings, on stderr."""
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

    with user_errors():
        s = load_study(study)
        if out.resolve() == study.resolve():
            raise ValueError("--out must be a new folder, not the study itself")
        files = write_study(s, out)
        load_study(out)
    console.print(f"Wrote {len(files)} files to {out} (format 2). Check it with: reformkit validate {out}")


@app.command()
def describe(study: StudyArg):
    """Print summary tables of a study."""
    with user_errors():
        s = load_study(study)
    table = Table(title=f"{s.name} ({s.years[0]}–{s.years[-1]}, discounting: {s.config.discounting.schedule})")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("from")
    for name, frame in s.tables.items():
        if len(frame):
            table.add_row(name, str(len(frame)), s.sources[name])
    console.print(table)
    options = Table(title="Options")
    for col in ("option", "name", "benefit lines", "cost lines"):
        options.add_column(col)
    for row in s.tables["options"].itertuples(index=False):
        nb = sum(1 for o in s.tables["benefits"]["options"] if not o or row.option_id in o)
        nc = sum(1 for o in s.tables["costs"]["options"] if not o or row.option_id in o)
        options.add_row(row.option_id, row.name, str(nb), str(nc))
    console.print(options)


PlanOpt = Annotated[str, typer.Option("--plan", help="document (each option's document plan), optimised (solve "
                                                     "each option), or a plan table FILE (.csv/.xlsx)")]


def chosen_plans(s, plan: str) -> dict | None:
    """The plans `--plan` names: None = the document plans; optimised; or read from a plan table."""
    if plan == "document":
        return None
    if plan == "optimised":
        return optimised_plans(s)
    from appraisal.money.plans import read_plans

    path = Path(plan)
    if not path.exists():
        raise ValueError(f"--plan takes 'document', 'optimised' or a plan table file; '{plan}' is none of them")
    return read_plans(s, path)


@app.command()
def appraise(study: StudyArg, out: OutOpt = Path("out/appraise"), plan: PlanOpt = "document"):
    """The financial case per option under a plan: profiles, adjustments, discounting, NPSV/NPV, BCR, payback,
    funding."""
    from appraisal.workflows.appraise import financial_case, write_financial_case

    with user_errors():
        s = load_study(study)
        case = financial_case(s, chosen_plans(s, plan))
        write_financial_case(case, out)
    print_notes(s, case.warnings)
    unit = s.config.display_unit
    table = Table(title=f"{s.name}: financial case ({s.config.discounting.schedule} discounting)")
    for col in ("option", "benefits (adj.)", "costs (adj.)", "NPSV", "BCR", "payback", "funding need"):
        table.add_column(col, justify="right")
    for oid, r in case.options.items():
        m = r.metrics
        table.add_row(f"{oid} ({r.plan.kind})", money(m["benefits_adjusted_total_gbp"], unit), money(m["costs_adjusted_total_gbp"], unit),
                      money(m["npsv_gbp"], unit), "–" if m["bcr"] is None else f"{m['bcr']:.2f}",
                      m["payback_year"] or "never", money(m["funding_requirement_gbp"], unit))
    console.print(table)
    console.print(f"Results written to {out}/results.json, tables/, results.xlsx, manifest.json")


@app.command()
def optimise(study: StudyArg, out: OutOpt = Path("out/optimise"),
             option: Annotated[list[str] | None, typer.Option("--option", help="Option id (repeatable); default all")] = None,
             time_limit: Annotated[float | None, typer.Option(help="Seconds per solve, a promise: each solve answers within "
                                                                  "this + model build + 10%, with the best plan found, its bound and gap")] = None,
             gap: Annotated[float, typer.Option(help="Relative optimality gap to stop at")] = 1e-6,
             seed: Annotated[int, typer.Option(help="HiGHS random seed")] = 0,
             alternatives: Annotated[int, typer.Option("--alternatives", help="Near-optimal plans that differ most (MGA)")] = 0,
             slack: Annotated[float, typer.Option(help="Alternatives lie within this % of the optimum")] = 5.0,
             pareto: Annotated[str | None, typer.Option(help="Trade-off front of NPSV against 'funding' or 'score'")] = None,
             points: Annotated[int, typer.Option(help="Points on the trade-off front")] = 5,
             decompose: Annotated[bool, typer.Option("--decompose", help="Solve independent blocks of services apart")] = False,
             scheduler: SchedulerOpt = None,
             workers: Annotated[int, typer.Option("--workers", help="Dask workers for --decompose (0 = in this process)")] = 0):
    """Best placement of services into vehicles, sites and years per option (Pyomo + HiGHS).

    Exit codes: 0 every option has a plan; 2 bad input (study or arguments); 3 some option is infeasible
    (no plan satisfies its rules; the diagnosis is printed); 4 no infeasible option, but for some option no plan
    was found within the time limit; 1 an unexpected internal error (e.g. a plan that failed the constraint check).
    """
    from appraisal import exit_codes
    from appraisal.workflows.optimise import near_optimal, optimise_option, tradeoff
    from appraisal.workflows.outputs import write_json
    from appraisal.workflows.provenance import provenance

    with user_errors():
        s = load_study(study)
        chosen = option or s.option_ids
        unknown = sorted(set(chosen) - set(s.tables["options"]["option_id"]))
        if unknown:
            raise ValueError(f"unknown option(s) {unknown}; the study has {s.option_ids}")
        results = {}
        with progress_bar() as bar, dask_client(scheduler, workers if decompose else 0) as client:
            task = bar.add_task("optimising", total=len(chosen))
            for oid in chosen:
                bar.update(task, description=f"option {oid}")
                r = optimise_option(s, oid, time_limit=time_limit, rel_gap=gap, seed=seed, decompose=decompose,
                                    client=client)
                results[oid] = r.summary()
                r.plan.write(out / oid)
                if r.optimised is not None:
                    r.optimised.write(s, out / oid / "plan.csv")
                if r.document is not None:
                    r.document.plan.write(s, out / oid / "document_plan.csv")
                if alternatives > 0 and r.plan.has_solution:
                    alt, alt_plans = near_optimal(s, r, alternatives, slack, time_limit)
                    for k, p in enumerate(alt_plans, start=1):
                        p.write(s, out / oid / f"alternative_{k}.csv")
                    alt.to_csv(out / oid / "alternatives.csv", index=False, lineterminator="\n")
                    results[oid]["alternatives"] = alt.to_dict(orient="records")
                if pareto and r.plan.has_solution:
                    if pareto not in ("funding", "score"):
                        raise ValueError(f"--pareto takes 'funding' or 'score', got '{pareto}'")
                    front = tradeoff(r, pareto, points, time_limit)
                    front.to_csv(out / oid / f"pareto_{pareto}.csv", index=False, lineterminator="\n")
                    results[oid]["pareto"] = front.to_dict(orient="records")
                bar.advance(task)
    write_json(out / "results.json", {"study": s.name, "options": results,
                                      "provenance": provenance(s, command="optimise", seed=seed, gap=gap,
                                                               time_limit=time_limit)})
    table = Table(title=f"{s.name}: optimised plans")
    for col in ("option", "status", "NPSV", "gap", "document plan NPSV", "seconds"):
        table.add_column(col, justify="right")
    unit = s.config.display_unit
    for oid, r in results.items():
        table.add_row(oid, r["status"], money(r["npsv_gbp"], unit), "–" if r["gap"] is None else f"{r['gap']:.2%}",
                      money(r["document_plan_npsv_gbp"], unit), f"{r['solve_seconds'] or 0:.2f}")
        if r["diagnosis"]:
            console.print(f"[yellow]{oid}:[/] {r['diagnosis']}", highlight=False)
        for w in r["warnings"]:
            err.print(f"[yellow]warning:[/] {w}", highlight=False, soft_wrap=True)
    console.print(table)
    _print_floors(results, unit)
    console.print(f"Plans written to {out}/<option>/ (plan.csv, document_plan.csv: plan tables that "
                  f"`reformkit appraise --plan FILE` reads) and {out}/results.json")
    statuses = {r["status"] for r in results.values()}
    if "infeasible" in statuses:
        raise typer.Exit(exit_codes.INFEASIBLE)
    if "no_solution" in statuses:
        raise typer.Exit(exit_codes.NO_PLAN)
    if statuses - {"optimal", "feasible"}:
        raise typer.Exit(1)


def _print_floors(results: dict, unit) -> None:
    """The floors of each option's optimised plan: figure, bound, slack, whether binding, price (£ per £ relaxed)."""
    rows = [(oid, f) for oid, r in results.items() for f in (r.get("floors") or [])]
    if not rows:
        return
    table = Table(title="floors and targets (binding = dropping the floor would raise NPSV)")
    for col in ("option", "floor", "year", "sense", "bound", "plan", "binding", "shadow price", "cost of floor"):
        table.add_column(col, justify="right", no_wrap=col in ("floor", "year", "sense"))
    for oid, f in rows:
        fmt = (lambda v: f"{v:g}") if f["measure"] == "members" else (lambda v: money(v, unit))
        price = f"£{f['shadow_price_gbp']:,.3g}/{'service' if f['measure'] == 'members' else '£'}"
        table.add_row(oid, f["floor_id"], f["year"], f["sense"].replace("_", " "), fmt(f["bound"]), fmt(f["value"]),
                      "yes" if f["binding"] else "no", price, money(f["cost_of_floor_gbp"], "gbp"))
    console.print(table)


@app.command()
def buyin(study: StudyArg, out: OutOpt = Path("out/buyin"),
          option: Annotated[str | None, typer.Option("--option", help="Option id; default the preferred option")] = None,
          runs: Annotated[int, typer.Option("--runs", "-n", help="Replications")] = 500,
          seed: Annotated[int, typer.Option(help="Master seed; each run's seed is derived from it")] = 1,
          agent_based: Annotated[bool, typer.Option("--agent-based", help="Re-optimise with buy-in until the plan is stable")] = False,
          interventions: Annotated[bool, typer.Option("--interventions", help="Compare the study's intervention packages")] = False,
          scheduler: SchedulerOpt = None, workers: WorkersOpt = 2):
    """Partner buy-in (Mesa): probability each vehicle is agreed by each year, median date, pivotal partners."""
    from appraisal.workflows.buyin import agent_based_optimise, compare_study_interventions, run_buyin
    from appraisal.workflows.optimise import optimise_option
    from appraisal.workflows.outputs import write_json, write_tables
    from appraisal.workflows.provenance import provenance

    with user_errors():
        s = load_study(study)
        from appraisal.money.metrics import preferred_option

        oid = option or preferred_option(s)
        if oid not in set(s.tables["options"]["option_id"]):
            raise ValueError(f"unknown option '{oid}'; the study has {s.option_ids}")
        with dask_client(scheduler, workers) as client:
            with console.status(f"simulating {runs} runs of partner buy-in for option {oid}..."):
                if agent_based:
                    loop = agent_based_optimise(s, oid, runs, seed, client=client)
                    result, extra = loop.buyin, {"agent_based": loop.summary()}
                else:
                    plan = optimise_option(s, oid, reproduce=False).plan
                    result, extra = run_buyin(s, oid, runs, seed, plan=plan if plan.has_solution else None,
                                              client=client), {}
                compared = None
                if interventions:
                    compared = compare_study_interventions(s, oid, runs, seed, plan=None if agent_based else plan,
                                                           client=client)
                    extra["interventions"] = compared.to_dict(orient="records")
    summary = result.summary(s) | extra
    summary["provenance"] = provenance(s, command="buyin", seed=seed, runs=runs, option=oid,
                                       engine=summary.pop("provenance"))
    write_json(out / "results.json", summary)
    frames = {"outcomes": result.results.outcomes, "prob_by_year": result.prob_by_year,
              "median_establishment": result.median, "pivotal": result.pivotal,
              "trajectories": result.results.trajectories}
    if compared is not None:
        frames["interventions"] = compared
    write_tables(out, frames)
    table = Table(title=f"{s.name}: buy-in for option {oid} ({runs} runs, seed {seed})")
    table.add_column("vehicle")
    for year in s.years:
        table.add_column(year, justify="right")
    table.add_column("median agreed")
    for vid, v in summary["vehicles"].items():
        table.add_row(v["name"], *[f"{v['prob_by_year'][y]:.0%}" for y in s.years], v["median_establishment"] or "never")
    console.print(table)
    if compared is not None:
        itable = Table(title="Intervention packages against doing nothing")
        for col in ("package", "vehicle", "P(agreed)", "change", "expected delay (years)", "cost a year"):
            itable.add_column(col, justify="right")
        for r in compared.itertuples(index=False):
            itable.add_row(r.scenario, r.vehicle_id, f"{r.prob_agreed:.0%}", f"{r.delta_prob_agreed:+.0%}",
                           f"{r.expected_delay_years:.2f}", money(r.cost_gbp, "gbp"))
        console.print(itable)
    if "agent_based" in extra:
        a = extra["agent_based"]
        console.print(f"Agent-based optimisation: {len(a['iterations'])} iteration(s); NPSV under buy-in "
                      f"{money(a['naive_npsv_under_buyin_gbp'])} naive vs {money(a['aware_npsv_under_buyin_gbp'])} buy-in-aware")
    console.print(f"Results written to {out}/results.json and {out}/tables/")


@app.command()
def score(study: StudyArg, out: OutOpt = Path("out/score"),
          smaa_runs: Annotated[int, typer.Option("--smaa-runs", help="Monte Carlo draws for rank acceptability")] = 10_000,
          seed: Annotated[int, typer.Option(help="Seed of the SMAA draws")] = 0):
    """Value-driver scores, ranks, weight swings, SMAA acceptabilities and switching values."""
    from appraisal.workflows.appraise import financial_case
    from appraisal.workflows.outputs import write_json, write_tables
    from appraisal.workflows.provenance import provenance
    from appraisal.uncertainty.scenario import scenario_model
    from appraisal.workflows.score import score_study
    from appraisal.workflows.sensitivity import ranges, switching

    with user_errors():
        s = load_study(study)
        case = financial_case(s)
        scoring = score_study(s, {o: r.metrics for o, r in case.options.items()}, smaa_n=smaa_runs, seed=seed)
        summary = scoring.summary(s)
        tables = {"scores": scoring.result.table.reset_index(), "rag": scoring.rag.reset_index(),
                  "weight_swings": scoring.swings.astype({"ranking": str, "preferred": str}),
                  "acceptability": scoring.smaa.acceptability.rename(columns=str).reset_index()}
        if not s.tables["uncertainties"].empty:
            from appraisal.money.metrics import preferred_option

            target = preferred_option(s, {o: r.metrics["npsv_gbp"] for o, r in case.options.items()})
            sv = switching(scenario_model(s), ranges(s), target)
            summary["switching"] = sv.to_dict(orient="records")
            tables["switching_values"] = sv
    summary["provenance"] = provenance(s, command="score", seed=seed, smaa_runs=smaa_runs)
    write_json(out / "results.json", summary)
    write_tables(out, tables)
    table = Table(title=f"{s.name}: value-driver scores (0–100, swing weights)")
    table.add_column("option")
    for d in summary["drivers"]:
        table.add_column(f"{d['name']} ({d['weight']:.0%})", justify="right")
    for col in ("total", "rank", "P(first)"):
        table.add_column(col, justify="right")
    for o in summary["total"]:
        table.add_row(o, *[f"{abs(summary['scores'][o][d['driver_id']]):.0f} {summary['rag'][o][d['driver_id']][0]}"
                           for d in summary["drivers"]],
                      f"{summary['total'][o]:.1f}", str(summary["rank"][o]), f"{summary['acceptability'][o]['1']:.0%}")
    console.print(table)
    if summary["tied"]:
        console.print(f"[yellow]Tie for first place:[/] {', '.join(summary['preferred'])} — see the weight swings")
    console.print(f"Results written to {out}/results.json and {out}/tables/")


@app.command()
def sensitivity(study: StudyArg, out: OutOpt = Path("out/sensitivity"),
                method: Annotated[str, typer.Option(help="sobol | morris | montecarlo")] = "sobol",
                n: Annotated[int, typer.Option("-n", help="Sobol base N, Morris trajectories or Monte Carlo runs")] = 256,
                seed: Annotated[int, typer.Option(help="Sampling seed")] = 0,
                reoptimise: Annotated[bool, typer.Option("--reoptimise", help="Re-solve the MILP per sample")] = False,
                optimised: Annotated[bool, typer.Option("--optimised", help="Fix each option's optimised plan instead of the study's own")] = False,
                agents: Annotated[bool, typer.Option("--agents", help="Simulate partner buy-in in every sample")] = False,
                scheduler: SchedulerOpt = None, workers: WorkersOpt = 2):
    """Sobol, Morris or Monte Carlo study of the declared uncertainties; resumable (DuckDB store in OUT)."""
    from appraisal.workflows.outputs import write_json, write_tables
    from appraisal.workflows.provenance import provenance
    from appraisal.workflows.sensitivity import run_sensitivity

    if method not in ("sobol", "morris", "montecarlo"):
        err.print(f"[bold red]error:[/] --method must be sobol, morris or montecarlo, got '{method}'")
        raise typer.Exit(2)
    with user_errors():
        s = load_study(study)
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
    if run.discovery:
        d = run.discovery
        console.print(f"Option {d['preferred']} fails (NPSV below zero or beaten) in {d['share']:.0%} of samples"
                      + (f"; PRIM box (coverage {d['coverage']:.0%}, density {d['density']:.0%}): "
                         + ", ".join(f"{k} in [{lo:.3g}, {hi:.3g}]" for k, (lo, hi) in d["box"].items())
                         if d.get("box") else ""))
    for name, res in run.analysis.items():
        frame = getattr(res, "indices", None)
        if frame is not None:
            console.print(f"[bold]{name}[/]")
            console.print(frame.round(3).to_string())
    console.print(f"Results written to {out}/results.json and {out}/tables/")


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
        runs: Annotated[int, typer.Option("--runs", "-n", help="Buy-in replications per option")] = 300,
        seed: Annotated[int, typer.Option(help="Master seed for buy-in, scoring and sampling")] = 1,
        method: Annotated[str, typer.Option(help="Sensitivity method: sobol | morris | montecarlo")] = "sobol",
        samples: Annotated[int, typer.Option(help="Sensitivity base sample size")] = 128,
        time_limit: Annotated[float, typer.Option(help="Seconds per MILP solve")] = 60.0,
        pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also print report.pdf with Chromium")] = True,
        scheduler: SchedulerOpt = None, workers: WorkersOpt = 0):
    """The whole pipeline for every option, then report.html (+ PDF), results.json and results.xlsx."""
    from appraisal.workflows.run import RunSettings, run_study

    with user_errors():
        s = load_study(study)
        settings = RunSettings(runs=runs, seed=seed, sensitivity_method=method, sensitivity_n=samples,
                               time_limit=time_limit, pdf=pdf, workers=workers or None,
                               scheduler=scheduler or ("serial" if workers <= 0 else None))
        with progress_bar() as bar:
            task = bar.add_task("starting", total=6)

            def step(name):
                bar.update(task, description=name, advance=0 if bar.tasks[0].description == "starting" else 1)

            output = run_study(s, out, settings, progress=step)
            bar.update(task, completed=6, description="done")
    r = output.results
    unit = s.config.display_unit
    table = Table(title=f"{s.name}: options")
    for col in ("option", "NPSV (document plan)", "NPSV (optimised)", "funding need", "score", "rank", "P(agreed on time)"):
        table.add_column(col, justify="right")
    for oid, node in r["options"].items():
        m, opt = node["metrics"], r.get("optimise", {}).get(oid, {})
        sc = r.get("scoring", {})
        table.add_row(oid, money(m["npsv_gbp"], unit), money(opt.get("npsv_gbp"), unit),
                      money(m["funding_requirement_gbp"], unit),
                      f"{sc['total'][oid]:.1f}" if oid in sc.get("total", {}) else "–",
                      str(sc.get("rank", {}).get(oid, "–")),
                      f"{r.get('buyin_by_option', {}).get(oid, {}).get('prob_agreed_on_time', float('nan')):.0%}")
    console.print(table)
    for note in r.get("notes_run", []):
        console.print(f"[yellow]{note}[/]", highlight=False)
    targets = r.get("targets") or []
    if targets:
        held = sum(t["within_tolerance"] for t in targets)
        console.print(f"Document figures reproduced: {held} of {len(targets)}")
    report = output.report
    console.print(f"[bold]Report:[/] {report.html}" + (f" and {report.pdf}" if report.pdf else ""))
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
