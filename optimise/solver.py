"""The one place that talks to a MILP solver (Pyomo's new, "preview" solver interface + HiGHS).

Never raises on a non-optimal outcome: returns a ``SolveOutcome`` with a status string, the incumbent
objective and the proven bound, and loads the incumbent into the model's variables when there is one.
"""

from __future__ import annotations

import functools
import importlib.metadata
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


def run(model, *, time_limit=None, rel_gap=1e-6, threads=1, seed=0, presolve=None, solver=None,
        extra_options: dict | None = None) -> SolveOutcome:
    """Solve ``model`` (its single active objective). Pass ``solver`` to reuse a persistent instance."""
    opt = solver if solver is not None else new_solver()
    raw = {"random_seed": int(seed), "mip_feasibility_tolerance": 1e-7}
    if presolve is not None:
        raw["presolve"] = presolve
    raw.update(extra_options or {})
    options = {"time_limit": time_limit, "rel_gap": rel_gap, "threads": threads, "solver_options": raw}
    tick = time.perf_counter()
    try:
        res = opt.solve(model, load_solutions=False, raise_exception_on_nonoptimal_result=False,
                        time_limit=time_limit, rel_gap=rel_gap, threads=threads, solver_options=dict(raw))
    except Exception as exc:  # a solver crash is reported, never propagated
        return SolveOutcome("error", repr(exc), False, None, None, None, 0.0, 0.0,
                            time.perf_counter() - tick, options, dict(versions()))
    wall = time.perf_counter() - tick
    tc = res.termination_condition
    has = False
    try:
        has = res.solution_loader.get_number_of_solutions() > 0
    except Exception:
        has = False
    if has:
        res.solution_loader.load_vars()
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
    gap = None
    if obj is not None and bound is not None:
        # relative to the larger of incumbent and bound (at least £1): 0 = proven optimal, 1 = nothing proven
        # (e.g. an incumbent of £0 against a positive bound), never a meaningless 1e19
        gap = abs(bound - obj) / max(abs(obj), abs(bound), 1.0) if abs(bound - obj) > 1e-9 else 0.0
    t = res.timing_info.timer
    handoff = _timer_total(t, "set_instance") + _timer_total(t, "update")
    solve_s = _num(getattr(res.timing_info, "highs_time", None)) or _timer_total(t, "optimize")
    return SolveOutcome(status, tc.name, has, obj, bound, gap, handoff, solve_s, wall, options, dict(versions()))


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
