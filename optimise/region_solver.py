"""One region's MILP in a persistent HiGHS object, re-priced for Lagrange multipliers and solved under its
share of the national rows in the repair (a dask actor when regions run on workers)."""

from __future__ import annotations

import time

import numpy as np

from .model import build_model
from .prepare import transfer_codes
from .regions import Coupling
from .problem import PlacementProblem
from .highs_child import quiet_highs
from .matrix import compile_model
from .rcfix import guided_keep
from .solver import MIP_FEASIBILITY_TOLERANCE

INF = 1e30


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
        fatal = [i for i in self.prep.issues if i not in self.prep.release_notes]  # a building no plan can empty is only a note
        if fatal:
            raise ValueError(f"region {region}: " + "; ".join(fatal))
        m = build_model(self.prep, with_net=True)
        self.build_seconds = time.perf_counter() - t0
        t1 = time.perf_counter()
        # the model as HiGHS arrays, handed over in one call (Pyomo's persistent interface took ~3x as long
        # and kept the Pyomo model alive on the worker); the Pyomo model is dropped once its columns are known
        mm = compile_model(m)
        h = quiet_highs()
        h.passModel(mm.n_col, len(mm.row_lower), len(mm.a_value), 1, int(mm.sense), float(mm.offset), mm.cost,
                    mm.col_lower, mm.col_upper, mm.row_lower, mm.row_upper, mm.a_start, mm.a_index, mm.a_value,
                    mm.integrality)
        col = {id(v): j for j, v in enumerate(mm.columns)}
        X, Y, W = self.prep.X, self.prep.Y, self.prep.W
        self.cx = np.array([col[id(m.x[i])] for i in range(len(X))], dtype=np.int32)
        self.cy = np.array([col[id(m.y[i])] for i in range(len(Y))], dtype=np.int32)
        self.cw = np.array([col[id(m.w[i])] for i in range(len(W))], dtype=np.int32)
        self.cr = np.array([col[id(m.r[i])] for i in range(len(self.prep.R))], dtype=np.int32)  # releases
        self.cnet = np.array([col[id(m.net[t])] for t in range(self.T)], dtype=np.int32)
        del m, mm, col
        self.xt = X["t"].to_numpy(dtype=int)
        self.x_group, self.x_option = transfer_codes(X)
        self.kept = {}  # key -> transfer columns' values of a solve the driver may guide the repair by
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
        h.setOptionValue("mip_feasibility_tolerance", MIP_FEASIBILITY_TOLERANCE)
        self.handoff_seconds = time.perf_counter() - t1
        self.integer = True


    def info(self) -> dict:
        return {"region": self.region, "x": len(self.prep.X), "releases": len(self.prep.R), "notes": list(self.prep.release_notes),
                "columns": self.ncol, "rows": self.h.getNumRow(),
                "build_seconds": self.build_seconds, "handoff_seconds": self.handoff_seconds}

    def forget(self) -> None:
        """Drop the kept solutions (they are only for the repair)."""
        self.kept.clear()

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
        # HiGHS 1.16 measures an LP's time_limit against the object's total run time (every earlier run
        # counts; a MIP's is per run): a warm LP after a 13 s cold one with a 10 s limit stopped at once
        offset = 0.0 if integer else float(h.getRunTime())
        h.setOptionValue("time_limit", offset + float(time_limit) if time_limit else highspy.kHighsInf)
        h.setOptionValue("mip_rel_gap", float(rel_gap))
        # LPs without presolve: the simplex then starts from the last basis when only the prices moved (and
        # the cold LP was faster without it too: 5 s against 11 s on an independent 2,000-service region)
        h.setOptionValue("presolve", "choose" if integer else "off")
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

    def solve(self, pi: np.ndarray, integer: bool, time_limit: float | None = None, rel_gap: float = 1e-4,
              keep=None) -> dict:
        """Maximise the region's Lagrangian objective at π: its bound and (if found) its solution. With
        ``keep`` (a key), the solution's transfer values are kept for ``repair(guide=keep)``."""
        self.h.changeColsCost(self.ncol, np.arange(self.ncol, dtype=np.int32), self._price(pi))
        self._freeshares_of()
        out = self._run(integer, time_limit, rel_gap)
        xv = out.pop("_x", None)
        if keep is not None and xv is not None:
            self.kept[keep] = xv[self.cx]
        if integer and xv is not None:
            out.update(self._decisions(xv))
            out["npv"] = float((1.0 if self.maximise else -1.0) * self.base_cost @ xv)
        return out

    def share_prices(self, shares: dict, time_limit: float | None = None) -> dict:
        """The LP relaxation under ``shares`` of the national rows ((kind, t) -> limit), unpriced: the shadow
        price (£ per £, or per transfer) of each share row, for the driver's first multipliers. The solve
        also warms the simplex basis for the priced LPs that follow."""
        h = self.h
        h.changeColsCost(self.ncol, np.arange(self.ncol, dtype=np.int32), self.base_cost)
        self._freeshares_of()
        self._bound_shares(shares)
        out = self._run(False, time_limit, 1e-4)
        out.pop("_x", None)
        duals = np.array(h.getSolution().row_dual, dtype=float) if out["status"] == "Optimal" else None
        prices = {key: (abs(float(duals[row])) if duals is not None else None) for key, row in self.share_rows.items()
                  if key in shares}
        self._freeshares_of()
        return {"region": self.region, "prices": prices, "seconds": out["seconds"], "status": out["status"]}

    def _bound_shares(self, shares: dict) -> None:
        import highspy

        for (kind, t), limit in shares.items():
            r = np.array([self.share_rows[kind, t]], dtype=np.int32)
            lo, hi = (-highspy.kHighsInf, float(limit)) if kind == "transfers" else (-float(limit), highspy.kHighsInf)
            self.h.changeRowsBounds(1, r, np.array([lo]), np.array([hi]))

    def _decisions(self, xv: np.ndarray) -> dict:
        X, Y, W = self.prep.X, self.prep.Y, self.prep.W
        return {"moves": X[xv[self.cx] > 0.5].reset_index(drop=True),
                "est": {v: int(t) for v, t in Y[xv[self.cy] > 0.5][["vehicle_id", "t"]].itertuples(index=False)},
                "opened": {s: int(t) for s, t in W[xv[self.cw] > 0.5][["site_id", "t"]].itertuples(index=False)},
                "released": {b: int(t) for b, t in self.prep.R[xv[self.cr] > 0.5][["site_id", "t"]].itertuples(index=False)}}

    def _freeshares_of(self) -> None:
        import highspy

        if self.share_rows:
            idx = np.array(list(self.share_rows.values()), dtype=np.int32)
            self.h.changeRowsBounds(len(idx), idx, np.full(len(idx), -highspy.kHighsInf), np.full(len(idx), highspy.kHighsInf))
        self.h.changeColsBounds(self.ncol, np.arange(self.ncol, dtype=np.int32), self.lo0, self.hi0)

    def repair(self, shares: dict, copy_years: dict, time_limit: float | None = None, rel_gap: float = 1e-4,
               price: np.ndarray | None = None, guide=None) -> dict:
        """The region's plan under its share of the national rows (``shares``: (kind, t) -> limit) with each
        shared vehicle's copy allowed only in the national year (or never). It maximises NPV, plus, if
        ``price`` is given, the Lagrangian value of the funding and transfers it leaves to others (so a
        region does not spend its share on moves worth less than the national shadow price). With ``guide``
        (keys of kept solves), each service may move only to the option those solves weighed most together
        (``rcfix.guided_keep``; doing nothing stays allowed, so the share is always met): a third of the
        columns, solved in seconds where the full regional MIP needs a minute."""
        import highspy

        h = self.h
        cost = self.base_cost if price is None else self._price(price)
        h.changeColsCost(self.ncol, np.arange(self.ncol, dtype=np.int32), cost)
        self._freeshares_of()
        self._bound_shares(shares)
        for v, (yt, cols) in self.copy_cols.items():
            u = copy_years.get(v)
            off = cols[yt != u] if u is not None else cols
            if len(off):
                h.changeColsBounds(len(off), off, np.zeros(len(off)), np.zeros(len(off)))
        keys = [k for k in (guide or []) if k in self.kept]
        guided = bool(keys)
        if guided:
            held = self.cx[~guided_keep(sum(self.kept[k] for k in keys), self.x_group, self.x_option)]
            h.changeColsBounds(len(held), held, np.zeros(len(held)), np.zeros(len(held)))
        out = self._run(True, time_limit, rel_gap)
        out["guided"] = guided
        xv = out.pop("_x", None)
        self._freeshares_of()
        if xv is None and not self.prep.must_move:
            # no plan within its time: the greedy plan under the share, else the region stays as it is (within
            # any share, costs nothing), so the other regions' plans still make a national one
            greedy = self._greedy_under(shares, copy_years, max(1.0, 0.3 * float(time_limit or 10.0)))
            if greedy is not None:
                out.update(greedy, has=True, status=out["status"] + " (no plan in time: the greedy plan under its share)")
                return out
            xv = np.zeros(self.ncol)
            out.update(self._summary(xv), has=True, status=out["status"] + " (no plan in time: status quo)")
        if xv is not None:
            out.update(self._decisions(xv))
        return out  # out["npv"] is the plan's own NPV (base costs), whatever the pricing

    def _greedy_under(self, shares: dict, copy_years: dict, seconds: float) -> dict | None:
        """The greedy plan (start.greedy_start) of the region with its shares as its caps (the cumulative one
        at its tightest year) and each shared vehicle's copy only in its national year; checked against them,
        as ``repair`` returns a plan. None if the greedy finds none."""
        import dataclasses

        from .prepare import prepare
        from .start import greedy_start, start_decisions, start_plan

        P, T = self.prep.problem, self.T
        cum = [v for (kind, _), v in shares.items() if kind == "cum"]
        yearly = np.array([shares.get(("year", t), np.inf) for t in range(T)], dtype=float)
        transfers = np.array([shares.get(("transfers", t), np.inf) for t in range(T)], dtype=float)
        rules = P.rules.replace(
            forbidden_vehicles=tuple(P.rules.forbidden_vehicles) + tuple(v for v, u in copy_years.items() if u is None),
            forced_vehicle_years={**P.rules.forced_vehicle_years, **{v: u for v, u in copy_years.items() if u is not None}})
        sub = dataclasses.replace(
            P, rules=rules, funding_cap_cumulative_gbp=min(cum) if cum else None,
            funding_cap_yearly_gbp=yearly if np.isfinite(yearly).any() else None,
            max_transfers_per_year=transfers if np.isfinite(transfers).any() else None)
        prep = prepare(sub)
        g = greedy_start(prep, deadline=time.monotonic() + seconds)
        if g is None:
            return None
        plan = start_plan(sub, prep, g)
        if plan.violations:
            return None
        moves, est, opened, released = start_decisions(prep, g)
        E = {v: (np.arange(T) >= est[v]).astype(float) if v in est else np.zeros(T) for v in self.copy_cols}
        return {"npv": float(plan.npv_gbp), "net": plan.profile["net_gbp"].to_numpy(dtype=float),
                "count": np.bincount(moves["t"].to_numpy(dtype=int), minlength=T).astype(float), "E": E,
                "moves": moves, "est": est, "opened": opened, "released": released}
