"""The ``Plan`` result object and its extraction from a solved model.

Plan tables are sorted by id and typed, so identical inputs give byte-identical CSVs. Money in the
profile comes from ``evaluate_plan`` (pure pandas), not from solver values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .evaluate import evaluate_plan, release_table
from .problem import NO_SITE, PlacementProblem


@dataclass
class Plan:
    assignment: pd.DataFrame  # service_id, vehicle_id, site_id, transfer_year (Int64, NA = stays), year, moves
    vehicles: pd.DataFrame  # vehicle_id, kind, established_year (Int64), year
    sites: pd.DataFrame  # site_id, vehicle_id, open, opened_year (Int64), year
    profile: pd.DataFrame  # year, t, benefit_gbp, cost_gbp, net_gbp, discounted_net_gbp, cumulative_net_gbp
    status: str
    objective_gbp: float | None = None  # the solver's incumbent objective
    bound_gbp: float | None = None
    gap: float | None = None
    solve_seconds: float | None = None
    npv_gbp: float | None = None  # evaluate_plan's NPV of this plan (equals objective_gbp)
    peak_funding_gbp: float | None = None
    option: str = "default"
    diagnosis: str | None = None
    violations: list = field(default_factory=list)
    provenance: dict = field(default_factory=dict)
    releases: pd.DataFrame = field(default_factory=lambda: release_table(None))  # site_id, released_year

    @property
    def has_solution(self) -> bool:
        return self.npv_gbp is not None

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"assignment": self.assignment, "vehicles": self.vehicles, "sites": self.sites, "profile": self.profile,
                "releases": self.releases}

    def summary(self) -> dict:
        return {"option": self.option, "status": self.status, "objective_gbp": self.objective_gbp,
                "npv_gbp": self.npv_gbp, "bound_gbp": self.bound_gbp, "gap": self.gap,
                "peak_funding_gbp": self.peak_funding_gbp, "solve_seconds": self.solve_seconds,
                "diagnosis": self.diagnosis, "violations": self.violations}

    def write(self, out_dir) -> None:
        """Plan tables as CSV (deterministic) plus summary.json (includes timings, so not byte-stable)."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        for name, t in self.tables().items():
            t.to_csv(out / f"{name}.csv", index=False, float_format="%.6f", lineterminator="\n")
        (out / "summary.json").write_text(json.dumps({**self.summary(), "provenance": self.provenance},
                                                     indent=2, sort_keys=True, default=str))


def empty_plan(problem: PlacementProblem, status: str, **kw) -> Plan:
    P = problem.normalised()
    base = stay_assignment(P)
    veh = P.vehicles[~P.vehicles["is_status_quo"]][["vehicle_id", "kind"]].sort_values("vehicle_id")
    veh = veh.assign(established_year=pd.array([pd.NA] * len(veh), dtype="Int64"), year=None).reset_index(drop=True)
    sites = P.sites[["site_id", "vehicle_id"]].sort_values("site_id").assign(
        open=False, opened_year=pd.array([pd.NA] * len(P.sites), dtype="Int64"), year=None).reset_index(drop=True)
    prof = pd.DataFrame(columns=["year", "t", "benefit_gbp", "cost_gbp", "net_gbp", "discounted_net_gbp", "cumulative_net_gbp"])
    return Plan(base, veh, sites, prof, status, option=P.rules.name, **kw)


def stay_assignment(P: PlacementProblem) -> pd.DataFrame:
    s = P.services.sort_values("service_id")
    return pd.DataFrame({
        "service_id": s["service_id"].to_numpy(),
        "vehicle_id": s["current_vehicle_id"].to_numpy(),
        "site_id": [x if x is not None else NO_SITE for x in s["current_site_id"]],
        "transfer_year": pd.array([pd.NA] * len(s), dtype="Int64"),
        "year": [None] * len(s),
        "moves": False,
    })


def plan_from_decisions(problem: PlacementProblem, moves: pd.DataFrame, est: dict, opened: dict, status: str,
                        released: dict | None = None, **kw) -> Plan:
    """Build a Plan from chosen moves (service_id, vehicle_id, site_id, t) and year dicts."""
    P = problem.normalised()
    yrs = list(P.years)
    plan = empty_plan(P, status, **kw)
    a = plan.assignment.set_index("service_id")
    mv = moves[["service_id", "vehicle_id", "site_id", "t"]].drop_duplicates("service_id", keep="last")
    pos = a.index.get_indexer(mv["service_id"])
    if (pos < 0).any() or not a.index.is_unique:  # unknown services: the row-by-row path (adds rows)
        for s, v, site, t in mv.itertuples(index=False):
            a.loc[s, ["vehicle_id", "site_id", "year", "moves"]] = [v, site, yrs[int(t)], True]
            a.loc[s, "transfer_year"] = int(t)
    elif len(pos):  # vectorised (the row-by-row loop took ~1 s per 1,000 moves)
        t = mv["t"].to_numpy(dtype=int)
        for col, vals in (("vehicle_id", mv["vehicle_id"].to_numpy(object)), ("site_id", mv["site_id"].to_numpy(object)),
                          ("year", np.array([yrs[i] for i in t], dtype=object))):
            arr = a[col].to_numpy(dtype=object).copy()
            arr[pos] = vals
            a[col] = pd.Series(arr, index=a.index, dtype=a[col].dtype)  # keep each column's dtype
        mvd = a["moves"].to_numpy(dtype=bool).copy()
        mvd[pos] = True
        a["moves"] = mvd
        ty = a["transfer_year"].array.copy()
        ty[pos] = t
        a["transfer_year"] = ty
    plan.assignment = a.reset_index()
    plan.vehicles["established_year"] = pd.array([est.get(v, pd.NA) for v in plan.vehicles["vehicle_id"]], dtype="Int64")
    plan.vehicles["year"] = [yrs[int(t)] if pd.notna(t) else None for t in plan.vehicles["established_year"]]
    plan.sites["opened_year"] = pd.array([opened.get(s, pd.NA) for s in plan.sites["site_id"]], dtype="Int64")
    plan.sites["open"] = plan.sites["opened_year"].notna().to_numpy()
    plan.sites["year"] = [yrs[int(t)] if pd.notna(t) else None for t in plan.sites["opened_year"]]
    plan.releases = release_table(released)
    ev = evaluate_plan(P, plan)
    plan.profile = ev.profile
    plan.npv_gbp, plan.peak_funding_gbp = ev.npv_gbp, ev.peak_funding_gbp
    return plan


def extract(model, problem: PlacementProblem, status: str, **kw) -> Plan:
    prep = model.prep
    xval = np.array([model.x[i].value or 0.0 for i in range(len(prep.X))]) > 0.5
    yval = np.array([model.y[i].value or 0.0 for i in range(len(prep.Y))]) > 0.5
    wval = np.array([model.w[i].value or 0.0 for i in range(len(prep.W))]) > 0.5
    moves = prep.X[xval]
    est = {v: int(t) for v, t in prep.Y[yval][["vehicle_id", "t"]].itertuples(index=False)}
    opened = {s: int(t) for s, t in prep.W[wval][["site_id", "t"]].itertuples(index=False)}
    rval = np.array([model.r[i].value or 0.0 for i in range(len(prep.R))]) > 0.5
    released = {s: int(t) for s, t in prep.R[rval][["site_id", "t"]].itertuples(index=False)}
    return plan_from_decisions(problem, moves, est, opened, status, released=released, **kw)


def x_vector(model) -> np.ndarray:
    return np.array([round(model.x[i].value or 0.0) for i in range(len(model.prep.X))], dtype=int)
