"""Build the Pyomo placement MILP from a ``Prepared`` instance (maths: docs/optimise.md).

Variables are indexed by integer position into ``prep.X`` / ``prep.Y`` / ``prep.W`` (sparse: only
eligible tuples exist). Constraints are grouped in families; in ``elastic`` mode the families that a
user's data or rules can make impossible get non-negative slack variables, and the objective becomes
"minimise weighted slack" (used by diagnose.py). ``m.families[name]`` keeps, for each row, the key that
diagnosis turns into words.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyomo.environ as pyo

from .estates import add_estate_rows
from .floors import floor_years as _floor_years
from .prepare import Prepared
from .problem import NO_SITE

# Weight of one unit of slack in the elastic model: rules first, then counts, then money (per £1m).
SLACK_WEIGHTS = {
    "must_move": 1000.0,
    "locked_site": 1000.0,
    "must_release": 1000.0,
    "precedence": 100.0,
    "dependency": 100.0,
    "max_sites": 10.0,
    "transfers": 10.0,
    "capacity": 1.0,  # per FTE
    "estate_capacity": 1.0,  # per FTE
    "funding_yearly": 1e-6,  # per pound
    "funding_cumulative": 1e-6,
    "floor": 1e-6,  # per pound
    "floor_members": 10.0,  # per service
}


def _lsum(terms):
    terms = list(terms)
    return pyo.quicksum(terms) if terms else 0


def _dot(coef, var) -> object:
    """sum of coef[i] * var[i] over the non-zero coefficients (numpy coefficients, a list of variables)."""
    coef = np.asarray(coef, dtype=float)
    nz = np.flatnonzero(coef)
    return _lsum(c * var[i] for i, c in zip(nz.tolist(), coef[nz].tolist()))


def _merge_collinear(bv: np.ndarray, bc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop interior breakpoints where the slope does not change (same function, fewer segments)."""
    if len(bv) <= 2:
        return bv, bc
    keep = [0]
    for i in range(1, len(bv) - 1):
        s1 = (bc[i] - bc[keep[-1]]) / (bv[i] - bv[keep[-1]])
        s2 = (bc[i + 1] - bc[i]) / (bv[i + 1] - bv[i])
        if abs(s1 - s2) > 1e-9 * max(1.0, abs(s1), abs(s2)):
            keep.append(i)
    keep.append(len(bv) - 1)
    return bv[keep], bc[keep]


def build_model(prep: Prepared, *, elastic: bool = False, linking: str = "disaggregated",
                with_net: bool = False, tighten: bool = True, tighten_sites: bool = True,
                curves: str = "disaggregated") -> pyo.ConcreteModel:
    P, T = prep.problem, prep.T
    X, Y, W = prep.X, prep.Y, prep.W
    # the year-by-year site rows are implied by capacity / max_sites for integer plans; in the elastic model
    # those families get slack, so implied copies without slack would block the diagnosis: leave them out
    tighten_sites = tighten_sites and not elastic
    m = pyo.ConcreteModel(name=P.name)
    m.x = pyo.Var(range(len(X)), domain=pyo.Binary)
    m.y = pyo.Var(range(len(Y)), domain=pyo.Binary)
    m.w = pyo.Var(range(len(W)), domain=pyo.Binary)
    x = [m.x[i] for i in range(len(X))]
    y = [m.y[i] for i in range(len(Y))]
    w = [m.w[i] for i in range(len(W))]
    rows: dict[str, list] = defaultdict(list)  # family -> [(key, lo, body, hi)]

    xs, xv, xsite = X["service_id"].to_numpy(), X["vehicle_id"].to_numpy(), X["site_id"].to_numpy()
    xt = X["t"].to_numpy(dtype=int)
    groups = lambda keys: X.groupby(keys, sort=True).indices  # noqa: E731

    # cumulative "established by t" and "open by t" expressions
    y_by = defaultdict(list)
    for i, (v, t) in enumerate(zip(Y["vehicle_id"], Y["t"])):
        y_by[v].append((int(t), y[i]))
    w_by = defaultdict(list)
    for i, (site, t) in enumerate(zip(W["site_id"], W["t"])):
        w_by[site].append((int(t), w[i]))
    E = lambda v, t: _lsum(var for u, var in y_by[v] if u <= t)  # noqa: E731
    O = lambda site, t: _lsum(var for u, var in w_by[site] if u <= t)  # noqa: E731

    # (1) each service moves at most once; must-move services exactly once
    for s, idx in groups("service_id").items():
        body = _lsum(x[i] for i in idx)
        rows["assign"].append((s, None, body, 1))
        if s in prep.must_move:
            rows["must_move"].append((s, 1, body, None))
    for s in prep.must_move:
        if not (xs == s).any():
            rows["must_move"].append((s, 1, 0, None))

    # (2) a vehicle is established at most once, and only if some service moves into it (unless it has no
    #     placements at all: then its own money decides)
    for v, lst in y_by.items():
        rows["establish_once"].append((v, None, _lsum(var for _, var in lst), 1))
        if v not in prep.standalone:
            rows["vehicle_used"].append((v, None, _lsum(var for _, var in lst) - _lsum(x[i] for i in np.flatnonzero(xv == v)), 0))

    # (3) linking: transfers need the vehicle (no-site placements) or the site (sited placements)
    if linking == "disaggregated":
        for (s, v, site), idx in groups(["service_id", "vehicle_id", "site_id"]).items():
            ts = xt[idx]
            for t in sorted(set(ts.tolist())):
                lhs = _lsum(x[i] for i in idx[ts <= t].tolist())
                rhs = E(v, t) if site == NO_SITE else O(site, t)
                rows["link"].append(((s, v, site, t), None, lhs - rhs, 0))
        if tighten:  # a service split over several sites of v still needs v itself (valid, tightens the LP)
            for (s, v), idx in groups(["service_id", "vehicle_id"]).items():
                if len(set(xsite[idx])) < 2:
                    continue
                ts = xt[idx]
                for t in sorted(set(ts.tolist())):
                    lhs = _lsum(x[i] for i in idx[ts <= t].tolist())
                    rows["link_vehicle"].append(((s, v, t), None, lhs - E(v, t), 0))
    elif linking == "per_x":  # one sparse row per transfer variable: x <= E (or O) in its own year
        for i in range(len(X)):
            rhs = E(xv[i], xt[i]) if xsite[i] == NO_SITE else O(xsite[i], xt[i])
            rows["link"].append(((xs[i], xv[i], xsite[i], int(xt[i])), None, x[i] - rhs, 0))
    else:  # aggregated: one row per (vehicle or site, year), big-M = number of services
        for (v, site), idx in groups(["vehicle_id", "site_id"]).items():
            n = len(set(xs[idx]))
            for t in sorted(set(xt[idx])):
                lhs = _lsum(x[i] for i in idx if xt[i] <= t)
                rhs = E(v, t) if site == NO_SITE else O(site, t)
                rows["link"].append(((v, site, t), None, lhs - n * rhs, 0))

    # (4) sites: open at most once, not before their vehicle, only if used unless locked
    site_rows = defaultdict(list)
    for i, site in enumerate(xsite):
        if site != NO_SITE:
            site_rows[site].append(i)
    sites = P.sites.set_index("site_id")
    locked = set(P.rules.locked_sites) | set(sites.index[sites["must_open"]])
    fte = dict(zip(P.services["service_id"], P.services["fte"].astype(float)))
    for site, lst in w_by.items():
        v = sites.at[site, "vehicle_id"]
        opened = _lsum(var for _, var in lst)
        rows["open_once"].append((site, None, opened, 1))
        if v is None:  # a shared site: each move there also needs its own vehicle (estates.py)
            for (s, u), idx in X.iloc[site_rows[site]].groupby(["service_id", "vehicle_id"], sort=True).indices.items():
                ii = [site_rows[site][k] for k in idx]
                for t in sorted(set(xt[ii])):
                    rows["link_vehicle"].append(((s, u, t), None, _lsum(x[i] for i in ii if xt[i] <= t) - E(u, t), 0))
        for t, _ in (lst if v is not None else []):
            rows["site_after_vehicle"].append(((site, t), None, O(site, t) - E(v, t), 0))
        if site in locked:
            rows["locked_site"].append((site, 1, opened, None))
        else:
            rows["site_used"].append((site, None, opened - _lsum(x[i] for i in site_rows[site]), 0))
        cap = float(sites.at[site, "capacity_fte"])
        if np.isfinite(cap):
            body = _lsum(float(fte[xs[i]]) * x[i] for i in site_rows[site] if fte[xs[i]] != 0)
            rows["capacity"].append((site, None, body - cap * opened, 0))
            if tighten_sites:  # year by year: what has moved in by t fits the site if it is open by t
                for t, _ in lst[:-1]:
                    body_t = _lsum(float(fte[xs[i]]) * x[i] for i in site_rows[site] if fte[xs[i]] != 0 and xt[i] <= t)
                    rows["capacity_by_year"].append(((site, t), None, body_t - cap * O(site, t), 0))
    for site in locked - set(w_by):
        rows["locked_site"].append((site, 1, 0, None))
    veh = P.vehicles.set_index("vehicle_id")
    for v, g in W.groupby("vehicle_id", sort=True):
        k = veh.at[v, "max_sites"]
        if np.isfinite(k):
            rows["max_sites"].append((v, None, _lsum(w[i] for i in g.index), float(k)))
            if tighten_sites and k < g["site_id"].nunique():  # at most k sites open by t, and none before v
                for t in sorted(set(g["t"])):
                    body = _lsum(O(site, t) for site in sorted(set(g["site_id"])))
                    rows["max_sites_by_year"].append(((v, t), None, body - float(k) * E(v, t), 0))

    # (5) transition capacity: transfers per year
    if P.max_transfers_per_year is not None:
        for t in range(T):
            cap = float(P.max_transfers_per_year[t])
            idx = np.flatnonzero(xt == t)
            if np.isfinite(cap) and len(idx) > cap:
                rows["transfers"].append((t, None, _lsum(x[i] for i in idx), cap))

    # (6) precedence: "after" moved by t  =>  "before" moved by t - lag
    by_service = groups("service_id")
    for b, a, lag in P.precedence[["before_service_id", "after_service_id", "min_lag_years"]].itertuples(index=False):
        ia, ib = by_service.get(a, []), by_service.get(b, [])
        for t in sorted(set(xt[ia])):
            lhs = _lsum(x[i] for i in ia if xt[i] <= t)
            rhs = _lsum(x[i] for i in ib if xt[i] <= t - lag)
            rows["precedence"].append(((b, a, t), None, lhs - rhs, 0))

    # (6b) vehicle dependencies: v established by t  =>  its required vehicle established by t - lag
    for v, r, lag in prep.dependencies:
        for t, _ in y_by[v]:
            rows["dependency"].append(((v, r, t), None, E(v, t) - E(r, t - lag), 0))

    # (7) economies of scale: running cost = curve(volume) in each year the vehicle exists.
    #     Multiple-choice formulation with the volume disaggregated per service: q[s,t,j] is the share of
    #     service s counted in segment j, q <= seg[t,j]. Exact for binary seg (one segment per year, the
    #     volume within its range, cost = a_j + b_j * volume = curve(volume)); its LP relaxation cannot
    #     mix the zero-volume end with the far end of the curve as the lambda formulation's could.
    curve_cost_t = defaultdict(list)  # t -> list of expressions (cost, £)
    if prep.curves:
        vol = P.services.set_index("service_id")["volume"].astype(float).to_dict()
        m.curve = pyo.Block()
        for v, (bv, bc) in prep.curves.items():
            bv, bc = _merge_collinear(np.asarray(bv, float), np.asarray(bc, float))
            tmin = min(t for t, _ in y_by[v])
            nseg = max(len(bv) - 1, 1)
            if len(bv) == 1:
                slope, icpt = np.zeros(1), np.array([bc[0]])
            else:
                slope = np.diff(bc) / np.diff(bv)
                icpt = bc[:-1] - slope * bv[:-1]
            idx_v = np.flatnonzero(xv == v)
            by_s = defaultdict(list)
            for i in idx_v:
                by_s[xs[i]].append(i)
            moved = {}  # (s, t) -> expression "s has moved into v by t"
            for s_ in sorted(by_s):
                ii = by_s[s_]
                for t in range(tmin, T):
                    terms = [x[i] for i in ii if xt[i] <= t]
                    if terms:
                        moved[s_, t] = _lsum(terms)
            k = len(m.curve.component_map())
            if nseg == 1:  # one affine piece: no choice to make
                for t in range(tmin, T):
                    volume = _lsum(float(vol[s_]) * e for (s_, u), e in moved.items() if u == t and vol[s_] != 0)
                    curve_cost_t[t].append(float(icpt[0]) * E(v, t) + float(slope[0]) * volume)
                continue
            seg = pyo.Var([(t, j) for t in range(tmin, T) for j in range(nseg)], domain=pyo.Binary)
            m.curve.add_component(f"seg_{k}", seg)
            if curves == "aggregated":  # one volume column per (year, segment): far fewer columns, weaker LP
                q = pyo.Var([(t, j) for t in range(tmin, T) for j in range(nseg)], bounds=(0, None))
                m.curve.add_component(f"u_{k}", q)
                for t in range(tmin, T):
                    volume = _lsum(float(vol[s_]) * e for (s_, u), e in moved.items() if u == t and vol[s_] != 0)
                    rows["curve_def"].append(((v, t, "volume"), 0, _lsum(q[t, j] for j in range(nseg)) - volume, 0))
                seg_volume = lambda t, j: q[t, j]  # noqa: E731
            else:
                q = pyo.Var([(s_, t, j) for (s_, t) in moved for j in range(nseg)], bounds=(0, 1))
                m.curve.add_component(f"q_{k}", q)
                for (s_, t), e in moved.items():
                    rows["curve_def"].append(((v, s_, t, "share"), 0, _lsum(q[s_, t, j] for j in range(nseg)) - e, 0))
                    for j in range(nseg):
                        rows["curve_def"].append(((v, s_, t, j), None, q[s_, t, j] - seg[t, j], 0))
                seg_volume = lambda t, j: _lsum(float(vol[s_]) * q[s_, u, j] for (s_, u) in moved  # noqa: E731
                                                if u == t and vol[s_] != 0)
            for t in range(tmin, T):
                rows["curve_def"].append(((v, t, "seg"), 0, _lsum(seg[t, j] for j in range(nseg)) - E(v, t), 0))
                cost = []
                for j in range(nseg):
                    vj = seg_volume(t, j)
                    if bv[j] > 0:
                        rows["curve_def"].append(((v, t, j, "lo"), None, float(bv[j]) * seg[t, j] - vj, 0))
                    if j < nseg - 1 or curves == "aggregated":
                        rows["curve_def"].append(((v, t, j, "hi"), None, vj - float(bv[j + 1]) * seg[t, j], 0))
                    cost.append(float(icpt[j]) * seg[t, j] + float(slope[j]) * vj)
                curve_cost_t[t].append(_lsum(cost))

    # (7b) estates: releasing existing buildings, capacity shared with today's occupants (estates.py)
    r = add_estate_rows(m, prep, rows, x, _lsum)

    # (7c) joint money: money anchored on one establishment decision that counts in year t only when every
    #      required vehicle is established by t. z[k,t] = y_k AND E_r(t) for all r, linearised exactly for binary
    #      y (docs/optimise.md, Gates): z <= y_k, z <= E_r(t), z >= y_k + sum_r E_r(t) - n_k, 0 <= z <= 1.
    joint_t = defaultdict(list)  # t -> [(k, z)] the joint rows' variables of year t
    if len(prep.J):
        keys = [(k, t) for k in range(len(prep.J)) for t in range(T) if prep.jb[k, t] != 0 or prep.jc[k, t] != 0]
        m.z = pyo.Var(keys, bounds=(0, 1))
        for k, t in keys:
            anchor, needs = int(prep.J["y"].iat[k]), prep.J["requires"].iat[k]
            own = y[anchor] if anchor >= 0 else 1
            if anchor >= 0:
                rows["joint"].append(((k, t, "anchor"), None, m.z[k, t] - own, 0))
            for r in needs:
                rows["joint"].append(((k, t, r), None, m.z[k, t] - E(r, t), 0))
            rows["joint"].append(((k, t, "all"), None, own + _lsum(E(r, t) for r in needs) - len(needs) - m.z[k, t], 0))
            joint_t[t].append((k, m.z[k, t]))

    def joint_money(t, weight_b=1.0, weight_c=-1.0):
        return _lsum((weight_b * float(prep.jb[k, t]) + weight_c * float(prep.jc[k, t])) * z for k, z in joint_t.get(t, [])
                     if weight_b * prep.jb[k, t] + weight_c * prep.jc[k, t] != 0)

    # the running cost of every curve in year t as one column, defined once (curve_def row "running"):
    # the funding and floor rows then hold one entry per year instead of the curves' share columns, which
    # keeps those rows sparse (HiGHS' presolve spent ~20 s on the dense version of the national-cap row)
    running = {}

    def running_cost(t):
        if t not in running:
            if not hasattr(m.curve, "running"):
                m.curve.running = pyo.Var(sorted(curve_cost_t), bounds=(None, None))
            running[t] = m.curve.running[t]
            rows["curve_def"].append(((t, "running"), 0, running[t] - _lsum(curve_cost_t[t]), 0))
        return running[t]

    # objective: discounted net benefit
    df = prep.df
    npv = (_dot(prep.x_coef, x) + _dot(prep.y_coef, y) + _dot(prep.w_coef, w) + _dot(prep.r_coef, r)
           - _lsum(float(df[t]) * e for t, lst in curve_cost_t.items() for e in lst)
           + _lsum(float(df[t]) * joint_money(t) for t in joint_t))
    m.npv = pyo.Expression(expr=npv)

    # (8) funding: net position per year (undiscounted), yearly and cumulative caps. With ``with_net`` the
    #     net positions are free columns defined by net_def rows (the Pareto front and the Lagrangian
    #     decomposition price them); otherwise the caps are written directly on the decisions, which lets
    #     HiGHS see them as knapsack rows (coefficient tightening, cover cuts): same plans, no extra columns.
    cap_y, cap_c = P.funding_cap_yearly_gbp, P.funding_cap_cumulative_gbp
    has_cap_y = cap_y is not None and np.isfinite(np.asarray(cap_y, dtype=float)).any()
    has_cap_c = cap_c is not None and np.isfinite(cap_c)
    if with_net or has_cap_y or has_cap_c:
        nx, ny, nw, nr = prep.xb - prep.xc, prep.yb - prep.yc, -prep.wc, prep.rb - prep.rc

        def net_body(t, cumulative=False):
            cols = slice(0, t + 1) if cumulative else slice(t, t + 1)
            ax, ay, aw = nx[:, cols].sum(axis=1), ny[:, cols].sum(axis=1), nw[:, cols].sum(axis=1)
            ar = nr[:, cols].sum(axis=1)
            curve = [running_cost(u) for u in (range(t + 1) if cumulative else [t]) if u in curve_cost_t]
            return (_dot(ax, x) + _dot(ay, y) + _dot(aw, w) + _dot(ar, r)
                    - _lsum(curve)
                    + _lsum(joint_money(u) for u in (range(t + 1) if cumulative else [t])))

        if with_net:
            m.net = pyo.Var(range(T))
            for t in range(T):
                rows["net_def"].append((t, 0, m.net[t] - net_body(t), 0))
        for t in range(T):
            if has_cap_y and np.isfinite(cap_y[t]):
                rows["funding_yearly"].append((t, -float(cap_y[t]), m.net[t] if with_net else net_body(t), None))
            if has_cap_c:
                body = _lsum(m.net[u] for u in range(t + 1)) if with_net else net_body(t, cumulative=True)
                rows["funding_cumulative"].append((t, -float(cap_c), body, None))

    # (9) floors and targets: at least / at most on a money aggregate (in-year or cumulative) or a membership
    for row, co in prep.floors:
        fam = "floor_members" if row.measure == "members" else "floor"
        for t in _floor_years(row, T):  # members: x's columns already count services moved by t
            span = range(t + 1) if row.cumulative and row.measure != "members" else [t]
            cx, cy, cw = (co[k][:, list(span)].sum(axis=1) for k in ("x", "y", "w"))
            cr = co["r"][:, list(span)].sum(axis=1) if "r" in co else np.zeros(len(r))
            body = _dot(cx, x) + _dot(cy, y) + _dot(cw, w) + _dot(cr, r)
            if co["curve"]:
                body = body + co["curve"] * _lsum(running_cost(u) for u in span if u in curve_cost_t)
            if co.get("joint"):  # a floor on all the problem's money counts its joint money too
                body = body + _lsum(joint_money(u, *co["joint"]) for u in span)
            lo, hi = (row.bound, None) if row.sense == "at_least" else (None, row.bound)
            rows[fam].append(((row.floor_id, t), lo, body, hi))

    _add_rows(m, rows, elastic)
    if elastic:
        m.obj = pyo.Objective(expr=_lsum(SLACK_WEIGHTS[f] * s for f, s in m.slacks), sense=pyo.minimize)
    else:
        m.obj = pyo.Objective(expr=m.npv, sense=pyo.maximize)
    m.prep = prep
    return m


def _add_rows(m, rows: dict, elastic: bool) -> None:
    m.families = {}
    m.slacks = []  # (family, var) pairs
    for fam, lst in rows.items():
        n = len(lst)
        m.families[fam] = [r[0] for r in lst]
        soft = elastic and fam in SLACK_WEIGHTS
        if soft:
            sl = pyo.Var(range(n), domain=pyo.NonNegativeReals)
            m.add_component(f"slack_{fam}", sl)
            m.slacks.extend((fam, sl[i]) for i in range(n))

        def rule(_m, i, lst=lst, soft=soft, fam=fam):
            _, lo, body, hi = lst[i]
            if soft:  # slack relaxes the violated side: body + s >= lo, body - s <= hi
                s = getattr(_m, f"slack_{fam}")[i]
                body = body + s if lo is not None else body - s
            elif isinstance(body, (int, float)):  # no variables left in the row
                ok = (lo is None or body >= lo - 1e-9) and (hi is None or body <= hi + 1e-9)
                return pyo.Constraint.Skip if ok else pyo.Constraint.Infeasible
            if lo is not None and hi is not None:
                return (lo, body, hi) if lo != hi else body == lo
            return body >= lo if lo is not None else body <= hi

        m.add_component(f"c_{fam}", pyo.Constraint(range(n), rule=rule))
