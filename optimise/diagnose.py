"""Explain infeasibility in the user's words.

Solves the elastic version of the model (model.build_model(elastic=True): every family a study or an
option can make impossible gets slack, weighted rules >> counts >> money), then turns each slack that
had to be used into a sentence naming the family, the vehicles, years and sites involved and the size
of the shortfall.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from .model import SLACK_WEIGHTS, build_model
from .prepare import Prepared
from .problem import NO_SITE
from .solver import run

TOL = 1e-6


def _m(gbp: float) -> str:
    return f"£{gbp / 1e6:,.2f}m" if abs(gbp) >= 1e5 else f"£{gbp:,.0f}"


def diagnose(prep: Prepared, *, time_limit=None, seed: int = 0, threads: int = 1) -> tuple[str, list[dict]]:
    """Return (text, findings); each finding is {family, key, shortfall, message}."""
    P, yrs = prep.problem, list(prep.problem.years)
    head = f"No plan satisfies every constraint of option '{P.rules.name}'."
    m = build_model(prep, elastic=True)
    out = run(m, time_limit=time_limit, rel_gap=1e-6, threads=threads, seed=seed)
    if not out.has_solution:
        lines = [head, f"The relaxed model could not be solved either ({out.termination}): the conflict is in the "
                 "model's definitions (vehicle, site and year windows)."] + [f"- {i}" for i in prep.issues]
        return "\n".join(lines), []
    x = np.array([m.x[i].value or 0.0 for i in range(len(prep.X))])
    y = np.array([m.y[i].value or 0.0 for i in range(len(prep.Y))])
    w = np.array([m.w[i].value or 0.0 for i in range(len(prep.W))])
    findings = []
    for fam in SLACK_WEIGHTS:
        if not hasattr(m, f"slack_{fam}"):
            continue
        sl = getattr(m, f"slack_{fam}")
        for i, key in enumerate(m.families[fam]):
            val = sl[i].value or 0.0
            if val > TOL * (1e3 if fam.startswith("funding") else 1):
                findings.append({"family": fam, "key": key, "shortfall": float(val),
                                 "message": _say(fam, key, val, prep, x, y, w, yrs)})
    # cumulative funding: keep the worst year only (the others are the same shortfall carried forward)
    cum = [f for f in findings if f["family"] == "funding_cumulative"]
    if len(cum) > 1:
        worst = max(cum, key=lambda f: f["shortfall"])
        findings = [f for f in findings if f["family"] != "funding_cumulative" or f is worst]
    findings.sort(key=lambda f: (-SLACK_WEIGHTS[f["family"]], -f["shortfall"]))
    lines = [head] + [f"- {i}" for i in prep.issues]
    lines += [f"- {f['message']}" for f in findings]
    if len(lines) == 1:
        lines.append("- The relaxed model needed no slack: the solver's infeasibility verdict looks wrong "
                     "(a presolve bug?); re-solve with presolve off.")
    return "\n".join(lines), findings


def _say(fam, key, val, prep, x, y, w, yrs) -> str:
    P = prep.problem
    if fam == "must_move":
        n = int((prep.X["service_id"] == key).sum())
        why = prep.must_move.get(key, "")
        where = "none of its" if n else "it has no"
        return (f"Option rules: {key} must move ({why}) but {where} eligible placements can be used "
                f"alongside the other rules; the service would have to stay where it is.")
    if fam == "locked_site":
        v = P.sites.set_index("site_id")["vehicle_id"].get(key, "?")
        return f"Locked-in site {key} (of {v}) must open but cannot: {v} cannot be established or used under this option."
    if fam == "precedence":
        b, a, t = key
        return (f"Precedence: {a} must not move before {b}, but to move {a} by {yrs[t]} {b} would have to move "
                f"earlier than it can.")
    if fam == "max_sites":
        k = int(P.vehicles.set_index("vehicle_id").at[key, "max_sites"])
        return f"Site limit: {key} needs {k + int(round(val))} sites for the services forced into it but may open at most {k}."
    if fam == "transfers":
        cap = P.max_transfers_per_year[key]
        return (f"Transition capacity in {yrs[key]}: {cap + val:g} transfers are needed that year but at most "
                f"{cap:g} are allowed ({val:g} over).")
    if fam == "capacity":
        cap = P.sites.set_index("site_id").at[key, "capacity_fte"]
        return f"Site capacity: {key} would need {cap + val:,.1f} FTE but holds {cap:,.1f} FTE ({val:,.1f} FTE short)."
    if fam in ("funding_yearly", "funding_cumulative"):
        t = key
        span = [t] if fam == "funding_yearly" else list(range(t + 1))
        benefit, costs = _money_by_cause(prep, x, y, w, span)
        total = sum(costs.values())
        causes = ", ".join(f"{c} {_m(g)}" for c, g in sorted(costs.items(), key=lambda kv: -kv[1])[:3] if g > 0)
        if fam == "funding_yearly":
            cap = P.funding_cap_yearly_gbp[t]
            return (f"Funding cap in {yrs[t]} is {_m(val)} short: even the least-cost plan that does what the rules "
                    f"require spends {_m(total)} that year ({causes}) against benefits of {_m(benefit)} and a cap of {_m(cap)}.")
        cap = P.funding_cap_cumulative_gbp
        return (f"Cumulative funding cap of {_m(cap)} is {_m(val)} short by {yrs[t]}: costs to then are {_m(total)} "
                f"({causes}) against benefits of {_m(benefit)}.")
    return f"{fam} {key}: short by {val:g}"


def _money_by_cause(prep, x, y, w, span) -> tuple[float, dict]:
    costs: dict[str, float] = defaultdict(float)
    benefit = 0.0
    for i in np.flatnonzero(x > 0.5):
        v, site = prep.X.at[i, "vehicle_id"], prep.X.at[i, "site_id"]
        costs[f"transfers into {v}"] += float(prep.xc[i, span].sum())
        benefit += float(prep.xb[i, span].sum())
    for i in np.flatnonzero(y > 0.5):
        costs[f"set-up of {prep.Y.at[i, 'vehicle_id']}"] += float(prep.yc[i, span].sum())
        benefit += float(prep.yb[i, span].sum())
    for i in np.flatnonzero(w > 0.5):
        site = prep.W.at[i, "site_id"]
        if site != NO_SITE:
            costs[f"site {site}"] += float(prep.wc[i, span].sum())
    return benefit, dict(costs)
