"""Regions of a national problem and what couples them: connected components of the service-vehicle graph
once national vehicles are set aside, the shared vehicles, the relaxed national rows (``Coupling``) and
each region as its own ``PlacementProblem`` (maths: docs/optimise.md, "Coupled national scale")."""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .estates import estate_links, estate_part, estate_regions
from .problem import PlacementProblem


def service_graph(P: PlacementProblem, services: list):
    """Edges of the service-vehicle graph (placements), the service-service graph (precedence), the
    estates (service-site: a building, shared site or site with a capacity and occupants today, and the
    services there today or that may move there; site-vehicle: such a site's owner) and the vehicle
    dependencies between placed vehicles (vehicle-vehicle) as arrays."""
    sidx = {s: i for i, s in enumerate(services)}
    pl = P.placements[P.placements["service_id"].isin(sidx)].drop_duplicates(["service_id", "vehicle_id"])
    vehicles = sorted(set(pl["vehicle_id"]))
    vidx = {v: i for i, v in enumerate(vehicles)}
    pr = P.precedence[P.precedence["before_service_id"].isin(sidx) & P.precedence["after_service_id"].isin(sidx)]
    links, owned = estate_links(P)
    links, owned = links[links["service_id"].isin(sidx)], owned[owned["vehicle_id"].isin(vidx)]
    kidx = {k: i for i, k in enumerate(sorted(set(links["site_id"]) | set(owned["site_id"])))}
    vd = P.vehicle_dependencies
    vd = vd[vd["vehicle_id"].isin(vidx) & vd["requires_vehicle_id"].isin(vidx)]
    return (vehicles, pl["service_id"].map(sidx).to_numpy(), pl["vehicle_id"].map(vidx).to_numpy(),
            pr["before_service_id"].map(sidx).to_numpy(), pr["after_service_id"].map(sidx).to_numpy(),
            (len(kidx), links["service_id"].map(sidx).to_numpy(dtype=int), links["site_id"].map(kidx).to_numpy(dtype=int),
             owned["site_id"].map(kidx).to_numpy(dtype=int), owned["vehicle_id"].map(vidx).to_numpy(dtype=int)),
            (vd["vehicle_id"].map(vidx).to_numpy(dtype=int), vd["requires_vehicle_id"].map(vidx).to_numpy(dtype=int)))


def components(n: int, graph, exclude: np.ndarray) -> np.ndarray:
    """Component label per service once the vehicles flagged in ``exclude`` are set aside (estate sites
    are never set aside)."""
    vehicles, es, ev, pb, pa, (nk, ls, lk, ok, ov), (dv, du) = graph
    keep = ~exclude[ev]
    kept_owner = ~exclude[ov]
    kept_dep = ~exclude[dv] & ~exclude[du]
    nv = len(vehicles)
    rows = np.r_[es[keep], pb, ls, n + ov[kept_owner], n + dv[kept_dep]]
    cols = np.r_[n + ev[keep], pa, n + nv + lk, n + nv + ok[kept_owner], n + du[kept_dep]]
    m = n + nv + nk
    _, label = connected_components(coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(m, m)), directed=False)
    return label[:n]


def find_regions(problem: PlacementProblem, min_share: float = 0.04) -> list[list[str]]:
    """Service ids per region: connected components of the service-vehicle graph once the national
    vehicles are set aside. A vehicle counts as national when setting it aside splits its component into
    more components holding at least ``min_share`` of all services each (tested vehicle by vehicle,
    repeated until nothing changes; a vehicle in a vehicle dependency is never national, as a shared vehicle
    may have none). Estate sites join their services as in ``independent_blocks``. Services left in smaller components (e.g. eligible only for national
    vehicles) form one extra region. Give ``regions=`` to ``solve_coupled`` where the split is known."""
    return find_regions_normalised(problem.normalised(), min_share)


def find_regions_normalised(P: PlacementProblem, min_share: float = 0.04) -> list[list[str]]:
    services = sorted(P.services["service_id"])
    n = len(services)
    graph = service_graph(P, services)
    big = lambda lab: int((np.bincount(lab) >= max(1.0, min_share * n)).sum())  # noqa: E731
    exclude = np.zeros(len(graph[0]), dtype=bool)
    tied = set(graph[6][0]) | set(graph[6][1])  # a vehicle in a dependency is never national (shared_vehicles)
    label = components(n, graph, exclude)
    changed = True
    while changed:
        changed = False
        for k in range(len(graph[0])):
            if exclude[k] or k in tied:
                continue
            trial_ex = exclude.copy()
            trial_ex[k] = True
            trial = components(n, graph, trial_ex)
            if big(trial) > big(label):
                exclude, label, changed = trial_ex, trial, True
    counts = np.bincount(label)
    small = counts < max(1.0, min_share * n)
    groups: dict = {}
    for s, lab in zip(services, label):
        groups.setdefault(-1 if small[lab] else int(lab), []).append(s)
    return sorted(groups.values(), key=lambda b: b[0])


def shared_vehicles(problem: PlacementProblem, regions: list[list[str]]) -> list[str]:
    """Vehicles that services of two or more regions may move into (validated: no sites, no cost curve,
    no precedence across regions)."""
    return shared_vehicles_normalised(problem.normalised(), regions)


def shared_vehicles_normalised(P: PlacementProblem, regions: list[list[str]]) -> list[str]:
    shared, bad = split_by_region(P, regions)
    if bad:
        raise ValueError("solve_coupled cannot split this problem by region:\n" + "\n".join(bad[:20])
                         + "\n(give regions= so that these stay inside one region)")
    return shared


def split_by_region(P: PlacementProblem, regions: list[list[str]]) -> tuple[list[str], list[str]]:
    """The vehicles several regions share, and why these regions cannot be solved apart (empty: they can)."""
    reg = {s: r for r, ids in enumerate(regions) for s in ids}
    pl = P.placements[P.placements["service_id"].isin(reg)]
    n_reg = pl.assign(r=pl["service_id"].map(reg)).groupby("vehicle_id")["r"].nunique()
    shared = sorted(n_reg.index[n_reg > 1])
    bad = [f"vehicle {v} is shared by several regions but has sites" for v in shared if v in set(P.sites["vehicle_id"])]
    bad += [f"vehicle {v} is shared by several regions but has a cost curve" for v in shared
            if v in set(P.cost_curves["vehicle_id"])]
    for b, a in P.precedence[["before_service_id", "after_service_id"]].itertuples(index=False):
        if b in reg and a in reg and reg[a] != reg[b]:
            bad.append(f"precedence {b} -> {a} crosses regions")
    bad += estate_regions(P, reg)  # a building or shared site must lie inside one region
    st, used = P.sites, set(estate_links(P)[0]["site_id"])
    for k in st.loc[(st["must_open"] | st["site_id"].isin(P.rules.locked_sites)) & st["vehicle_id"].isna(), "site_id"]:
        if k not in used:  # no region would hold it (solve names the conflict)
            bad.append(f"shared site {k} must open but no service is there today or may move there")
    where = vehicle_regions(P, regions, shared)
    for v, u in P.vehicle_dependencies[["vehicle_id", "requires_vehicle_id"]].itertuples(index=False):
        if v in shared or u in shared:
            bad.append(f"vehicle dependency {v} -> {u} involves a vehicle shared by several regions")
        elif v in where and u in where and where[v] != where[u]:
            bad.append(f"vehicle dependency {v} -> {u} crosses regions ({v} in region {where[v]}, {u} in region {where[u]})")
    return shared, bad


@dataclasses.dataclass(frozen=True)
class Coupling:
    """The relaxed national rows: which exist, their right-hand sides, and the layout of π."""
    T: int
    cum_cap: float | None  # F
    yearly_cap: np.ndarray | None  # F_t (inf where absent)
    transfers_cap: np.ndarray | None  # N_t (inf where absent)
    shared: tuple  # shared vehicle ids
    copies: tuple  # (region, vehicle) pairs: regions holding a copy of a shared vehicle

    def layout(self) -> dict:
        """name -> slice of π: lam_cum (T), lam_year (T), nu (T), then mu per (region, vehicle) (T each)."""
        out, k, T = {}, 0, self.T
        for name, on in (("lam_cum", self.cum_cap is not None), ("lam_year", self.yearly_cap is not None),
                         ("nu", self.transfers_cap is not None)):
            if on:
                out[name] = slice(k, k + T)
                k += T
        for rv in self.copies:
            out[rv] = slice(k, k + T)
            k += T
        out["size"] = k
        return out

    def rhs(self) -> np.ndarray:
        """g0: coefficient of π in L(π) that comes from the right-hand sides."""
        lay = self.layout()
        g = np.zeros(lay["size"])
        if "lam_cum" in lay:
            g[lay["lam_cum"]] = self.cum_cap
        if "lam_year" in lay:
            g[lay["lam_year"]] = np.where(np.isfinite(self.yearly_cap), self.yearly_cap, 0.0)
        if "nu" in lay:
            g[lay["nu"]] = np.where(np.isfinite(self.transfers_cap), self.transfers_cap, 0.0)
        return g

    def fixed_zero(self) -> np.ndarray:
        """Multipliers of rows that do not exist (an infinite yearly cap or transfers cap) stay at 0."""
        lay = self.layout()
        z = np.zeros(lay["size"], dtype=bool)
        if "lam_year" in lay:
            z[lay["lam_year"]] = ~np.isfinite(self.yearly_cap)
        if "nu" in lay:
            z[lay["nu"]] = ~np.isfinite(self.transfers_cap)
        return z


def finite_or_none(s) -> np.ndarray | None:
    if s is None:
        return None
    a = np.asarray(s, dtype=float)
    return a if np.isfinite(a).any() else None


def coupling_of(P: PlacementProblem, regions: list, shared: list) -> Coupling:
    reg = {s: r for r, ids in enumerate(regions) for s in ids}
    pl = P.placements[P.placements["vehicle_id"].isin(shared) & P.placements["service_id"].isin(reg)]
    copies = tuple(sorted({(reg[s], v) for s, v in zip(pl["service_id"], pl["vehicle_id"])}))
    cum = P.funding_cap_cumulative_gbp
    cum = float(cum) if cum is not None and np.isfinite(cum) else None
    return Coupling(P.T, cum, finite_or_none(P.funding_cap_yearly_gbp), finite_or_none(P.max_transfers_per_year),
                    tuple(shared), copies)


def status_quo_of(P: PlacementProblem, services) -> set:
    """The status-quo vehicles the given services are in today (a block carries them for its plan's "stays"
    rows; a current vehicle that is not status quo goes only with its own placements, or, with none, with one
    block: carried by a block without its placements it would be established there on its own merit)."""
    sq = set(P.vehicles.loc[P.vehicles["is_status_quo"], "vehicle_id"])
    return set(services["current_vehicle_id"].dropna()) & sq


def vehicle_regions(P: PlacementProblem, regions: list[list[str]], shared: list) -> dict:
    """The region of every vehicle that is not shared: that of its placements' services; a vehicle with no
    placements (established on its own merit) goes with a vehicle a dependency links it to, else region 0."""
    reg = {s: r for r, ids in enumerate(regions) for s in ids}
    pl = P.placements[P.placements["service_id"].isin(reg) & ~P.placements["vehicle_id"].isin(shared)]
    out = dict(zip(pl["vehicle_id"], pl["service_id"].map(reg)))
    unplaced = set(P.vehicles.loc[~P.vehicles["is_status_quo"], "vehicle_id"]) - set(P.placements["vehicle_id"])
    pairs = list(P.vehicle_dependencies[["vehicle_id", "requires_vehicle_id"]].itertuples(index=False))
    changed = True
    while changed:  # chains of vehicles with no placements take their region in turn
        changed = False
        for v, u in pairs:
            for a, b in ((v, u), (u, v)):
                if a in unplaced and a not in out and b in out:
                    out[a], changed = out[b], True
    out.update({v: 0 for v in unplaced if v not in out})
    return {v: int(r) for v, r in out.items()}


def unplaced_vehicles(P: PlacementProblem, regions: list[list[str]], shared: list) -> list[set]:
    """Per region, the vehicles with no placements it carries (``vehicle_regions``)."""
    where = vehicle_regions(P, regions, shared)
    unplaced = set(P.vehicles.loc[~P.vehicles["is_status_quo"], "vehicle_id"]) - set(P.placements["vehicle_id"])
    return [{v for v in unplaced if where[v] == r} for r in range(len(regions))]


def region_problem(P: PlacementProblem, ids: list, shared: list, r: int, vehicles=()) -> PlacementProblem:
    """Region r of the normalised problem P (as decompose.subproblem, without normalising P again: that
    costs seconds per region at national scale), national rows removed, shared vehicles' money national;
    ``vehicles``: vehicles with no placements it also carries (``unplaced_vehicles``)."""
    keep = set(ids)
    pl = P.placements[P.placements["service_id"].isin(keep)]
    svc = P.services[P.services["service_id"].isin(keep)]
    veh_ids = set(pl["vehicle_id"]) | status_quo_of(P, svc) | set(vehicles)
    estate = estate_part(P, keep, pl, veh_ids)  # sites, buildings, release streams, rules (adds sites' owners)
    vs = P.vehicle_streams
    return dataclasses.replace(
        P, name=f"{P.name} [region {r}]", services=svc, vehicles=P.vehicles[P.vehicles["vehicle_id"].isin(veh_ids)],
        placements=pl, vehicle_streams=vs[vs["vehicle_id"].isin(veh_ids) & ~vs["vehicle_id"].isin(shared)],
        placement_streams=P.placement_streams[P.placement_streams["service_id"].isin(keep)],
        precedence=P.precedence[P.precedence["after_service_id"].isin(keep)],
        cost_curves=P.cost_curves[P.cost_curves["vehicle_id"].isin(veh_ids)], **estate,
        vehicle_dependencies=P.vehicle_dependencies[P.vehicle_dependencies["vehicle_id"].isin(veh_ids)],
        max_transfers_per_year=None, funding_cap_yearly_gbp=None, funding_cap_cumulative_gbp=None)
