"""``solve``: prepare -> build -> solve -> load -> check, with the safety nets the project requires.

* infeasible verdicts are re-checked with presolve off, then explained (diagnose.py);
* every loaded plan is checked by check_plan; a plan failing the check is re-solved with presolve off;
* time limits return the best plan found and its gap, never an exception.
"""

from __future__ import annotations

import hashlib
import time

import numpy as np
import pandas as pd

from .check import check_plan
from .diagnose import diagnose
from .floors import floors_hold_at_zero
from .evaluate import moves_of
from .model import build_model
from .prepare import transfer_codes
from .plan import Plan, empty_plan, extract, plan_from_decisions
from .prepare import prepare
from .problem import NO_SITE, PlacementProblem
from .bounded import run_bounded
from .matrix import TriviallyInfeasible, compile_model
from .solver import versions
from .start import greedy_start, start_plan


def problem_hash(problem: PlacementProblem) -> str:
    P = problem.normalised()
    h = hashlib.sha256()
    for name in ("services", "vehicles", "placements", "vehicle_streams", "placement_streams", "sites",
                 "precedence", "cost_curves", "vehicle_dependencies", "joint_streams", "joint_requires",
                 "buildings", "release_streams"):
        h.update(getattr(P, name).to_csv(index=False).encode())
    h.update(repr((list(P.years), P.discount_factor.tolist(), P.funding_cap_cumulative_gbp, P.rules)).encode())
    for s in (P.max_transfers_per_year, P.funding_cap_yearly_gbp):
        h.update(b"-" if s is None else s.to_csv().encode())
    return h.hexdigest()[:16]


def reproduce_problem(problem: PlacementProblem, assignment: pd.DataFrame,
                      vehicles: pd.DataFrame | None = None, releases: dict | None = None) -> PlacementProblem:
    """The problem with a given assignment fixed (services not listed, or with no year, stay), and with the
    given building releases (site -> year; every other building kept) when ``releases`` is not None."""
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
    if releases is not None:
        kept = tuple(sorted(set(P.rules.kept_buildings) | (set(P.buildings["site_id"]) - set(releases))))
        rules = rules.replace(kept_buildings=kept, forced_releases={**P.rules.forced_releases, **releases})
    return problem.with_rules(rules)


def transfer_groups(model, prep) -> tuple:
    """Each transfer variable with its service and its option (service, vehicle, site), as integer codes:
    the groups of the guided start (``rcfix.guided_restriction``)."""
    service, option = transfer_codes(prep.X)
    return [model.x[i] for i in range(len(prep.X))], service, option


def solve(problem: PlacementProblem, *, time_limit: float | None = None, rel_gap: float = 1e-6, threads: int = 1,
          seed: int = 0, mode: str = "optimise", assignment: pd.DataFrame | None = None,
          vehicles: pd.DataFrame | None = None, releases: dict | None = None, linking: str = "disaggregated",
          presolve: str | None = None,
          diagnose_infeasible: bool = True, solver_options: dict | None = None,
          reduced_cost_fixing: bool = True) -> Plan:
    """Best placement plan of ``problem`` under its rules (mode="optimise"), or the evaluation of a fixed
    ``assignment`` with the remaining choices (establishment and opening years) optimised (mode="reproduce")."""
    if mode == "reproduce":
        if assignment is None:
            raise ValueError("mode='reproduce' needs an assignment table")
        problem = reproduce_problem(problem, assignment, vehicles, releases)
    elif mode != "optimise":
        raise ValueError(f"unknown mode {mode!r}")
    t0 = time.perf_counter()
    prep = prepare(problem)
    model = build_model(prep, linking=linking)
    build_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    input_hash = problem_hash(prep.problem)
    prov = {"mode": mode, "option": prep.problem.rules.name, "seed": seed, "linking": linking,
            "reduced_cost_fixing": reduced_cost_fixing,
            "input_hash": input_hash, **versions(),
            "size": {"x": len(prep.X), "y": len(prep.Y), "w": len(prep.W),
                     "variables": model.nvariables(), "constraints": model.nconstraints()},
            "timings": {"build_seconds": build_s, "hash_seconds": time.perf_counter() - t1}, "notes": []}
    kw = dict(rel_gap=rel_gap, threads=threads, seed=seed, extra_options=solver_options)
    compiled, trivially_infeasible = None, None
    if model.nvariables():
        t1 = time.perf_counter()
        try:  # the model as HiGHS arrays (part of building the model)
            compiled = compile_model(model)
        except TriviallyInfeasible as exc:
            trivially_infeasible = str(exc)
        prov["timings"]["compile_seconds"] = time.perf_counter() - t1
    # the time limit counts from here (the model is built): the answer comes within time_limit + 10 %
    deadline = None if time_limit is None else time.monotonic() + float(time_limit)
    prov["timings"]["model_seconds"] = time.perf_counter() - t0  # prepare + build + hash + compile
    if prep.issues:
        prov["notes"] += prep.issues

    if trivially_infeasible is not None:  # a rule with no variables left cannot hold
        prov["notes"].append(f"a constraint with no variables cannot hold ({trivially_infeasible})")
        out = None
    elif model.nvariables() == 0:  # nothing can move: the status quo is the only plan
        plan = plan_from_decisions(problem, prep.X, {}, {}, "optimal", objective_gbp=0.0, bound_gbp=0.0, gap=0.0,
                                   solve_seconds=0.0, provenance=prov)
        plan.violations = check_plan(problem, plan)
        if not plan.violations:
            return plan
        out = None
    else:
        safe = {}

        def build_start():  # runs while HiGHS (in its child process) starts on the LP relaxation
            safe["fallback"], safe["start"], post_s = _safe_plans(problem, prep, model, prov, deadline)
            safe["stop"] = None if deadline is None else deadline - min(1.5 * post_s + 0.2, 0.5 * float(time_limit))
            fb = safe["fallback"]
            return safe["start"], None if fb is None else fb.npv_gbp, safe["stop"]

        first_stop = None if deadline is None else deadline - 0.2
        out = run_bounded(model, compiled=compiled, deadline=first_stop, time_limit=time_limit, presolve=presolve,
                          reduced_cost_fixing=reduced_cost_fixing, start_later=build_start,
                          known_bound=quick_bound(prep), groups=transfer_groups(model, prep), **kw)
        if "fallback" not in safe:  # HiGHS never started (no time left): the checked plans are still built
            build_start()
        fallback, start, stop = safe["fallback"], safe["start"], safe["stop"]
        fallback_npv = None if fallback is None else fallback.npv_gbp
        if out.status == "infeasible" and presolve != "off" and not _late(deadline):
            prov["notes"].append("HiGHS said infeasible with presolve on; re-checked with presolve off")
            model = build_model(prep, linking=linking)
            out = run_bounded(model, deadline=stop, time_limit=_left_s(deadline), presolve="off", start=start, **kw)
        plan = None
        if out.has_solution:
            plan = _plan(model, prep.problem, out, prov)
            if plan.violations and presolve != "off" and not _late(deadline):
                prov["notes"].append("the loaded plan failed our constraint check; re-solved with presolve off")
                model = build_model(prep, linking=linking)
                out = run_bounded(model, deadline=stop, time_limit=_left_s(deadline), presolve="off", start=start, **kw)
                if out.has_solution:
                    plan = _plan(model, prep.problem, out, prov)
        if fallback is not None and (plan is None or plan.violations
                                     or fallback_npv > plan.npv_gbp + 1e-6 * max(1.0, abs(plan.npv_gbp))):
            if plan is not None and plan.violations:
                prov["notes"].append("the solver's plan failed our constraint check; the checked start plan is kept")
            return _from_fallback(fallback, out, prov)
        if plan is not None:
            if plan.violations:
                plan.status = "check_failed"
            return plan
    status = "infeasible" if out is None or out.status == "infeasible" else out.status
    if out is not None:
        prov["options"] = out.options
        prov["timings"].update(handoff_seconds=out.handoff_seconds, solve_seconds=out.solve_seconds)
    if status == "infeasible":
        left = None if deadline is None else max(deadline - time.monotonic(), 1.0)
        text, findings = diagnose(prep, time_limit=left, seed=seed, threads=threads) if diagnose_infeasible \
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


def quick_bound(prep) -> float:
    """A valid upper bound on the NPV without solving anything: each service moves at most once (its best
    transfer, if positive), every establishment, site opening and building release at its best value if positive, and the
    running-cost curves at their lowest point if that is negative. Weak, but there from the first second."""
    x = pd.Series(np.maximum(prep.x_coef, 0.0)).groupby(prep.X["service_id"].to_numpy()).max().sum() if len(prep.X) else 0.0
    y = pd.Series(np.maximum(prep.y_coef, 0.0)).groupby(prep.Y["vehicle_id"].to_numpy()).max().sum() if len(prep.Y) else 0.0
    w = pd.Series(np.maximum(prep.w_coef, 0.0)).groupby(prep.W["site_id"].to_numpy()).max().sum() if len(prep.W) else 0.0
    r = pd.Series(np.maximum(prep.r_coef, 0.0)).groupby(prep.R["site_id"].to_numpy()).max().sum() if len(prep.R) else 0.0
    curves = sum(max(0.0, -float(np.min(bc))) for _, bc in prep.curves.values()) * float(np.sum(prep.df))
    joint = float(np.maximum((prep.jb - prep.jc) * prep.df[None, :], 0.0).sum()) if len(prep.J) else 0.0
    return float(x + y + w + r + curves + joint)


def _late(deadline) -> bool:
    return deadline is not None and time.monotonic() > deadline - 0.5


def _left_s(deadline):
    return None if deadline is None else max(deadline - time.monotonic(), 0.1)


def _safe_plans(problem, prep, model, prov, deadline) -> tuple[Plan | None, list | None, float]:
    """The best plan known to satisfy the rules — the greedy plan (checked by check_plan) or "doing nothing"
    (feasible exactly when no service must move, no site must open and no funding cap is negative: every
    other rule holds with nothing moved) — or None; the greedy plan as a HiGHS start; and the seconds one
    plan takes to build and check (kept free at the deadline)."""
    t = time.perf_counter()
    problem = prep.problem  # normalised once
    R, sites = problem.rules, problem.sites
    caps = [c for c in (problem.funding_cap_yearly_gbp,) if c is not None]
    nothing_ok = (not prep.must_move and not R.locked_sites and not bool(sites["must_open"].any())
                  and all((c >= 0).all() for c in caps)
                  and (problem.funding_cap_cumulative_gbp is None or problem.funding_cap_cumulative_gbp >= 0)
                  and floors_hold_at_zero(problem))
    candidates = {"doing nothing": 0.0} if nothing_ok else {}
    # doing nothing, as a plan (no check needed: see above); the time it takes to build says how long a plan
    # with moves takes to build and check at this size (measured up to about eight times as long on the national
    # case), which the greedy must leave free
    t1 = time.perf_counter()
    nothing = plan_from_decisions(problem, prep.X.iloc[:0], {}, {}, "feasible", provenance=prov)
    empty_s = time.perf_counter() - t1
    post_s = 8.0 * empty_s
    # the greedy gets at most 30 % of the time limit and leaves twice the time its plan's check should take;
    # after that it returns what it has committed so far
    g_deadline = None
    if deadline is not None:
        g_deadline = min(deadline - 0.7 * (deadline - time.monotonic()), deadline - 1.5 * post_s - 0.3)
    t2 = time.perf_counter()
    g = greedy_start(prep, deadline=g_deadline) if g_deadline is None or g_deadline > time.monotonic() + 0.2 else None
    greedy_s = time.perf_counter() - t2
    start, best = None, None
    if g is not None:
        t1 = time.perf_counter()
        greedy = start_plan(problem, prep, g, prov)
        post_s = time.perf_counter() - t1
        if not greedy.violations:
            candidates["the greedy plan"] = greedy.npv_gbp
            if not nothing_ok or greedy.npv_gbp > 0:
                best = greedy
            on = (np.zeros(len(prep.X)), np.zeros(len(prep.Y)), np.zeros(len(prep.W)), np.zeros(len(prep.R)))
            on[0][g.x], on[1][g.y], on[2][g.w], on[3][g.r] = 1.0, 1.0, 1.0, 1.0
            start = ([(model.x[i], on[0][i]) for i in range(len(prep.X))]
                     + [(model.y[i], on[1][i]) for i in range(len(prep.Y))]
                     + [(model.w[i], on[2][i]) for i in range(len(prep.W))]
                     + [(model.r[i], on[3][i]) for i in range(len(prep.R))])
        else:
            prov["notes"].append(f"the greedy start failed the check ({greedy.violations[0]}); not used")
    if best is None and nothing_ok:
        best = nothing
    prov["start"] = {"plans": candidates, "seconds": time.perf_counter() - t, "used_as_warm_start": start is not None,
                     "empty_plan_seconds": empty_s, "greedy_seconds": greedy_s, "check_seconds": post_s}
    return best, start, post_s


def _from_fallback(plan: Plan, out, prov) -> Plan:
    """A checked start plan returned as the answer (the solver found nothing better in time)."""
    obj = float(plan.npv_gbp)
    bound = None if out is None else out.bound
    if bound is not None and bound < obj:
        prov["notes"].append(f"the solver's bound £{bound:,.0f} is below a checked plan's NPV; bound set to the NPV")
        bound = obj
    gap = None if bound is None else (abs(bound - obj) / max(abs(obj), abs(bound), 1.0) if abs(bound - obj) > 1e-9 else 0.0)
    optimal = out is not None and out.status == "optimal" and gap is not None and gap <= 1e-9
    if out is not None:
        prov = dict(prov, options=out.options, gap=gap)
        prov["timings"] = dict(prov["timings"], handoff_seconds=out.handoff_seconds, solve_seconds=out.solve_seconds,
                               solver_wall_seconds=out.wall_seconds)
        if out.status == "infeasible":
            prov["notes"].append("HiGHS said infeasible, but a plan that passes every check exists: the verdict was wrong")
    plan.status = "optimal" if optimal else "feasible"
    plan.objective_gbp, plan.bound_gbp, plan.gap = obj, bound, gap
    plan.solve_seconds = None if out is None else out.solve_seconds
    plan.provenance = prov
    return plan


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
