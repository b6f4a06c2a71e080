"""The Pyomo path to HiGHS (Pyomo's new, "preview" solver interface): ``run`` and its wall-clock guard.

The bounded run (the model as arrays, HiGHS in a child process stopped hard at a deadline) is in
bounded.py, the arrays in matrix.py, reduced-cost fixing in rcfix.py. ``run`` never raises on a non-optimal outcome: returns a ``SolveOutcome`` with a status string, the incumbent
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

from .rcfix import option_value
from .rcfix import reduced_cost_fixing as fix_by_reduced_cost

SOLVER_NAME = "highs"
# HiGHS' own default. Rows hold pounds (a funding cap of £7e7): a tighter absolute tolerance (1e-7, used
# until 2026-12) made HiGHS reject its own heuristic plans ("untransformed violations" of 5e-7 on such rows),
# so the independent 2,000-service region found no plan in 30 s; check_plan re-checks every loaded plan.
MIP_FEASIBILITY_TOLERANCE = 1e-6


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


def run(model, *, time_limit=None, rel_gap=1e-6, threads=1, seed=0, presolve=None, solver=None,
        extra_options: dict | None = None, wall_limit: float | None = None,
        reduced_cost_fixing: bool = False) -> SolveOutcome:
    """Solve ``model`` (its single active objective). Pass ``solver`` to reuse a persistent instance.

    ``wall_limit`` (default: ``guard_seconds(time_limit)``) is a hard wall-clock stop enforced by
    ``WallClockGuard`` in case HiGHS overruns its own ``time_limit``; the incumbent is still returned.
    ``reduced_cost_fixing`` first solves the LP relaxation and a restricted MIP and fixes binaries that
    cannot be in any optimal plan (``rcfix.reduced_cost_fixing``); same optimum, usually far faster."""
    opt = solver if solver is not None else new_solver()
    if wall_limit is None:
        wall_limit = guard_seconds(time_limit)
    raw = {"random_seed": int(seed), "mip_feasibility_tolerance": MIP_FEASIBILITY_TOLERANCE}
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
                    out_flag = option_value(h, "output_flag")
                    h.setOptionValue("output_flag", False)
                    try:
                        options["reduced_cost_fixing"], restore = fix_by_reduced_cost(h, time_limit, rel_gap)
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
