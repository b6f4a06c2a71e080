"""Appraise any plan in plain pandas/numpy, independently of the MILP, and compare two plans.

``evaluate_plan`` is the reference: the solver's objective for a returned plan must equal its NPV here.
A plan is given by an assignment table (service_id, vehicle_id, site_id, transfer_year; transfer_year
NA = the service stays) and optionally establishment years of vehicles and opening years of sites; when
those are omitted a vehicle (site) is established (opened) in the year of its first transfer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .estates import release_money
from .prepare import curve_cost
from .problem import NO_SITE, PlacementProblem


@dataclass
class Evaluation:
    profile: pd.DataFrame  # year, t, benefit_gbp, cost_gbp, net_gbp, discounted_net_gbp, cumulative_net_gbp
    npv_gbp: float
    peak_funding_gbp: float  # largest cumulative shortfall (>= 0): what partners must find
    moves: pd.DataFrame  # the moving rows of the assignment, typed
    vehicles: pd.DataFrame  # vehicle_id, established_year
    sites: pd.DataFrame  # site_id, opened_year
    releases: pd.DataFrame  # site_id, released_year (buildings released: estates.py)


def moves_of(assignment: pd.DataFrame) -> pd.DataFrame:
    a = assignment.copy()
    if "site_id" not in a.columns:
        a["site_id"] = NO_SITE
    a = a[a["transfer_year"].notna()].copy()
    a["site_id"] = [NO_SITE if (s is None or (isinstance(s, float) and np.isnan(s)) or pd.isna(s)) else str(s) for s in a["site_id"]]
    a["transfer_year"] = a["transfer_year"].astype(int)
    return a[["service_id", "vehicle_id", "site_id", "transfer_year"]].reset_index(drop=True)


def _opened(table, key, col, default: pd.Series) -> pd.Series:
    """Years from a plan table (NA = not established/opened), else the default first-use year."""
    if table is None:
        return default.astype(int)
    t = table[table[col].notna()]
    return pd.Series(t[col].astype(int).to_numpy(), index=t[key].astype(str).to_numpy())


def release_table(releases) -> pd.DataFrame:
    """site_id, released_year of a plan's released buildings (a dict site -> year, or such a table)."""
    if releases is None:
        return pd.DataFrame({"site_id": pd.Series([], dtype=object), "released_year": pd.Series([], dtype=int)})
    if isinstance(releases, dict):
        releases = pd.DataFrame({"site_id": list(releases), "released_year": list(releases.values())})
    t = releases[releases["released_year"].notna()]
    return pd.DataFrame({"site_id": t["site_id"].astype(str).to_numpy(),
                         "released_year": t["released_year"].astype(int).to_numpy()}).sort_values("site_id").reset_index(drop=True)


def evaluate_plan(problem: PlacementProblem, plan, vehicles: pd.DataFrame | None = None,
                  sites: pd.DataFrame | None = None, releases=None) -> Evaluation:
    P = problem.normalised()
    if hasattr(plan, "assignment"):  # a Plan
        vehicles = plan.vehicles if vehicles is None else vehicles
        sites = plan.sites if sites is None else sites
        releases = getattr(plan, "releases", None) if releases is None else releases
        plan = plan.assignment
    rel = release_table(releases)
    T, df = P.T, P.discount_factor
    mv = moves_of(plan)
    benefit, cost = np.zeros(T), np.zeros(T)

    def add_stream(st: pd.DataFrame, anchors: pd.DataFrame, keys: list) -> None:
        if anchors.empty or st.empty:
            return
        j = anchors.merge(st, on=keys, how="inner")
        yr = j["anchor"].to_numpy(dtype=int) + j["offset"].to_numpy(dtype=int)
        ok = (yr >= 0) & (yr < T)
        if "from_year" in j:  # a timing rule: no money before the stream's from_year
            ok &= yr >= j["from_year"].to_numpy(dtype=int)
        np.add.at(benefit, yr[ok], j["benefit_gbp"].to_numpy()[ok])
        np.add.at(cost, yr[ok], j["cost_gbp"].to_numpy()[ok])

    ps = P.placement_streams  # a stream with a site counts only for moves to that site
    anchors = mv.rename(columns={"transfer_year": "anchor"})
    add_stream(ps[ps["site_id"] == NO_SITE].drop(columns="site_id"), anchors[["service_id", "vehicle_id", "anchor"]],
               ["service_id", "vehicle_id"])
    add_stream(ps[ps["site_id"] != NO_SITE], anchors[anchors["site_id"] != NO_SITE][["service_id", "vehicle_id", "site_id", "anchor"]],
               ["service_id", "vehicle_id", "site_id"])
    rb, rc = release_money(P, dict(zip(rel["site_id"], rel["released_year"])))
    benefit += rb
    cost += rc

    est = _opened(vehicles, "vehicle_id", "established_year", mv.groupby("vehicle_id")["transfer_year"].min())
    add_stream(P.vehicle_streams, pd.DataFrame({"vehicle_id": est.index, "anchor": est.to_numpy()}), ["vehicle_id"])

    _joint_money(P, est, benefit, cost)

    sited = mv[mv["site_id"] != NO_SITE]
    opened = _opened(sites, "site_id", "opened_year", sited.groupby("site_id")["transfer_year"].min())
    st = P.sites.set_index("site_id")
    for site, t0 in opened.items():
        cost[t0] += st.at[site, "open_cost_gbp"]
        cost[t0:] += st.at[site, "fixed_cost_gbp_per_year"]

    vol = P.services.set_index("service_id")["volume"]
    for v, cc in P.cost_curves.groupby("vehicle_id", sort=True):
        if v not in est.index:
            continue
        c = cc.groupby("volume", sort=True)["running_cost_gbp_per_year"].mean()
        mine = mv[mv["vehicle_id"] == v]
        for t in range(int(est[v]), T):
            volume = float(vol.reindex(mine.loc[mine["transfer_year"] <= t, "service_id"]).sum())
            cost[t] += float(curve_cost(c.index.to_numpy(float), c.to_numpy(float), volume))

    net = benefit - cost
    cum = np.cumsum(net)
    profile = pd.DataFrame({
        "year": list(P.years), "t": np.arange(T), "benefit_gbp": benefit, "cost_gbp": cost,
        "net_gbp": net, "discounted_net_gbp": net * df, "cumulative_net_gbp": cum,
    })
    vt = pd.DataFrame({"vehicle_id": est.index, "established_year": est.to_numpy()}).sort_values("vehicle_id")
    stt = pd.DataFrame({"site_id": opened.index, "opened_year": opened.to_numpy()}).sort_values("site_id")
    return Evaluation(profile, float(np.sum(net * df)), float(max(0.0, -cum.min())) if T else 0.0, mv,
                      vt.reset_index(drop=True), stt.reset_index(drop=True), rel)


def _joint_money(P: PlacementProblem, est: pd.Series, benefit: np.ndarray, cost: np.ndarray) -> None:
    """Joint money: a row counts in year t when its anchor vehicle is established (offset from that year; no
    anchor = fixed years) and every required vehicle is established by t (and t >= from_year)."""
    T = P.T
    req = P.joint_requires.groupby("joint_id")["requires_vehicle_id"].apply(list).to_dict()
    for jid, st in P.joint_streams.groupby("joint_id", sort=True):
        needs = req.get(jid, [])
        if any(v not in est.index for v in needs):
            continue
        gate = max((int(est[v]) for v in needs), default=0)
        anchor = st["vehicle_id"].iloc[0]
        if anchor is not None and anchor not in est.index:
            continue
        yr = st["offset"].to_numpy(dtype=int) + (int(est[anchor]) if anchor is not None else 0)
        ok = (yr >= 0) & (yr < T) & (yr >= gate) & (yr >= st["from_year"].to_numpy(dtype=int))
        np.add.at(benefit, yr[ok], st["benefit_gbp"].to_numpy()[ok])
        np.add.at(cost, yr[ok], st["cost_gbp"].to_numpy()[ok])


def compare_plans(problem: PlacementProblem, a, b) -> dict:
    """What changes from plan ``a`` to plan ``b``: moves, NPV gained, funding need changed."""
    ea, eb = evaluate_plan(problem, a), evaluate_plan(problem, b)
    cols = ["service_id", "vehicle_id", "site_id", "transfer_year"]
    services = problem.normalised().services["service_id"]
    ja = ea.moves.set_index("service_id").reindex(services)
    jb = eb.moves.set_index("service_id").reindex(services)
    rows = []
    for s in services:
        ra, rb = ja.loc[s], jb.loc[s]
        if not ra.equals(rb):
            rows.append({"service_id": s,
                         "from_vehicle_id": ra["vehicle_id"], "from_site_id": ra["site_id"], "from_year": ra["transfer_year"],
                         "to_vehicle_id": rb["vehicle_id"], "to_site_id": rb["site_id"], "to_year": rb["transfer_year"]})
    changes = pd.DataFrame(rows, columns=["service_id", "from_vehicle_id", "from_site_id", "from_year",
                                          "to_vehicle_id", "to_site_id", "to_year"])
    years = list(problem.years)
    lines = []
    for r in changes.itertuples(index=False):
        fr = "stays" if pd.isna(r.from_year) else f"{r.from_vehicle_id}{_at(r.from_site_id)} in {years[int(r.from_year)]}"
        to = "stays" if pd.isna(r.to_year) else f"{r.to_vehicle_id}{_at(r.to_site_id)} in {years[int(r.to_year)]}"
        lines.append(f"{r.service_id}: {fr} -> {to}")
    d_npv = eb.npv_gbp - ea.npv_gbp
    d_fund = eb.peak_funding_gbp - ea.peak_funding_gbp
    lines.append(f"NPV {'gained' if d_npv >= 0 else 'lost'}: £{abs(d_npv) / 1e6:,.3f}m; "
                 f"peak funding need {'up' if d_fund > 0 else 'down'} £{abs(d_fund) / 1e6:,.3f}m")
    return {"changes": changes[cols[:1] + list(changes.columns[1:])], "npv_gain_gbp": d_npv,
            "funding_change_gbp": d_fund, "npv_a_gbp": ea.npv_gbp, "npv_b_gbp": eb.npv_gbp,
            "peak_funding_a_gbp": ea.peak_funding_gbp, "peak_funding_b_gbp": eb.peak_funding_gbp,
            "summary": "\n".join(lines)}


def _at(site) -> str:
    return "" if site in (None, NO_SITE) or (isinstance(site, float) and np.isnan(site)) else f" at {site}"
