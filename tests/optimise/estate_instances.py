"""Random small estate instances (seeded numpy) and an independent brute force for them.

Families covered: building releases (lease break, vacate-before-release, no move into a released building,
kept buildings, release money), a shared building (no vehicle) used by several vehicles within one capacity
that counts today's occupants until they leave, a vehicle's own site, and money that depends on the site.
The brute force enumerates every plan with its own arithmetic (no optimise internals).
"""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from opt_instances import stream_net
from optimise import OptionRules, PlacementProblem


def estate_problem(seed: int, T: int | None = None) -> PlacementProblem:
    """A random estate instance; ``T`` fixes the horizon (else drawn: 2 or 3 years; the draw is made either
    way, so the rest of the instance is the same for a seed)."""
    rng = np.random.default_rng(seed)
    drawn = int(rng.integers(2, 4))
    T = drawn if T is None else int(T)
    nv = int(rng.integers(1, 3))
    vids = [f"V{i}" for i in range(nv)]
    own_site = bool(rng.integers(2))  # V0 has a site of its own
    ns = int(rng.integers(2, 5))
    sids = [f"S{i}" for i in range(ns)]
    current = [rng.choice(["B0", "B1", None], p=[0.4, 0.35, 0.25]) for _ in sids]
    fte = rng.integers(1, 5, ns).astype(float)
    services = pd.DataFrame({"service_id": sids, "fte": fte, "volume": 1.0, "current_vehicle_id": "SQ",
                             "current_site_id": current})
    today = {b: float(sum(f for f, c in zip(fte, current) if c == b)) for b in ("B0", "B1")}
    # capacities hold today's occupants, with little room to spare (so that co-location competes for it)
    sites = [dict(site_id="B0", vehicle_id=None, capacity_fte=today["B0"] + float(rng.choice([0, 2, 4, np.inf])),
                  fixed_cost_gbp_per_year=0.0, open_cost_gbp=float(rng.integers(0, 15)), must_open=False),
             dict(site_id="B1", vehicle_id=None, capacity_fte=today["B1"] + float(rng.choice([1, np.inf])),
                  fixed_cost_gbp_per_year=0.0, open_cost_gbp=0.0, must_open=False)]
    if own_site:
        sites.append(dict(site_id="V0s0", vehicle_id="V0", capacity_fte=float(rng.choice([4, 8, np.inf])),
                          fixed_cost_gbp_per_year=float(rng.integers(0, 10)), open_cost_gbp=float(rng.integers(0, 20)),
                          must_open=False))
    vehicles = pd.DataFrame({"vehicle_id": ["SQ"] + vids, "kind": ["council"] + ["ca"] * nv,
                             "earliest_year": [0] + [int(rng.integers(0, T)) for _ in vids], "latest_year": np.nan,
                             "max_sites": np.nan, "is_status_quo": [True] + [False] * nv})
    pl, ps = [], []
    for s in sids:
        opts = [(v, "B0") for v in vids] + [(v, "B1") for v in vids]
        opts += [("V0", None)] if own_site else [(v, None) for v in vids]
        for j in rng.choice(len(opts), size=int(rng.integers(1, 3)), replace=False):
            v, site = opts[j]
            pl.append((s, v, site))
            for k in range(int(rng.integers(1, 3))):
                ps.append((s, v, None, k, float(rng.integers(0, 60)), float(rng.integers(0, 40))))
            if site is not None and rng.random() < 0.5:  # money only at that site
                ps.append((s, v, site, 0, float(rng.integers(0, 50)), float(rng.integers(0, 30))))
    placements = pd.DataFrame(pl, columns=["service_id", "vehicle_id", "site_id"]).drop_duplicates()
    occupied = sorted({c for c in current if c is not None})
    buildings = pd.DataFrame({"site_id": occupied, "release_from": [int(rng.integers(0, T)) for _ in occupied]},
                             columns=["site_id", "release_from"])
    rs = []
    for b in occupied:
        rs.append((b, 0, 0.0, float(rng.integers(0, 30))))  # dilapidations
        rs += [(b, k, float(rng.integers(10, 40)), 0.0) for k in range(T)]  # running cost saved
    vs = [(v, 0, 0.0, float(rng.integers(0, 30))) for v in vids]
    kept = tuple(b for b in occupied if rng.random() < 0.2)
    return PlacementProblem(
        years=[f"Y{t}" for t in range(T)], discount_factor=1 / 1.035 ** np.arange(T), services=services,
        vehicles=vehicles, placements=placements,
        vehicle_streams=pd.DataFrame(vs, columns=["vehicle_id", "offset", "benefit_gbp", "cost_gbp"]),
        placement_streams=pd.DataFrame(ps, columns=["service_id", "vehicle_id", "site_id", "offset", "benefit_gbp", "cost_gbp"]),
        sites=pd.DataFrame(sites), buildings=buildings,
        release_streams=pd.DataFrame(rs, columns=["site_id", "offset", "benefit_gbp", "cost_gbp"]),
        funding_cap_yearly_gbp=[None, 40.0][int(rng.integers(2))],
        rules=OptionRules(name="estate", kept_buildings=kept), name=f"estate-{seed}")


def estate_brute_force(problem: PlacementProblem):
    """Best NPV by enumeration: (npv, (moves, releases)) or (None, None)."""
    P = problem.normalised()
    T, df, R = P.T, P.discount_factor, P.rules
    veh = P.vehicles.set_index("vehicle_id")
    sites = P.sites.set_index("site_id")
    fte = P.services.set_index("service_id")["fte"].to_dict()
    here = P.services.set_index("service_id")["current_site_id"].to_dict()

    def money(rows, t0):
        return stream_net(rows, t0, T)

    ps = P.placement_streams
    choices = []
    for s in P.services["service_id"]:
        opts = [None]
        for v, site in P.placements.loc[P.placements["service_id"] == s, ["vehicle_id", "site_id"]].itertuples(index=False):
            own = list(sites.index[sites["vehicle_id"] == v])
            for st in ([site] if site else (own or [""])):
                rows = ps[(ps["service_id"] == s) & (ps["vehicle_id"] == v) & ps["site_id"].isin(["", st])]
                stream = list(rows[["offset", "benefit_gbp", "cost_gbp"]].itertuples(index=False, name=None))
                for t in range(int(veh.at[v, "earliest_year"]), T):
                    opts.append((s, v, st, t, money(stream, t)))
        choices.append(opts)
    blds = [(b, lo) for b, lo in P.buildings.itertuples(index=False)]
    rel_opts = [[None] + ([] if b in R.kept_buildings else list(range(lo, T))) for b, lo in blds]
    rstream = {b: list(g[["offset", "benefit_gbp", "cost_gbp"]].itertuples(index=False, name=None))
               for b, g in P.release_streams.groupby("site_id")}
    vstream = {v: list(g[["offset", "benefit_gbp", "cost_gbp"]].itertuples(index=False, name=None))
               for v, g in P.vehicle_streams.groupby("vehicle_id")}
    best, best_plan = None, None
    for combo in itertools.product(*choices):
        moves = [c for c in combo if c is not None]
        where = {s: (st, t) for s, _, st, t, _ in moves}

        def occupants(site, t):
            stay = [s for s, c in here.items() if c == site and not (s in where and where[s][0] != site and where[s][1] <= t)]
            come = [s for s, (st, u) in where.items() if st == site and u <= t and here.get(s) != site]
            return stay + come

        ok = True
        for site, cap in sites["capacity_fte"].items():
            if any(sum(fte[s] for s in occupants(site, t)) > cap + 1e-9 for t in range(T)):
                ok = False
        if not ok:
            continue
        net0 = sum((m[4] for m in moves), np.zeros(T))
        first_v = {}
        first_site = {}
        for s, v, st, t, _ in moves:
            first_v[v] = min(first_v.get(v, T), t)
            if st:
                first_site[st] = min(first_site.get(st, T), t)
        for v, t in first_v.items():  # costs only: established in its first move's year is best
            net0 = net0 + money(vstream.get(v, []), t)
        for st, t in first_site.items():
            net0[t] -= sites.at[st, "open_cost_gbp"]
            net0[t:] -= sites.at[st, "fixed_cost_gbp_per_year"]
        for rel in itertools.product(*rel_opts):
            net = net0.copy()
            good = True
            for (b, _), t in zip(blds, rel):
                if t is None:
                    continue
                if occupants(b, t) or any(st == b and here.get(s) != b for s, (st, _) in where.items()):
                    good = False
                    break
                net += money(rstream.get(b, []), t)
            if not good:
                continue
            if P.funding_cap_yearly_gbp is not None and np.any(-net > P.funding_cap_yearly_gbp.to_numpy() + 1e-6):
                continue
            npv = float(net @ df)
            if best is None or npv > best + 1e-9:
                best, best_plan = npv, (moves, dict((b, t) for (b, _), t in zip(blds, rel) if t is not None))
    return best, best_plan
