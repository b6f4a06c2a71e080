"""Turn a study's benefit and cost lines into yearly streams (one row per stream and year).

A stream's profile is either explicit (benefit_profiles / cost_profiles) or built from a run rate and a
ramp from its start year. A plan can move a vehicle's establishment year: every stream tied to that
vehicle shifts by the same number of years; amounts pushed past the horizon drop out, and streams of a
vehicle the plan never establishes vanish. A plan's service transfers bring the placements' money.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from appraisal.study import Study
from appraisal.adapters.optimiser import curve_cost

STREAM_COLUMNS = ["stream_id", "kind", "component", "category", "vehicle_id", "service_id", "phase", "party",
                  "t", "year", "amount_gbp", "low_gbp", "high_gbp"]


def ramp_profile(run_rate: float, ramp: list[float], start: int, n_years: int) -> np.ndarray:
    """run_rate × ramp fraction by year; after the ramp ends the last fraction holds (blank ramp = 1)."""
    out = np.zeros(n_years)
    fractions = ramp or [1.0]
    for t in range(max(start, 0), n_years):
        j = t - start
        out[t] = run_rate * (fractions[j] if j < len(fractions) else fractions[-1])
    return out


def _explicit_profiles(profiles: pd.DataFrame, study: Study) -> dict[str, np.ndarray]:
    """Every explicit yearly profile of a profiles table, by stream id, built in one pass."""
    out: dict[str, np.ndarray] = {}
    for row in profiles.itertuples(index=False):
        out.setdefault(row.stream_id, np.zeros(len(study.years)))[study.year_index(row.year)] += row.amount_gbp
    return out


def shift(profile: np.ndarray, delta: int) -> np.ndarray:
    """Move a profile `delta` years later (negative = earlier); what leaves the horizon is dropped."""
    if delta == 0:
        return profile
    out = np.zeros_like(profile)
    if delta > 0:
        out[delta:] = profile[: len(profile) - delta]
    else:
        out[: len(profile) + delta] = profile[-delta:]
    return out


def applies(options: list[str], option_id: str | None) -> bool:
    return option_id is None or not options or option_id in options


def vehicle_planned_years(study: Study) -> dict[str, int | None]:
    """vehicle_id -> the year index the study's own plan establishes it (None where it names none)."""
    vehicles = study.tables["vehicles"]
    return {v: (study.year_index(y) if y else None) for v, y in zip(vehicles["vehicle_id"], vehicles["planned_year"])}


def _vehicle_delta(planned_years: Mapping[str, int | None], vehicle_id: str | None, start: int,
                   anchors: Mapping[str, int | None] | None):
    """Years to shift a stream tied to a vehicle; None if the plan never establishes the vehicle."""
    if anchors is None or vehicle_id is None or vehicle_id not in anchors:
        return 0
    planned = anchors[vehicle_id]
    if planned is None:
        return None
    base = planned_years.get(vehicle_id)
    return planned - (start if base is None else base)


def _placed(study: Study, planned_years, row, option_id, anchors, for_plan: bool) -> tuple[int, int] | None:
    """(start year, years to shift) of a benefit or cost line in this option and plan; None if it does not count."""
    if not applies(row.options, option_id) or (for_plan and row.in_placements):
        return None
    start = study.year_index(row.start_year)
    delta = _vehicle_delta(planned_years, row.vehicle_id, start, anchors)
    return None if delta is None else (start, delta)


def _rows(study: Study, records: list[dict]) -> pd.DataFrame:
    if not records:
        return pd.DataFrame(columns=STREAM_COLUMNS)
    frame = pd.DataFrame.from_records(records)
    frame["year"] = [study.years[t] for t in frame["t"]]
    return frame[STREAM_COLUMNS]


def _emit(records: list[dict], base: dict, profile: np.ndarray, low: np.ndarray, high: np.ndarray) -> None:
    for t in np.flatnonzero((profile != 0) | (low != 0) | (high != 0)):
        records.append(base | {"t": int(t), "amount_gbp": float(profile[t]),
                               "low_gbp": float(low[t]), "high_gbp": float(high[t])})


def build_streams(study: Study, option_id: str | None = None, anchors: Mapping[str, int | None] | None = None,
                  assignment: pd.DataFrame | None = None, sites_opened: Mapping[str, int] | None = None,
                  for_plan: bool = False) -> pd.DataFrame:
    """Yearly benefit and cost streams of an option, unadjusted.

    anchors: vehicle_id -> year index the plan establishes it (None = never); omitted = as planned.
    assignment: service transfers (service_id, vehicle_id, transfer_year index) that bring placement money
    and, where the study gives cost curves, the running cost of each vehicle at its volume.
    sites_opened: site_id -> year index it opens (open cost that year, running cost every year after).
    for_plan: a plan's money (also implied by an assignment): lines marked in_placements give way to the
    placements' money, which the plan's transfers bring.
    """
    for_plan = for_plan or assignment is not None
    n = len(study.years)
    records: list[dict] = []
    benefits, costs = study.tables["benefits"], study.tables["costs"]
    planned_years = vehicle_planned_years(study)
    benefit_profiles = _explicit_profiles(study.tables["benefit_profiles"], study)
    cost_profiles = _explicit_profiles(study.tables["cost_profiles"], study)
    for row in benefits.itertuples(index=False):
        placed = _placed(study, planned_years, row, option_id, anchors, for_plan)
        if placed is None:
            continue
        start, delta = placed
        profile = benefit_profiles.get(row.benefit_id)
        if profile is None:
            profile = ramp_profile(row.run_rate_gbp, row.ramp, start, n)
        central = row.run_rate_gbp if row.run_rate_gbp else (profile.max() or 1.0)
        low = profile * (row.low_gbp / central) if row.low_gbp is not None else profile
        high = profile * (row.high_gbp / central) if row.high_gbp is not None else profile
        base = {"stream_id": row.benefit_id, "kind": "benefit", "component": row.component, "category": row.category,
                "vehicle_id": row.vehicle_id, "service_id": row.service_id, "phase": row.phase, "party": row.recipient}
        _emit(records, base, shift(profile, delta), shift(low, delta), shift(high, delta))
    for row in costs.itertuples(index=False):
        placed = _placed(study, planned_years, row, option_id, anchors, for_plan)
        if placed is None:
            continue
        start, delta = placed
        profile = cost_profiles.get(row.cost_id)
        if profile is None:
            profile = np.zeros(n)
            if row.kind == "one_off":
                profile[start] = row.amount_gbp
            else:
                end = study.year_index(row.end_year, default=n - 1)
                profile[start: end + 1] = row.amount_gbp
        profile = shift(profile * row.quantity, delta)
        base = {"stream_id": row.cost_id, "kind": "cost", "component": row.component, "category": row.category,
                "vehicle_id": row.vehicle_id, "service_id": row.service_id, "phase": row.phase, "party": row.payer}
        _emit(records, base, profile, profile, profile)
    if assignment is not None and not assignment.empty:
        records.extend(_placement_records(study, assignment))
        records.extend(_curve_records(study, assignment, anchors or {}))
    if sites_opened:
        records.extend(_site_records(study, sites_opened))
    return _rows(study, records)


def _cost_records(base: dict, profile: np.ndarray) -> list[dict]:
    return [base | {"kind": "cost", "category": "revenue", "t": int(t), "amount_gbp": float(profile[t]),
                    "low_gbp": float(profile[t]), "high_gbp": float(profile[t])} for t in np.flatnonzero(profile)]


def _site_records(study: Study, sites_opened: Mapping[str, int]) -> list[dict]:
    n = len(study.years)
    sites = study.tables["sites"].set_index("site_id")
    out: list[dict] = []
    for site, t0 in sorted(sites_opened.items()):
        if t0 is None or site not in sites.index:
            continue
        profile = np.zeros(n)
        profile[t0] += sites.at[site, "open_cost_gbp"] or 0.0
        profile[t0:] += sites.at[site, "running_cost_gbp_per_year"] or 0.0
        base = {"stream_id": f"site:{site}", "component": "sites", "vehicle_id": sites.at[site, "vehicle_id"],
                "service_id": None, "phase": None, "party": None}
        out.extend(_cost_records(base, profile))
    return out


def _curve_records(study: Study, assignment: pd.DataFrame, anchors: Mapping[str, int | None]) -> list[dict]:
    """Running cost of each vehicle with a cost curve, at the volume it serves each year it exists."""
    curves = study.tables["cost_curves"]
    if curves.empty:
        return []
    n = len(study.years)
    volume = study.tables["services"].set_index("service_id")["volume"]
    moves = assignment[assignment["transfer_year"].notna()]
    out: list[dict] = []
    for vehicle, curve in curves.groupby("vehicle_id", sort=True):
        mine = moves[moves["vehicle_id"] == vehicle]
        start = anchors.get(vehicle)
        if start is None:
            start = int(mine["transfer_year"].min()) if len(mine) else None
        if start is None:
            continue
        points = curve.groupby("volume", sort=True)["running_cost_gbp_per_year"].mean()
        profile = np.zeros(n)
        for t in range(int(start), n):
            served = mine.loc[mine["transfer_year"].astype(int) <= t, "service_id"]
            v = float(sum((volume.get(s) or 0.0) for s in served))
            profile[t] = float(curve_cost(points.index.to_numpy(float), points.to_numpy(float), v))
        base = {"stream_id": f"curve:{vehicle}", "component": "running cost curve", "vehicle_id": vehicle,
                "service_id": None, "phase": None, "party": None}
        out.extend(_cost_records(base, profile))
    return out


def _placement_records(study: Study, assignment: pd.DataFrame) -> list[dict]:
    n = len(study.years)
    # one lookup table built once: (service, vehicle) -> its placement rows (site-specific rows first by site)
    by_pair: dict[tuple, list] = {}
    for p in study.tables["placements"].to_dict(orient="records"):
        by_pair.setdefault((p["service_id"], p["vehicle_id"]), []).append(p)
    providers = study.tables["services"].set_index("service_id")["current_provider"].to_dict()
    out: list[dict] = []
    for move in assignment.itertuples(index=False):
        rows = by_pair.get((move.service_id, move.vehicle_id), [])
        site = getattr(move, "site_id", None)
        if site is not None and any(r["site_id"] is not None for r in rows):
            rows = [r for r in rows if r["site_id"] == site]
        if not rows:
            continue
        p = rows[0]
        t0 = int(move.transfer_year)
        base = {"vehicle_id": move.vehicle_id, "service_id": move.service_id, "phase": None,
                "party": providers.get(move.service_id), "component": f"transfer:{move.vehicle_id}"}
        benefit = ramp_profile(p["benefit_run_rate_gbp"], p["ramp"], t0, n)
        saving = ramp_profile(max(-p["running_cost_change_gbp_per_year"], 0.0), [], t0, n)
        extra = ramp_profile(max(p["running_cost_change_gbp_per_year"], 0.0), [], t0, n)
        once = np.zeros(n)
        once[t0] = p["transition_cost_gbp"]
        for kind, sid, category, profile in (
            ("benefit", f"{move.service_id}>{move.vehicle_id}:benefit", "cashable", benefit + saving),
            ("cost", f"{move.service_id}>{move.vehicle_id}:transition", "revenue", once),
            ("cost", f"{move.service_id}>{move.vehicle_id}:running", "revenue", extra),
        ):
            for t in np.flatnonzero(profile):
                out.append(base | {"stream_id": sid, "kind": kind, "category": category, "t": int(t),
                                   "amount_gbp": float(profile[t]), "low_gbp": float(profile[t]),
                                   "high_gbp": float(profile[t])})
    return out
