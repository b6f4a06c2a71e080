"""The strategic case: the case for change (the study's description, the do-nothing budget position), objectives (the
value drivers) and the options considered.
"""
from __future__ import annotations

import pandas as pd

from appraisal.report import charts
from appraisal.report.cases.common import _scoring_note, missing
from appraisal.report.fmt import esc, money, pct, table
from appraisal.report.labels import Labels
from appraisal.report.summary import choices, preferred_option


def strategic(results, tables, ch, unit, lab: Labels) -> str:
    body = ["<h3>The case for change</h3>"]
    desc = (results.get("labels") or {}).get("description")
    body.append(f"<p>{esc(desc)}</p>" if desc else missing("A description of the study"))
    dn = charts.position_lines(results)
    dn = dn[dn["scenario"] == "do_nothing"] if not dn.empty else dn
    if not dn.empty:
        last = dn.groupby("partner_id")["year"].max()
        rows = [{"partner": lab.partner(pid), "to": y,
                 "do_nothing_cumulative_gbp": float(dn[(dn["partner_id"] == pid) & (dn["year"] == y)]["cumulative_gbp"].sum())}
                for pid, y in last.items()]
        total = sum(r["do_nothing_cumulative_gbp"] for r in rows)
        body.append(f"<p>Doing nothing, the partners' combined cumulative budget position reaches "
                    f"<strong>{esc(money(total, unit))}</strong> by {esc(max(last))}.</p>"
                    + table(pd.DataFrame(rows), headers={"to": "by", "do_nothing_cumulative_gbp": "cumulative position, doing nothing"},
                            formats={"do_nothing_cumulative_gbp": lambda v: money(v, unit)}))
    else:
        body.append(missing("The do-nothing budget position", "the study gives no partner positions"))
    body.append("<h3>Objectives (value drivers)</h3>")
    drivers = (results.get("scoring") or {}).get("drivers") or []
    if drivers:
        body.append(table(pd.DataFrame([{"objective": lab.driver(d.get("driver_id")), "weight": d.get("weight"),
                                         "judged by": "computed metric" if d.get("kind") == "metric" else "judgement"}
                                        for d in drivers]), formats={"weight": lambda v: pct(v, 1)}))
    else:
        body.append(missing("Objectives", _scoring_note(results) or "the study declares no value drivers"))
    body.append("<h3>Options: long-list and short-list</h3>")
    info = (results.get("labels") or {}).get("options") or {}
    infeasible = lab.infeasible()
    ranked = set(choices(results))
    rows = []
    for oid in results.get("options") or {}:
        if oid in infeasible:
            status = f"infeasible — {infeasible[oid]}"
        elif lab.view_of(oid):
            status = f"a view of {lab.option(lab.view_of(oid))}: appraised, not ranked"
        else:
            status = "short-listed: appraised and ranked"
        rows.append({"option": lab.option(oid), "what it is": (info.get(oid) or {}).get("description") or "–",
                     "status": status})
    body.append(table(pd.DataFrame(rows)) if rows else missing("Options"))
    if ranked and preferred_option(results) in ranked:
        body.append(f"<p>The study's preferred option is <strong>{esc(lab.option(preferred_option(results)))}</strong>.</p>")
    return "".join(body)
