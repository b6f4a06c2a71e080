"""Checks of the estate: existing buildings a plan may release (sites.lease_break_year), shared sites and
their capacity, and the option rules keep_site / release. Each problem names file, row and column."""
from __future__ import annotations

from typing import TYPE_CHECKING

from appraisal.study.errors import Problem

if TYPE_CHECKING:
    from appraisal.study.load import Study


def _row(frame, pos: int) -> int | None:
    return int(frame["source_row"].iloc[pos]) if "source_row" in frame and len(frame) else None


def estate_problems(study: "Study") -> list[Problem]:
    t, src = study.tables, study.sources
    sites, services, placements = t["sites"], t["services"], t["placements"]
    out: list[Problem] = []
    if "lease_break_year" not in sites:
        return out
    years = study.years
    breaks = {}
    fte = {s: (float(f) if f is not None and f == f else 0.0) for s, f in zip(services["service_id"], services["fte"])}
    site_vehicle = dict(zip(sites["site_id"], sites["vehicle_id"]))
    for pos, r in enumerate(sites.itertuples(index=False)):
        here = [s for s, site in zip(services["service_id"], services["current_site_id"]) if site == r.site_id]
        load = sum(fte[s] for s in here)
        if r.capacity_fte is not None and r.capacity_fte == r.capacity_fte and load > r.capacity_fte + 1e-9:
            out.append(Problem(src["sites"], _row(sites, pos), "capacity_fte",
                               f"the services at {r.site_id} today ({', '.join(here)}) hold {load:g} FTE, over its "
                               f"capacity of {r.capacity_fte:g} FTE (capacity counts today's occupants until they move out)"))
        if r.lease_break_year is None:
            continue
        if r.lease_break_year not in years:
            out.append(Problem(src["sites"], _row(sites, pos), "lease_break_year",
                               f"year {r.lease_break_year} is outside the horizon {years[0]} to {years[-1]}"))
            continue
        breaks[r.site_id] = years.index(r.lease_break_year)
        if not here:
            out.append(Problem(src["sites"], _row(sites, pos), "lease_break_year",
                               f"no service of {src['services']} is at {r.site_id} today (current_site_id): there is "
                               "nothing to move out, so a release is no decision"))
            continue
        # a service leaves when it moves to another site, or into a vehicle without sites of its own
        own_sites = {}
        for sid, sv in site_vehicle.items():
            if sv is not None:
                own_sites.setdefault(sv, set()).add(sid)
        stuck = []
        for s in here:
            mine = placements[placements["service_id"] == s]
            leaves = any((site is not None and site != r.site_id)
                         or (site is None and own_sites.get(v, set()) != {r.site_id})
                         for v, site in zip(mine["vehicle_id"], mine["site_id"]))
            if not leaves:
                stuck.append(s)
        if stuck:
            out.append(Problem(src["sites"], _row(sites, pos), "lease_break_year",
                               f"no plan can empty {r.site_id}: {', '.join(stuck)} may move nowhere else "
                               f"({src['placements']}), so it can never be released"))
    rules = t["option_rules"]
    for pos, r in enumerate(rules.itertuples(index=False)):
        if r.rule not in ("keep_site", "release") or r.site_id is None:
            continue
        if r.site_id not in breaks:
            out.append(Problem(src["option_rules"], _row(rules, pos), "site_id",
                               f"rule '{r.rule}' needs a building with a lease_break_year in {src['sites']}, got '{r.site_id}'"))
        elif r.rule == "release" and r.year in years and years.index(r.year) < breaks[r.site_id]:
            out.append(Problem(src["option_rules"], _row(rules, pos), "year",
                               f"{r.site_id} may be released from its lease break {years[breaks[r.site_id]]}, not in {r.year}"))
    both = rules[rules["rule"].isin(["keep_site", "release"])].groupby(["option_id", "site_id"])["rule"].nunique()
    for (oid, site), n in both.items():
        if n > 1:
            pos = int(((rules["option_id"] == oid) & (rules["site_id"] == site) & (rules["rule"] == "release")).to_numpy().argmax())
            out.append(Problem(src["option_rules"], _row(rules, pos), "rule",
                               f"option {oid} both keeps and releases {site}"))
    return out
