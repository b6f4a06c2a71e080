"""Trade-off between NPV and a second objective by the epsilon-constraint method.

second="funding": the peak transition funding need F = max(0, max_t -(cumulative net position by t));
    points maximise NPV subject to F <= eps for eps spread evenly between the least possible F and the F
    of the NPV-optimal plan (NPV rises with eps).
second="score": a linear score per placement (column ``score`` of ``placements``, per service and
    vehicle, optional site); points maximise NPV subject to score >= eps between the score of the
    NPV-optimal plan and the best possible score (NPV falls as eps rises).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from .check import check_plan
from .model import build_model
from .plan import Plan, extract
from .prepare import prepare
from .problem import PlacementProblem
from .solver import new_solver, run


@dataclass
class ParetoFront:
    second: str
    table: pd.DataFrame  # point, epsilon, npv_gbp, second_value, status, gap
    plans: list


def _scores(prep, problem: PlacementProblem, column: str) -> np.ndarray:
    pl = problem.normalised().placements
    if column not in pl.columns:
        raise ValueError(f"placements has no '{column}' column for second='score'")
    by_site = {(s, v, site): float(sc) for s, v, site, sc in pl[["service_id", "vehicle_id", "site_id", column]].itertuples(index=False)}
    return np.array([by_site.get((s, v, site), by_site.get((s, v, ""), 0.0))
                     for s, v, site, _ in prep.X.itertuples(index=False)], dtype=float)


def pareto(problem: PlacementProblem, second: str = "funding", points: int = 5, *, score_column: str = "score",
           time_limit: float | None = None, seed: int = 0, threads: int = 1) -> ParetoFront:
    prep = prepare(problem)
    m = build_model(prep, with_net=True)
    T = prep.T
    if second == "funding":
        m.F = pyo.Var(domain=pyo.NonNegativeReals)
        m.peak = pyo.Constraint(range(T), rule=lambda m, t: m.F >= -pyo.quicksum(m.net[u] for u in range(t + 1)))
        sec, sense, value_of = m.F, pyo.minimize, (lambda plan: plan.peak_funding_gbp)
    elif second == "score":
        sc = _scores(prep, problem, score_column)
        m.S = pyo.Expression(expr=pyo.quicksum(float(c) * m.x[i] for i, c in enumerate(sc) if c))
        sec, sense, value_of = m.S, pyo.maximize, None
    else:
        raise ValueError("second must be 'funding' or 'score'")
    opt = new_solver()
    kw = dict(time_limit=time_limit, threads=threads, seed=seed, solver=opt)
    m.eps = pyo.Param(mutable=True, initialize=0.0)
    m.active_eps = pyo.Param(mutable=True, initialize=0.0)  # 1 = epsilon constraint on
    big = 1e12
    if sense == pyo.minimize:
        m.eps_con = pyo.Constraint(expr=sec <= m.eps + big * (1 - m.active_eps))
    else:
        m.eps_con = pyo.Constraint(expr=sec >= m.eps - big * (1 - m.active_eps))

    def solve_point(objective, eps=None):
        m.active_eps.set_value(0.0 if eps is None else 1.0)
        m.eps.set_value(0.0 if eps is None else eps)
        for o in list(m.component_objects(pyo.Objective)):
            o.deactivate()
        name = f"obj_{len(list(m.component_objects(pyo.Objective)))}"
        m.add_component(name, objective)
        return run(m, rel_gap=1e-9, **kw)

    # the two extremes
    out = solve_point(pyo.Objective(expr=m.npv, sense=pyo.maximize))
    if not out.has_solution:
        return ParetoFront(second, pd.DataFrame(columns=["point", "epsilon", "npv_gbp", "second_value", "status", "gap"]), [])
    if second == "funding":  # F is only bounded below while NPV is maximised: read the true peak
        hi_val = max(0.0, float(-np.min(np.cumsum([pyo.value(m.net[t]) for t in range(T)]))))
    else:
        hi_val = float(pyo.value(sec))
    out = solve_point(pyo.Objective(expr=sec, sense=sense))
    best_val = float(pyo.value(sec))
    eps_values = np.linspace(best_val, hi_val, points) if points > 1 else np.array([hi_val])
    tol = 1e-6 * max(1.0, abs(best_val), abs(hi_val))
    rows, plans = [], []
    for k, eps in enumerate(eps_values):
        e = eps + tol if sense == pyo.minimize else eps - tol
        out = solve_point(pyo.Objective(expr=m.npv, sense=pyo.maximize), e)
        if not out.has_solution:
            rows.append(dict(point=k, epsilon=float(eps), npv_gbp=np.nan, second_value=np.nan, status=out.status, gap=None))
            plans.append(None)
            continue
        plan = extract(m, problem, out.status, objective_gbp=out.objective, bound_gbp=out.bound, gap=out.gap,
                       solve_seconds=out.solve_seconds, provenance={"pareto": {"second": second, "epsilon": float(eps)}})
        plan.violations = check_plan(problem, plan)
        val = value_of(plan) if value_of else float(pyo.value(sec))
        rows.append(dict(point=k, epsilon=float(eps), npv_gbp=plan.npv_gbp, second_value=val, status=out.status, gap=out.gap))
        plans.append(plan)
    return ParetoFront(second, pd.DataFrame(rows), plans)
