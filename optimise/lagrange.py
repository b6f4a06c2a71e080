"""Coupled national problems: Lagrangian relaxation of the coupling rows, regions solved apart, repair.

A national problem is regions (blocks of services that share regional vehicles) coupled by
* national limits: the cumulative and yearly transition-funding caps and the transfers per year;
* shared vehicles: a vehicle (without sites or cost curve) that services of several regions may join.
Each region gets its own copy ``y^r`` of a shared vehicle's establishment with the coupling row
``E^r_t <= E_t`` (the region may use it only once the nation has set it up). Relaxing all coupling rows
with multipliers ``π >= 0`` splits the problem into regional MILPs (solved apart: in this process or
on dask workers, as actors that keep their HiGHS model between iterations) plus, per shared vehicle, a
choice of its establishment year. ``L(π)`` = sum of the regional maxima (their proven bounds) + the
national choices + the relaxed right-hand sides is an upper bound on the national optimum for every
``π >= 0``. The multipliers are found by a box-stabilised cutting-plane method (disaggregated cuts, one
per regional solution): first on the regions' LP relaxations (cheap, warm-started), then on their MILPs.
The repair turns the regional plans into a national one: each shared vehicle is set up in the earliest
year a region used it, and the national caps are shared out among the regions in proportion to what
their relaxed plans needed; each region re-solves under its share, so the union is feasible by
construction (and is checked with ``check_plan``). Maths: docs/optimise.md, "Coupled national scale".
"""

from __future__ import annotations

import dataclasses
import logging
import time

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .check import check_plan
from .model import build_model
from .plan import Plan, empty_plan, plan_from_decisions
from .prepare import shifted, stream_profiles
from .problem import PlacementProblem
from .solver import new_solver, versions

INF = 1e30
log = logging.getLogger(__name__)  # progress at INFO: phases, iterations, repair


# --- regions and coupling -------------------------------------------------------------------------

def _graph(P: PlacementProblem, services: list):
    """Edges of the service-vehicle graph (placements) and service-service graph (precedence) as arrays."""
    sidx = {s: i for i, s in enumerate(services)}
    pl = P.placements[P.placements["service_id"].isin(sidx)].drop_duplicates(["service_id", "vehicle_id"])
    vehicles = sorted(set(pl["vehicle_id"]))
    vidx = {v: i for i, v in enumerate(vehicles)}
    pr = P.precedence[P.precedence["before_service_id"].isin(sidx) & P.precedence["after_service_id"].isin(sidx)]
    return (vehicles, pl["service_id"].map(sidx).to_numpy(), pl["vehicle_id"].map(vidx).to_numpy(),
            pr["before_service_id"].map(sidx).to_numpy(), pr["after_service_id"].map(sidx).to_numpy())


def _components(n: int, graph, exclude: np.ndarray) -> np.ndarray:
    """Component label per service once the vehicles flagged in ``exclude`` are set aside."""
    vehicles, es, ev, pb, pa = graph
    keep = ~exclude[ev]
    rows = np.r_[es[keep], pb]
    cols = np.r_[n + ev[keep], pa]
    m = n + len(vehicles)
    _, label = connected_components(coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(m, m)), directed=False)
    return label[:n]


def find_regions(problem: PlacementProblem, min_share: float = 0.04) -> list[list[str]]:
    """Service ids per region: connected components of the service-vehicle graph once the national
    vehicles are set aside. A vehicle counts as national when setting it aside splits its component into
    more components holding at least ``min_share`` of all services each (tested vehicle by vehicle,
    repeated until nothing changes). Services left in smaller components (e.g. eligible only for national
    vehicles) form one extra region. Give ``regions=`` to ``solve_coupled`` where the split is known."""
    return _find_regions(problem.normalised(), min_share)


def _find_regions(P: PlacementProblem, min_share: float = 0.04) -> list[list[str]]:
    services = sorted(P.services["service_id"])
    n = len(services)
    graph = _graph(P, services)
    big = lambda lab: int((np.bincount(lab) >= max(1.0, min_share * n)).sum())  # noqa: E731
    exclude = np.zeros(len(graph[0]), dtype=bool)
    label = _components(n, graph, exclude)
    changed = True
    while changed:
        changed = False
        for k in range(len(graph[0])):
            if exclude[k]:
                continue
            trial_ex = exclude.copy()
            trial_ex[k] = True
            trial = _components(n, graph, trial_ex)
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
    return _shared_vehicles(problem.normalised(), regions)


def _shared_vehicles(P: PlacementProblem, regions: list[list[str]]) -> list[str]:
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
    if len(P.buildings) or P.sites["vehicle_id"].isna().any():
        bad.append("estates (buildings that may be released, sites shared by vehicles) are not split by region")
    if bad:
        raise ValueError("solve_coupled cannot split this problem by region:\n" + "\n".join(bad[:20])
                         + "\n(give regions= so that these stay inside one region)")
    return shared


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


def _finite_or_none(s) -> np.ndarray | None:
    if s is None:
        return None
    a = np.asarray(s, dtype=float)
    return a if np.isfinite(a).any() else None


# --- one region -------------------------------------------------------------------------------------

class RegionSolver:
    """One region's MILP (prepare + build_model with net-position columns) held in a persistent HiGHS
    object; ``solve`` re-prices it for multipliers π, ``repair`` solves it under its share of the national
    caps. Plain picklable arguments and results, so it can live on a dask worker as an actor."""

    def __init__(self, sub: PlacementProblem, region: int, coupling: Coupling, threads: int = 1, seed: int = 0):
        import highspy

        t0 = time.perf_counter()
        self.region, self.c, self.T = region, coupling, coupling.T
        from .prepare import prepare

        self.prep = prepare(sub)
        if self.prep.issues:
            raise ValueError(f"region {region}: " + "; ".join(self.prep.issues))
        m = build_model(self.prep, with_net=True)
        self.build_seconds = time.perf_counter() - t0
        t1 = time.perf_counter()
        opt = new_solver()
        opt.set_instance(m)
        self._opt, self.model = opt, m
        h = opt._solver_model  # the persistent highspy.Highs object (as solver.WallClockGuard uses it)
        col = opt._pyomo_var_to_solver_var_map
        X, Y, W = self.prep.X, self.prep.Y, self.prep.W
        self.cx = np.array([col[id(m.x[i])] for i in range(len(X))], dtype=np.int32)
        self.cy = np.array([col[id(m.y[i])] for i in range(len(Y))], dtype=np.int32)
        self.cw = np.array([col[id(m.w[i])] for i in range(len(W))], dtype=np.int32)
        self.cnet = np.array([col[id(m.net[t])] for t in range(self.T)], dtype=np.int32)
        self.xt = X["t"].to_numpy(dtype=int)
        lp = h.getLp()
        self.ncol = lp.num_col_
        self.base_cost = np.array(lp.col_cost_, dtype=float)
        self.maximise = lp.sense_ == highspy.ObjSense.kMaximize
        self.integrality = np.array([int(i) for i in lp.integrality_], dtype=np.uint8) if len(lp.integrality_) \
            else np.zeros(self.ncol, np.uint8)
        self.lo0, self.hi0 = np.array(lp.col_lower_, float), np.array(lp.col_upper_, float)
        self.copy_cols = {}  # shared vehicle -> (years, columns) of its regional copy
        for v in coupling.shared:
            mask = (Y["vehicle_id"] == v).to_numpy()
            if mask.any():
                self.copy_cols[v] = (Y["t"].to_numpy(dtype=int)[mask], self.cy[mask])
        # regional share rows (free until repair): cumulative net >= -F_r,t ; net_t >= -F_r,t ; transfers <= N_r,t
        self.share_rows = {}
        nrow = h.getNumRow()
        rows = []
        if coupling.cum_cap is not None:
            rows += [("cum", t, self.cnet[: t + 1], np.ones(t + 1)) for t in range(self.T)]
        if coupling.yearly_cap is not None:
            rows += [("year", t, self.cnet[t: t + 1], np.ones(1)) for t in range(self.T)]
        if coupling.transfers_cap is not None:
            rows += [("transfers", t, self.cx[self.xt == t], np.ones(int((self.xt == t).sum()))) for t in range(self.T)]
        for k, (kind, t, idx, val) in enumerate(rows):
            self.share_rows[kind, t] = nrow + k
            h.addRow(-highspy.kHighsInf, highspy.kHighsInf, len(idx), idx.astype(np.int32), val.astype(float))
        self.h = h
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", int(threads))
        h.setOptionValue("random_seed", int(seed))
        h.setOptionValue("mip_feasibility_tolerance", 1e-7)
        self.handoff_seconds = time.perf_counter() - t1
        self.integer = True

    def info(self) -> dict:
        return {"region": self.region, "x": len(self.prep.X), "columns": self.ncol, "rows": self.h.getNumRow(),
                "build_seconds": self.build_seconds, "handoff_seconds": self.handoff_seconds}

    # π -> column costs
    def _price(self, pi: np.ndarray) -> np.ndarray:
        lay, T = self.c.layout(), self.T
        cost = self.base_cost.copy()
        s = 1.0 if self.maximise else -1.0  # HiGHS minimises a sign-flipped copy if the model was built so
        if "lam_cum" in lay:
            lam = pi[lay["lam_cum"]]
            cost[self.cnet] += s * np.cumsum(lam[::-1])[::-1]  # Λ_u = Σ_{t>=u} λ_t
        if "lam_year" in lay:
            cost[self.cnet] += s * pi[lay["lam_year"]]
        if "nu" in lay:
            cost[self.cx] -= s * pi[lay["nu"]][self.xt]
        for v, (yt, cols) in self.copy_cols.items():
            mu = pi[lay[(self.region, v)]]
            tail = np.cumsum(mu[::-1])[::-1]  # E^r_t = Σ_{u<=t} y_u, so Σ_t μ_t E_t = Σ_u y_u Σ_{t>=u} μ_t
            cost[cols] -= s * tail[yt]
        return cost

    def _set_integer(self, integer: bool) -> None:
        if integer != self.integer:
            cols = np.arange(self.ncol, dtype=np.int32)
            self.h.changeColsIntegrality(self.ncol, cols, self.integrality if integer else np.zeros(self.ncol, np.uint8))
            self.integer = integer

    def _run(self, integer: bool, time_limit: float | None, rel_gap: float) -> dict:
        import highspy

        h = self.h
        self._set_integer(integer)
        h.setOptionValue("time_limit", float(time_limit) if time_limit else highspy.kHighsInf)
        h.setOptionValue("mip_rel_gap", float(rel_gap))
        t = time.perf_counter()
        h.run()
        seconds = time.perf_counter() - t
        info, status = h.getInfo(), h.getModelStatus()
        has = info.primal_solution_status == 2
        sign = 1.0 if self.maximise else -1.0
        if integer:
            bound = info.mip_dual_bound if status != highspy.HighsModelStatus.kInfeasible else -INF
            bound = sign * bound if np.isfinite(bound) else INF
        else:
            bound = sign * info.objective_function_value if status == highspy.HighsModelStatus.kOptimal else INF
        out = {"region": self.region, "has": has, "bound": float(bound), "seconds": seconds,
               "status": h.modelStatusToString(status)}
        if has:
            xv = np.array(h.getSolution().col_value)
            out.update(self._summary(xv))
            out["_x"] = xv
        return out

    def _summary(self, xv: np.ndarray) -> dict:
        s = 1.0 if self.maximise else -1.0
        net = xv[self.cnet]
        E = {v: np.array([xv[cols][yt <= t].sum() for t in range(self.T)]) for v, (yt, cols) in self.copy_cols.items()}
        count = np.bincount(self.xt, weights=xv[self.cx], minlength=self.T)
        return {"npv": float(s * self.base_cost @ xv), "net": net, "count": count, "E": E}

    def solve(self, pi: np.ndarray, integer: bool, time_limit: float | None = None, rel_gap: float = 1e-4) -> dict:
        """Maximise the region's Lagrangian objective at π: its bound and (if found) its solution."""
        self.h.changeColsCost(self.ncol, np.arange(self.ncol, dtype=np.int32), self._price(pi))
        self._free_shares()
        out = self._run(integer, time_limit, rel_gap)
        xv = out.pop("_x", None)
        if integer and xv is not None:
            out.update(self._decisions(xv))
            out["npv"] = float((1.0 if self.maximise else -1.0) * self.base_cost @ xv)
        return out

    def _decisions(self, xv: np.ndarray) -> dict:
        X, Y, W = self.prep.X, self.prep.Y, self.prep.W
        return {"moves": X[xv[self.cx] > 0.5].reset_index(drop=True),
                "est": {v: int(t) for v, t in Y[xv[self.cy] > 0.5][["vehicle_id", "t"]].itertuples(index=False)},
                "opened": {s: int(t) for s, t in W[xv[self.cw] > 0.5][["site_id", "t"]].itertuples(index=False)}}

    def _free_shares(self) -> None:
        import highspy

        if self.share_rows:
            idx = np.array(list(self.share_rows.values()), dtype=np.int32)
            self.h.changeRowsBounds(len(idx), idx, np.full(len(idx), -highspy.kHighsInf), np.full(len(idx), highspy.kHighsInf))
        self.h.changeColsBounds(self.ncol, np.arange(self.ncol, dtype=np.int32), self.lo0, self.hi0)

    def repair(self, shares: dict, copy_years: dict, time_limit: float | None = None, rel_gap: float = 1e-4,
               price: np.ndarray | None = None) -> dict:
        """The region's plan under its share of the national rows (``shares``: (kind, t) -> limit) with each
        shared vehicle's copy allowed only in the national year (or never). It maximises NPV, plus, if
        ``price`` is given, the Lagrangian value of the funding and transfers it leaves to others (so a
        region does not spend its share on moves worth less than the national shadow price)."""
        import highspy

        h = self.h
        cost = self.base_cost if price is None else self._price(price)
        h.changeColsCost(self.ncol, np.arange(self.ncol, dtype=np.int32), cost)
        self._free_shares()
        for (kind, t), limit in shares.items():
            r = np.array([self.share_rows[kind, t]], dtype=np.int32)
            lo, hi = (-highspy.kHighsInf, float(limit)) if kind == "transfers" else (-float(limit), highspy.kHighsInf)
            h.changeRowsBounds(1, r, np.array([lo]), np.array([hi]))
        for v, (yt, cols) in self.copy_cols.items():
            u = copy_years.get(v)
            off = cols[yt != u] if u is not None else cols
            if len(off):
                h.changeColsBounds(len(off), off, np.zeros(len(off)), np.zeros(len(off)))
        out = self._run(True, time_limit, rel_gap)
        xv = out.pop("_x", None)
        self._free_shares()
        if xv is not None:
            out.update(self._decisions(xv))
        return out  # out["npv"] is the plan's own NPV (base costs), whatever the pricing


# --- the national part: shared vehicles' own money and establishment -------------------------------------

def _national_options(P: PlacementProblem, coupling: Coupling) -> list[tuple[str, list]]:
    """Per shared vehicle, its options [(year or None, npv, net per year)]: never, or established in u."""
    T = coupling.T
    veh = P.vehicles.set_index("vehicle_id")
    pos, b, c = stream_profiles(P.vehicle_streams[P.vehicle_streams["vehicle_id"].isin(coupling.shared)], ["vehicle_id"], T)
    out = []
    for v in coupling.shared:
        lo, hi = int(veh.at[v, "earliest_year"]), min(int(veh.at[v, "latest_year"]), T - 1)
        if v in P.rules.forced_vehicle_years:
            lo = hi = int(P.rules.forced_vehicle_years[v])
        opts = [(None, 0.0, np.zeros(T))]
        for u in range(lo, hi + 1):
            r = np.array([pos.get((v,), len(pos))])
            net = (shifted(b, r, np.array([u]), T) - shifted(c, r, np.array([u]), T))[0]
            opts.append((u, float(net @ P.discount_factor), net))
        out.append((v, opts))
    return out


def _cut(coupling: Coupling, region: int | None, npv: float, net: np.ndarray, count: np.ndarray | None,
         E: dict, sign_E: float) -> tuple[float, np.ndarray]:
    """value(π) = a + g·π of one solution (a region's, or a national option's with sign_E = +1)."""
    lay = coupling.layout()
    g = np.zeros(lay["size"])
    if "lam_cum" in lay:
        g[lay["lam_cum"]] = np.cumsum(net)
    if "lam_year" in lay:
        g[lay["lam_year"]] = net
    if "nu" in lay and count is not None:
        g[lay["nu"]] = -count
    for key, e in E.items():
        g[lay[key]] += sign_E * e
    return float(npv), g


class _Master:
    """Box-stabilised cutting planes for min_π L(π), π >= 0: L is a sum of pieces (regions and national
    vehicles), each the maximum of linear functions (one per known solution)."""

    def __init__(self, n_pieces: int, g0: np.ndarray, scale: np.ndarray, fixed_zero: np.ndarray, threads: int = 1):
        self.threads = threads  # every HiGHS object in a process must use the same threads value (libraries.md)
        self.cuts = [[] for _ in range(n_pieces)]
        self.g0, self.scale, self.fixed_zero = g0, scale, fixed_zero
        self.center = np.zeros(len(g0))
        self.delta = 1.0
        self.best = INF

    def add(self, piece: int, a: float, g: np.ndarray) -> None:
        self.cuts[piece].append((a, g))

    def next_point(self) -> tuple[np.ndarray, float]:
        import highspy

        D, K = len(self.g0), len(self.cuts)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", int(self.threads))
        lo = np.maximum(0.0, self.center - self.delta * self.scale)
        hi = self.center + self.delta * self.scale
        lo[self.fixed_zero], hi[self.fixed_zero] = 0.0, 0.0
        inf = highspy.kHighsInf
        # columns: π (D), θ (K); minimise g0·π + Σθ
        h.addVars(D + K, np.r_[lo, np.full(K, -inf)], np.r_[hi, np.full(K, inf)])
        h.changeColsCost(D + K, np.arange(D + K, dtype=np.int32), np.r_[self.g0, np.ones(K)])
        for k, cuts in enumerate(self.cuts):
            for a, g in cuts:  # θ_k - g·π >= a
                nz = np.flatnonzero(g)
                idx = np.r_[nz, D + k].astype(np.int32)
                h.addRow(a, inf, len(idx), idx, np.r_[-g[nz], 1.0])
        h.run()
        x = np.array(h.getSolution().col_value)
        return np.clip(x[:D], lo, hi), float(h.getInfo().objective_function_value)

    def update(self, pi: np.ndarray, value: float, predicted: float) -> str:
        """Serious step (move the centre) when L fell by at least a tenth of what the model predicted."""
        if self.best >= INF or value < self.best - 0.1 * max(self.best - predicted, 0.0):
            step = "serious"
            self.best, self.center = min(value, self.best), pi.copy() if value < self.best else self.center
            self.delta = min(self.delta * 2.0, 64.0)
        else:
            step = "null"
            self.delta = max(self.delta * 0.5, 1e-4)
        return step


# --- the driver ------------------------------------------------------------------------------------------

def _coupling_of(P: PlacementProblem, regions: list, shared: list) -> Coupling:
    reg = {s: r for r, ids in enumerate(regions) for s in ids}
    pl = P.placements[P.placements["vehicle_id"].isin(shared) & P.placements["service_id"].isin(reg)]
    copies = tuple(sorted({(reg[s], v) for s, v in zip(pl["service_id"], pl["vehicle_id"])}))
    cum = P.funding_cap_cumulative_gbp
    cum = float(cum) if cum is not None and np.isfinite(cum) else None
    return Coupling(P.T, cum, _finite_or_none(P.funding_cap_yearly_gbp), _finite_or_none(P.max_transfers_per_year),
                    tuple(shared), copies)


def _region_problem(P: PlacementProblem, ids: list, shared: list, r: int) -> PlacementProblem:
    """Region r of the normalised problem P (as decompose.subproblem, without normalising P again: that
    costs seconds per region at national scale), national rows removed, shared vehicles' money national."""
    keep = set(ids)
    pl = P.placements[P.placements["service_id"].isin(keep)]
    svc = P.services[P.services["service_id"].isin(keep)]
    veh_ids = set(pl["vehicle_id"]) | set(svc["current_vehicle_id"])
    sites = P.sites[P.sites["vehicle_id"].isin(veh_ids)]
    R = P.rules
    rules = R.replace(locked_sites=tuple(x for x in R.locked_sites if x in set(sites["site_id"])))
    vs = P.vehicle_streams
    return dataclasses.replace(
        P, name=f"{P.name} [region {r}]", services=svc, vehicles=P.vehicles[P.vehicles["vehicle_id"].isin(veh_ids)],
        placements=pl, vehicle_streams=vs[vs["vehicle_id"].isin(veh_ids) & ~vs["vehicle_id"].isin(shared)],
        placement_streams=P.placement_streams[P.placement_streams["service_id"].isin(keep)],
        sites=sites, precedence=P.precedence[P.precedence["after_service_id"].isin(keep)],
        cost_curves=P.cost_curves[P.cost_curves["vehicle_id"].isin(veh_ids)], rules=rules,
        max_transfers_per_year=None, funding_cap_yearly_gbp=None, funding_cap_cumulative_gbp=None)


class _Local:
    """The same calls as a dask actor's, run in this process."""

    def __init__(self, obj):
        self.obj = obj

    def call(self, name, *args, **kw):
        return getattr(self.obj, name)(*args, **kw)


def _map(solvers, client, name, args_list):
    if client is None:
        return [s.call(name, *a) for s, a in zip(solvers, args_list)]
    futures = [getattr(s, name)(*a) for s, a in zip(solvers, args_list)]
    return [f.result() for f in futures]


def solve_coupled(problem: PlacementProblem, *, regions: list | None = None, client=None, time_limit: float = 120.0,
                  rel_gap: float = 5e-3, sub_rel_gap: float = 1e-4, lp_iterations: int = 40, mip_iterations: int = 6,
                  threads: int = 1, seed: int = 0) -> Plan:
    """Best national plan found by Lagrangian decomposition, with a proven bound (``bound_gbp``) and gap.

    ``regions``: lists of service ids (default ``find_regions``). ``client``: a dask.distributed Client;
    each region then lives on a worker as an actor. ``time_limit`` is the whole run's budget (seconds,
    soft: a regional solve in progress is given its share of it). Status "optimal" when the proven gap is
    at most ``rel_gap``, "feasible" otherwise; the plan always passes ``check_plan`` (doing nothing is
    feasible whenever the caps are non-negative, and the repair falls back to it)."""
    t_start = time.perf_counter()
    deadline = t_start + float(time_limit)
    P = problem.normalised()
    regions = [sorted(r) for r in (regions if regions is not None else _find_regions(P))]
    if len(regions) == 1:  # nothing to decompose: the model as it is, with its own bound and gap
        from .engine import solve

        plan = solve(problem, time_limit=time_limit, rel_gap=rel_gap, threads=threads, seed=seed)
        plan.provenance["decomposition"] = {"method": "none (one region)", "regions": 1, "shared_vehicles": []}
        return plan
    shared = _shared_vehicles(P, regions)
    coupling = _coupling_of(P, regions, shared)
    lay = coupling.layout()
    subs = [_region_problem(P, ids, shared, r) for r, ids in enumerate(regions)]
    t_build = time.perf_counter()
    if client is None:
        solvers = [_Local(RegionSolver(s, r, coupling, threads, seed)) for r, s in enumerate(subs)]
    else:
        futs = [client.submit(RegionSolver, s, r, coupling, threads, seed, actor=True, pure=False) for r, s in enumerate(subs)]
        solvers = [f.result() for f in futs]
    infos = _map(solvers, client, "info", [()] * len(solvers))
    build_wall = time.perf_counter() - t_build
    log.info("%d regions built in %.1f s (%s shared vehicles)", len(regions), build_wall, len(shared))
    t_built = time.perf_counter()
    nat = _national_options(P, coupling)
    R = len(regions)

    scale = np.ones(lay["size"])  # set from the first L value (see _set_scale)
    hist: list[dict] = []
    g0 = coupling.rhs()

    def evaluate(pi, integer, master, tl=None):
        res = _map(solvers, client, "solve", [(pi, integer, tl, sub_rel_gap)] * R)
        total = float(g0 @ pi)
        for r, out in enumerate(res):
            total += out["bound"]
            if out["has"]:
                E = {(r, v): e for v, e in out["E"].items()}
                master.add(r, *_cut(coupling, r, out["npv"], out["net"], out["count"], E, -1.0))
        for k, (v, opts) in enumerate(nat):
            best = -INF
            for u, npv, net in opts:
                E = {(r, v): (np.arange(coupling.T) >= u).astype(float) if u is not None else np.zeros(coupling.T)
                     for (r, vv) in coupling.copies if vv == v}
                a, g = _cut(coupling, None, npv, net, None, E, +1.0)
                best = max(best, a + g @ pi)
            total += best
        return total, res

    def national_cuts(master):
        for k, (v, opts) in enumerate(nat):
            for u, npv, net in opts:
                E = {(r, v): (np.arange(coupling.T) >= u).astype(float) if u is not None else np.zeros(coupling.T)
                     for (r, vv) in coupling.copies if vv == v}
                master.add(R + k, *_cut(coupling, None, npv, net, None, E, +1.0))

    best_bound, best_pi, last, best_mip = INF, np.zeros(lay["size"]), None, INF
    primal, primal_at, rounds, lp_best = (-INF, None, None), [], [], None  # (value, regional results, national years) of a feasible union
    phases = []
    for integer, iters, share in ((False, lp_iterations, 0.3), (True, mip_iterations, 0.65)):
        phase_end = t_built + share * max(deadline - t_built, 0.0)  # phases share what the build left
        master = _Master(R + len(nat), g0, scale, coupling.fixed_zero(), threads)
        national_cuts(master)
        pi, pred = best_pi.copy(), -INF
        master.center = pi.copy()
        n_it = 0
        for it in range(iters):
            if integer or it > 0:
                left = max((deadline if integer else phase_end) - time.perf_counter(), 1.0)
                tl = max((0.3 if integer else 1.0) * left / max(1.0, R / _workers(client)), 1.0)
            else:  # the first (cold) LP round gives the first bound: it may use half of what is left
                tl = max(0.5 * (deadline - time.perf_counter()) / max(1.0, R / _workers(client)), 1.0)
            value, res = evaluate(pi, integer, master, tl)
            n_it += 1
            if value >= INF and it == 0:  # a region's first solve ran out of time: no bound from this phase
                hist.append({"phase": "mip" if integer else "lp", "value": None, "seconds": time.perf_counter() - t_start})
                break
            if it == 0 and not integer:
                z_scale = max(abs(value), 1.0)
                _set_scale(scale, lay, coupling, z_scale, R)
            if value < best_bound:
                best_bound, best_pi = value, pi.copy()
                if not integer:
                    lp_best = res
            if integer and all(r["has"] for r in res):
                rounds.append(res)
                if value < best_mip:
                    best_mip, last = value, (pi.copy(), res)
            if integer and all(r["has"] for r in res):
                cand = _combine(coupling, nat, res)
                if cand is not None and cand[0] > primal[0]:
                    primal = cand
                    primal_at.append(len(hist))
                if best_bound - primal[0] <= rel_gap * max(abs(best_bound), 1.0):
                    hist.append({"phase": "mip", "value": value, "seconds": time.perf_counter() - t_start})
                    break
            master.update(pi, value, pred)
            hist.append({"phase": "mip" if integer else "lp", "value": value, "seconds": time.perf_counter() - t_start})
            log.info("%s iteration %d: L = %.6g (best %.6g, primal %.6g) at %.1f s", "mip" if integer else "lp", it,
                     value, best_bound, primal[0], time.perf_counter() - t_start)
            nxt, pred = master.next_point()
            if (master.best - pred) / max(abs(master.best), 1.0) < 0.1 * rel_gap or time.perf_counter() > phase_end:
                break
            pi = nxt
        phases.append({"phase": "mip" if integer else "lp", "iterations": n_it, "best_bound": best_bound})

    # --- repair at the best MIP point: national years, caps shared out, regions re-solve ----------------
    repair_info = []
    if best_bound - primal[0] > rel_gap * max(abs(best_bound), 1.0):
        if not rounds:  # no MIP round gave every region a plan in its time: price the best point once more
            tl = max(0.5 * (deadline - time.perf_counter()) / max(1.0, R / _workers(client)), 1.0)
            rounds = [_map(solvers, client, "solve", [(best_pi, True, tl, sub_rel_gap)] * R)]
        # candidates: the national years of the best-bound round, and the earliest use in any round; the caps
        # are shared out by what the best-bound round needed
        best_round = last[1] if last is not None else rounds[0]
        union = {v: min([u for u in (_national_years(nat, rs)[v] for rs in rounds) if u is not None], default=None)
                 for v, _ in nat}
        candidates = [_national_years(nat, best_round)]
        if union != candidates[0]:
            candidates.append(union)
        for k, years in enumerate(candidates):
            nat_net = sum((net for v, opts in nat for u, _, net in opts if u is not None and u == years[v]), np.zeros(coupling.T))
            needs = best_round if any(r["has"] and (r["net"] < 0).any() for r in best_round) or lp_best is None else lp_best
            shares = _shares(coupling, needs, nat_net)  # (a do-nothing round says nothing: use the LP's split)
            left = max(deadline - time.perf_counter(), 2.0)
            tl = max(0.9 * left / max(1.0, (len(candidates) - k) * R / _workers(client)), 1.0)
            rep = _map(solvers, client, "repair", [(shares[r], {v: years[v] for (rr, v) in coupling.copies if rr == r}, tl,
                                                    sub_rel_gap, None) for r in range(R)])
            log.info("share repair %d done at %.1f s", k, time.perf_counter() - t_start)
            repair_info.append({"national_years": years, "statuses": [r["status"] for r in rep],
                                "seconds": [r["seconds"] for r in rep]})
            if all(r["has"] for r in rep):
                cand = _combine(coupling, nat, rep, years)
                repair_info[-1]["npv"] = None if cand is None else cand[0]
                if cand is not None and cand[0] > primal[0]:
                    primal = cand
        if best_bound - primal[0] > rel_gap * max(abs(best_bound), 1.0) and time.perf_counter() < deadline and R > 1:
            # sequential repair: regions in order of ambition, each maximising its NPV under what the earlier
            # ones left over (unpriced: the first regions may take the whole budget if it is worth it to them)
            years = candidates[0]
            nat_net = sum((net for v, opts in nat for u, _, net in opts if u is not None and u == years[v]), np.zeros(coupling.T))
            order = sorted(range(R), key=lambda r: (-(lp_best or best_round)[r].get("npv", 0.0), r))
            used_net, used_count, rep = np.zeros(coupling.T), np.zeros(coupling.T), [None] * R
            for k, r in enumerate(order):
                share = _residual(coupling, nat_net + used_net, used_count)
                left = max(deadline - time.perf_counter(), 1.0)
                out = _map([solvers[r]], client, "repair", [(share, {v: years[v] for (rr, v) in coupling.copies if rr == r},
                                                             max(left / (R - k), 1.0), sub_rel_gap, None)])[0]
                if not out["has"]:
                    break
                rep[r] = out
                used_net, used_count = used_net + out["net"], used_count + out["count"]
            repair_info.append({"sequential": True, "national_years": years,
                                "statuses": [r["status"] if r else None for r in rep],
                                "seconds": [r["seconds"] if r else None for r in rep]})
            if all(r is not None for r in rep):
                cand = _combine(coupling, nat, rep, years)
                repair_info[-1]["npv"] = None if cand is None else cand[0]
                if cand is not None and cand[0] > primal[0]:
                    primal = cand
    prov = {"decomposition": {"method": "lagrange", "regions": R, "region_sizes": [len(r) for r in regions],
                              "shared_vehicles": list(shared), "phases": phases, "history": hist,
                              "regions_info": infos, "build_wall_seconds": build_wall, "repair": repair_info,
                              "primal_found_at_iteration": primal_at, "national_years": primal[2]},
            "seed": seed, **versions()}
    if primal[1] is None:
        plan = _do_nothing(problem, prov, best_bound)
        prov["notes"] = ["no region plan union met the national rows: returned the status quo"]
    else:
        rs, years = primal[1], primal[2]
        moves = pd.concat([r["moves"] for r in rs], ignore_index=True)
        est = {v: t for r in rs for v, t in r["est"].items() if v not in years}
        est.update({v: u for v, u in years.items() if u is not None})
        opened = {s: t for r in rs for s, t in r["opened"].items()}
        plan = plan_from_decisions(problem, moves, est, opened, "feasible", objective_gbp=primal[0], bound_gbp=best_bound,
                                   provenance=prov)
        plan.violations = check_plan(problem, plan)
        if plan.violations:
            bad = plan.violations
            plan = _do_nothing(problem, prov, best_bound)
            prov["notes"] = ["the combined plan failed check_plan: returned the status quo"]
            prov["repair_violations"] = bad[:20]
    npv = plan.npv_gbp if plan.npv_gbp is not None else 0.0
    plan.objective_gbp = npv
    if best_bound >= INF:  # no regional round finished in time: a plan, but nothing proven
        plan.bound_gbp, plan.gap, plan.status = None, None, "feasible"
        prov.setdefault("notes", []).append("no bound: no round of regional solves finished within the time limit")
    else:
        plan.bound_gbp = best_bound
        plan.gap = max(best_bound - npv, 0.0) / max(abs(best_bound), abs(npv), 1.0)
        plan.status = "optimal" if plan.gap <= rel_gap else "feasible"
    plan.solve_seconds = time.perf_counter() - t_start
    prov["timings"] = {"wall_seconds": plan.solve_seconds, "build_wall_seconds": build_wall}
    return plan


def _national_years(nat: list, res: list) -> dict:
    """Each shared vehicle is set up in the earliest year a region's plan uses it (never if none does)."""
    years = {}
    for v, _ in nat:
        used = [int(np.argmax(r["E"][v] > 0.5)) for r in res if v in r.get("E", {}) and r["E"][v][-1] > 0.5]
        years[v] = min(used) if used else None
    return years


def _combine(coupling: Coupling, nat: list, res: list, years: dict | None = None):
    """(value, res, years) if the union of the regional plans meets every national row, else None."""
    years = _national_years(nat, res) if years is None else years
    T = coupling.T
    net = sum((r["net"] for r in res), np.zeros(T))
    value = float(sum(r["npv"] for r in res))
    for v, opts in nat:
        for u, npv, n in opts:
            if u is not None and u == years[v]:
                net, value = net + n, value + npv
    tol = lambda cap: 1e-3 + 1e-7 * abs(cap)  # noqa: E731  (check_plan's money tolerance)
    if coupling.cum_cap is not None and (-np.cumsum(net) > coupling.cum_cap + tol(coupling.cum_cap) - 1e-3).any():
        return None
    if coupling.yearly_cap is not None and (-net > coupling.yearly_cap).any():
        return None
    if coupling.transfers_cap is not None:
        count = sum((r["count"] for r in res), np.zeros(T))
        if (count > coupling.transfers_cap + 1e-6).any():
            return None
    return value, res, years


def _workers(client) -> int:
    return 1 if client is None else max(1, len(client.scheduler_info()["workers"]))


def _set_scale(scale: np.ndarray, lay: dict, coupling: Coupling, z: float, R: int) -> None:
    """Typical size of each multiplier: λ is £ per £ (1); ν £ per transfer; μ £ per region-year."""
    if "nu" in lay:
        n = coupling.transfers_cap[np.isfinite(coupling.transfers_cap)].sum()
        scale[lay["nu"]] = z / max(float(n), 1.0)
    for key, sl in lay.items():
        if isinstance(key, tuple):
            scale[sl] = z / (R * coupling.T * 10.0)


def _do_nothing(problem, prov, bound) -> Plan:
    plan = plan_from_decisions(problem, pd.DataFrame(columns=["service_id", "vehicle_id", "site_id", "t"]), {}, {},
                               "feasible", objective_gbp=0.0, bound_gbp=bound, provenance=prov)
    plan.violations = check_plan(problem, plan)
    return plan


def _residual(coupling: Coupling, net_used: np.ndarray, count_used: np.ndarray) -> dict:
    """What is left of every national row once ``net_used`` (money already committed, by year) and
    ``count_used`` (transfers) are taken: the limits for the next region of a sequential repair."""
    out, T = {}, coupling.T
    if coupling.cum_cap is not None:
        for t, c in enumerate(np.cumsum(net_used)):
            out["cum", t] = max(coupling.cum_cap + float(c), 0.0)
    if coupling.yearly_cap is not None:
        for t in range(T):
            if np.isfinite(coupling.yearly_cap[t]):
                out["year", t] = max(float(coupling.yearly_cap[t] + net_used[t]), 0.0)
    if coupling.transfers_cap is not None:
        for t in range(T):
            if np.isfinite(coupling.transfers_cap[t]):
                out["transfers", t] = max(float(np.floor(coupling.transfers_cap[t] - count_used[t] + 1e-9)), 0.0)
    return out


def _shares(coupling: Coupling, res: list, nat_net: np.ndarray) -> list[dict]:
    """Each region's share of every national row, in proportion to what its relaxed plan used; the shares
    add up to the national right-hand side (after the shared vehicles' own money), so the union of
    regional plans that respect their shares respects the national rows."""
    R, T = len(res), coupling.T
    out = [dict() for _ in range(R)]

    def split(total, need, kind, t):
        need = np.maximum(np.asarray(need, float), 0.0)
        if total <= need.sum() or need.sum() <= 0:
            alloc = total * (need / need.sum() if need.sum() > 0 else np.full(R, 1.0 / R)) if total > 0 else np.zeros(R)
        else:  # enough for everyone: each keeps what it used, the rest is spread evenly
            alloc = need + (total - need.sum()) / R
        for r in range(R):
            out[r][kind, t] = max(float(alloc[r]), 0.0)

    nets = np.array([r["net"] if r["has"] else np.zeros(T) for r in res])
    if coupling.cum_cap is not None:
        avail = coupling.cum_cap + np.cumsum(nat_net)
        for t in range(T):
            split(avail[t], -np.cumsum(nets, axis=1)[:, t], "cum", t)
    if coupling.yearly_cap is not None:
        for t in range(T):
            if np.isfinite(coupling.yearly_cap[t]):
                split(coupling.yearly_cap[t] + nat_net[t], -nets[:, t], "year", t)
    if coupling.transfers_cap is not None:
        counts = np.array([r["count"] if r["has"] else np.zeros(T) for r in res])
        for t in range(T):
            if np.isfinite(coupling.transfers_cap[t]):
                total = float(coupling.transfers_cap[t])
                need = counts[:, t]
                alloc = np.floor(total * need / need.sum()) if need.sum() > total else need + np.floor((total - need.sum()) / R)
                for r in range(R):
                    out[r]["transfers", t] = float(alloc[r])
    return out
