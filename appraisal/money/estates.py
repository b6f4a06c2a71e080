"""Existing buildings as decisions (docs/money.md, "Estates"): which sites are buildings a plan may release
(those with a `lease_break_year`), and what a plan decides for each (kept, co-located into, released).

A building's `release` lines (the running cost it saves, a capital receipt, dilapidations) are ledger lines
like any other; the ledger anchors them on the year the plan releases the building (anchor `building`)."""
from __future__ import annotations

import pandas as pd

from appraisal.study import Study

ESTATE_COLUMNS = ["site_id", "name", "decision", "year", "saving_gbp"]


def release_years(study: Study) -> dict[str, int]:
    """building site_id -> the period index (year index in a yearly study) of its lease break (the first year a plan may release it)."""
    sites = study.tables["sites"]
    if "lease_break_year" not in sites:
        return {}
    # a lease break outside the horizon is validate's error (studies with it do not load)
    return {s: study.period_index(y) for s, y in zip(sites["site_id"], sites["lease_break_year"]) if y is not None}


def document_release_years(study: Study, option_id: str) -> dict[str, int]:
    """building site_id -> the year the document's plan of the option releases it (its `release` rules)."""
    rules = study.tables["option_rules"]
    rel = rules[(rules["option_id"] == option_id) & (rules["rule"] == "release")]
    return {b: study.period_index(y) for b, y in zip(rel["site_id"], rel["year"]) if y is not None}


def estate_decisions(study: Study, plan, streams: pd.DataFrame) -> pd.DataFrame:
    """One row per existing building (a site with services today or a lease break): the plan's decision
    (released / co-located into / kept), its year, and the undiscounted net £ of its release lines over the
    horizon (adjusted; 0 when kept). `streams` is plan_money(...).streams of this plan."""
    sites = study.tables["sites"]
    services = study.tables["services"]
    today = set(services["current_site_id"].dropna())
    breaks = release_years(study)
    moves = plan.moves
    rows = []
    for site, name in zip(sites["site_id"], sites["name"]):
        if site not in today and site not in breaks:
            continue
        incoming = moves[(moves["site_id"] == site)
                         & ~moves["service_id"].isin(services.loc[services["current_site_id"] == site, "service_id"])]
        if site in plan.releases:
            decision, t = "released", plan.releases[site]
        elif len(incoming):
            decision, t = "co-located into", int(incoming["t"].min())
        else:
            decision, t = "kept", None
        mine = streams[(streams["trigger"] == "release") & (streams["site_id"] == site)] if len(streams) else streams
        sign = (mine["kind"] == "benefit").map({True: 1.0, False: -1.0}) if len(mine) else 1.0
        saving = float((mine["adj_amount_gbp"] * sign).sum()) if len(mine) else 0.0
        rows.append({"site_id": site, "name": name, "decision": decision,
                     "year": study.periods[t] if t is not None and 0 <= t < len(study.periods) else None,
                     "saving_gbp": saving})
    return pd.DataFrame(rows, columns=ESTATE_COLUMNS)
