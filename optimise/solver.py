"""The one place that talks to a MILP solver (Pyomo's new, "preview" solver interface + HiGHS).

Never raises on a non-optimal outcome: returns a ``SolveOutcome`` with a status string, the incumbent
objective and the proven bound, and loads the incumbent into the model's variables when there is one.
"""

from __future__ import annotations

import functools
import importlib.metadata
import logging
import math
import time
from dataclasses import dataclass, field

import pyomo
from pyomo.contrib.solver.common.factory import SolverFactory
from pyomo.contrib.solver.common.results import TerminationCondition as TC

SOLVER_NAME = "highs"


@dataclass
class SolveOutcome:
    status: str  # optimal | feasible | infeasible | no_solution | unbounded | error
    termination: str
    has_solution: bool
    objective: float | None
    bound: float | None
    gap: float | None
    handoff_seconds: float
    solve_seconds: float
    wall_seconds: float
    options: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)


@functools.cache
def versions() -> dict:
    import highspy

    return {
        "solver": SOLVER_NAME,
        "highs": f"{highspy.HIGHS_VERSION_MAJOR}.{highspy.HIGHS_VERSION_MINOR}.{highspy.HIGHS_VERSION_PATCH}",
        "highspy": importlib.metadata.version("highspy"),
        "pyomo": pyomo.version.version,
        "interface": "pyomo.contrib.solver (new interface)",
    }


def new_solver():
    return SolverFactory(SOLVER_NAME)


def guard_seconds(time_limit: float | None) -> float | None:
    """Wall-clock allowance of the guard: HiGHS' own limit plus 5 % and 2 s of grace."""
    return None if time_limit is None else float(time_limit) * 1.05 + 2.0


class WallClockGuard:
    """Stops a HiGHS run that overshoots its wall-clock allowance (HiGHS 1.15/1.16 does not always honour
    ``time_limit``: ERGO-Code/HiGHS#2226; we saw a 120 s limit run for 818 s).

    The check runs inside HiGHS' own interrupt callbacks (MIP, simplex, IPM), which it polls throughout
    the solve, so no thread and no GIL hand-over is needed: when the allowance is spent the callback calls
    ``interrupt()``, HiGHS stops with status "Interrupted" and keeps its incumbent and bound, which Pyomo's
    loader then reads as for a time limit. Attached to the ``highspy.Highs`` object that Pyomo's persistent
    interface holds (``opt._solver_model``, a private attribute: we only use the public callback
    descriptors of highspy on it and detach after the solve)."""

    KINDS = ("cbMipInterrupt", "cbSimplexInterrupt", "cbIpmInterrupt")

    def __init__(self, highs, seconds: float):
        self.highs, self.seconds, self.fired = highs, float(seconds), False
        self.deadline = time.monotonic() + self.seconds

    def _check(self, event):
        if time.monotonic() > self.deadline:
            self.fired = True
            event.interrupt()

    def __enter__(self):
        # Pyomo 6.10 does not know HiGHS' "Interrupted" status: it warns and reports "unknown"; we say why
        self._log = logging.getLogger("pyomo.contrib.solver.solvers.highs")
        self._level = self._log.level
        self._log.setLevel(logging.ERROR)
        self.deadline = time.monotonic() + self.seconds
        for k in self.KINDS:
            cb = getattr(self.highs, k)
            cb += self._check
        return self

    def __exit__(self, *exc):
        for k in self.KINDS:
            cb = getattr(self.highs, k)
            cb -= self._check
        self._log.setLevel(self._level)
        return False


RCF_MAX_FRACTIONAL = 0.05  # cheap test of reduced-cost fixing: at most this share of the LP's used binaries fractional


def _reduced_cost_fixing(h, time_limit, rel_gap) -> tuple[dict, callable]:
    """LP relaxation, a restricted MIP for an incumbent, then fix binaries by reduced cost (exact).

    On the ``highspy.Highs`` object ``h`` (already holding the model):
    1. solve the LP relaxation (presolve off): bound ``z_lp``, reduced costs ``d``;
    2. restricted MIP: binaries at 0 in the LP whose reduced cost loses more than 1e-4·|z_lp| are held at
       0; its best solution (any feasible one will do) has value ``z_h``;
    3. LP duality bounds any plan that moves binary j off its LP bound by ``z_lp − loss_j``; if
       ``loss_j > z_lp − z_h`` (plus a margin) such a plan is worse than ``z_h``, so every optimal plan has
       j at its LP bound: fix it there. The restricted incumbent is passed on with ``setSolution``.
       If ``z_lp`` already proves ``z_h`` within ``rel_gap``, every integer column is fixed at the incumbent
       instead (the final run re-optimises only continuous columns) and ``z_lp`` is reported as the bound.
    The optimum is unchanged; the final MIP's dual bound is a valid bound for the whole problem (plans
    outside the fixed region are worse than the incumbent). Returns (info, restore) where restore() puts
    the original bounds back; does nothing (info["applied"] False) when a step yields nothing usable."""
    import highspy
    import numpy as np

    info = {"applied": False}
    lp = h.getLp()
    n = lp.num_col_
    integ = np.array([int(i) for i in lp.integrality_], dtype=int) if len(lp.integrality_) else np.zeros(n, int)
    lo0, hi0 = np.array(lp.col_lower_, dtype=float), np.array(lp.col_upper_, dtype=float)
    cand = np.flatnonzero((integ == 1) & (lo0 == 0) & (hi0 == 1))
    nothing = lambda: None  # noqa: E731
    if n == 0 or len(cand) == 0:
        return info, nothing
    sigma = 1.0 if lp.sense_ == highspy.ObjSense.kMaximize else -1.0
    cols = np.arange(n, dtype=np.int32)
    old = {k: _option(h, k) for k in ("presolve", "time_limit", "mip_rel_gap")}
    t0 = time.perf_counter()

    def restore_options():
        for k, v in old.items():
            h.setOptionValue(k, v)

    # 1. LP relaxation
    h.changeColsIntegrality(n, cols, np.zeros(n, dtype=np.uint8))
    h.setOptionValue("presolve", "off")
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    h.run()
    lp_ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    sol = h.getSolution()
    xlp, d = np.array(sol.col_value), np.array(sol.col_dual)
    z_lp = h.getInfo().objective_function_value
    h.changeColsIntegrality(n, cols, integ.astype(np.uint8))
    restore_options()
    info["lp_seconds"] = time.perf_counter() - t0
    if not lp_ok:
        return info, nothing
    # cheap test (no MIP yet): fixing pays when the LP's plan is nearly integral (then the restricted MIP
    # finds a plan close to z_lp and most binaries get fixed). If more than RCF_MAX_FRACTIONAL of the binaries
    # the LP uses are fractional, the root gap is wide: go straight to the full MIP (docs/optimise.md)
    used = cand[xlp[cand] > 1e-6]
    fractional = int((xlp[used] < 1 - 1e-6).sum())
    info.update(lp_bound=z_lp, lp_binaries_used=int(len(used)), lp_binaries_fractional=fractional, binaries=int(len(cand)))
    if fractional > RCF_MAX_FRACTIONAL * max(len(used), 1):
        info["skipped"] = (f"{fractional} of the {len(used)} binaries the LP relaxation uses are fractional "
                           f"(more than {RCF_MAX_FRACTIONAL:.0%}): restricted MIP and fixing skipped")
        return info, nothing
    # 2. restricted MIP for an incumbent
    t1 = time.perf_counter()
    at0 = cand[xlp[cand] < 1e-9]
    hold = at0[-sigma * d[at0] > 1e-4 * max(abs(z_lp), 1.0)]
    if len(hold):
        h.changeColsBounds(len(hold), hold.astype(np.int32), np.zeros(len(hold)), np.zeros(len(hold)))
    if time_limit is not None:
        h.setOptionValue("time_limit", 0.25 * float(time_limit))
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    h.run()
    restore_options()
    has = h.getInfo().primal_solution_status == 2
    inc = h.getSolution() if has else None
    z_h = h.getInfo().objective_function_value if has else None
    if len(hold):
        h.changeColsBounds(len(hold), hold.astype(np.int32), lo0[hold], hi0[hold])
    info.update(restricted_seconds=time.perf_counter() - t1, lp_bound=z_lp, restricted_objective=z_h,
                restricted_held=int(len(hold)))
    if not has:
        return info, nothing
    if sigma * (z_lp - z_h) <= rel_gap * max(abs(z_lp), abs(z_h), 1.0):
        # the LP bound already proves the restricted incumbent within rel_gap: fix every integer column at the
        # incumbent (the final run only re-optimises continuous columns) and report z_lp as the bound
        ints = np.flatnonzero(integ != 0).astype(np.int32)
        val = np.round(np.array(inc.col_value)[ints])
        h.changeColsBounds(len(ints), ints, val, val)
        h.setSolution(inc)
        info.update(applied=True, closed_by_lp_bound=True, fixed_at_0=int((val == 0).sum()),
                    fixed_at_1=int((val != 0).sum()), binaries=int(len(cand)))

        def restore_all():
            h.changeColsBounds(len(ints), ints, lo0[ints], hi0[ints])

        return info, restore_all
    # 3. fix by reduced cost
    margin = sigma * (z_lp - z_h) + 1e-6 * max(abs(z_lp), 1.0) + 1.0
    at1 = cand[xlp[cand] > 1 - 1e-9]
    fix0 = at0[-sigma * d[at0] > margin]
    fix1 = at1[sigma * d[at1] > margin]
    if len(fix0):
        h.changeColsBounds(len(fix0), fix0.astype(np.int32), np.zeros(len(fix0)), np.zeros(len(fix0)))
    if len(fix1):
        h.changeColsBounds(len(fix1), fix1.astype(np.int32), np.ones(len(fix1)), np.ones(len(fix1)))
    h.setSolution(inc)
    fixed = np.concatenate([fix0, fix1]).astype(np.int32)
    info.update(applied=True, fixed_at_0=int(len(fix0)), fixed_at_1=int(len(fix1)), binaries=int(len(cand)))

    def restore():
        if len(fixed):
            h.changeColsBounds(len(fixed), fixed, lo0[fixed], hi0[fixed])

    return info, restore


def run(model, *, time_limit=None, rel_gap=1e-6, threads=1, seed=0, presolve=None, solver=None,
        extra_options: dict | None = None, wall_limit: float | None = None,
        reduced_cost_fixing: bool = False) -> SolveOutcome:
    """Solve ``model`` (its single active objective). Pass ``solver`` to reuse a persistent instance.

    ``wall_limit`` (default: ``guard_seconds(time_limit)``) is a hard wall-clock stop enforced by
    ``WallClockGuard`` in case HiGHS overruns its own ``time_limit``; the incumbent is still returned.
    ``reduced_cost_fixing`` first solves the LP relaxation and a restricted MIP and fixes binaries that
    cannot be in any optimal plan (``_reduced_cost_fixing``); same optimum, usually far faster."""
    opt = solver if solver is not None else new_solver()
    if wall_limit is None:
        wall_limit = guard_seconds(time_limit)
    raw = {"random_seed": int(seed), "mip_feasibility_tolerance": 1e-7}
    if presolve is not None:
        raw["presolve"] = presolve
    raw.update(extra_options or {})
    options = {"time_limit": time_limit, "rel_gap": rel_gap, "threads": threads, "solver_options": raw}
    tick = time.perf_counter()
    guard = None
    try:
        kw = dict(load_solutions=False, raise_exception_on_nonoptimal_result=False,
                  time_limit=time_limit, rel_gap=rel_gap, threads=threads, solver_options=dict(raw))
        restore = None
        if wall_limit is not None or reduced_cost_fixing:
            t_set = time.perf_counter()
            if getattr(opt, "_model", None) is not model:  # hand over first, so the HiGHS object exists
                opt.set_instance(model)
            t_set = time.perf_counter() - t_set
            h = opt._solver_model
            with WallClockGuard(h, wall_limit if wall_limit is not None else float("inf")) as guard:
                if reduced_cost_fixing:
                    for k, v in raw.items():
                        h.setOptionValue(k, v)
                    h.setOptionValue("threads", int(threads))
                    out_flag = _option(h, "output_flag")
                    h.setOptionValue("output_flag", False)
                    try:
                        options["reduced_cost_fixing"], restore = _reduced_cost_fixing(h, time_limit, rel_gap)
                    finally:
                        h.setOptionValue("output_flag", out_flag)
                    if guard.fired:
                        options["reduced_cost_fixing"]["note"] = "stopped by the wall-clock guard"
                    kw["time_limit"] = None if time_limit is None else max(
                        float(time_limit) - (time.perf_counter() - tick - t_set), 0.1 * float(time_limit))
                try:
                    res = opt.solve(model, **kw)
                    has = _n_solutions(res) > 0
                    if has:
                        res.solution_loader.load_vars()
                finally:
                    if restore is not None:
                        restore()
        else:
            t_set = 0.0
            res = opt.solve(model, **kw)
            has = _n_solutions(res) > 0
            if has:
                res.solution_loader.load_vars()
    except Exception as exc:  # a solver crash is reported, never propagated
        return SolveOutcome("error", repr(exc), False, None, None, None, 0.0, 0.0,
                            time.perf_counter() - tick, options, dict(versions()))
    wall = time.perf_counter() - tick
    tc = res.termination_condition
    if tc == TC.convergenceCriteriaSatisfied:
        status = "optimal"
    elif tc in (TC.provenInfeasible, TC.locallyInfeasible):
        status = "infeasible"
    elif tc == TC.infeasibleOrUnbounded:
        status = "infeasible" if not has else "feasible"
    elif tc == TC.unbounded:
        status = "unbounded"
    elif tc == TC.error:
        status = "error"
    else:
        status = "feasible" if has else "no_solution"
    obj = _num(res.incumbent_objective) if has else None
    bound = _num(res.objective_bound)
    rcf = options.get("reduced_cost_fixing") or {}
    if rcf.get("closed_by_lp_bound") and has:  # integers were fixed at an incumbent the LP bound already proves
        bound = _num(rcf["lp_bound"])
    gap = None
    if obj is not None and bound is not None:
        # relative to the larger of incumbent and bound (at least £1): 0 = proven optimal, 1 = nothing proven
        # (e.g. an incumbent of £0 against a positive bound), never a meaningless 1e19
        gap = abs(bound - obj) / max(abs(obj), abs(bound), 1.0) if abs(bound - obj) > 1e-9 else 0.0
    term = tc.name
    if guard is not None and guard.fired:
        term = "interrupted by the wall-clock guard"
        options["wall_clock_guard"] = f"HiGHS overran its time limit; stopped by the wall-clock guard at {wall_limit:.0f} s"
    t = res.timing_info.timer
    handoff = t_set + _timer_total(t, "set_instance") + _timer_total(t, "update")
    solve_s = _num(getattr(res.timing_info, "highs_time", None)) or _timer_total(t, "optimize")
    # highs_time is HiGHS' run clock, cumulative over the object's runs: it includes the reduced-cost phases
    return SolveOutcome(status, term, has, obj, bound, gap, handoff, solve_s, wall, options, dict(versions()))


def _option(h, name):
    v = h.getOptionValue(name)
    return v[1] if isinstance(v, tuple) else v  # highspy returns (status, value)


def _n_solutions(res) -> int:
    try:
        return res.solution_loader.get_number_of_solutions()
    except Exception:
        return 0


def _num(v):
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def _timer_total(timer, name: str) -> float:
    try:
        return float(timer.get_total_time(name))
    except Exception:
        return 0.0
