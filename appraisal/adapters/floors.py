"""The study's `floors` table as the optimiser's floor rows (optimise.floors; docs/optimise.md, "floors").

A money floor counts the option's ledger entries its selector picks (all of them when blank), adjusted and
scaled exactly as the objective's coefficients are (`to_optimise.problem_money`):

* no selector: the engine's own money (every stream, site cost and cost curve) — the plan-dependent part
  of the ledger's totals;
* a selector: the picked entries as floor streams (service, vehicle and site entries; a "leave" entry
  counts whichever vehicle its service moves into). A selector that picks a cost curve is refused (a floor
  cannot count part of a curve's running cost).

Option entries (money no plan decision changes) are moved to the other side: the engine's bound is the
floor's bound minus their money in the floor's year (or up to it, when cumulative). A floor with a blank year
whose option money differs by year becomes one engine row per year, named `<floor_id>@<year>`. The extra
column `constant_gbp` (ignored by the engine) keeps that option money, so a report can state the ledger's
figure: ledger aggregate = engine aggregate + constant_gbp (tested).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from appraisal.money.ledger import option_ledger
from appraisal.money.scenarios import select

MEASURE = {"benefits": "benefit", "costs": "cost", "net": "net"}
FLOOR_STREAMS = ["floor_id", "anchor", "service_id", "vehicle_id", "site_id", "offset", "benefit_gbp", "cost_gbp"]


def floor_mask(entries: pd.DataFrame, selector: str | None) -> np.ndarray:
    """The ledger entries a floor counts: all, a partner's (payer or recipient), or an uncertainty target's."""
    if selector is None:
        return np.ones(len(entries), dtype=bool)
    prefix, _, name = selector.partition(":")
    if prefix == "partner":
        return entries["party"].to_numpy() == name
    return select(entries, selector)


def option_floors(study, option_id: str, weight: np.ndarray) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """(floors, floor_streams) of the option for PlacementProblem; ``weight`` = the entries' adjustment factor ×
    scenario scale, as the objective uses."""
    table = study.tables["floors"]
    table = table[table["option_id"].isna() | (table["option_id"] == option_id)]
    if table.empty:
        return None, None
    ledger = option_ledger(study, option_id)
    ent, T, pad = ledger.entries, ledger.T, ledger.pad
    anchor, benefit = ent["anchor"].to_numpy(), ent["kind"].to_numpy() == "benefit"
    rows, streams = [], []
    for r in table.itertuples(index=False):
        year = None if r.year is None else study.year_index(r.year)
        if r.measure == "members":
            rows.append(dict(floor_id=r.floor_id, measure="members", vehicle_id=r.vehicle_id, sense=r.sense,
                             bound=float(r.count), year=year, cumulative=False, constant_gbp=0.0))
            continue
        measure = MEASURE[r.measure]
        wb, wc = {"benefit": (1.0, 0.0), "cost": (0.0, 1.0), "net": (1.0, -1.0)}[measure]
        mask = floor_mask(ent, r.selector)
        ruled = np.array([bool(g) for g in ledger.gates], dtype=bool) | (ledger.not_before > 0)
        if (mask & ruled).any():
            lines = ", ".join(sorted(set(ent.loc[mask & ruled, "line_id"].astype(str))))
            raise ValueError(f"floors.csv, floor {r.floor_id}: it counts {lines}, which need other vehicles (enabled_by) "
                             "or fall under a timing rule; a floor cannot count such lines yet (choose a selector "
                             "that leaves them out)")
        if r.selector is not None and (mask & (anchor == "curve")).any():
            curves = ", ".join(sorted(ent.loc[mask & (anchor == "curve"), "vehicle_id"].astype(str)))
            raise ValueError(f"floors.csv, floor {r.floor_id}: selector '{r.selector}' picks the cost curve of "
                             f"{curves}; a floor cannot count part of a curve's running cost (leave the selector "
                             "blank, or choose one that leaves the curve out)")
        sign = np.where(benefit, wb, wc) * weight
        opt = np.flatnonzero(mask & (anchor == "option"))
        constant = (ledger.central[opt, pad:pad + T] * sign[opt, None]).sum(axis=0) if len(opt) else np.zeros(T)
        constant = np.cumsum(constant) if r.cumulative else constant
        bound = float(r.value_gbp) if r.value_gbp is not None and r.value_gbp == r.value_gbp \
            else float(r.pct) / 100.0 * float(r.baseline_gbp)  # FloorRow checked exactly one is given
        base = dict(measure=measure, vehicle_id=None, sense=r.sense, cumulative=bool(r.cumulative))
        if year is not None:
            rows.append(base | dict(floor_id=r.floor_id, bound=bound - constant[year], year=year,
                                    constant_gbp=float(constant[year])))
        elif np.allclose(constant, constant[0], rtol=0, atol=1e-9):
            rows.append(base | dict(floor_id=r.floor_id, bound=bound - constant[0], year=None,
                                    constant_gbp=float(constant[0])))
        else:
            rows += [base | dict(floor_id=f"{r.floor_id}@{study.years[t]}", bound=bound - constant[t], year=t,
                                 constant_gbp=float(constant[t])) for t in range(T)]
        if r.selector is None:
            continue
        ids = [row["floor_id"] for row in rows if row["floor_id"] == r.floor_id or row["floor_id"].startswith(f"{r.floor_id}@")]
        part = _subset_streams(study, ledger, weight, mask, T, pad, anchor)
        # a selector that picks no plan money still needs one (empty) stream so the engine does not count all money
        if part.empty:
            part = pd.DataFrame([dict(anchor="vehicle", service_id=None, vehicle_id=None, site_id=None, offset=0,
                                      benefit_gbp=0.0, cost_gbp=0.0)])
        streams += [part.assign(floor_id=f) for f in ids]
    fs = pd.concat(streams, ignore_index=True)[FLOOR_STREAMS] if streams else None
    return pd.DataFrame(rows), fs


def _subset_streams(study, ledger, weight, mask, T, pad, anchor) -> pd.DataFrame:
    from appraisal.adapters.to_optimise import _streams  # the objective's own stream builder

    ent = ledger.entries
    out = []
    v = _streams(ledger, weight, mask & (anchor == "vehicle"), ["vehicle_id"])
    out.append(v.assign(anchor="vehicle", service_id=None, site_id=None))
    s = _streams(ledger, weight, mask & (anchor == "service"), ["service_id", "vehicle_id", "site_id"])
    out.append(s.assign(anchor="service", site_id=[x if isinstance(x, str) else None for x in s["site_id"]]))
    rel = _streams(ledger, weight, mask & (anchor == "building"), ["site_id"])  # a building released
    out.append(rel.assign(anchor="release", service_id=None, vehicle_id=None))
    leave = _streams(ledger, weight, mask & (anchor == "leave"), ["service_id"])
    if len(leave):  # a service leaving its building: whichever vehicle it moves into (as problem_money does)
        pairs = study.tables["placements"][["service_id", "vehicle_id"]].drop_duplicates()
        out.append(leave.merge(pairs, on="service_id", how="inner").assign(anchor="service", site_id=None))
    sites = []
    for i in np.flatnonzero(mask & (anchor == "site")):
        amount = float(ledger.central[i, pad] * weight[i])
        kind = ent["kind"].iat[i]
        for k in ([0] if ledger.finite[i] else range(T)):  # one-off at opening, or every year from it
            sites.append(dict(anchor="site", service_id=None, vehicle_id=None, site_id=ent["site_id"].iat[i], offset=k,
                              benefit_gbp=amount if kind == "benefit" else 0.0, cost_gbp=0.0 if kind == "benefit" else amount))
    out.append(pd.DataFrame(sites, columns=["anchor", "service_id", "vehicle_id", "site_id", "offset", "benefit_gbp", "cost_gbp"]))
    out = [o for o in out if len(o)]
    cols = ["anchor", "service_id", "vehicle_id", "site_id", "offset", "benefit_gbp", "cost_gbp"]
    return pd.concat(out, ignore_index=True)[cols] if out else pd.DataFrame(columns=cols)
