"""A quick greedy plan: the warm start handed to HiGHS and the fallback when a time limit leaves no better one.

Vehicle by vehicle (in three orders of potential, the best plan kept), try each establishment year in its window: move the
unassigned services whose transfer is worth something (services that must move always), into the
vehicle or into the sites that pay for themselves (each site filled by value per FTE up to its capacity,
at most ``max_sites``), respecting transfers per year, precedence, vehicle dependencies and the funding
caps (dropping the least valuable moves until the caps hold); keep the year with the largest NPV gain if
it is positive. Three passes, so services held back by precedence or vehicles by their dependencies get a
second chance, and later passes add services to vehicles and sites already set up. Last, each existing
building that every occupant has left and nobody moved into is released in its most valuable year from then
on, if that is worth something and the caps hold. Works on the
``Prepared`` index sets and money matrices (the MILP's own coefficients); the result is checked by
``check_plan`` before it is used, so a heuristic slip can cost quality, never correctness.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .estates import occupants_of
from .prepare import Prepared
from .problem import NO_SITE


@dataclass
class Start:
    x: np.ndarray  # indices into prep.X of the chosen moves
    y: np.ndarray  # indices into prep.Y (vehicle, establishment year)
    w: np.ndarray  # indices into prep.W (site, opening year)
    r: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # indices into prep.R (building, release year)


ORDERS = ("total", "per_service", "net_of_setup")


def start_decisions(prep: Prepared, start: Start) -> tuple[pd.DataFrame, dict, dict, dict]:
    """The greedy's decisions: moves (prep.X rows), vehicle -> year, site -> opening year, building -> release year."""
    pairs = lambda table, rows, key: {k: int(t_) for k, t_ in table.iloc[rows][[key, "t"]].itertuples(index=False)}  # noqa: E731
    return (prep.X.iloc[start.x].reset_index(drop=True), pairs(prep.Y, start.y, "vehicle_id"),
            pairs(prep.W, start.w, "site_id"), pairs(prep.R, start.r, "site_id"))


def start_plan(problem, prep: Prepared, start: Start, provenance: dict | None = None):
    """The greedy's decisions as a Plan of ``problem``, checked (``plan.violations``)."""
    from .check import check_plan
    from .plan import plan_from_decisions

    moves, est, opened, released = start_decisions(prep, start)
    plan = plan_from_decisions(problem, moves, est, opened, "feasible", released=released, provenance=provenance or {})
    plan.violations = check_plan(problem, plan)
    return plan


def greedy_start(prep: Prepared, passes: int = 3, deadline: float | None = None) -> Start | None:
    """A plan that satisfies the rules (or None when the greedy cannot satisfy the must-move rules). At
    ``deadline`` (``time.monotonic()``) it stops and returns what it has committed so far. Vehicles are taken
    in three orders (largest total potential; largest potential per service, so a vehicle that is best for
    a few services is not starved by one that is good for many; potential net of the set-up cost); the plan
    with the largest NPV is kept."""
    best, best_gain = None, -np.inf
    for order in ORDERS:
        if best is not None and deadline is not None and time.monotonic() > deadline:
            break
        start, gain = _greedy_once(prep, order, passes, deadline)
        if start is not None and gain > best_gain + 1e-9:
            best, best_gain = start, gain
    return best


def _greedy_once(prep: Prepared, order: str, passes: int, deadline: float | None) -> tuple[Start | None, float]:
    P, T, X = prep.problem, prep.T, prep.X
    df = prep.df
    xcoef = prep.x_coef
    xnet = prep.xb - prep.xc
    ynet, wnet = prep.yb - prep.yc, -prep.wc
    ycoef, wcoef = prep.y_coef, prep.w_coef
    xs, xv, xsite, xt = (X["service_id"].to_numpy(), X["vehicle_id"].to_numpy(), X["site_id"].to_numpy(),
                         X["t"].to_numpy(dtype=int))
    sites = P.sites.set_index("site_id")
    cap = sites["capacity_fte"].astype(float).to_dict()
    fte = P.services.set_index("service_id")["fte"].astype(float).to_dict()
    vol = P.services.set_index("service_id")["volume"].astype(float).to_dict()
    max_sites = P.vehicles.set_index("vehicle_id")["max_sites"].to_dict()
    locked = set(P.rules.locked_sites) | set(sites.index[sites["must_open"]])
    N = P.max_transfers_per_year
    transfers_left = np.full(T, np.inf) if N is None else N.to_numpy(dtype=float).copy()
    Fy = None if P.funding_cap_yearly_gbp is None else P.funding_cap_yearly_gbp.to_numpy(dtype=float)
    Fc = P.funding_cap_cumulative_gbp
    deps = getattr(prep, "dependencies", [])  # (vehicle, requires, lag)

    rows_of = defaultdict(list)  # vehicle -> X rows
    for i, v in enumerate(xv):
        rows_of[v].append(i)
    rows_np = {v: np.array(r, dtype=int) for v, r in rows_of.items()}
    xcode = pd.factorize(xs)[0] if len(xs) else np.zeros(0, dtype=int)  # service of each row, as an integer
    moved = np.zeros(int(xcode.max()) + 1 if len(xcode) else 0, dtype=bool)
    site_code, site_uniques = pd.factorize(xsite) if len(xsite) else (np.zeros(0, dtype=int), [])
    site_index = {k: j for j, k in enumerate(site_uniques)}
    y_rows = defaultdict(dict)  # vehicle -> {t: Y row}
    for i, (v, t) in enumerate(zip(prep.Y["vehicle_id"], prep.Y["t"])):
        y_rows[v][int(t)] = i
    w_rows = defaultdict(dict)  # site -> {t: W row}
    site_vehicle = {}
    for i, (k, v, t) in enumerate(zip(prep.W["site_id"], prep.W["vehicle_id"], prep.W["t"])):
        w_rows[k][int(t)] = i
        site_vehicle[k] = v
    sites_of = defaultdict(list)
    for k, v in site_vehicle.items():
        sites_of[v].append(k)
    before = defaultdict(list)  # after service -> [(before service, lag)]
    for b, a, lag in P.precedence[["before_service_id", "after_service_id", "min_lag_years"]].itertuples(index=False):
        before[a].append((b, int(lag)))
    has_before = np.array([s in before for s in xs], dtype=bool)

    assigned: dict = {}  # service -> X row
    est: dict = {}  # vehicle -> year
    opened: dict = {}  # site -> year
    load = defaultdict(float)
    net = np.zeros(T)  # undiscounted net position of the plan so far

    def curve_pv(v, e, moved_rows) -> tuple[float, np.ndarray]:
        """PV and yearly cost of v's running-cost curve with these moves (0 if v has no curve)."""
        if v not in prep.curves:
            return 0.0, np.zeros(T)
        bv, bc = prep.curves[v]
        volume = np.zeros(T)
        for i in moved_rows:
            volume[xt[i]:] += vol[xs[i]]
        cost = np.where(np.arange(T) >= e, np.interp(volume, bv, bc), 0.0)
        return float(cost @ df), cost

    def funding_ok(vec) -> bool:
        tot = net + vec
        if Fy is not None and np.any(-tot > Fy + 1e-6):
            return False
        return Fc is None or not np.any(-np.cumsum(tot) > Fc + 1e-6)

    def earliest(s, e) -> int:
        """First year s may move given precedence (its 'before' services must have moved lag years earlier)."""
        lo = e
        for b, lag in before.get(s, []):
            if b not in assigned:
                return T  # cannot move yet
            lo = max(lo, xt[assigned[b]] + lag)
        return lo

    def vehicle_ready(v, e) -> bool:
        for vv, req, lag in deps:
            if vv == v and (req not in est or est[req] + lag > e):
                return False
        return True

    def pick_rows(v, e, site):
        """Best row (by value) per unassigned service into v at ``site``, from year e on (vectorised)."""
        r = rows_np.get(v)
        if r is None or not len(r):
            return {}
        r = r[(xt[r] >= e) & ~moved[xcode[r]] & (site_code[r] == site_index.get(site, -2))]
        if not len(r):
            return {}
        held = has_before[r]
        if held.any():  # precedence: those services only from the year their 'before' services allow
            lo = {s: earliest(s, e) for s in {xs[i] for i in r[held]}}
            keep = ~held | np.array([xt[i] >= lo.get(xs[i], e) for i in r], dtype=bool)
            r = r[keep]
        if not len(r):
            return {}
        r = r[np.lexsort((-xcoef[r], xcode[r]))]
        first = np.r_[True, xcode[r][1:] != xcode[r][:-1]]
        return {xs[i]: int(i) for i in r[first]}

    def evaluate(v, e, fresh: bool):
        """Candidate moves into v with establishment (fresh) or into v as it is; returns (gain, rows, new sites, vec)."""
        counts = transfers_left.copy()
        gain, vec, rows, new_sites = 0.0, np.zeros(T), [], []
        if fresh:
            gain += ycoef[y_rows[v][e]]
            vec += ynet[y_rows[v][e]]
        must = prep.must_move
        if not sites_of.get(v) and v in rows_of:  # no sites: services straight into the vehicle
            best = pick_rows(v, e, NO_SITE)
            order = sorted(best.items(), key=lambda kv: (kv[0] not in must, -xcoef[kv[1]], kv[0]))
            for s, i in order:
                if (xcoef[i] <= 0 and s not in must) or counts[xt[i]] < 1:
                    continue
                counts[xt[i]] -= 1
                rows.append(i)
        elif sites_of.get(v):
            open_now = {k for k in sites_of[v] if k in opened}
            candidates = [k for k in sorted(sites_of[v]) if k not in opened and e in w_rows[k]]
            slots = max_sites.get(v, np.nan)
            slots = np.inf if not np.isfinite(slots) else int(slots) - len(open_now)
            taken: set = set()
            site_load = dict(load)

            def fill(k, year_floor):
                best = pick_rows(v, year_floor, k)
                order = sorted(((s, i) for s, i in best.items() if s not in taken),
                               key=lambda kv: (kv[0] not in must, -xcoef[kv[1]] / max(fte[kv[0]], 1e-9), kv[0]))
                chosen, room, c2 = [], cap.get(k, np.inf) - site_load.get(k, 0.0), counts.copy()
                for s, i in order:
                    if (xcoef[i] <= 0 and s not in must) or c2[xt[i]] < 1 or fte[s] > room + 1e-9:
                        continue
                    room -= fte[s]
                    c2[xt[i]] -= 1
                    chosen.append(i)
                return chosen, c2

            for k in sorted(open_now):  # sites already open take services first
                chosen, counts = fill(k, max(e, opened[k]))
                for i in chosen:
                    taken.add(xs[i])
                    site_load[k] = site_load.get(k, 0.0) + fte[xs[i]]
                rows += chosen
            while slots > 0 and candidates:
                scored = []
                for k in candidates:
                    chosen, c2 = fill(k, e)
                    g = sum(xcoef[i] for i in chosen) + wcoef[w_rows[k][e]]
                    bonus = 1e18 if (k in locked or any(xs[i] in must for i in chosen)) else 0.0
                    if chosen or k in locked:
                        scored.append((g + bonus, k, chosen, c2))
                if not scored:
                    break
                g, k, chosen, c2 = max(scored, key=lambda r: (r[0], r[1]))
                if g <= 0:
                    break
                candidates.remove(k)
                slots -= 1
                counts = c2
                new_sites.append(k)
                gain += wcoef[w_rows[k][e]]
                vec += wnet[w_rows[k][e]]
                for i in chosen:
                    taken.add(xs[i])
                    site_load[k] = site_load.get(k, 0.0) + fte[xs[i]]
                rows += chosen
        for i in rows:
            gain += xcoef[i]
            vec += xnet[i]
        return gain, rows, new_sites, vec

    def commit(v, e, rows, new_sites, vec, fresh):
        nonlocal net
        if fresh:
            est[v] = e
        for k in new_sites:
            opened[k] = e
        for i in rows:
            assigned[xs[i]] = i
            moved[xcode[i]] = True
            transfers_left[xt[i]] -= 1
            if xsite[i] != NO_SITE:
                load[xsite[i]] += fte[xs[i]]
        net = net + vec

    def with_curve(v, e, gain, rows, vec):
        """Add v's curve cost (all its moves so far plus these) against what it cost before."""
        old = [i for s, i in assigned.items() if xv[i] == v]
        pv_old, c_old = curve_pv(v, est.get(v, e), old) if v in est else (0.0, np.zeros(T))
        pv_new, c_new = curve_pv(v, est.get(v, e), old + rows)
        return gain - (pv_new - pv_old), vec - (c_new - c_old)

    potential = {v: float(np.sum(np.maximum(xcoef[r], 0))) for v, r in rows_of.items()}
    if order == "per_service":
        n_pos = {v: max(len({xs[i] for i in r if xcoef[i] > 0}), 1) for v, r in rows_of.items()}
        potential = {v: p / n_pos[v] for v, p in potential.items()}
    elif order == "net_of_setup":
        potential = {v: p + max(ycoef[i] for i in y_rows[v].values()) for v, p in potential.items()}
    vehicles = sorted(y_rows, key=lambda v: (-potential.get(v, 0.0), v))
    total = 0.0
    for _ in range(passes):
        changed = False
        for v in vehicles:
            if deadline is not None and time.monotonic() > deadline:
                break
            fresh = v not in est
            years = sorted(y_rows[v]) if fresh else [est[v]]
            best = None
            for e in years:
                if fresh and not vehicle_ready(v, e):
                    continue
                gain, rows, new_sites, vec = evaluate(v, e, fresh)
                if fresh and not rows and v not in prep.standalone:
                    continue
                if not fresh and not rows:
                    continue
                gain, vec = with_curve(v, e, gain, rows, vec)
                # funding: drop the least valuable optional moves until the caps hold
                order = sorted(range(len(rows)), key=lambda j: (xs[rows[j]] in prep.must_move, xcoef[rows[j]]))
                keep = list(rows)
                while not funding_ok(vec) and order:
                    j = order.pop(0)
                    i = rows[j]
                    if xs[i] in prep.must_move:
                        break
                    keep.remove(i)
                    sub_gain, sub_rows, sub_sites, sub_vec = gain, keep, new_sites, None
                    # recompute exactly for the smaller set (sites that lost every service are dropped)
                    used_sites = {xsite[r] for r in keep}
                    sub_sites = [k for k in new_sites if k in used_sites or k in locked]
                    sub_vec = (ynet[y_rows[v][e]] if fresh else 0) + sum((xnet[r] for r in keep), np.zeros(T)) \
                        + sum((wnet[w_rows[k][e]] for k in sub_sites), np.zeros(T))
                    sub_gain = (ycoef[y_rows[v][e]] if fresh else 0.0) + sum(xcoef[r] for r in keep) \
                        + sum(wcoef[w_rows[k][e]] for k in sub_sites)
                    gain, vec = with_curve(v, e, sub_gain, keep, sub_vec)
                    new_sites = sub_sites
                    if fresh and not keep and v not in prep.standalone:
                        break
                if not funding_ok(vec) or (fresh and not keep and v not in prep.standalone):
                    continue
                must_here = any(xs[i] in prep.must_move for i in keep) or any(k in locked for k in new_sites)
                score = gain + (1e18 if must_here else 0.0)
                if score > 1e-9 and (best is None or score > best[0]):
                    best = (score, e, keep, new_sites, vec, gain)
            if best is not None:
                commit(v, best[1], best[2], best[3], best[4], fresh)
                total += best[5]
                changed = True
        if not changed:
            break
    if any(s not in assigned for s in prep.must_move):
        return None, total
    for k in locked:
        if k not in opened:
            v = site_vehicle.get(k)
            if v not in est or est[v] not in w_rows[k]:
                return None, total
            opened[k] = est[v]  # a locked site opens with its vehicle (its cost was not weighed: still a valid plan)
    # releases: a building that every occupant has left and nobody moved into is released in its most valuable
    # year from then on, if that is worth something and the caps still hold (the vacate and no_move_in rules)
    r = []
    if len(prep.R):
        occ = occupants_of(P)
        into = {xsite[i] for i in assigned.values()}
        rcoef, rnet = prep.r_coef, prep.rb - prep.rc
        for b, rows_b in prep.R.groupby("site_id", sort=True).indices.items():
            stay = [s for s in occ.get(b, []) if s not in assigned or xsite[assigned[s]] == b]
            if b in into or stay:
                continue
            gone = max(xt[assigned[s]] for s in occ.get(b, []))
            for j in sorted((j for j in rows_b if prep.R["t"].iat[j] >= gone and rcoef[j] > 1e-9), key=lambda j: (-rcoef[j], j)):
                if funding_ok(rnet[j]):
                    net += rnet[j]
                    total += float(rcoef[j])
                    r.append(int(j))
                    break
    x = np.array(sorted(assigned.values()), dtype=int)
    y = np.array(sorted(y_rows[v][t] for v, t in est.items()), dtype=int)
    w = np.array(sorted(w_rows[k][t] for k, t in opened.items()), dtype=int)
    return Start(x, y, w, np.array(sorted(r), dtype=int)), total
