"""Explain infeasibility in the user's words.

Solves the elastic version of the model (model.build_model(elastic=True): every family a study or an
option can make impossible gets slack, weighted rules >> counts >> money), then turns each slack that
had to be used into a sentence naming the family, the vehicles, years and sites involved and the size
of the shortfall.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

import pyomo.environ as pyo

from .model import SLACK_WEIGHTS, build_model
from .prepare import Prepared
from .problem import NO_SITE
from .bounded import run_bounded
from .solver import run

# what each relaxable family asks, for the sentence that names the conflict
FAMILY_WORDS = {
    "must_move": "services that must move",
    "locked_site": "sites that must open",
    "precedence": "precedence between services",
    "dependency": "vehicle dependencies",
    "max_sites": "the limit on sites per vehicle",
    "transfers": "the transfers allowed per year",
    "capacity": "site capacities",
    "estate_capacity": "the capacity of occupied buildings",
    "must_release": "buildings that must be released",
    "funding_yearly": "the yearly funding cap",
    "funding_cumulative": "the cumulative funding cap",
    "floor": "the money floors and targets",
    "floor_members": "the membership floors",
}


def conflict_families(prep: Prepared, *, time_limit=None, seed: int = 0, threads: int = 1) -> list[str] | None:
    """A smallest set of rule families that cannot all hold together (deletion filter: drop a family, keep it
    dropped if the rest is still infeasible). Each test is the integer model itself with a zero objective.
    [] = the definitions alone (windows, linking) are infeasible; None = a test ran out of time."""
    m = build_model(prep)
    fams = [f for f in SLACK_WEIGHTS if hasattr(m, f"c_{f}") and len(getattr(m, f"c_{f}"))]
    m.obj.deactivate()
    m.feasibility = pyo.Objective(expr=0.0)
    per_test = None if time_limit is None else max(float(time_limit) / max(len(fams) + 1, 1), 0.5)

    def feasible(active: set) -> bool | None:
        for f in fams:
            getattr(m, f"c_{f}").activate() if f in active else getattr(m, f"c_{f}").deactivate()
        out = run_bounded(m, time_limit=per_test, threads=threads, seed=seed, in_process=True)
        if out.status == "infeasible":
            out = run_bounded(m, time_limit=per_test, threads=threads, seed=seed, presolve="off", in_process=True)
        return True if out.has_solution else (False if out.status == "infeasible" else None)

    keep = list(fams)
    for f in fams:
        trial = set(keep) - {f}
        verdict = feasible(trial)
        if verdict is None:
            return None
        if verdict is False:
            keep = [g for g in keep if g != f]
    return keep


TOL = 1e-6


def _m(gbp: float) -> str:
    return f"£{gbp / 1e6:,.2f}m" if abs(gbp) >= 1e5 else f"£{gbp:,.0f}"


def diagnose(prep: Prepared, *, time_limit=None, seed: int = 0, threads: int = 1) -> tuple[str, list[dict]]:
    """Return (text, findings); each finding is {family, key, shortfall, message}."""
    P, yrs = prep.problem, list(prep.problem.years)
    head = f"No plan satisfies every constraint of option '{P.rules.name}'."
    conflict = conflict_families(prep, time_limit=None if time_limit is None else 0.5 * time_limit, seed=seed,
                                 threads=threads)
    if conflict:
        head += " The conflict is between " + _and([FAMILY_WORDS.get(f, f) for f in conflict]) + "."
    elif conflict == []:
        head += " The vehicles' windows and forced years leave no plan even without the other rules."
    # 1. every family may give: the cheapest repair, which also shows conflicts independent of the one named
    found = _elastic(prep, None, time_limit, seed, threads)
    if found is None:
        lines = [head, "The relaxed model could not be solved either: the conflict is in the model's definitions "
                 "(vehicle, site and year windows)."] + [f"- {i}" for i in prep.issues]
        return "\n".join(lines), []
    # 2. only the named conflict's families may give (others hold), so the repair cannot blame a bystander
    if conflict:
        inside = _elastic(prep, set(conflict), time_limit, seed, threads)
        if inside is not None:
            found = inside + [f for f in found if f["family"] not in conflict]
    findings = found
    # cumulative funding: keep the worst year only (the others are the same shortfall carried forward)
    cum = [f for f in findings if f["family"] == "funding_cumulative"]
    if len(cum) > 1:
        worst = max(cum, key=lambda f: f["shortfall"])
        findings = [f for f in findings if f["family"] != "funding_cumulative" or f is worst]
    # a building over capacity: its first year only (the later ones carry the same load forward)
    first: dict = {}
    for f in findings:
        if f["family"] == "estate_capacity":
            site, t = f["key"]
            if site not in first or t < first[site]["key"][1]:
                first[site] = f
    findings = [f for f in findings if f["family"] != "estate_capacity" or first.get(f["key"][0]) is f]
    findings.sort(key=lambda f: (-SLACK_WEIGHTS[f["family"]], -f["shortfall"]))
    lines = [head] + [f"- {i}" for i in prep.issues]
    lines += [f"- {f['message']}" for f in findings]
    if len(lines) == 1:
        lines.append("- The relaxed model needed no slack: the solver's infeasibility verdict looks wrong "
                     "(a presolve bug?); re-solve with presolve off.")
    return "\n".join(lines), findings


def _elastic(prep, soft: set | None, time_limit, seed, threads) -> list[dict] | None:
    """Findings of the elastic model (slack on ``soft`` families, or all relaxable ones; other relaxable
    families removed when ``soft`` is given); None if it cannot be solved."""
    yrs = list(prep.problem.years)
    m = build_model(prep, elastic=True)
    if soft is not None:
        for f in SLACK_WEIGHTS:
            if f not in soft and hasattr(m, f"c_{f}"):
                getattr(m, f"c_{f}").deactivate()
    out = run(m, time_limit=time_limit, rel_gap=1e-6, threads=threads, seed=seed)
    if not out.has_solution:
        return None
    x = np.array([m.x[i].value or 0.0 for i in range(len(prep.X))])
    y = np.array([m.y[i].value or 0.0 for i in range(len(prep.Y))])
    w = np.array([m.w[i].value or 0.0 for i in range(len(prep.W))])
    findings = []
    for fam in SLACK_WEIGHTS:
        if not hasattr(m, f"slack_{fam}") or (soft is not None and fam not in soft):
            continue
        sl = getattr(m, f"slack_{fam}")
        for i, key in enumerate(m.families[fam]):
            val = sl[i].value or 0.0
            if val > TOL * (1e3 if fam.startswith("funding") else 1):
                findings.append({"family": fam, "key": key, "shortfall": float(val),
                                 "message": _say(fam, key, val, prep, x, y, w, yrs)})
    return findings


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _say(fam, key, val, prep, x, y, w, yrs) -> str:
    if fam in ("floor", "floor_members"):
        fid, t = key
        row = next(r for r, _ in prep.floors if r.floor_id == fid)
        word = "at least" if row.sense == "at_least" else "at most"
        span = "cumulative " if row.cumulative and fam == "floor" else ""
        if fam == "floor_members":
            return (f"Floor {fid}: {row.vehicle_id} must have {word} {row.bound:g} services by {yrs[t]}; "
                    f"the rules allow it {val:g} {'fewer' if row.sense == 'at_least' else 'more'}.")
        return (f"Floor {fid}: {span}{row.measure} in {yrs[t]} must be {word} {_m(row.bound)}; "
                f"it misses by {_m(val)} in the plan closest to the rules.")
    P = prep.problem
    if fam == "must_move":
        n = int((prep.X["service_id"] == key).sum())
        why = prep.must_move.get(key, "")
        where = "none of its" if n else "it has no"
        blocked = prep.blocked.get(key) if hasattr(prep, "blocked") else None
        if blocked:
            return f"Option rules: {key} must move ({why}) but {blocked}; the service would have to stay where it is."
        return (f"Option rules: {key} must move ({why}) but {where} eligible placements can be used "
                f"alongside the other rules; the service would have to stay where it is.")
    if fam == "locked_site":
        v = P.sites.set_index("site_id")["vehicle_id"].get(key, "?")
        if v in set(prep.Y["vehicle_id"]):
            return (f"Locked-in site {key} (of {v}) must open but cannot alongside the other rules named here "
                    f"(opening it means establishing {v} and moving a service into it).")
        return f"Locked-in site {key} (of {v}) must open but cannot: {v} cannot be established or used under this option."
    if fam == "precedence":
        b, a, t = key
        return (f"Precedence: {a} must not move before {b}, but to move {a} by {yrs[t]} {b} would have to move "
                f"earlier than it can.")
    if fam == "dependency":
        v, r, t = key
        lag = next((g for vv, rr, g in prep.dependencies if vv == v and rr == r), 0)
        return (f"Vehicle dependency: {v} may be established only {lag} year(s) after {r}, but to establish {v} by "
                f"{yrs[t]} {r} would have to be established earlier than it can.")
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
    if fam == "estate_capacity":
        site, t = key
        cap = P.sites.set_index("site_id").at[site, "capacity_fte"]
        return (f"Building capacity: {site} would hold {cap + val:,.1f} FTE in {yrs[t]} (the services there today that "
                f"have not moved out and those moved in) but holds {cap:,.1f} FTE ({val:,.1f} FTE over).")
    if fam == "must_release":
        return (f"Building release: {key} must be released, but not every service there can move out by a year "
                f"it may be released in (or a service moves into it).")
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
