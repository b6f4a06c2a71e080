"""Existing buildings as decisions (maths: docs/optimise.md, "Estates").

A *building* is a site that services occupy today (``services.current_site_id``) and that the problem's
``buildings`` table lets the plan release from year index ``release_from`` on. Releasing building b in year t
(binary r[b,t], at most one per building) earns the money of ``release_streams`` (the running cost saved, a
capital receipt, dilapidations) anchored at t, and is allowed only once b is empty:

* every service there today has moved out (to a vehicle at another site, or to a vehicle without sites)
  by t:                       R(b,t) <= Out(s,t)                 for each occupant s
* no other service ever moves in:  sum_v x(s,v,b) + R(b) <= 1     for each other service s that may move to b

with R(b,t) = sum_{u<=t} r[b,u] and Out(s,t) = sum of x(s,v,site,u) with site != b, u <= t.

A site with a capacity and occupants today holds, in every year t, the services that moved in by t and the
occupants that have not left:  sum_{movers in} fte x + sum_{occupants} fte (1 - Out(s,t)) <= capacity.
A site may be shared (no vehicle): any vehicle whose placements name it moves services there, within the one
capacity; a shared site counts towards no vehicle's max_sites.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from .problem import NO_SITE


def occupants_of(P) -> dict[str, list[str]]:
    """site -> the services there today, in the services table's order."""
    out: dict[str, list[str]] = defaultdict(list)
    for s, site in zip(P.services["service_id"], P.services["current_site_id"]):
        if site is not None:
            out[site].append(s)
    return dict(out)


def validate_estates(P) -> list[str]:
    """Malformed estate input (the study's validate names file, row and column before this is reached)."""
    out = []
    sites = set(P.sites["site_id"])
    occ = occupants_of(P)
    for i, (b, t) in enumerate(P.buildings[["site_id", "release_from"]].itertuples(index=False)):
        if b not in sites:
            out.append(f"buildings row {i}: unknown site {b}")
        if not 0 <= int(t) < P.T:
            out.append(f"buildings row {i}: release_from {t} is outside the horizon 0..{P.T - 1}")
        if b not in occ:
            out.append(f"buildings row {i}: no service is at {b} today (services.current_site_id)")
    if P.buildings["site_id"].duplicated().any():
        out.append("buildings: duplicate site_id " + ", ".join(sorted(set(P.buildings["site_id"][P.buildings["site_id"].duplicated()]))))
    known = set(P.buildings["site_id"])
    for i, b in enumerate(P.release_streams["site_id"]):
        if b not in known:
            out.append(f"release_streams row {i}: {b} is not a building that may be released")
    for b in P.rules.kept_buildings:
        if b not in known:
            out.append(f"option '{P.rules.name}': kept building {b} is not a building that may be released")
    return out


def prepare_releases(prep) -> None:
    """prep.R (site_id, t) and its money rows rb, rc; a building no plan can empty gets no variable (noted)."""
    from .prepare import anchored_money

    P, T, X = prep.problem, prep.T, prep.X
    occ = occupants_of(P)
    leaves = set(X.loc[X["site_id"] != X["service_id"].map(P.services.set_index("service_id")["current_site_id"])
                       .fillna(NO_SITE), "service_id"]) if len(X) else set()
    rows = []
    for b, lo in P.buildings[["site_id", "release_from"]].itertuples(index=False):
        if b in P.rules.kept_buildings:
            continue
        stuck = [s for s in occ.get(b, []) if s not in leaves]
        if stuck:
            note = f"building {b} cannot be released under option '{P.rules.name}': {', '.join(stuck)} cannot move out of it"
            prep.issues.append(note)
            prep.release_notes.append(note)
            continue
        years = range(max(int(lo), 0), T)
        if b in P.rules.forced_releases:
            f = int(P.rules.forced_releases[b])
            years = [f] if f in years else []
        rows.extend((b, t) for t in years)
    R = pd.DataFrame(rows, columns=["site_id", "t"])
    t = R["t"].to_numpy(dtype=int)
    rb, rc = anchored_money(P.release_streams, ["site_id"], [(b,) for b in R["site_id"]], t, T)  # with from_year
    prep.R, prep.rb, prep.rc = R, rb, rc


def add_estate_rows(m, prep, rows: dict, x: list, lsum) -> list:
    """The release variables m.r and the estate rows (families release_once, vacate, no_move_in,
    estate_capacity); returns the r variables in prep.R's order."""
    import pyomo.environ as pyo

    P, T, X, R = prep.problem, prep.T, prep.X, prep.R
    m.r = pyo.Var(range(len(R)), domain=pyo.Binary)
    r = [m.r[i] for i in range(len(R))]
    occ = occupants_of(P)
    xs, xsite, xt = X["service_id"].to_numpy(), X["site_id"].to_numpy(), X["t"].to_numpy(dtype=int)
    by_service = X.groupby("service_id", sort=True).indices if len(X) else {}

    def out_by(s, b, t):  # s has left building b by year t
        return lsum(x[i] for i in by_service.get(s, []) if xsite[i] != b and xt[i] <= t)

    r_by = defaultdict(list)
    for i, (b, t) in enumerate(zip(R["site_id"], R["t"])):
        r_by[b].append((int(t), r[i]))
    for b in sorted(set(P.rules.forced_releases) - set(r_by)):
        rows["must_release"].append((b, 1, 0, None))  # no year left to release it in: infeasible, diagnosed
    for b, lst in sorted(r_by.items()):
        total = lsum(v for _, v in lst)
        rows["release_once"].append((b, None, total, 1))
        if b in P.rules.forced_releases:
            rows["must_release"].append((b, 1, total, None))
        mine = set(occ.get(b, []))
        for s in sorted(mine):
            for t, _ in lst:
                rows["vacate"].append(((b, s, t), None, lsum(v for u, v in lst if u <= t) - out_by(s, b, t), 0))
        into = defaultdict(list)
        for i in np.flatnonzero(xsite == b):
            if xs[i] not in mine:
                into[xs[i]].append(x[i])
        for s, xi in sorted(into.items()):
            rows["no_move_in"].append(((b, s), None, lsum(xi) + total, 1))

    fte = P.services.set_index("service_id")["fte"].astype(float)
    for site, cap in zip(P.sites["site_id"], P.sites["capacity_fte"].astype(float)):
        mine = occ.get(site, [])
        if not mine or not np.isfinite(cap):
            continue
        base = float(fte.reindex(mine).sum())
        movers = [i for i in np.flatnonzero(xsite == site) if xs[i] not in set(mine)]
        for t in range(T):
            body = (lsum(float(fte[xs[i]]) * x[i] for i in movers if xt[i] <= t and fte[xs[i]] != 0)
                    - lsum(float(fte[s]) * out_by(s, site, t) for s in mine if fte[s] != 0))
            rows["estate_capacity"].append(((site, t), None, body, cap - base))
    return r


def release_money(P, releases: dict) -> tuple[np.ndarray, np.ndarray]:
    """Benefit and cost by year of releasing each building in its year (site -> year index)."""
    T = P.T
    benefit, cost = np.zeros(T), np.zeros(T)
    st = P.release_streams
    for b, t0 in releases.items():
        mine = st[st["site_id"] == b]
        yr = int(t0) + mine["offset"].to_numpy(dtype=int)
        ok = (yr >= 0) & (yr < T)
        np.add.at(benefit, yr[ok], mine["benefit_gbp"].to_numpy()[ok])
        np.add.at(cost, yr[ok], mine["cost_gbp"].to_numpy()[ok])
    return benefit, cost


def estate_violations(P, mv: pd.DataFrame, releases: dict) -> list[str]:
    """Where a plan's releases and moves break the estate rules, in plain words (from the raw tables)."""
    T, yrs = P.T, list(P.years)
    occ = occupants_of(P)
    lo = dict(zip(P.buildings["site_id"], P.buildings["release_from"].astype(int)))
    moved = {s: (site, int(t)) for s, site, t in zip(mv["service_id"], mv["site_id"], mv["transfer_year"])}
    out = []
    label = lambda t: yrs[t] if 0 <= t < T else str(t)  # noqa: E731
    for b, t in sorted(releases.items()):
        t = int(t)
        if b not in lo:
            out.append(f"building {b} is released but may not be (it is not a building with a lease break)")
            continue
        if b in P.rules.kept_buildings:
            out.append(f"building {b} is released but option '{P.rules.name}' keeps it")
        if b in P.rules.forced_releases and int(P.rules.forced_releases[b]) != t:
            out.append(f"building {b} must be released in {label(int(P.rules.forced_releases[b]))}")
        if not lo[b] <= t < T:
            out.append(f"building {b} is released in {label(t)}, before its lease break ({label(lo[b])}) or outside the horizon")
        for s in occ.get(b, []):
            site, u = moved.get(s, (b, None))
            if site == b or u is None or u > t:
                out.append(f"building {b} is released in {label(t)} but {s} is still there")
        for s, (site, u) in sorted(moved.items()):
            if site == b and s not in occ.get(b, []):
                out.append(f"{s} moves into building {b}, which is released in {label(t)}")
    for b in sorted(set(P.rules.forced_releases) - set(releases)):
        out.append(f"building {b} must be released in {label(int(P.rules.forced_releases[b]))} but is kept")
    fte = P.services.set_index("service_id")["fte"].astype(float)
    for site, cap in zip(P.sites["site_id"], P.sites["capacity_fte"].astype(float)):
        mine = occ.get(site, [])
        if not mine or not np.isfinite(cap):
            continue
        for t in range(T):
            here = [s for s in mine if not (s in moved and moved[s][0] != site and moved[s][1] <= t)]
            here += [s for s, (st, u) in moved.items() if st == site and u <= t and s not in mine]
            load = float(fte.reindex(here).sum())
            if load > cap + 1e-6:
                out.append(f"site {site} holds {load:g} FTE in {label(t)} (services there today and moved in), "
                           f"over its capacity of {cap:g}")
                break
    return out


# --- estates in decomposition (decompose.py, regions.py) ------------------------------------------------

def estate_sites(P) -> set[str]:
    """Sites whose rows tie several services together: shared sites (one opening, one capacity, for every
    vehicle that names them), buildings (vacate, no_move_in) and sites with a capacity and occupants today
    (estate_capacity: the occupants that stay and the services that move in share it)."""
    occ = occupants_of(P)
    st = P.sites
    shared = set(st.loc[st["vehicle_id"].isna(), "site_id"])
    held = {k for k, cap in zip(st["site_id"], st["capacity_fte"].astype(float)) if k in occ and np.isfinite(cap)}
    return shared | set(P.buildings["site_id"]) | held


def estate_links(P) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Edges of the estates in the decomposition graph: (service_id, site_id) for every service there today
    and every placement naming the site, for each site of ``estate_sites``; and (site_id, vehicle_id) for such
    a site that belongs to a vehicle (its placements with a blank site may go there)."""
    keep = estate_sites(P)
    svc = P.services[["service_id", "current_site_id"]].rename(columns={"current_site_id": "site_id"})
    pl = P.placements[["service_id", "site_id"]]
    links = pd.concat([svc[svc["site_id"].isin(keep)], pl[pl["site_id"].isin(keep)]], ignore_index=True)
    owned = P.sites[P.sites["site_id"].isin(keep) & P.sites["vehicle_id"].notna()][["site_id", "vehicle_id"]]
    return links.drop_duplicates().reset_index(drop=True), owned.reset_index(drop=True)


def estate_part(P, services: set, placements: pd.DataFrame, vehicles: set) -> dict:
    """The estate of a block (decompose.subproblem) or region (regions.region_problem): ``services`` its
    service ids, ``placements`` its placement rows, ``vehicles`` the vehicles it holds. Returns the tables and
    rules to replace in the problem: the sites of its vehicles, the estate sites its services occupy today or
    its placements name, the buildings its services occupy today with their release streams, and the option
    rules on those sites and buildings. ``vehicles`` grows by the owners of the sites carried (a site's
    vehicle must be in the problem)."""
    here = set(P.services.loc[P.services["service_id"].isin(services), "current_site_id"].dropna())
    named = set(placements["site_id"]) - {NO_SITE}
    touched = (here | named) & estate_sites(P)
    sites = P.sites[P.sites["vehicle_id"].isin(vehicles) | P.sites["site_id"].isin(touched)]
    vehicles |= set(sites["vehicle_id"].dropna())
    ids = set(sites["site_id"])
    buildings = P.buildings[P.buildings["site_id"].isin(here)]
    bids = set(buildings["site_id"])
    R = P.rules
    rules = R.replace(locked_sites=tuple(x for x in R.locked_sites if x in ids),
                      closed_sites=tuple(x for x in R.closed_sites if x in ids),
                      kept_buildings=tuple(b for b in R.kept_buildings if b in bids),
                      forced_releases={b: t for b, t in R.forced_releases.items() if b in bids})
    return {"sites": sites, "buildings": buildings,
            "release_streams": P.release_streams[P.release_streams["site_id"].isin(bids)], "rules": rules}


def estate_regions(P, region_of: dict) -> list[str]:
    """Estate sites whose services (there today, or with a placement naming the site, or with a placement
    into the site's vehicle) lie in more than one region, each in plain words naming the regions."""
    links, owned = estate_links(P)
    members = {k: set(g["service_id"]) for k, g in links.groupby("site_id")}
    pl = P.placements
    for k, v in owned.itertuples(index=False):
        members.setdefault(k, set()).update(pl.loc[pl["vehicle_id"] == v, "service_id"])
    buildings = set(P.buildings["site_id"])
    shared = set(P.sites.loc[P.sites["vehicle_id"].isna(), "site_id"])
    out = []
    for k in sorted(members):
        by_region: dict = {}
        for s in sorted(members[k]):
            if s in region_of:
                by_region.setdefault(region_of[s], []).append(s)
        if len(by_region) > 1:
            what = "building" if k in buildings else "shared site" if k in shared else "site"
            parts = "; ".join(f"region {r}: {', '.join(ss[:3])}{' ...' if len(ss) > 3 else ''}"
                              for r, ss in sorted(by_region.items()))
            out.append(f"{what} {k} is used by services of regions {', '.join(str(r) for r in sorted(by_region))} ({parts})")
    return out
