"""Format-2 rules of the ledger (benefits, costs, apportionments, placements, sites): errors that stop a
study loading, each naming file, row and column. Warnings about money that could vanish are in
`appraisal.money.checks` (they need the options' rules)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from appraisal.study.errors import Problem

if TYPE_CHECKING:
    from appraisal.study.load import Study


def _row(frame, pos: int) -> int | None:
    return int(frame["source_row"].iloc[pos]) if "source_row" in frame and len(frame) else None


def ledger_problems(study: "Study") -> list[Problem]:
    t, src = study.tables, study.sources
    out: list[Problem] = []
    placements = t["placements"]
    eligible = {(s, v) for s, v in zip(placements["service_id"], placements["vehicle_id"])}
    vehicles_with_placements = {v for _, v in eligible}
    site_vehicle = dict(zip(t["sites"]["site_id"], t["sites"]["vehicle_id"]))
    breaks = set(t["sites"].loc[t["sites"]["lease_break_year"].notna(), "site_id"]) if "lease_break_year" in t["sites"] else set()
    shares = t["apportionments"]
    shared_lines = set(shares["line_id"])
    profiled = set(t["benefit_profiles"]["stream_id"]) | set(t["cost_profiles"]["stream_id"])
    for name, id_col in (("benefits", "benefit_id"), ("costs", "cost_id")):
        frame = t[name]
        # each row's spreadsheet row (as _row), looked up once per table
        source_rows = [int(v) for v in frame["source_row"]] if "source_row" in frame else [None] * len(frame)
        for pos, r in enumerate(frame.itertuples(index=False)):
            where, row = src[name], source_rows[pos]
            line = getattr(r, id_col)
            trigger = r.trigger or ("vehicle" if r.vehicle_id else "option")
            if r.in_placements:
                out.append(Problem(where, row, "in_placements", "in_placements was removed in format 2: enter the money "
                                   "once (apportion the line over services, or give service lines)"))
            if trigger == "vehicle" and r.vehicle_id is None:
                out.append(Problem(where, row, "vehicle_id", "trigger 'vehicle' needs the vehicle_id it waits for"))
            if trigger == "service":
                if r.service_id is None or r.vehicle_id is None:
                    out.append(Problem(where, row, "service_id", "trigger 'service' needs service_id and vehicle_id "
                                       "(the service moving into the vehicle)"))
                elif (r.service_id, r.vehicle_id) not in eligible:
                    out.append(Problem(where, row, "service_id", f"no row of {src['placements']} lets {r.service_id} "
                                       f"move into {r.vehicle_id}, so no plan can trigger this line"))
            if trigger == "release":
                occupants = [s for s, site in zip(t["services"]["service_id"], t["services"]["current_site_id"])
                             if r.site_id is not None and site == r.site_id]
                if r.site_id is None:
                    out.append(Problem(where, row, "site_id", "trigger 'release' needs the site_id of the building "
                                       "released"))
                elif not occupants:
                    out.append(Problem(where, row, "site_id", f"no service of {src['services']} is at {r.site_id} "
                                       "today (current_site_id): nothing to release, nothing to apportion to"))
                if r.apportion == "shares" and line not in shared_lines:
                    out.append(Problem(where, row, "apportion", f"apportion 'shares' needs rows for '{line}' in "
                                       f"{src['apportionments']}"))
                if r.apportion is not None and r.site_id in breaks:
                    out.append(Problem(where, row, "apportion", f"{r.site_id} has a lease_break_year: it is released "
                                       "once, as a decision, so its release lines are not apportioned (leave blank)"))
                continue
            if r.site_id is not None and trigger not in ("site", "service"):
                out.append(Problem(where, row, "site_id", "a site_id belongs to trigger 'site', 'service' (money of a "
                                   "move to that site only) or 'release' lines"))
            if r.site_id is not None and trigger == "service" and (r.service_id, r.vehicle_id) in eligible:
                sites_ok = {site for s_, v_, site in zip(placements["service_id"], placements["vehicle_id"],
                                                         placements["site_id"]) if (s_, v_) == (r.service_id, r.vehicle_id)}
                usable = (site_vehicle.get(r.site_id, "?") in (r.vehicle_id, None)
                          and (r.site_id in sites_ok or (None in sites_ok and site_vehicle.get(r.site_id) == r.vehicle_id)))
                if not usable:
                    out.append(Problem(where, row, "site_id", f"no row of {src['placements']} lets {r.service_id} move "
                                       f"into {r.vehicle_id} at {r.site_id}, so no plan can trigger this line"))
            if trigger == "site":
                if r.site_id is None:
                    out.append(Problem(where, row, "site_id", "trigger 'site' needs the site_id whose opening triggers it"))
                elif r.vehicle_id is not None and site_vehicle.get(r.site_id) not in (None, r.vehicle_id):
                    out.append(Problem(where, row, "vehicle_id", f"site {r.site_id} is a site of "
                                       f"{site_vehicle.get(r.site_id)}, not of {r.vehicle_id}"))
                if name == "benefits":
                    out.append(Problem(where, row, "trigger", "trigger 'site' is for costs (opening and running a site)"))
                else:
                    for col in ("start_year", "end_year"):
                        if getattr(r, col) is not None:
                            out.append(Problem(where, row, col, "a site cost falls from the year the site opens: "
                                               f"leave {col} blank"))
                    if line in profiled:
                        out.append(Problem(where, row, "cost_id", "a site cost is a one-off at opening or a recurring "
                                           "cost from it; it cannot have an explicit yearly profile"))
            if r.apportion is not None:
                if trigger != "vehicle":
                    out.append(Problem(where, row, "apportion", "only a vehicle line can be apportioned over the "
                                       "services that move into its vehicle"))
                elif r.vehicle_id not in vehicles_with_placements:
                    out.append(Problem(where, row, "apportion", f"no service can move into {r.vehicle_id} "
                                       f"({src['placements']} names none): nothing to apportion to"))
                if r.apportion == "shares" and line not in shared_lines:
                    out.append(Problem(where, row, "apportion", f"apportion 'shares' needs rows for '{line}' in "
                                       f"{src['apportionments']}"))
            elif line in shared_lines:
                out.append(Problem(where, row, "apportion", f"{src['apportionments']} gives shares of '{line}' but the "
                                   "line's apportion is not 'shares'"))
    lines = {**{b: ("benefits", r) for b, r in zip(t["benefits"]["benefit_id"], t["benefits"].itertuples(index=False))},
             **{c: ("costs", r) for c, r in zip(t["costs"]["cost_id"], t["costs"].itertuples(index=False))}}
    for pos, r in enumerate(shares.itertuples(index=False)):
        hit = lines.get(r.line_id)
        if hit is None:
            out.append(Problem(src["apportionments"], _row(shares, pos), "line_id", f"'{r.line_id}' is not a benefit_id "
                               f"or cost_id"))
        elif (hit[1].trigger or "") == "release":
            if r.service_id not in set(t["services"].loc[t["services"]["current_site_id"] == hit[1].site_id, "service_id"]):
                out.append(Problem(src["apportionments"], _row(shares, pos), "service_id", f"{r.service_id} is not at "
                                   f"{hit[1].site_id} today, so it releases none of it"))
        elif (r.service_id, hit[1].vehicle_id) not in eligible:
            out.append(Problem(src["apportionments"], _row(shares, pos), "service_id", f"{r.service_id} cannot move into "
                               f"{hit[1].vehicle_id} ({src['placements']}), so its share could never be earned"))
    for name, cols in (("placements", ["benefit_run_rate_gbp", "transition_cost_gbp", "running_cost_change_gbp_per_year"]),
                       ("sites", ["running_cost_gbp_per_year", "open_cost_gbp"])):
        frame = t[name]
        for col in cols:
            for pos, value in enumerate(frame.get(col, [])):
                if value is not None and value == value:
                    out.append(Problem(src[name], _row(frame, pos), col, "money in this table is format 1: in format 2 "
                                       "enter it once as a benefit or cost line (trigger service or site)"))
    return out
