"""The financial case: affordability, funding and the partners' budget positions."""
from __future__ import annotations

import pandas as pd

from appraisal.report import charts
from appraisal.report.cases.common import missing
from appraisal.report.fmt import money, table
from appraisal.report.labels import Labels
from appraisal.report.summary import preferred_option


def financial(results, tables, ch, unit, lab: Labels) -> str:
    body = []
    rows = []
    for oid, opt in (results.get("options") or {}).items():
        m = opt.get("metrics") or {}
        rows.append({"option": lab.option(oid), "funding need": m.get("funding_requirement_gbp"),
                     "peaks in": m.get("funding_peak_year") or "–", "payback": m.get("payback_year") or "not within the period",
                     "net over the period": m.get("net_total_gbp")})
    if rows:
        body.append("<h3>Affordability: the funding need</h3><p class=note>Funding need: the deepest cumulative "
                    "shortfall of cash before savings cover costs (undiscounted, adjusted).</p>"
                    + table(pd.DataFrame(rows), formats={"funding need": lambda v: money(v, unit),
                                                         "net over the period": lambda v: money(v, unit)}))
    pref = preferred_option(results)
    if pref is not None:
        body.append(ch("yearly", f"Yearly profile: {lab.option(pref)} ({charts.money_axis(unit)}, undiscounted)",
                       charts.yearly(results, pref, unit), note="Benefits above the axis, costs below, after adjustments."))
    body.append(ch("cumulative", f"Cumulative net position by option, against the do-nothing line ({charts.money_axis(unit)})",
                   charts.cumulative(results, unit, lab),
                   note="Below zero is funding needed. Dashed: the partners' own cumulative budget position doing nothing."))
    if pref is not None:
        body.append(ch("by-party", f"Who pays, who benefits: {lab.option(pref)} ({charts.money_axis(unit)}, undiscounted)",
                       charts.by_party(results, pref, unit, lab)))
    body.append("<h3>Budget positions</h3>" + _positions(results, unit, lab))
    return "".join(body)


def _positions(results, unit, lab: Labels) -> str:
    pos = results.get("positions") or {}
    rows = []
    for pid, scenarios in pos.items():
        for sc, by_year in (scenarios or {}).items():
            for year, v in sorted((by_year or {}).items()):
                rows.append({"partner": lab.partner(pid), "scenario": charts._scenario(sc), "year": year,
                             "in year": (v or {}).get("in_year_gbp"), "cumulative": (v or {}).get("cumulative_gbp"),
                             "reserves at year end": (v or {}).get("reserves_closing_gbp")})
    if not rows:
        return missing("Partners' budget positions", "the study gives none")
    m = lambda v: money(v, unit)  # noqa: E731
    return table(pd.DataFrame(rows), formats={"in year": m, "cumulative": m, "reserves at year end": m})
