"""The one place that talks to a MILP solver (Pyomo's new, "preview" solver interface + HiGHS).

Never raises on a non-optimal outcome: returns a ``SolveOutcome`` with a status string, the incumbent
objective and the proven bound, and loads the incumbent into the model's variables when there is one.
"""

from __future__ import annotations

import functools
import importlib.metadata
import logging
import math
import sys
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


def _reduced_cost_fixing(h, time_limit, rel_gap, on_bound=None) -> tuple[dict, callable]:
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
    if on_bound is not None:  # the LP relaxation's optimum bounds every plan
        on_bound(float(z_lp))
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


# ------------------------------------------------------------------------------------------------------------
# The bounded run: the model as arrays, HiGHS through highspy (warm start, streamed incumbents and bounds),
# in a child process that the parent stops hard at its deadline.
# ------------------------------------------------------------------------------------------------------------

@dataclass
class MatrixModel:
    """A linear model as HiGHS takes it (column-wise matrix); ``columns`` are the Pyomo variables (parent only)."""

    sense: int  # 1 minimise, -1 maximise (HiGHS' ObjSense)
    offset: float
    cost: "np.ndarray"
    col_lower: "np.ndarray"
    col_upper: "np.ndarray"
    integrality: "np.ndarray"  # uint8, 1 = integer
    a_start: "np.ndarray"
    a_index: "np.ndarray"
    a_value: "np.ndarray"
    row_lower: "np.ndarray"
    row_upper: "np.ndarray"
    columns: list = field(default_factory=list)

    @property
    def n_col(self) -> int:
        return len(self.cost)

    def arrays(self) -> dict:
        """Everything but the Pyomo variables: what the child process receives."""
        return {k: getattr(self, k) for k in ("sense", "offset", "cost", "col_lower", "col_upper", "integrality",
                                              "a_start", "a_index", "a_value", "row_lower", "row_upper")}

    def box_bound(self) -> float:
        """A bound no solution can beat: each column at its best bound (valid, weak; inf if a column is free)."""
        import numpy as np

        c = self.cost * (-self.sense)  # maximisation sense
        nz = c != 0
        best = np.where(c[nz] > 0, self.col_upper[nz], self.col_lower[nz]) * c[nz]
        val = float(np.sum(best)) if len(best) else 0.0
        return self.offset + (val if self.sense == -1 else -val)


class TriviallyInfeasible(Exception):
    """A constraint with no variables left cannot hold (e.g. a must-move service with no placement)."""


def compile_model(model) -> MatrixModel:
    """The active objective and constraints of a Pyomo model as HiGHS arrays (Pyomo's public
    standard-form compiler; ranged rows become two rows; variables that appear nowhere are left out)."""
    import numpy as np
    from pyomo.common.errors import InfeasibleConstraintException
    from pyomo.core.base.objective import minimize
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    try:
        r = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
    except InfeasibleConstraintException as exc:
        raise TriviallyInfeasible(str(exc)) from None
    n = len(r.columns)
    A = r.A.tocsc() if n else None
    kind = np.array([b for _, b in r.rows], dtype=int)
    rhs = np.asarray(r.rhs, dtype=float)
    lo = np.where(kind <= 0, rhs, -np.inf)
    hi = np.where(kind >= 0, rhs, np.inf)
    cost = np.asarray(r.c.toarray()[0], dtype=float) if n and r.c.shape[0] else np.zeros(n)
    sense = 1 if not r.objectives or r.objectives[0].sense == minimize else -1
    cl = np.array([-np.inf if v.lb is None else float(v.lb) for v in r.columns], dtype=float)
    cu = np.array([np.inf if v.ub is None else float(v.ub) for v in r.columns], dtype=float)
    integ = np.array([1 if v.is_integer() else 0 for v in r.columns], dtype=np.uint8)
    offset = float(r.c_offset[0]) if len(r.c_offset) else 0.0
    if A is None:
        a_start, a_index, a_value = np.zeros(1, np.int32), np.zeros(0, np.int32), np.zeros(0)
    else:
        a_start, a_index, a_value = A.indptr.astype(np.int32), A.indices.astype(np.int32), A.data.astype(float)
    return MatrixModel(sense, offset, cost, cl, cu, integ, a_start, a_index, a_value, lo, hi, list(r.columns))


def _highs_work(mm: dict, opts: dict, get_start, send) -> None:
    """Solve the arrays ``mm`` with highspy; ``get_start()`` gives (indices, values, objective) of a start or
    None, and is called only when the start is first needed (after the LP relaxation and the restricted MIP
    of reduced-cost fixing), so the parent can build it while HiGHS works; report through ``send(kind, payload)``:
    ("bound", value) — a valid bound on the whole problem; ("solution", (objective, values)) — a feasible
    incumbent; ("done", summary). Runs in the child process, or in the parent when there is no deadline."""
    import highspy
    import numpy as np

    h = _quiet_highs()
    n = len(mm["cost"])
    h.passModel(n, len(mm["row_lower"]), len(mm["a_value"]), 1, int(mm["sense"]), float(mm["offset"]),
                mm["cost"], mm["col_lower"], mm["col_upper"], mm["row_lower"], mm["row_upper"],
                mm["a_start"], mm["a_index"], mm["a_value"], mm["integrality"])
    for k, v in opts["raw"].items():
        h.setOptionValue(k, v)
    h.setOptionValue("threads", int(opts["threads"]))
    h.setOptionValue("mip_rel_gap", float(opts["rel_gap"]))
    budget = opts.get("time_limit")
    t0 = time.perf_counter()
    if budget is not None:
        h.setOptionValue("time_limit", float(budget))
    state = {"phase": "restricted", "last_bound": 0.0}

    def improving(e):
        sol = np.array(e.data_out.mip_solution, dtype=float)
        if len(sol) == n:
            send("solution", (float(e.data_out.objective_function_value), sol))

    def interrupt(e):
        if state["phase"] == "final" and time.perf_counter() - state["last_bound"] > 0.5:
            state["last_bound"] = time.perf_counter()
            send("bound", float(e.data_out.mip_dual_bound))
        if budget is not None and time.perf_counter() - t0 > 1.05 * budget + 1.0:
            e.interrupt()  # HiGHS#2226: its own limit is not always honoured

    h.cbMipImprovingSolution += improving
    h.cbMipInterrupt += interrupt
    info = {}
    if opts.get("reduced_cost_fixing"):
        info, restore = _reduced_cost_fixing(h, budget, opts["rel_gap"], on_bound=lambda b: send("bound", b))
    start = get_start()
    if start is not None:
        idx, val, obj = start
        restricted = info.get("restricted_objective")
        if restricted is None or obj is None or -mm["sense"] * (obj - restricted) > 0:  # the start is better
            h.setSolution(len(idx), np.asarray(idx, dtype=np.int32), np.asarray(val, dtype=float))
    if opts.get("reduced_cost_fixing"):
        if budget is not None:
            h.setOptionValue("time_limit", max(float(budget) - (time.perf_counter() - t0), 0.1 * float(budget)))
    state["phase"] = "final_fixed" if info.get("closed_by_lp_bound") else "final"
    h.run()
    ms = h.getModelStatus()
    inf = h.getInfo()
    has = inf.primal_solution_status == 2
    summary = {"model_status": h.modelStatusToString(ms), "optimal": ms == highspy.HighsModelStatus.kOptimal,
               "infeasible": ms == highspy.HighsModelStatus.kInfeasible,
               "unbounded": ms in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible),
               "objective": float(inf.objective_function_value) if has else None,
               "bound": float(inf.mip_dual_bound) if state["phase"] == "final" and mm["integrality"].any() else None,
               "values": np.array(h.getSolution().col_value, dtype=float) if has else None,
               "highs_seconds": float(h.getRunTime()), "reduced_cost_fixing": info}
    if state["phase"] == "final" and not mm["integrality"].any() and summary["optimal"]:
        summary["bound"] = summary["objective"]  # a pure LP solved to optimality
    send("done", summary)


def _quiet_highs():
    """A ``highspy.Highs`` without its banner on stdout (printed by the constructor, before any option)."""
    import os

    import highspy

    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)
    return h


def _child_main(fd: int) -> None:  # pragma: no cover - runs in the child process
    import os
    import pickle
    import struct

    job = pickle.load(sys.stdin.buffer)
    out = os.fdopen(fd, "wb", buffering=0)
    later = {}

    def get_start():  # the parent sends the start once it has built it (None: no start)
        if "start" not in later:
            try:
                later["start"] = pickle.load(sys.stdin.buffer)
            except EOFError:
                later["start"] = None
        return later["start"]

    def send(kind, payload):
        data = pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL)
        out.write(struct.pack("<Q", len(data)) + data)

    _highs_work(job["model"], job["options"], get_start, send)
    out.close()


class _Frames:
    """Length-prefixed pickles read from a pipe without ever blocking past a deadline."""

    def __init__(self, fd):
        self.fd, self.buf, self.eof = fd, bytearray(), False

    def read(self, timeout: float) -> list:
        import os
        import pickle
        import select
        import struct

        if self.eof:
            return []
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0.0))
        if ready:
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                self.eof = True
            self.buf += chunk
        msgs = []
        while len(self.buf) >= 8:
            (size,) = struct.unpack("<Q", self.buf[:8])
            if len(self.buf) < 8 + size:
                break
            msgs.append(pickle.loads(bytes(self.buf[8:8 + size])))
            del self.buf[:8 + size]
        return msgs


def run_bounded(model, *, time_limit=None, deadline=None, rel_gap=1e-6, threads=1, seed=0, presolve=None,
                extra_options: dict | None = None, reduced_cost_fixing: bool = False, start=None,
                start_objective: float | None = None, start_later=None, in_process: bool | None = None,
                compiled: MatrixModel | None = None, known_bound: float | None = None) -> SolveOutcome:
    """Solve ``model`` through highspy with a start and a hard deadline.

    ``start``: (variable, value) pairs (a partial assignment is fine: HiGHS completes it) passed with
    ``setSolution``; ``start_objective`` its objective. ``start_later``: instead, a function returning
    (start, start_objective, deadline) that is called once HiGHS is at work in the child (so a start can be
    built in parallel; the deadline it returns replaces ``deadline``). ``deadline`` (``time.monotonic()`` seconds): the HiGHS
    run happens in a child process that is killed then, whatever HiGHS is doing (HiGHS#2226); the best
    incumbent streamed back until then is loaded into the model's variables, and the bound is the best
    valid one seen (the columns' box bound, the LP relaxation, the MIP's dual bound). Without a deadline
    (and unless ``in_process`` is False) the same work runs in this process. Never raises on a solver
    outcome; a constraint with no variables that cannot hold gives status "infeasible"."""
    import os
    import pickle
    import subprocess
    import tempfile
    import threading

    import numpy as np

    tick = time.perf_counter()
    raw = {"random_seed": int(seed), "mip_feasibility_tolerance": 1e-7}
    if presolve is not None:
        raw["presolve"] = presolve
    raw.update(extra_options or {})
    budget = None if deadline is None else max(deadline - time.monotonic(), 0.0)
    if time_limit is not None:
        budget = float(time_limit) if budget is None else min(budget, float(time_limit))
    options = {"time_limit": time_limit, "rel_gap": rel_gap, "threads": threads, "solver_options": raw,
               "reduced_cost_fixing": reduced_cost_fixing,
               "process": "in process" if (in_process if in_process is not None else deadline is None) else "child"}
    try:
        mm = compiled if compiled is not None else compile_model(model)
    except TriviallyInfeasible as exc:
        return SolveOutcome("infeasible", f"trivially infeasible: {exc}", False, None, None, None,
                            time.perf_counter() - tick, 0.0, time.perf_counter() - tick, options, dict(versions()))
    maximise = mm.sense == -1
    better = (lambda a, b: a > b) if maximise else (lambda a, b: a < b)
    col = {id(v): i for i, v in enumerate(mm.columns)}

    def as_columns(pairs, objective):
        if pairs is None:
            return None
        pairs = [(col[id(v)], float(x)) for v, x in pairs if id(v) in col]
        return (np.array([p[0] for p in pairs], dtype=np.int32), np.array([p[1] for p in pairs], dtype=float),
                objective)

    opts = {"raw": raw, "threads": threads, "rel_gap": rel_gap, "time_limit": budget,
            "reduced_cost_fixing": reduced_cost_fixing}
    best = {"objective": None, "values": None, "bound": mm.box_bound(), "done": None, "incumbents": []}
    if known_bound is not None and better(best["bound"], known_bound):  # a valid bound the caller knows
        best["bound"] = float(known_bound)

    def receive(kind, payload):
        if kind == "solution":
            obj, vals = payload
            if best["objective"] is None or better(obj, best["objective"]):
                best["objective"], best["values"] = obj, vals
                best["incumbents"].append((round(time.perf_counter() - tick, 3), obj))
        elif kind == "bound":
            if payload is not None and math.isfinite(payload) and better(best["bound"], payload):
                best["bound"] = payload
        elif kind == "done":
            best["done"] = payload
            if payload["objective"] is not None and payload["values"] is not None:
                receive("solution", (payload["objective"], payload["values"]))
            if payload["bound"] is not None:
                receive("bound", payload["bound"])

    handoff = time.perf_counter() - tick
    killed = False
    err_text = ""
    child_mode = options["process"] == "child"
    if deadline is not None and time.monotonic() > deadline - 0.1:  # no time left to start HiGHS at all
        return SolveOutcome("no_solution", "no time left for the solver", False, None,
                            None if not math.isfinite(best["bound"]) else best["bound"], None, handoff, 0.0,
                            time.perf_counter() - tick, options, dict(versions()))
    try:
        if not child_mode:
            if start_later is not None:
                start, start_objective, _ = start_later()
            st = as_columns(start, start_objective)
            _highs_work(mm.arrays(), opts, lambda: st, receive)
        else:
            rfd, wfd = os.pipe()
            with tempfile.TemporaryFile() as errf:
                proc = subprocess.Popen([sys.executable, "-P", os.path.abspath(__file__), str(wfd)],
                                        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errf,
                                        pass_fds=[wfd], close_fds=True)
                os.close(wfd)
                try:
                    pickle.dump({"model": mm.arrays(), "options": opts}, proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                    proc.stdin.flush()
                    handoff = time.perf_counter() - tick
                    if start_later is not None:  # built while HiGHS starts on the LP relaxation
                        start, start_objective, new_deadline = start_later()
                        deadline = new_deadline if new_deadline is not None else deadline
                    payload = pickle.dumps(as_columns(start, start_objective), protocol=pickle.HIGHEST_PROTOCOL)

                    def write_start():  # the child reads it only when it needs it: never block the parent
                        try:
                            proc.stdin.write(payload)
                            proc.stdin.close()
                        except (BrokenPipeError, OSError, ValueError):
                            pass

                    writer = threading.Thread(target=write_start, daemon=True)
                    writer.start()
                except BrokenPipeError:
                    pass
                frames = _Frames(rfd)
                while best["done"] is None and not frames.eof:
                    left = (deadline - time.monotonic()) if deadline is not None else 1.0
                    if left <= 0:
                        killed = True
                        break
                    for kind, payload in frames.read(min(left, 0.25)):
                        receive(kind, payload)
                proc.kill() if killed else None
                proc.wait()
                os.close(rfd)
                errf.seek(0)
                err_text = errf.read().decode(errors="replace").strip()
    except Exception as exc:  # a solver crash is reported, never propagated
        return SolveOutcome("error", repr(exc), False, None, None, None, handoff, 0.0, time.perf_counter() - tick,
                            options, dict(versions()))
    wall = time.perf_counter() - tick
    options["warm_start"] = start is not None
    done = best["done"]
    has = best["values"] is not None
    if has:
        vals = best["values"]
        for i, v in enumerate(mm.columns):
            v.set_value(float(vals[i]), skip_validation=True)
    if done is not None and done["optimal"]:
        status, term = "optimal", done["model_status"]
    elif done is not None and done["infeasible"] and not has:
        status, term = "infeasible", done["model_status"]
    elif done is not None and done["unbounded"] and not has:
        status, term = "unbounded", done["model_status"]
    elif done is None and not killed:
        status, term = "error", f"the HiGHS process ended without a result: {err_text[-500:] or 'no message'}"
    else:
        status = "feasible" if has else "no_solution"
        term = f"stopped at the deadline ({budget:.1f} s)" if killed else (done["model_status"] if done else "unknown")
    obj = best["objective"] if has else None
    bound = best["bound"] if best["bound"] is not None and math.isfinite(best["bound"]) else None
    if status == "optimal" and obj is not None and bound is None:
        bound = obj
    gap = None
    if obj is not None and bound is not None:
        gap = abs(bound - obj) / max(abs(obj), abs(bound), 1.0) if abs(bound - obj) > 1e-9 else 0.0
    if done is not None:
        options["reduced_cost_fixing"] = done.get("reduced_cost_fixing") or {}
    options["incumbents"] = best["incumbents"]
    if killed:
        options["deadline"] = f"the HiGHS process was stopped at the deadline after {wall:.1f} s"
    solve_s = done["highs_seconds"] if done is not None else wall - handoff
    return SolveOutcome(status, term, has, obj, bound, gap, handoff, solve_s, wall, options, dict(versions()))


if __name__ == "__main__":  # pragma: no cover - the child process of run_bounded
    import sys as _sys

    _child_main(int(_sys.argv[1]))
