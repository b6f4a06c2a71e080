"""Near-optimal alternatives ("modelling to generate alternatives", as PyPSA does).

Given an optimal plan with NPV z*, find up to n plans with NPV >= z* - slack_pct% * |z*| that are as
different as possible, in Hamming distance on the transfer variables x[s,v,site,t], from the optimum and
from each other: each round maximises the smallest distance to every plan found so far (ties broken
towards higher NPV). Every alternative is evaluated and checked like any other plan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from .check import check_plan
from .model import build_model
from .plan import Plan, extract
from .prepare import Prepared, prepare
from .problem import PlacementProblem
from .solver import new_solver, run


def x_of_plan(prep: Prepared, plan: Plan) -> np.ndarray:
    """0/1 vector over prep.X of the plan's moves."""
    a = plan.assignment
    a = a[a["transfer_year"].notna()]
    keys = set(zip(a["service_id"], a["vehicle_id"], a["site_id"].fillna(""), a["transfer_year"].astype(int)))
    X = prep.X
    return np.array([(s, v, site, int(t)) in keys for s, v, site, t in X.itertuples(index=False)], dtype=int)


def hamming(a: np.ndarray, b: np.ndarray) -> int:
    return int(np.sum(a != b))


def alternatives(problem: PlacementProblem, plan: Plan, n: int = 3, slack_pct: float = 5.0, *,
                 time_limit: float | None = None, seed: int = 0, threads: int = 1) -> list[Plan]:
    if not plan.has_solution:
        raise ValueError("alternatives need a solved plan")
    prep = prepare(problem)
    m = build_model(prep)
    z = float(plan.npv_gbp)
    floor = z - max(abs(z) * slack_pct / 100.0, 1e-6)
    m.near_optimal = pyo.Constraint(expr=m.npv >= floor)
    pool = [x_of_plan(prep, plan)]
    x = [m.x[i] for i in range(len(prep.X))]
    m.delta = pyo.Var(bounds=(0, len(x)))
    m.dist = pyo.ConstraintList()
    m.obj.deactivate()
    m.mga_obj = pyo.Objective(expr=m.delta + 1e-3 * m.npv / max(abs(z), 1.0), sense=pyo.maximize)
    opt = new_solver()
    found: list[Plan] = []
    for k in range(n):
        p = pool[-1]
        m.dist.add(m.delta <= pyo.quicksum(1 - x[i] if p[i] else x[i] for i in range(len(x))))
        out = run(m, time_limit=time_limit, threads=threads, seed=seed, solver=opt)
        if not out.has_solution:
            break
        alt = extract(m, problem, out.status, objective_gbp=float(pyo.value(m.npv)), bound_gbp=None, gap=out.gap,
                      solve_seconds=out.solve_seconds,
                      provenance={**plan.provenance, "mga": {"round": k + 1, "slack_pct": slack_pct, "floor_gbp": floor}})
        xv = x_of_plan(prep, alt)
        dists = [hamming(xv, q) for q in pool]
        if min(dists) == 0:
            break
        alt.provenance["mga"]["hamming_to_previous"] = dists
        alt.violations = check_plan(problem, alt)
        found.append(alt)
        pool.append(xv)
    return found


def distance_table(problem: PlacementProblem, plans: list[Plan]) -> pd.DataFrame:
    prep = prepare(problem)
    xs = [x_of_plan(prep, p) for p in plans]
    return pd.DataFrame([[hamming(a, b) for b in xs] for a in xs])
