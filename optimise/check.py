"""Check a plan against every constraint of the problem, from the raw tables (not from the MILP).

Returns a list of violations in plain words; an empty list means the plan is feasible. Used on every
solution the solver hands back and on any plan a user supplies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .evaluate import evaluate_plan
from .estates import estate_violations
from .floors import floor_violations
from .problem import NO_SITE, PlacementProblem

MONEY_TOL = 1e-3  # pounds, plus a relative 1e-7


def check_plan(problem: PlacementProblem, plan, vehicles: pd.DataFrame | None = None,
               sites: pd.DataFrame | None = None, releases=None) -> list[str]:
    P = problem.normalised()
    R, T, yrs = P.rules, P.T, list(P.years)
    ev = evaluate_plan(P, plan, vehicles, sites, releases)
    mv, est, opened = ev.moves, ev.vehicles.set_index("vehicle_id")["established_year"], ev.sites.set_index("site_id")["opened_year"]
    out: list[str] = []
    veh = P.vehicles.set_index("vehicle_id")
    st = P.sites.set_index("site_id")
    services = set(P.services["service_id"])

    # one move per service, to an eligible, allowed vehicle / site, in the horizon
    dup = mv["service_id"][mv["service_id"].duplicated()]
    out += [f"{s} is moved more than once" for s in sorted(set(dup))]
    kind = veh["kind"].to_dict()
    status_quo = veh["is_status_quo"].astype(bool).to_dict()
    site_vehicle = st["vehicle_id"].to_dict()
    sited_vehicles = set(P.sites["vehicle_id"].dropna())
    shared_sites = set(P.sites.loc[P.sites["vehicle_id"].isna(), "site_id"])
    forbidden = set(map(tuple, R.forbidden_mappings))
    est_d, opened_d = est.to_dict(), opened.to_dict()
    elig = set()
    for s, v, site in P.placements[["service_id", "vehicle_id", "site_id"]].itertuples(index=False):
        elig.add((s, v, NO_SITE if site in (None, NO_SITE) else site))
    for s, v, site, t in mv.itertuples(index=False):
        if s not in services:
            out.append(f"{s} is not a service in scope")
            continue
        if v not in kind:
            out.append(f"{s} moves into unknown vehicle {v}")
            continue
        if status_quo[v]:
            out.append(f"{s} 'moves' into status-quo vehicle {v}")
        sited_v = v in sited_vehicles
        if sited_v and site == NO_SITE:
            out.append(f"{s} moves into {v} without a site")
        if not sited_v and site != NO_SITE and site not in shared_sites:
            out.append(f"{s} moves into {v} at {site}, but {v} has no sites")
        if site != NO_SITE and site not in shared_sites and site_vehicle.get(site) != v:
            out.append(f"{s}: site {site} does not belong to {v}")
        if (s, v, site) not in elig and (s, v, NO_SITE) not in elig:
            out.append(f"{s} -> {v}{' at ' + site if site != NO_SITE else ''} is not an eligible placement")
        if not 0 <= t < T:
            out.append(f"{s} moves in year index {t}, outside the horizon")
        if not R.vehicle_allowed(v, kind[v]):
            out.append(f"{s} moves into {v}, which option '{R.name}' does not allow")
        if (s, v) in forbidden:
            out.append(f"{s} -> {v} is forbidden by the option")
        if s in R.forced_mappings and R.forced_mappings[s] != v:
            out.append(f"{s} must go to {R.forced_mappings[s]} but goes to {v}")
        if s in R.forced_sites and R.forced_sites[s] != site:
            out.append(f"{s} must go to site {R.forced_sites[s]} but goes to {site or 'no site'}")
        if s in R.forced_years and int(R.forced_years[s]) != t:
            out.append(f"{s} must move in {yrs[int(R.forced_years[s])]} but moves in {yrs[t] if 0 <= t < T else t}")
        if v not in est_d:
            out.append(f"{s} moves into {v}, which is never established")
        elif est_d[v] > t:
            out.append(f"{s} moves into {v} in {yrs[t]} before {v} is established ({yrs[est_d[v]]})")
        if site != NO_SITE:
            if site not in opened_d:
                out.append(f"{s} moves to site {site}, which never opens")
            elif opened_d[site] > t:
                out.append(f"{s} moves to site {site} in {yrs[t]} before it opens ({yrs[opened_d[site]]})")
    moved = set(mv["service_id"])
    for s in sorted(services - moved):
        if R.service_must_move(s):
            out.append(f"{s} must move under option '{R.name}' but stays")

    # vehicles: window, forced year, only if used
    moved_into, placed_vehicles, hosting = set(mv["vehicle_id"]), set(P.placements["vehicle_id"]), set(mv["site_id"])
    for v, t in est.items():
        if v not in veh.index:
            out.append(f"unknown vehicle {v} established")
            continue
        lo, hi = int(veh.at[v, "earliest_year"]), veh.at[v, "latest_year"]
        hi = T - 1 if pd.isna(hi) else min(int(hi), T - 1)
        if not lo <= t <= hi:
            out.append(f"{v} established in {yrs[t] if 0 <= t < T else t}, outside its window {yrs[lo]}..{yrs[hi]}")
        if v in R.forced_vehicle_years and int(R.forced_vehicle_years[v]) != t:
            out.append(f"{v} must be established in {yrs[int(R.forced_vehicle_years[v])]}")
        if v not in moved_into and v in placed_vehicles:
            out.append(f"{v} is established but no service moves into it")

    # vehicle dependencies: established only lag years after the required vehicle
    for v, r, lag in P.vehicle_dependencies[["vehicle_id", "requires_vehicle_id", "min_lag_years"]].itertuples(index=False):
        if v in est_d and (r not in est_d or est_d[r] + lag > est_d[v]):
            when = f"in {yrs[est_d[r]]}" if r in est_d else "never"
            out.append(f"{v} is established in {yrs[est_d[v]]} but requires {r} established at least {lag} year(s) "
                       f"earlier ({r} is established {when})")

    # sites: after vehicle, only if used or locked, locked/closed, max per vehicle, capacity
    fte = P.services.set_index("service_id")["fte"]
    locked = set(R.locked_sites) | set(st.index[st["must_open"]])
    for site, t in opened.items():
        if site not in st.index:
            out.append(f"unknown site {site} opened")
            continue
        v = st.at[site, "vehicle_id"]
        if v is not None and (v not in est.index or est[v] > t):
            out.append(f"site {site} opens in {yrs[t]} before its vehicle {v} is established")
        if site in R.closed_sites:
            out.append(f"site {site} opens but the option keeps it closed")
        if site not in locked and site not in hosting:
            out.append(f"site {site} opens but hosts no service")
        load = float(fte.reindex(mv.loc[mv["site_id"] == site, "service_id"]).sum())
        cap = float(st.at[site, "capacity_fte"])
        if load > cap + 1e-6:
            out.append(f"site {site} holds {load:g} FTE, over its capacity of {cap:g}")
    out += [f"site {s} must open but does not" for s in sorted(locked - set(opened.index))]
    for v, k in veh["max_sites"].items():
        n = sum(1 for s in opened.index if s in st.index and st.at[s, "vehicle_id"] == v)
        if pd.notna(k) and n > k:
            out.append(f"{v} opens {n} sites, more than its limit of {int(k)}")

    # transition capacity, precedence
    if P.max_transfers_per_year is not None:
        counts = mv["transfer_year"].value_counts()
        for t, n in counts.items():
            if 0 <= t < T and n > P.max_transfers_per_year[t] + 1e-9:
                out.append(f"{n} transfers in {yrs[t]}, over the limit of {P.max_transfers_per_year[t]:g}")
    when = mv.set_index("service_id")["transfer_year"]
    for b, a, lag in P.precedence[["before_service_id", "after_service_id", "min_lag_years"]].itertuples(index=False):
        if a in when.index and (b not in when.index or when[a] < when[b] + lag):
            out.append(f"{a} moves {'' if b in when.index else 'although ' + b + ' never does'}"
                       f"{'before ' + b + ' + ' + str(lag) + ' year(s)' if b in when.index else ''}")

    # funding caps (undiscounted net position)
    net, cum = ev.profile["net_gbp"].to_numpy(), ev.profile["cumulative_net_gbp"].to_numpy()
    if P.funding_cap_yearly_gbp is not None:
        for t in range(T):
            cap = P.funding_cap_yearly_gbp[t]
            if np.isfinite(cap) and -net[t] > cap + MONEY_TOL + 1e-7 * abs(cap):
                out.append(f"funding need in {yrs[t]} is £{-net[t]:,.0f}, over the yearly cap of £{cap:,.0f}")
    cap = P.funding_cap_cumulative_gbp
    if cap is not None and np.isfinite(cap):
        for t in range(T):
            if -cum[t] > cap + MONEY_TOL + 1e-7 * abs(cap):
                out.append(f"cumulative funding need by {yrs[t]} is £{-cum[t]:,.0f}, over the cap of £{cap:,.0f}")
    if len(P.floors):
        out += floor_violations(P, ev, MONEY_TOL)
    out += estate_violations(P, mv, dict(zip(ev.releases["site_id"], ev.releases["released_year"])))
    return out
