"""Checks of benefit ownership, workstreams, milestones and timing rules (issue 11).

* `realised_by` / `enabled_by` name vehicles (a workstream is a vehicle: same id); a gate (a realiser or
  enabler the line's trigger does not anchor on) works on vehicle and programme lines only;
* two benefit lines claiming the same saving — the same recipient, the same `baseline` (blank: the same
  component, service and place) and overlapping years, in an option they both apply to — are one error on
  the second line, naming the first: a saving is owned once;
* workstreams name a vehicle, a lead partner and the workstreams they feed; milestones a workstream and a
  year in the horizon; a timing rule a valid selector and a date (a year in the horizon or a milestone).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from appraisal.study.errors import Problem

if TYPE_CHECKING:
    from appraisal.study.load import Study


def _row(frame, pos: int) -> int | None:
    return int(frame["source_row"].iloc[pos]) if "source_row" in frame else None


def _dups(study: "Study", name: str, key: str) -> list[Problem]:
    frame = study.tables[name]
    out, seen = [], {}
    for pos, k in enumerate(frame[key]):
        if k in seen:
            out.append(Problem(study.sources[name], _row(frame, pos), key, f"duplicate {key} '{k}' (first on row {seen[k]})"))
        else:
            seen[k] = _row(frame, pos)
    return out


def claimed_years(study: "Study", row, profiles: dict | None = None, planned: dict | None = None) -> set[int]:
    """The horizon years (indices) a benefit line claims money in, on the document's timetable.
    `profiles` (benefit_profiles by stream_id, profiles_by_stream) and `planned` (vehicle_id -> planned_year)
    are looked up once by a caller that asks for many lines."""
    T = len(study.years)
    if profiles is None:
        profiles = profiles_by_stream(study)
    mine = profiles.get(row.benefit_id)
    if mine is not None and len(mine):
        years = {study.year_index(y) for y, a in zip(mine["year"], mine["amount_gbp"]) if a}
        last = max((study.year_index(y) for y in mine["year"]), default=0)
        tail = mine.loc[mine["year"] == study.years[last], "amount_gbp"]
        return years | (set(range(last + 1, T)) if len(tail) and float(tail.iloc[0]) else set())
    start = row.start_year
    if start is None and row.vehicle_id:
        if planned is None:
            planned = planned_years(study)
        year = planned.get(row.vehicle_id)
        start = year if isinstance(year, str) else None
    first = study.year_index(start) if start in study.years else 0
    fractions = row.ramp or [1.0]
    return {t for t in range(first, T) if (fractions[t - first] if t - first < len(fractions) else fractions[-1]) > 0}


def profiles_by_stream(study: "Study") -> dict:
    """The rows of benefit_profiles of each stream_id (one pass, not one filter per benefit line)."""
    prof = study.tables["benefit_profiles"]
    return {k: g for k, g in prof.groupby("stream_id", sort=False)} if len(prof) else {}


def planned_years(study: "Study") -> dict:
    """vehicle_id -> its planned_year (vehicles.csv)."""
    return study.tables["vehicles"].set_index("vehicle_id")["planned_year"].to_dict()


def _shared_option(a: list, b: list) -> bool:
    return not a or not b or bool(set(a) & set(b))


def double_claims(study: "Study") -> list[Problem]:
    b, src = study.tables["benefits"], study.sources["benefits"]
    if {"benefits", "benefit_profiles", "vehicles"} & study.flawed:  # checks across rows need sound rows
        return []
    out, seen = [], {}
    profiles, planned = profiles_by_stream(study), planned_years(study)
    for pos, row in enumerate(b.itertuples(index=False)):
        if row.recipient is None:
            continue
        # lines at different sites are alternatives (a service moves to one site; each building is its own)
        key = (row.recipient, "baseline", row.baseline) if row.baseline else \
            (row.recipient, row.component, row.service_id, row.place, row.site_id)
        years = claimed_years(study, row, profiles, planned)
        for other_pos, other, other_years in seen.get(key, []):
            both = sorted(years & other_years)
            if both and _shared_option(row.options, other.options):
                span = study.years[both[0]] + (f" to {study.years[both[-1]]}" if len(both) > 1 else "")
                what = (f"baseline '{row.baseline}'" if row.baseline else f"component '{row.component}'"
                        + (f", service {row.service_id}" if row.service_id else "")
                        + (f", site {row.site_id}" if row.site_id else "")
                        + (f", place {row.place}" if row.place else ""))
                out.append(Problem(src, _row(b, pos), "baseline" if row.baseline else "component",
                                   f"benefit {row.benefit_id} claims the same saving as {other.benefit_id} (row "
                                   f"{_row(b, other_pos)}): recipient {row.recipient}, {what}"
                                   + f", in {span}; a saving is owned once: merge the lines, give one realiser "
                                     "(realised_by) and the other as an enabler (enabled_by), or, if they are "
                                     "different savings, name each one's budget in the baseline column"))
                break
        seen.setdefault(key, []).append((pos, row, years))
    return out


def ownership_problems(study: "Study") -> list[Problem]:
    t, src = study.tables, study.sources
    vehicles = set(t["vehicles"]["vehicle_id"])
    workstreams = set(t["workstreams"]["workstream_id"])
    b = t["benefits"]
    out: list[Problem] = []
    for pos, row in enumerate(b.itertuples(index=False)):
        for col, ids in (("realised_by", [row.realised_by] if row.realised_by else []), ("enabled_by", row.enabled_by or [])):
            for v in ids:
                if v not in vehicles:
                    out.append(Problem(src["benefits"], _row(b, pos), col, f"'{v}' is not a vehicle_id (or workstream_id) "
                                                                          f"in {src['vehicles']}"))
        if row.realised_by and row.realised_by in (row.enabled_by or []):
            out.append(Problem(src["benefits"], _row(b, pos), "enabled_by",
                               f"'{row.realised_by}' realises the benefit; it cannot also be its enabler"))
        gates = {v for v in [row.realised_by, *(row.enabled_by or [])] if v and v != row.vehicle_id}
        trigger = row.trigger or ("vehicle" if row.vehicle_id else "option")
        if gates and (trigger not in ("vehicle", "option") or row.apportion):
            out.append(Problem(src["benefits"], _row(b, pos), "enabled_by" if row.enabled_by else "realised_by",
                               f"a benefit that needs {', '.join(sorted(gates))} as well must be a vehicle or programme "
                               f"line (trigger vehicle or option, not apportioned); this one is "
                               f"{'apportioned' if row.apportion else 'trigger ' + trigger}"))
        for e in row.enabled_by or []:
            r = row.realised_by or row.vehicle_id
            if e in workstreams and r in workstreams:
                feeds = t["workstreams"].set_index("workstream_id").at[e, "feeds"] or []
                if r not in feeds:
                    study.warnings.append(Problem(src["benefits"], _row(b, pos), "enabled_by",
                                                  f"workstream {e} enables this benefit of {r}, but {src['workstreams']} "
                                                  f"does not list {r} in {e}'s feeds"))
    out += double_claims(study)
    out += _programme_tables(study, vehicles, workstreams)
    return out


def _programme_tables(study: "Study", vehicles: set, workstreams: set) -> list[Problem]:
    from appraisal.money.scenarios import target_problem

    t, src = study.tables, study.sources
    partners = set(t["partners"]["partner_id"])
    out = _dups(study, "workstreams", "workstream_id") + _dups(study, "milestones", "milestone_id") \
        + _dups(study, "timing_rules", "rule_id")
    w = t["workstreams"]
    for pos, row in enumerate(w.itertuples(index=False)):
        if row.workstream_id not in vehicles:
            out.append(Problem(src["workstreams"], _row(w, pos), "workstream_id",
                               f"'{row.workstream_id}' is not a vehicle_id in {src['vehicles']}: a workstream is the "
                               "vehicle the optimiser phases (add it to vehicles.csv with the same id)"))
        if row.lead_partner not in partners:
            out.append(Problem(src["workstreams"], _row(w, pos), "lead_partner",
                               f"'{row.lead_partner}' is not a partner_id in {src['partners']}"))
        for f in row.feeds or []:
            if f not in workstreams or f == row.workstream_id:
                out.append(Problem(src["workstreams"], _row(w, pos), "feeds",
                                   f"'{f}' is not another workstream_id in {src['workstreams']}"))
    m = t["milestones"]
    for pos, row in enumerate(m.itertuples(index=False)):
        if row.workstream_id not in workstreams:
            out.append(Problem(src["milestones"], _row(m, pos), "workstream_id",
                               f"'{row.workstream_id}' is not a workstream_id in {src['workstreams']}"))
        if row.due_year not in study.years:
            out.append(Problem(src["milestones"], _row(m, pos), "due_year",
                               f"year {row.due_year} is outside the horizon {study.years[0]} to {study.years[-1]}"))
    milestones = set(m["milestone_id"])
    r = t["timing_rules"]
    for pos, row in enumerate(r.itertuples(index=False)):
        why = target_problem(study, row.selector)
        if why or row.selector in ("delay_years", "discount_rate_pct"):
            out.append(Problem(src["timing_rules"], _row(r, pos), "selector", why or "a timing rule selects lines"))
        if row.not_before_year is not None and row.not_before_year not in study.years:
            out.append(Problem(src["timing_rules"], _row(r, pos), "not_before_year",
                               f"year {row.not_before_year} is outside the horizon {study.years[0]} to {study.years[-1]}"))
        if row.not_before_milestone is not None and row.not_before_milestone not in milestones:
            out.append(Problem(src["timing_rules"], _row(r, pos), "not_before_milestone",
                               f"'{row.not_before_milestone}' is not a milestone_id in {src['milestones']}"))
    return out
