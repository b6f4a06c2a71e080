"""`reformkit run`: the whole pipeline for every option, and the cabinet report.

Steps: financial case (money engine) → optimised and document plans (MILP) → partner buy-in of each
option's plan (agent model) → value-driver scoring with robustness → sensitivity, tornado and switching
values when the study declares uncertainties → report.html / report.pdf, results.json, results.xlsx.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from appraisal.workflows.buyin import compare_study_interventions, run_buyin
from appraisal.money.metrics import preferred_option
from appraisal.workflows.appraise import financial_case
from appraisal.workflows.optimise import OptionPlan, optimise_option
from appraisal.workflows.outputs import write_json, write_tables
from appraisal.workflows.provenance import provenance
from appraisal.uncertainty.risk import risk_params
from appraisal.uncertainty.scenario import scenario_model
from appraisal.workflows.score import score_study
from appraisal.money.estates import estate_decisions
from appraisal.study import Study
from appraisal.workflows.sensitivity import ranges, run_sensitivity, switching, tornado


@dataclass
class RunSettings:
    runs: int = 300  # buy-in replications per option
    seed: int = 1
    sensitivity_method: str = "sobol"
    sensitivity_n: int = 128
    time_limit: float | None = 60.0  # per MILP solve; the best plan found is kept with its gap
    scheduler: str | None = "serial"  # "serial", None (LocalCluster) or tcp://HOST:PORT
    workers: int | None = None
    pdf: bool = True
    calibrated: bool = True  # buy-in draws its behavioural parameters from the stored calibration when it loads
    decompose: bool = False  # optimise by independent blocks, or by region when national caps tie them (optimise --decompose)


@dataclass
class RunOutput:
    results: dict
    tables: dict[str, pd.DataFrame]
    report: object = None
    seconds: dict = field(default_factory=dict)


def _names(study: Study, table: str, key: str) -> dict:
    return study.tables[table].set_index(key)["name"].to_dict()


def _records(frame: pd.DataFrame, key: str, cols: list[str]) -> dict:
    cols = [c for c in cols if c in frame]
    return {str(r[key]): {c: (None if pd.isna(r[c]) else r[c]) for c in cols} for _, r in frame.iterrows()}


def study_labels(study: Study) -> dict:
    """Human names and short descriptions for the report: options, vehicles, partners, uncertain parameters."""
    t = study.tables
    out = {"description": study.config.description.strip(),
           "options": _records(t["options"], "option_id", ["name", "description", "builds_on", "view_of"]),
           "vehicles": _records(t["vehicles"], "vehicle_id", ["name", "kind", "planned_year", "governance_rule"]),
           "partners": _records(t["partners"], "partner_id", ["name", "type"]),
           "sites": _records(t["sites"], "site_id", ["name"]),
           "parameters": _records(t["uncertainties"], "parameter", ["label", "distribution", "low", "mode", "high",
                                                                    "source"])}
    deps = t.get("vehicle_dependencies")
    if deps is not None and not deps.empty:
        out["dependencies"] = deps.drop(columns=["source_row"], errors="ignore").to_dict(orient="records")
    return out


def on_time_probability(outcomes: pd.DataFrame, vehicles_used: set[str]) -> float:
    """Share of runs in which every vehicle the plan uses is established by the end of its planned year."""
    mine = outcomes[outcomes["vehicle_id"].isin(vehicles_used)]
    if mine.empty:
        return 1.0
    on_time = mine["established_month"] < (mine["planned_month"] // 12 + 1) * 12  # NaN compares False
    return float(on_time.groupby(mine["run"]).all().mean())


def _plan_tables(study: Study, plans: dict[str, OptionPlan]) -> dict[str, pd.DataFrame]:
    services, vehicles = _names(study, "services", "service_id"), _names(study, "vehicles", "vehicle_id")
    assignment, profiles = [], []
    for oid, r in plans.items():
        a = r.plan.assignment.copy()
        a.insert(0, "option_id", oid)
        a["service_name"] = a["service_id"].map(services)
        a["vehicle_name"] = a["vehicle_id"].map(vehicles)
        a["transfer_year"] = a["year"]
        assignment.append(a.drop(columns=["year"]))
        if r.plan.has_solution:
            profiles.append(r.plan.profile.assign(option_id=oid))
    out = {"assignment": pd.concat(assignment, ignore_index=True)}
    estate = [estate_decisions(study, r.appraisal.plan, r.appraisal.streams).assign(option_id=oid)
              for oid, r in plans.items() if r.appraisal is not None]
    estate = [e for e in estate if len(e)]
    if estate:  # existing buildings: kept, co-located into or released (docs/money.md, Estates)
        out["estate"] = pd.concat(estate, ignore_index=True)
    if profiles:
        out["plan_profile"] = pd.concat(profiles, ignore_index=True)
    return out


def run_study(study: Study, out: Path, settings: RunSettings | None = None, progress=None, client=None) -> RunOutput:
    """Run every step, write every output into `out`, return the results and tables. ``client`` (dask): where
    the regions of a decomposed optimisation run (``settings.decompose``)."""
    s = settings or RunSettings()
    step = progress or (lambda name: None)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    step("financial case")
    case = financial_case(study)
    results = case.results()
    results["labels"] = study_labels(study)
    tables = case.tables()
    metrics = {oid: dict(r.metrics) for oid, r in case.options.items()}
    timings["financial_case"] = time.perf_counter() - clock

    step("optimising placements")
    t0 = time.perf_counter()
    plans = {oid: optimise_option(study, oid, time_limit=s.time_limit, seed=s.seed, decompose=s.decompose, client=client)
             for oid in study.option_ids}
    results["optimise"] = {oid: r.summary() for oid, r in plans.items()}
    for oid, r in plans.items():
        results["warnings"] = results.get("warnings", []) + [w for w in r.warnings if w not in results.get("warnings", [])]
    tables |= _plan_tables(study, plans)
    for oid, r in plans.items():
        metrics[oid]["optimised_npsv_gbp"] = r.npsv_gbp
    timings["optimise"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    preferred = preferred_option(study, {oid: m["npsv_gbp"] for oid, m in metrics.items()})
    results["preferred_option"] = preferred
    results["preferred_option_declared"] = bool(study.config.preferred_option)
    has_governance = not study.tables["governance"].empty and not study.tables["partners"].empty
    if has_governance:
        step(f"simulating partner buy-in ({s.runs} runs per option)")
        buyins = {}
        posterior = None
        if s.calibrated:  # the stored calibration (the study's own fit, else the base rates'); if it does not
            from appraisal.workflows.buyin import load_posterior  # load, the defaults, and the report says why

            try:
                posterior = load_posterior(study=study)
            except ValueError as exc:
                results.setdefault("notes_run", []).append(f"Buy-in on uncalibrated defaults: {exc}")
        views = study.tables["options"].set_index("option_id")["view_of"].dropna().to_dict()
        for oid, r in plans.items():
            if oid in views:  # a view of another option: same partners, same vehicles, same agreement
                continue
            used = set(r.plan.vehicles.loc[r.plan.vehicles["established_year"].notna(), "vehicle_id"]) \
                if r.plan.has_solution else set()
            voted = used & set(study.tables["governance"]["vehicle_id"])
            if not voted:
                metrics[oid]["prob_agreed_on_time"] = 1.0
                continue
            buyins[oid] = run_buyin(study, oid, s.runs, s.seed, plan=r.plan, posterior=posterior)
            metrics[oid]["prob_agreed_on_time"] = on_time_probability(buyins[oid].results.outcomes, voted)
        if preferred in buyins:
            b = buyins[preferred]
            results["buyin"] = b.summary(study)
            vehicles = _names(study, "vehicles", "vehicle_id")
            med = b.median
            tables["phasing"] = pd.DataFrame({
                "option_id": preferred, "vehicle_id": med["vehicle_id"], "vehicle_name": med["vehicle_id"].map(vehicles),
                "planned_year": [study.years[int(m) // 12] for m in med["planned_month"]],
                "realised_median_year": [None if np.isnan(m) else study.years[min(int(m) // 12, len(study.years) - 1)]
                                         for m in med["median_established_month"]]})
            tables["buyin_prob_by_year"] = b.prob_by_year
            tables["pivotal_partners"] = b.pivotal
            if not study.tables["interventions"].empty:
                step("comparing intervention packages")
                compared = compare_study_interventions(study, preferred, s.runs, s.seed, plan=plans[preferred].plan,
                                                       posterior=posterior)
                results["buyin"]["interventions"] = compared.to_dict(orient="records")
                tables["interventions"] = compared
        for view, base in views.items():
            if view in metrics and base in metrics:
                metrics[view]["prob_agreed_on_time"] = metrics[base].get("prob_agreed_on_time")
        results["buyin_by_option"] = {oid: {"prob_agreed_on_time": metrics[oid].get("prob_agreed_on_time")}
                                      for oid in study.option_ids}
    timings["buyin"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    scoring = None
    if not study.tables["value_drivers"].empty:
        step("scoring value drivers")
        try:
            scoring = score_study(study, metrics, seed=s.seed)
        except ValueError as exc:  # e.g. judgements the source document never scored: say so, carry on
            results["notes_run"] = results.get("notes_run", []) + [f"Value-driver scoring skipped: {exc}"]
        else:
            results["scoring"] = scoring.summary(study)
            tables["scores"] = scoring.result.table.reset_index()
            tables["rank_acceptability"] = scoring.smaa.acceptability.rename(columns=str).reset_index()
    timings["scoring"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if not study.tables["uncertainties"].empty or risk_params(study):
        step(f"sensitivity ({s.sensitivity_method}, n={s.sensitivity_n})")
        model = scenario_model(study, {oid: r.plan for oid, r in case.options.items()})
        bounds = ranges(study)
        sens = run_sensitivity(study, s.sensitivity_method, s.sensitivity_n, out / "sensitivity", seed=s.seed,
                               scheduler=s.scheduler, n_workers=s.workers, progress=False)
        outcome = f"{preferred}.npsv_gbp"
        analysis = sens.analysis[outcome]
        indices = getattr(analysis, "indices", pd.DataFrame()).reset_index().rename(columns={"param": "parameter"})
        tor = tornado(model, bounds, preferred)
        sw = switching(model, bounds, preferred)
        results["sensitivity"] = {"method": s.sensitivity_method, "n": s.sensitivity_n, "outcome": outcome,
                                  "runs": len(sens.outputs), "indices": indices.to_dict(orient="records"),
                                  "converged": getattr(analysis, "converged", None),
                                  "tornado": tor.to_dict(orient="records")}
        results.setdefault("scoring", {})["switching"] = sw.to_dict(orient="records")
        tables |= {"sensitivity_indices": indices, "tornado": tor, "switching_values": sw}
    timings["sensitivity"] = time.perf_counter() - t0

    if results.get("warnings"):
        results["notes_run"] = results.get("notes_run", []) + [f"Warning: {w}" for w in results["warnings"]]
    step("writing the report")
    t0 = time.perf_counter()
    results["provenance"] = provenance(study, command="run", seed=s.seed, runs=s.runs,
                                       sensitivity={"method": s.sensitivity_method, "n": s.sensitivity_n},
                                       time_limit=s.time_limit, seconds=timings)
    from appraisal.report import render_report

    write_json(out / "results.json", results)
    write_tables(out, tables)
    report = render_report(results, tables, out, pdf=s.pdf)
    timings["report"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - clock
    write_json(out / "manifest.json", results["provenance"] | {"seconds": timings})
    return RunOutput(results, tables, report, timings)
