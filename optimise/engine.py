"""``solve``: prepare -> build -> solve -> load -> check, with the safety nets the project requires.

* infeasible verdicts are re-checked with presolve off, then explained (diagnose.py);
* every loaded plan is checked by check_plan; a plan failing the check is re-solved with presolve off;
* time limits return the best plan found and its gap, never an exception.
"""

from __future__ import annotations

import hashlib
import time

import pandas as pd

from .check import check_plan
from .diagnose import diagnose
from .evaluate import moves_of
from .model import build_model
from .plan import Plan, empty_plan, extract, plan_from_decisions
from .prepare import prepare
from .problem import NO_SITE, PlacementProblem
from .solver import run, versions


def problem_hash(problem: PlacementProblem) -> str:
    P = problem.normalised()
    h = hashlib.sha256()
    for name in ("services", "vehicles", "placements", "vehicle_streams", "placement_streams", "sites",
                 "precedence", "cost_curves"):
        h.update(getattr(P, name).to_csv(index=False).encode())
    h.update(repr((list(P.years), P.discount_factor.tolist(), P.funding_cap_cumulative_gbp, P.rules)).encode())
    for s in (P.max_transfers_per_year, P.funding_cap_yearly_gbp):
        h.update(b"-" if s is None else s.to_csv().encode())
    return h.hexdigest()[:16]


def reproduce_problem(problem: PlacementProblem, assignment: pd.DataFrame,
                      vehicles: pd.DataFrame | None = None) -> PlacementProblem:
    """The problem with a given assignment fixed (services not listed, or with no year, stay)."""
    mv = moves_of(assignment)
    P = problem.normalised()
    forced = {s: None for s in P.services["service_id"]}
    forced.update(dict(zip(mv["service_id"], mv["vehicle_id"])))
    sites = {s: site for s, site in zip(mv["service_id"], mv["site_id"]) if site != NO_SITE}
    years = dict(zip(mv["service_id"], mv["transfer_year"].astype(int)))
    vyears = dict(P.rules.forced_vehicle_years)
    if vehicles is not None:
        vt = vehicles[vehicles["established_year"].notna()]
        vyears.update(dict(zip(vt["vehicle_id"], vt["established_year"].astype(int))))
    rules = P.rules.replace(name=f"{P.rules.name} (reproduce)", forced_mappings=forced, forced_sites=sites,
                            forced_years=years, forced_vehicle_years=vyears)
    return problem.with_rules(rules)


def solve(problem: PlacementProblem, *, time_limit: float | None = None, rel_gap: float = 1e-6, threads: int = 1,
          seed: int = 0, mode: str = "optimise", assignment: pd.DataFrame | None = None,
          vehicles: pd.DataFrame | None = None, linking: str = "disaggregated", presolve: str | None = None,
          diagnose_infeasible: bool = True, solver_options: dict | None = None,
          reduced_cost_fixing: bool = True) -> Plan:
    """Best placement plan of ``problem`` under its rules (mode="optimise"), or the evaluation of a fixed
    ``assignment`` with the remaining choices (establishment and opening years) optimised (mode="reproduce")."""
    if mode == "reproduce":
        if assignment is None:
            raise ValueError("mode='reproduce' needs an assignment table")
        problem = reproduce_problem(problem, assignment, vehicles)
    elif mode != "optimise":
        raise ValueError(f"unknown mode {mode!r}")
    t0 = time.perf_counter()
    prep = prepare(problem)
    model = build_model(prep, linking=linking)
    build_s = time.perf_counter() - t0
    prov = {"mode": mode, "option": prep.problem.rules.name, "seed": seed, "linking": linking,
            "reduced_cost_fixing": reduced_cost_fixing,
            "input_hash": problem_hash(problem), **versions(),
            "size": {"x": len(prep.X), "y": len(prep.Y), "w": len(prep.W),
                     "variables": model.nvariables(), "constraints": model.nconstraints()},
            "timings": {"build_seconds": build_s}, "notes": []}
    kw = dict(time_limit=time_limit, rel_gap=rel_gap, threads=threads, seed=seed, extra_options=solver_options)

    if model.nvariables() == 0 and not prep.issues:  # nothing can move: the status quo is the only plan
        plan = plan_from_decisions(problem, prep.X, {}, {}, "optimal", objective_gbp=0.0, bound_gbp=0.0, gap=0.0,
                                   solve_seconds=0.0, provenance=prov)
        plan.violations = check_plan(problem, plan)
        if not plan.violations:
            return plan
    out = run(model, presolve=presolve, reduced_cost_fixing=reduced_cost_fixing, **kw) if not prep.issues and model.nvariables() else None
    if out is not None and out.status == "infeasible" and presolve != "off":
        prov["notes"].append("HiGHS said infeasible with presolve on; re-checked with presolve off")
        model = build_model(prep, linking=linking)
        out = run(model, presolve="off", **kw)
    plan = None
    if out is not None and out.has_solution:
        plan = _plan(model, problem, out, prov)
        if plan.violations and presolve != "off":
            prov["notes"].append("the loaded plan failed our constraint check; re-solved with presolve off")
            model = build_model(prep, linking=linking)
            out = run(model, presolve="off", **kw)
            if out.has_solution:
                plan = _plan(model, problem, out, prov)
        if plan.violations:
            plan.status = "check_failed"
        return plan
    status = "infeasible" if out is None or out.status == "infeasible" else out.status
    if out is not None:
        prov["options"] = out.options
        prov["timings"].update(handoff_seconds=out.handoff_seconds, solve_seconds=out.solve_seconds)
    if status == "infeasible":
        text, findings = diagnose(prep, time_limit=time_limit, seed=seed, threads=threads) if diagnose_infeasible \
            else ("No feasible plan (diagnosis skipped).", [])
        prov["findings"] = findings
    elif status == "no_solution":
        limit = f"the time limit of {time_limit} s" if time_limit is not None else f"the solver's limits ({out.termination})"
        text = (f"No feasible plan was found within {limit}"
                + (f"; no plan can beat £{out.bound / 1e6:,.2f}m." if out.bound is not None else "."))
    else:
        text = f"The solver stopped with {out.termination}."
    return empty_plan(problem, status, diagnosis=text, provenance=prov,
                      bound_gbp=None if out is None else out.bound,
                      solve_seconds=None if out is None else out.solve_seconds)


def _plan(model, problem, out, prov) -> Plan:
    prov = dict(prov, options=out.options, gap=out.gap, notes=list(prov["notes"]))
    prov["timings"] = dict(prov["timings"], handoff_seconds=out.handoff_seconds, solve_seconds=out.solve_seconds,
                           solver_wall_seconds=out.wall_seconds)
    plan = extract(model, problem, out.status, objective_gbp=out.objective, bound_gbp=out.bound, gap=out.gap,
                   solve_seconds=out.solve_seconds, provenance=prov)
    t = time.perf_counter()
    plan.violations = check_plan(problem, plan)
    prov["timings"]["check_seconds"] = time.perf_counter() - t
    return plan
