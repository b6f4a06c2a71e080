"""From regional plans to a national one: the national year of each shared vehicle, the check that a union
of regional plans meets the national rows, and the caps shared out among regions (proportional or
sequential repair)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .check import check_plan
from .plan import Plan, plan_from_decisions
from .regions import Coupling

def national_years(nat: list, res: list) -> dict:
    """Each shared vehicle is set up in the earliest year a region's plan uses it (never if none does)."""
    years = {}
    for v, _ in nat:
        used = [int(np.argmax(r["E"][v] > 0.5)) for r in res if v in r.get("E", {}) and r["E"][v][-1] > 0.5]
        years[v] = min(used) if used else None
    return years


def combine(coupling: Coupling, nat: list, res: list, years: dict | None = None):
    """(value, res, years) if the union of the regional plans meets every national row, else None."""
    used = national_years(nat, res)
    # a shared vehicle no regional plan uses is not set up (its set-up cost would buy nothing)
    years = used if years is None else {v: (u if used[v] is not None else None) for v, u in years.items()}
    T = coupling.T
    net = sum((r["net"] for r in res), np.zeros(T))
    value = float(sum(r["npv"] for r in res))
    for v, opts in nat:
        for u, npv, n in opts:
            if u is not None and u == years[v]:
                net, value = net + n, value + npv
    tol = lambda cap: 1e-3 + 1e-7 * abs(cap)  # noqa: E731  (check_plan's money tolerance)
    if coupling.cum_cap is not None and (-np.cumsum(net) > coupling.cum_cap + tol(coupling.cum_cap) - 1e-3).any():
        return None
    if coupling.yearly_cap is not None and (-net > coupling.yearly_cap).any():
        return None
    if coupling.transfers_cap is not None:
        count = sum((r["count"] for r in res), np.zeros(T))
        if (count > coupling.transfers_cap + 1e-6).any():
            return None
    return value, res, years


def do_nothing(problem, prov, bound) -> Plan:
    plan = plan_from_decisions(problem, pd.DataFrame(columns=["service_id", "vehicle_id", "site_id", "t"]), {}, {},
                               "feasible", objective_gbp=0.0, bound_gbp=bound, provenance=prov)
    plan.violations = check_plan(problem, plan)
    return plan


def residual(coupling: Coupling, net_used: np.ndarray, count_used: np.ndarray) -> dict:
    """What is left of every national row once ``net_used`` (money already committed, by year) and
    ``count_used`` (transfers) are taken: the limits for the next region of a sequential repair."""
    out, T = {}, coupling.T
    if coupling.cum_cap is not None:
        for t, c in enumerate(np.cumsum(net_used)):
            out["cum", t] = max(coupling.cum_cap + float(c), 0.0)
    if coupling.yearly_cap is not None:
        for t in range(T):
            if np.isfinite(coupling.yearly_cap[t]):
                out["year", t] = max(float(coupling.yearly_cap[t] + net_used[t]), 0.0)
    if coupling.transfers_cap is not None:
        for t in range(T):
            if np.isfinite(coupling.transfers_cap[t]):
                out["transfers", t] = max(float(np.floor(coupling.transfers_cap[t] - count_used[t] + 1e-9)), 0.0)
    return out


def shares_of(coupling: Coupling, res: list, nat_net: np.ndarray) -> list[dict]:
    """Each region's share of every national row, in proportion to what its relaxed plan used; the shares
    add up to the national right-hand side (after the shared vehicles' own money), so the union of
    regional plans that respect their shares respects the national rows."""
    R, T = len(res), coupling.T
    out = [dict() for _ in range(R)]

    def split(total, need, kind, t):
        need = np.maximum(np.asarray(need, float), 0.0)
        if total <= need.sum() or need.sum() <= 0:
            alloc = total * (need / need.sum() if need.sum() > 0 else np.full(R, 1.0 / R)) if total > 0 else np.zeros(R)
        else:  # enough for everyone: each keeps what it used, the rest is spread evenly
            alloc = need + (total - need.sum()) / R
        for r in range(R):
            out[r][kind, t] = max(float(alloc[r]), 0.0)

    nets = np.array([r["net"] if r["has"] else np.zeros(T) for r in res])
    if coupling.cum_cap is not None:
        avail = coupling.cum_cap + np.cumsum(nat_net)
        for t in range(T):
            split(avail[t], -np.cumsum(nets, axis=1)[:, t], "cum", t)
    if coupling.yearly_cap is not None:
        for t in range(T):
            if np.isfinite(coupling.yearly_cap[t]):
                split(coupling.yearly_cap[t] + nat_net[t], -nets[:, t], "year", t)
    if coupling.transfers_cap is not None:
        counts = np.array([r["count"] if r["has"] else np.zeros(T) for r in res])
        for t in range(T):
            if np.isfinite(coupling.transfers_cap[t]):
                total = float(coupling.transfers_cap[t])
                need = counts[:, t]
                alloc = np.floor(total * need / need.sum()) if need.sum() > total else need + np.floor((total - need.sum()) / R)
                for r in range(R):
                    out[r]["transfers", t] = float(alloc[r])
    return out
