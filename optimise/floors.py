"""Floors and targets: "at least" / "at most" rows on money aggregates and vehicle membership (docs/optimise.md).

A floor is one row of ``PlacementProblem.floors``:

* ``floor_id``; ``measure``: ``benefit``, ``cost``, ``net`` (£, undiscounted) or ``members`` (services moved
  into ``vehicle_id``); ``sense``: ``at_least`` / ``at_most``; ``bound`` (£, or a count for members);
* ``year``: a year index, or None for every year of the horizon; ``cumulative``: the money from year 0 to
  that year rather than that year's alone (members always count services moved by the year; None = by the
  end of the horizon).

A money floor sums the problem's own money (every stream, site cost and cost curve, exactly the objective's
entries) unless ``floor_streams`` gives rows for its ``floor_id``: then it sums those streams only (anchor
``service``: offset from the transfer year of (service_id, vehicle_id); ``vehicle``: from establishment;
``site``: from opening), e.g. one partner's or one component's money.

``floor_coefficients`` turns a floor into the per-decision matrices the model uses; ``floor_values`` computes
the same aggregates of a plan in pandas from the raw tables (the checker's path; tests keep them equal).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

SENSES = ("at_least", "at_most")
MEASURES = ("benefit", "cost", "net", "members")
FLOOR_STREAM_COLUMNS = ["floor_id", "anchor", "service_id", "vehicle_id", "site_id", "offset", "benefit_gbp", "cost_gbp"]


def validate_floors(P) -> list[str]:
    """Malformed floor rows, in words (prepare raises them as one ValueError)."""
    out = []
    ids = set()
    vehicles = set(P.vehicles["vehicle_id"])
    for i, r in enumerate(P.floors.itertuples(index=False)):
        if r.floor_id in ids:
            out.append(f"floors row {i}: duplicate floor_id {r.floor_id}")
        ids.add(r.floor_id)
        if r.measure not in MEASURES:
            out.append(f"floors row {i}: measure must be one of {', '.join(MEASURES)}, got {r.measure!r}")
        if r.sense not in SENSES:
            out.append(f"floors row {i}: sense must be at_least or at_most, got {r.sense!r}")
        if not np.isfinite(r.bound):
            out.append(f"floors row {i}: bound must be a finite number, got {r.bound!r}")
        if r.year is not None and not (0 <= int(r.year) < P.T):
            out.append(f"floors row {i}: year index {r.year} is outside the horizon 0..{P.T - 1}")
        if r.measure == "members" and r.vehicle_id not in vehicles:
            out.append(f"floors row {i}: a members floor needs a known vehicle_id, got {r.vehicle_id!r}")
    fs = P.floor_streams
    for i, (f, a) in enumerate(zip(fs["floor_id"], fs["anchor"])):
        if f not in ids:
            out.append(f"floor_streams row {i}: unknown floor_id {f}")
        if a not in ("service", "vehicle", "site", "release"):
            out.append(f"floor_streams row {i}: anchor must be service, vehicle, site or release, got {a!r}")
    return out


def floor_years(row, T: int) -> list[int]:
    """The years a floor constrains (one row per year)."""
    if row.measure == "members":
        return [T - 1 if row.year is None else int(row.year)]
    return list(range(T)) if row.year is None else [int(row.year)]


def _sign(measure: str) -> tuple[float, float]:
    """(weight on benefit, weight on cost) of a money measure."""
    return {"benefit": (1.0, 0.0), "cost": (0.0, 1.0), "net": (1.0, -1.0)}[measure]


def floor_coefficients(prep, row) -> dict:
    """Per-year money of each decision for one floor: {"x": (nX, T), "y": (nY, T), "w": (nW, T), "curve": weight on
    the curve running cost}; for members, x holds 1 in every year from the transfer year for moves into the vehicle."""
    from .prepare import shifted, stream_profiles

    T, X, Y, W = prep.T, prep.X, prep.Y, prep.W
    if row.measure == "members":
        xm = (X["vehicle_id"].to_numpy() == row.vehicle_id)[:, None] & (np.arange(T)[None, :] >= X["t"].to_numpy()[:, None])
        return {"x": xm.astype(float), "y": np.zeros((len(Y), T)), "w": np.zeros((len(W), T)),
                "r": np.zeros((len(prep.R), T)), "curve": 0.0}
    wb, wc = _sign(row.measure)
    fs = prep.problem.floor_streams
    mine = fs[fs["floor_id"] == row.floor_id]
    if mine.empty:  # the problem's own money: exactly the objective's entries
        return {"x": wb * prep.xb + wc * prep.xc, "y": wb * prep.yb + wc * prep.yc, "w": wc * prep.wc,
                "r": wb * prep.rb + wc * prep.rc, "curve": wc, "joint": (wb, wc)}

    def matrix(anchor, keys, table, rows=None):
        st = mine[mine["anchor"] == anchor] if rows is None else rows
        if st.empty or table.empty:
            return np.zeros((len(table), T))
        pos, b, c = stream_profiles(st, keys, T)
        r = np.array([pos.get(tuple(k), len(pos)) for k in table[keys].to_numpy().tolist()], dtype=int)
        t = table["t"].to_numpy(dtype=int)
        return wb * shifted(b, r, t, T) + wc * shifted(c, r, t, T)

    svc = mine[mine["anchor"] == "service"]
    sited = svc["site_id"].notna() & (svc["site_id"] != "")  # money of a move to that site only
    x = (matrix("service", ["service_id", "vehicle_id"], X, svc[~sited])
         + matrix("service", ["service_id", "vehicle_id", "site_id"], X, svc[sited]))
    return {"x": x, "y": matrix("vehicle", ["vehicle_id"], Y),
            "w": matrix("site", ["site_id"], W), "r": matrix("release", ["site_id"], prep.R), "curve": 0.0}


def floors_hold_at_zero(P) -> bool:
    """Whether "doing nothing" meets every floor: with no decision every aggregate is £0 (or 0 services)."""
    fl = P.floors
    return bool(((fl["sense"] != "at_least") | (fl["bound"] <= 0)).all()
                and ((fl["sense"] != "at_most") | (fl["bound"] >= 0)).all())


def floor_values(P, ev) -> pd.DataFrame:
    """Each floor row's aggregate for a plan (``ev`` = evaluate_plan of it), from the raw tables:
    floor_id, t, year, sense, bound, value, slack (>= 0 when the floor holds)."""
    T = P.T
    mv, est, opened = ev.moves, ev.vehicles, ev.sites
    rows = []
    for r in P.floors.itertuples(index=False):
        if r.measure == "members":
            per_year = np.array([((mv["vehicle_id"] == r.vehicle_id) & (mv["transfer_year"] <= t)).sum()
                                 for t in range(T)], dtype=float)
        else:
            wb, wc = _sign(r.measure)
            mine = P.floor_streams[P.floor_streams["floor_id"] == r.floor_id]
            if mine.empty:
                per_year = wb * ev.profile["benefit_gbp"].to_numpy() + wc * ev.profile["cost_gbp"].to_numpy()
            else:
                per_year = np.zeros(T)
                anchors = {"service": (mv.rename(columns={"transfer_year": "anchor"}), ["service_id", "vehicle_id"]),
                           "vehicle": (est.rename(columns={"established_year": "anchor"}), ["vehicle_id"]),
                           "site": (opened.rename(columns={"opened_year": "anchor"}), ["site_id"]),
                           "release": (ev.releases.rename(columns={"released_year": "anchor"}), ["site_id"])}
                sited = mine["site_id"].notna() & (mine["site_id"] != "") & (mine["anchor"] == "service")
                anchors["service_at_site"] = (anchors["service"][0], ["service_id", "vehicle_id", "site_id"])
                for anchor, (tab, keys) in anchors.items():
                    st = mine[(mine["anchor"] == anchor.replace("_at_site", "")) & (sited if "_at_site" in anchor else ~sited)]
                    if st.empty or tab.empty:
                        continue
                    j = tab[keys + ["anchor"]].merge(st[keys + ["offset", "benefit_gbp", "cost_gbp"]], on=keys)
                    yr = j["anchor"].to_numpy(dtype=int) + j["offset"].to_numpy(dtype=int)
                    ok = (yr >= 0) & (yr < T)
                    np.add.at(per_year, yr[ok], wb * j["benefit_gbp"].to_numpy()[ok] + wc * j["cost_gbp"].to_numpy()[ok])
            if r.cumulative:
                per_year = np.cumsum(per_year)
        for t in floor_years(r, T):
            value = float(per_year[t])
            slack = value - r.bound if r.sense == "at_least" else r.bound - value
            rows.append({"floor_id": r.floor_id, "t": t, "year": P.years[t], "measure": r.measure, "sense": r.sense,
                         "bound": float(r.bound), "value": value, "slack": slack})
    return pd.DataFrame(rows, columns=["floor_id", "t", "year", "measure", "sense", "bound", "value", "slack"])


def floor_violations(P, ev, tol: float = 1e-3) -> list[str]:
    out = []
    for r in floor_values(P, ev).itertuples(index=False):
        money = r.measure != "members"
        if r.slack < -(tol + 1e-7 * abs(r.bound)) * (1 if money else 1e-3):
            what = f"£{r.value:,.0f}" if money else f"{r.value:g} services"
            lim = f"£{r.bound:,.0f}" if money else f"{r.bound:g}"
            word = "at least" if r.sense == "at_least" else "at most"
            out.append(f"floor {r.floor_id} in {r.year}: {r.measure} is {what}, but must be {word} {lim}")
    return out


def price_floors(problem, plan, *, time_limit: float | None = None, **solve_kw) -> pd.DataFrame:
    """What each floor costs, by perturbation of the MILP optimum (two re-solves per floor):

    * ``cost_of_floor_gbp``: NPV gained by dropping the floor altogether; the floor is *binding* when it is > 0;
    * ``shadow_price_gbp``: NPV gained per unit the floor is relaxed by one step (1 % of its bound, at least
      £1,000; one service for a membership floor), divided by the step: £ of NPV per £ (or per service).
      Decisions are integer, so a small step may gain nothing even for a binding floor (then the price is 0
      and the cost of the floor says what it excludes). LP duals with the integers fixed would be 0 here
      (the floor rows hold only binaries), which is why perturbation is used.
    Columns: floor_id, min_slack, step, shadow_price_gbp, cost_of_floor_gbp, binding."""
    from .engine import solve
    from .evaluate import evaluate_plan

    P = problem.normalised()
    values = floor_values(P, evaluate_plan(P, plan))
    base = plan.npv_gbp
    tol = 1e-7 * max(1.0, abs(base))

    def gain(floors: pd.DataFrame) -> float:
        streams = P.floor_streams[P.floor_streams["floor_id"].isin(set(floors["floor_id"]))]
        alt = solve(dataclasses.replace(problem, floors=floors, floor_streams=streams), time_limit=time_limit, **solve_kw)
        return max(alt.npv_gbp - base, 0.0) if alt.has_solution else float("nan")  # relaxing cannot lose

    out = []
    for r in P.floors.itertuples(index=False):
        step = 1.0 if r.measure == "members" else max(0.01 * abs(r.bound), 1000.0)
        relaxed = P.floors.copy()
        i = relaxed.index[relaxed["floor_id"] == r.floor_id][0]
        relaxed.at[i, "bound"] = r.bound - step if r.sense == "at_least" else r.bound + step
        marginal = gain(relaxed)
        dropped = gain(P.floors.drop(index=i))
        out.append({"floor_id": r.floor_id,
                    "min_slack": float(values.loc[values["floor_id"] == r.floor_id, "slack"].min()),
                    "step": step, "shadow_price_gbp": marginal / step, "cost_of_floor_gbp": dropped,
                    "binding": bool(dropped > tol)})
    return pd.DataFrame(out, columns=["floor_id", "min_slack", "step", "shadow_price_gbp", "cost_of_floor_gbp", "binding"])
