"""Who realises a benefit, what it needs, and when money may fall: the gates and timing rules of ledger entries.

* A benefit line's *realiser* is `realised_by`, else its `vehicle_id`, else the programme; its *enablers* are
  `enabled_by`. Every one of them that the line's trigger does not already anchor on (and that is not a
  status-quo vehicle, which always exists) is a *gate*: in each year the line counts only when every gate is
  established by that year — a benefit that needs two vehicles counts only when both exist.
* A timing rule (timing_rules.csv) selects lines with the uncertainties' selector grammar and stops their
  money before a date: a financial year, or the year after a milestone is due (the end of a phase).

Both act on plan time (after a plan has moved the entries): `apply_gates_and_rules` is called by the ledger's
`matrices`, and `appraisal.adapters.to_optimise` hands the same gates and dates to the optimiser
(joint streams, `from_year`), so the MILP keeps them when it moves a plan (docs/optimise.md, section Gates).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

NO_RULE = -(10 ** 6)  # an entry no timing rule reaches: money may fall in any year


def realiser(row) -> str | None:
    """The vehicle or workstream that realises a benefit line (None = the programme)."""
    return row.realised_by or row.vehicle_id


def entry_gates(study, entries: pd.DataFrame) -> list[tuple[str, ...]]:
    """For each entry, the vehicles that must be established (by each year) for its money to count."""
    benefits = study.tables["benefits"]
    vehicles = study.tables["vehicles"]
    status_quo = set(vehicles.loc[vehicles["kind"] == "status_quo", "vehicle_id"])
    need: dict[str, tuple[str, ...]] = {}
    for row in benefits.itertuples(index=False):
        wanted = [v for v in [row.realised_by, *(row.enabled_by or [])] if v]
        if wanted:
            need[row.benefit_id] = tuple(dict.fromkeys(wanted))
    out = []
    for line, kind, anchor, v in zip(entries["line_id"], entries["kind"], entries["anchor"], entries["vehicle_id"]):
        gates = need.get(line, ()) if kind == "benefit" else ()
        own = v if anchor in ("vehicle", "service", "curve") else None
        out.append(tuple(sorted(g for g in gates if g != own and g not in status_quo)))
    return out


def milestone_years(study) -> dict[str, int]:
    m = study.tables["milestones"]
    return {mid: study.period_index(y, end=True) for mid, y in zip(m["milestone_id"], m["due_year"])}


def rule_year(study, row) -> int:
    """The first index on the plan's axis (years, or periods in a study by periods) in which a timing rule lets
    money fall: the first period of its year, or the period after its milestone is due."""
    if row.not_before_year is not None:
        return study.period_index(row.not_before_year)
    return milestone_years(study)[row.not_before_milestone] + 1


def entry_not_before(study, entries: pd.DataFrame) -> np.ndarray:
    """For each entry, the first year index (plan time) in which its money may fall (NO_RULE = any year)."""
    from appraisal.money.scenarios import select

    out = np.full(len(entries), NO_RULE, dtype=int)
    for row in study.tables["timing_rules"].itertuples(index=False):
        hit = select(entries, row.selector)
        out[hit] = np.maximum(out[hit], rule_year(study, row))
    return out


def gate_year(plan, gates: tuple[str, ...]) -> float:
    """The first year every gate exists under the plan (NaN = some gate is never established)."""
    years = [plan.vehicles.get(g) for g in gates]
    return np.nan if any(y is None for y in years) else float(max(years))


def apply_gates_and_rules(ledger, plan, matrices: tuple[np.ndarray, ...]) -> None:
    """Zero, in place, the money of each entry in the years its gates or timing rules forbid (extended axis)."""
    pad = ledger.pad
    active = [i for i, g in enumerate(ledger.gates) if g or ledger.not_before[i] > NO_RULE]
    for i in active:
        gates, first = ledger.gates[i], ledger.not_before[i]
        if gates:
            g = gate_year(plan, gates)
            if np.isnan(g):
                for m in matrices:
                    m[i, :] = 0.0
                continue
            first = max(first, int(g))
        if first > NO_RULE:
            cut = min(max(pad + first, 0), matrices[0].shape[1])
            for m in matrices:
                m[i, :cut] = 0.0


def ownership_map(study, options: dict) -> list[dict]:
    """The enabler -> realiser map of the benefit lines: one row per (enabler or None, realiser, line), with the
    line's PV (adjusted, discounted) in each option's appraisal (OptionAppraisal by option id)."""
    from appraisal.money.metrics import study_discount_factors

    b = study.tables["benefits"]
    if not (b["realised_by"].notna().any() or b["enabled_by"].map(bool).any() or len(study.tables["workstreams"])):
        return []
    df = study_discount_factors(study)
    pv: dict[tuple[str, str], float] = {}
    for oid, r in options.items():
        s = r.streams
        if s is None or s.empty:
            continue
        money = s["adj_amount_gbp"].to_numpy(dtype=float) * df[s["t"].to_numpy(dtype=int)]
        for line, value in pd.Series(money).groupby(s["stream_id"].to_numpy()).sum().items():
            pv[(oid, line)] = float(value)
    rows = []
    for row in b.itertuples(index=False):
        for enabler in (row.enabled_by or [None]):
            rows.append({"enabler": enabler, "realiser": realiser(row), "benefit_id": row.benefit_id,
                         "component": row.component, "recipient": row.recipient,
                         "pv_gbp": {oid: pv.get((oid, row.benefit_id), 0.0) for oid in options}})
    return rows
