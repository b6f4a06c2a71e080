"""Random small placement problems (hypothesis) and an independent brute-force solver for them."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from optimise import OptionRules, PlacementProblem

BUDGET = 1500  # max number of service-choice combinations the brute force enumerates


@st.composite
def small_problems(draw, dependency: bool = False, floors: bool = False):
    """``dependency=True``: always two or more vehicles, one of which requires another.
    ``floors=True``: one or two floors (net money in-year or cumulative, one year or every year; membership)."""
    T = draw(st.integers(2 if dependency else 1, 3))
    nv = draw(st.integers(2 if dependency else 1, 3))
    ns = draw(st.integers(1, 6))
    vids = [f"V{i}" for i in range(nv)]
    sited = [draw(st.booleans()) for _ in vids]
    sites = []
    for v, has in zip(vids, sited):
        if has:
            for j in range(draw(st.integers(1, 2))):
                if len(sites) < 3:
                    sites.append(dict(site_id=f"{v}s{j}", vehicle_id=v, capacity_fte=draw(st.sampled_from([4.0, 8.0, np.inf])),
                                      fixed_cost_gbp_per_year=draw(st.integers(0, 20)), open_cost_gbp=draw(st.integers(0, 30)),
                                      must_open=False))
    site_vs = {s["vehicle_id"] for s in sites}
    vehicles = pd.DataFrame(dict(
        vehicle_id=["SQ"] + vids, kind=["council"] + [draw(st.sampled_from(["ca", "icb", "market"])) for _ in vids],
        earliest_year=[0] + [draw(st.integers(0, T - 1)) for _ in vids],
        latest_year=[np.nan] + [draw(st.sampled_from([np.nan, T - 1, 0])) for _ in vids],
        max_sites=[np.nan] + [draw(st.sampled_from([np.nan, 1])) for _ in vids],
        is_status_quo=[True] + [False] * nv))
    services = pd.DataFrame(dict(service_id=[f"S{i}" for i in range(ns)],
                                 fte=[draw(st.integers(1, 5)) for _ in range(ns)],
                                 volume=[draw(st.integers(1, 10)) for _ in range(ns)],
                                 current_vehicle_id="SQ", current_site_id=None))
    pl, ps = [], []
    n_combos = 1
    keep = 0
    for s in services["service_id"]:
        elig = draw(st.lists(st.sampled_from(vids), min_size=1, max_size=2, unique=True))
        n_choice = 1 + sum(T * (sum(1 for x in sites if x["vehicle_id"] == v) if v in site_vs else 1) for v in elig)
        if n_combos * n_choice > BUDGET:
            break
        n_combos *= n_choice
        keep += 1
        for v in elig:
            pl.append(dict(service_id=s, vehicle_id=v, site_id=None))
            for k in range(draw(st.integers(1, 3))):
                ps.append(dict(service_id=s, vehicle_id=v, offset=k, benefit_gbp=draw(st.integers(0, 90)),
                               cost_gbp=draw(st.integers(0, 60))))
    services = services.iloc[:keep].reset_index(drop=True)
    vs = [dict(vehicle_id=v, offset=k, benefit_gbp=draw(st.integers(0, 10)), cost_gbp=draw(st.integers(0, 40)))
          for v in vids for k in range(draw(st.integers(0, 2)))]
    prec = pd.DataFrame(columns=["before_service_id", "after_service_id", "min_lag_years"])
    if keep >= 2 and draw(st.booleans()):
        prec = pd.DataFrame(dict(before_service_id=["S0"], after_service_id=["S1"], min_lag_years=[draw(st.integers(0, 1))]))
    curves = None
    if draw(st.booleans()):
        v = draw(st.sampled_from(vids))
        curves = pd.DataFrame(dict(vehicle_id=v, volume=[0, 10, 30], running_cost_gbp_per_year=[draw(st.integers(0, 10)),
                                                                                                 draw(st.integers(10, 20)), 25]))
    deps = None
    if nv >= 2 and (dependency or draw(st.booleans())):  # one vehicle only after another
        v, r = draw(st.permutations(vids))[:2]
        deps = pd.DataFrame(dict(vehicle_id=[v], requires_vehicle_id=[r], min_lag_years=[draw(st.integers(0, 2))]))
    forced_v = {}
    if draw(st.booleans()):  # a forced establishment year, possibly outside the vehicle's window
        forced_v = {draw(st.sampled_from(vids)): draw(st.integers(0, T - 1))}
    rules = OptionRules(name="random", status_quo_allowed=draw(st.booleans()) or keep > 3,
                        forbidden_vehicles=tuple(draw(st.lists(st.sampled_from(vids), max_size=1))),
                        forced_vehicle_years=forced_v)
    return PlacementProblem(
        years=[f"Y{t}" for t in range(T)], discount_factor=1 / 1.035 ** np.arange(T), services=services,
        vehicles=vehicles, placements=pd.DataFrame(pl, columns=["service_id", "vehicle_id", "site_id"]),
        vehicle_streams=pd.DataFrame(vs, columns=["vehicle_id", "offset", "benefit_gbp", "cost_gbp"]),
        placement_streams=pd.DataFrame(ps), sites=pd.DataFrame(sites) if sites else None, precedence=prec,
        max_transfers_per_year=draw(st.sampled_from([None, 1, 2])),
        funding_cap_yearly_gbp=draw(st.sampled_from([None, 40.0, 80.0])),
        funding_cap_cumulative_gbp=draw(st.sampled_from([None, 30.0, 100.0])),
        cost_curves=curves, rules=rules, name="random", vehicle_dependencies=deps,
        floors=_draw_floors(draw, vids, T) if floors else None)


def _draw_floors(draw, vids, T):
    rows = []
    for k in range(draw(st.integers(1, 2))):
        # bounds chosen so that floors often bind (and sometimes cannot hold): the free optimum moves most services
        sense = draw(st.sampled_from(["at_least", "at_most"]))
        if draw(st.booleans()):
            rows.append(dict(floor_id=f"F{k}", measure="members", vehicle_id=draw(st.sampled_from(vids)), sense=sense,
                             bound=float(draw(st.integers(1, 2) if sense == "at_least" else st.integers(0, 1))),
                             year=draw(st.sampled_from([None, *range(T)])), cumulative=False))
        else:
            rows.append(dict(floor_id=f"F{k}", measure="net", vehicle_id=None, sense=sense,
                             bound=float(draw(st.sampled_from([-20, -5, 0, 10] if sense == "at_least" else [0, 10, 40]))),
                             year=draw(st.sampled_from([None, *range(T)])), cumulative=draw(st.booleans())))
    return pd.DataFrame(rows)


def stream_net(stream, t0: int, T: int) -> np.ndarray:
    """Net money by year of (offset, benefit, cost) rows anchored at year t0, cut to the horizon."""
    out = np.zeros(T)
    for k, b, c in stream:
        if 0 <= t0 + k < T:
            out[t0 + k] += b - c
    return out


def brute_force(problem: PlacementProblem):
    """Best NPV by enumeration (own arithmetic, no optimise internals). Returns (npv, plan) or (None, None)."""
    P = problem.normalised()
    T, df, R = P.T, P.discount_factor, P.rules
    veh = P.vehicles.set_index("vehicle_id")
    sites = P.sites.set_index("site_id")
    fte = P.services.set_index("service_id")["fte"]
    vol = P.services.set_index("service_id")["volume"]

    def shifted(stream, t0):
        return stream_net(stream, t0, T)

    pstream = {key: list(g[["offset", "benefit_gbp", "cost_gbp"]].itertuples(index=False, name=None))
               for key, g in P.placement_streams.groupby(["service_id", "vehicle_id"])}
    vstream = {key: list(g[["offset", "benefit_gbp", "cost_gbp"]].itertuples(index=False, name=None))
               for key, g in P.vehicle_streams.groupby("vehicle_id")}
    choices = []
    for s in P.services["service_id"]:
        opts = [None] if R.status_quo_allowed else []
        for v in P.placements.loc[P.placements["service_id"] == s, "vehicle_id"]:
            if v in R.forbidden_vehicles or bool(veh.at[v, "is_status_quo"]):
                continue
            vsites = list(sites.index[sites["vehicle_id"] == v]) or [""]
            for site in vsites:
                for t in range(T):
                    opts.append((s, v, site, t, shifted(pstream.get((s, v), []), t)))
        choices.append(opts)
    curves = {v: g.sort_values("volume") for v, g in P.cost_curves.groupby("vehicle_id")}
    # vehicles with no placements at all may be established on their own (any year of the window, or never)
    standalone = []
    for v, r in veh.iterrows():
        lo, hi = int(r.earliest_year), r.latest_year
        hi = T - 1 if np.isnan(hi) else min(int(hi), T - 1)
        if (not bool(r.is_status_quo) and v not in set(P.placements["vehicle_id"])
                and v not in R.forbidden_vehicles and lo <= hi
                and (R.allowed_vehicles is None or v in R.allowed_vehicles)
                and (R.allowed_kinds is None or r.kind in R.allowed_kinds) and r.kind not in R.forbidden_kinds):
            years = list(range(lo, hi + 1))
            if v in R.forced_vehicle_years:  # a forced year outside the window leaves the vehicle out
                years = [y for y in years if y == R.forced_vehicle_years[v]]
            standalone.append((v, [None, *years]))
    alone_options = list(itertools.product(*[ys for _, ys in standalone])) or [()]
    best, best_plan = None, None
    for combo in itertools.product(*choices):
        moves = [c for c in combo if c is not None]
        first_v, first_site = {}, {}
        for s, v, site, t, _ in moves:
            first_v[v] = min(first_v.get(v, T), t)
            if site:
                first_site[site] = min(first_site.get(site, T), t)
        # cheap checks on the moves alone
        when = {s: t for s, _, _, t, _ in moves}
        ok = True
        if P.max_transfers_per_year is not None:
            for t in range(T):
                if sum(1 for m in moves if m[3] == t) > P.max_transfers_per_year[t]:
                    ok = False
        for b, a, lag in P.precedence.itertuples(index=False):
            if a in when and (b not in when or when[a] < when[b] + lag):
                ok = False
        for site in first_site:
            if sum(fte[s] for s, _, st_, _, _ in moves if st_ == site) > sites.at[site, "capacity_fte"]:
                ok = False
        for v in first_v:
            k = veh.at[v, "max_sites"]
            if not np.isnan(k) and sum(1 for site in first_site if sites.at[site, "vehicle_id"] == v) > k:
                ok = False
        if not ok:
            continue
        base = sum((m[4] for m in moves), np.zeros(T))
        vlist = sorted(first_v)
        vyears = []
        for v in vlist:
            lo, hi = int(veh.at[v, "earliest_year"]), veh.at[v, "latest_year"]
            hi = T - 1 if np.isnan(hi) else int(hi)
            ys = range(lo, min(hi, first_v[v]) + 1)
            if v in R.forced_vehicle_years:
                ys = [y for y in ys if y == R.forced_vehicle_years[v]]
            vyears.append(ys)
        for est in itertools.product(*vyears):
            e = dict(zip(vlist, est))
            slist = sorted(first_site)
            syears = [range(e[sites.at[s, "vehicle_id"]], first_site[s] + 1) for s in slist]
            for opn in itertools.product(*syears):
                net = base.copy()
                for v, t0 in e.items():
                    net += shifted(vstream.get(v, []), t0)
                    if v in curves:
                        c = curves[v]
                        for t in range(t0, T):
                            volume = sum(vol[s] for s, vv, _, tt, _ in moves if vv == v and tt <= t)
                            net[t] -= _interp(c["volume"].to_numpy(float), c["running_cost_gbp_per_year"].to_numpy(float), volume)
                for s, t0 in zip(slist, opn):
                    net[t0] -= sites.at[s, "open_cost_gbp"]
                    net[t0:] -= sites.at[s, "fixed_cost_gbp_per_year"]
                for alone in alone_options:
                    total = net.copy()
                    e_all = dict(e)
                    for (v, _), t0 in zip(standalone, alone):
                        if t0 is not None:
                            total += shifted(vstream.get(v, []), int(t0))
                            e_all[v] = int(t0)
                    if any(v in e_all and (r not in e_all or e_all[r] + lag > e_all[v])
                           for v, r, lag in P.vehicle_dependencies[["vehicle_id", "requires_vehicle_id", "min_lag_years"]]
                           .itertuples(index=False)):
                        continue
                    if P.funding_cap_yearly_gbp is not None and np.any(-total > P.funding_cap_yearly_gbp.to_numpy() + 1e-6):
                        continue
                    if P.funding_cap_cumulative_gbp is not None and np.any(-np.cumsum(total) > P.funding_cap_cumulative_gbp + 1e-6):
                        continue
                    if not _floors_hold(P, total, moves):
                        continue
                    npv = float(total @ df)
                    if best is None or npv > best + 1e-9:
                        best, best_plan = npv, (moves, e_all, dict(zip(slist, opn)))
    return best, best_plan


def _floors_hold(P, net, moves) -> bool:
    """Floors on the plan's own net money and on membership, by own arithmetic."""
    T = len(net)
    for f in P.floors.itertuples(index=False):
        if f.measure == "members":
            t = T - 1 if f.year is None else int(f.year)
            value = [sum(1 for _, v, _, tt, _ in moves if v == f.vehicle_id and tt <= t)]
        else:
            assert f.measure == "net", "brute force covers net and members floors"
            series = np.cumsum(net) if f.cumulative else net
            value = list(series) if f.year is None else [series[int(f.year)]]
        tol = 1e-6
        if f.sense == "at_least" and any(x < f.bound - tol for x in value):
            return False
        if f.sense == "at_most" and any(x > f.bound + tol for x in value):
            return False
    return True


def _interp(xs, ys, x):
    if x > xs[-1]:
        return ys[-1] + (ys[-1] - ys[-2]) / (xs[-1] - xs[-2]) * (x - xs[-1])
    return float(np.interp(x, xs, ys))


def random_problem(n_services: int, n_vehicles: int = 4, n_sites_per_vehicle: int = 3, T: int = 5, seed: int = 0,
                   funding_cap: float | None = None) -> PlacementProblem:
    """A random medium-size instance (numpy), for time-limit, MGA and Pareto tests."""
    rng = np.random.default_rng(seed)
    vids = [f"V{i}" for i in range(n_vehicles)]
    services = pd.DataFrame({"service_id": [f"S{i:04d}" for i in range(n_services)],
                             "fte": rng.integers(1, 20, n_services).astype(float),
                             "volume": rng.integers(1, 100, n_services).astype(float),
                             "current_vehicle_id": "SQ", "current_site_id": None})
    vehicles = pd.DataFrame({"vehicle_id": ["SQ"] + vids, "kind": ["status_quo"] + [["ca", "icb", "market", "sfo"][i % 4] for i in range(n_vehicles)],
                             "earliest_year": [0] + list(rng.integers(0, 2, n_vehicles)), "latest_year": np.nan,
                             "max_sites": [np.nan] + [2.0] * n_vehicles, "is_status_quo": [True] + [False] * n_vehicles})
    sites = pd.DataFrame([{"site_id": f"{v}-s{j}", "vehicle_id": v, "capacity_fte": float(rng.integers(40, 120)),
                           "fixed_cost_gbp_per_year": float(rng.integers(10, 50) * 1000), "open_cost_gbp": float(rng.integers(20, 100) * 1000),
                           "must_open": False} for v in vids for j in range(n_sites_per_vehicle)])
    pl, ps = [], []
    for s in services["service_id"]:
        for v in rng.choice(vids, size=min(2, n_vehicles), replace=False):
            pl.append((s, v, None))
            cost, save = rng.integers(20, 200) * 1000.0, rng.integers(30, 120) * 1000.0
            ps.append((s, v, 0, 0.0, cost))
            ps += [(s, v, k, save, 0.0) for k in range(1, T)]
    vs = [(v, 0, 0.0, float(rng.integers(50, 300) * 1000)) for v in vids] + [(v, k, 0.0, 20_000.0) for v in vids for k in range(1, T)]
    return PlacementProblem(
        name=f"random-{n_services}", years=[f"Y{t}" for t in range(T)], discount_factor=1 / 1.035 ** np.arange(T),
        services=services, vehicles=vehicles, placements=pd.DataFrame(pl, columns=["service_id", "vehicle_id", "site_id"]),
        placement_streams=pd.DataFrame(ps, columns=["service_id", "vehicle_id", "offset", "benefit_gbp", "cost_gbp"]),
        vehicle_streams=pd.DataFrame(vs, columns=["vehicle_id", "offset", "benefit_gbp", "cost_gbp"]), sites=sites,
        max_transfers_per_year=pd.Series([max(1, n_services // 3)] * T),
        funding_cap_cumulative_gbp=funding_cap)
