"""The commercial case: the delivery vehicles, the partners, the placement of services into vehicles and the estate."""
from __future__ import annotations

import pandas as pd

from appraisal.report import charts
from appraisal.report.cases.common import _for_option, missing
from appraisal.report.fmt import esc, money, table
from appraisal.report.labels import kind, Labels
from appraisal.report.summary import preferred_option


def commercial(results, tables, ch, unit, lab: Labels) -> str:
    body = ["<h3>Delivery vehicles</h3>"]
    pref = preferred_option(results)
    vehicles = (results.get("labels") or {}).get("vehicles") or {}
    a = _for_option(tables.get("assignment"), pref)
    counts = a.groupby("vehicle_id").size().to_dict() if a is not None and "vehicle_id" in a else {}
    if vehicles:
        body.append(table(pd.DataFrame([{"vehicle": lab.vehicle(vid), "kind": kind(v.get("kind") or "–"),
                                         "planned year": v.get("planned_year") or "–",
                                         "decided by": "–" if v.get("kind") == "status_quo"
                                         else kind(v.get("governance_rule") or "–"),
                                         f"services under {lab.option(pref)} (optimised plan)": counts.get(vid, 0)}
                                        for vid, v in vehicles.items()])))
    else:
        body.append(missing("The list of delivery vehicles"))
    partners = (results.get("labels") or {}).get("partners") or {}
    if partners:
        groups: dict[str, list[str]] = {}
        for pid, p in partners.items():
            groups.setdefault(kind(p.get("type") or "other"), []).append(lab.partner(pid))
        body.append(f"<h3>Partners ({len(partners)})</h3>" + table(pd.DataFrame(
            [{"type": t, "number": len(names), "partners": "; ".join(names)} for t, names in groups.items()])))
    else:
        body.append("<h3>Partners</h3>" + missing("The list of partners"))
    if a is not None:
        sites = "site_id" in a and a["site_id"].notna().any()
        body.append(ch("sankey", f"Services to delivery vehicles{' and sites' if sites else ''}: the optimised plan "
                       f"of {lab.option(pref)} (flow width: staff, FTE)", charts.sankey(a, site_name=lab.site),
                       note="Flow width is staff (FTE) where known, otherwise one per service; the table lists every service."))
    else:
        body.append(missing("The placement of services into vehicles", "no optimised plan"))
    body.append(_estate(tables, pref, unit, lab))
    full = tables.get("assignment")
    if full is not None and "option_id" in full and full["option_id"].nunique() > 1:
        name = full["vehicle_name"] if "vehicle_name" in full else full["vehicle_id"].map(lab.vehicle)
        pivot = pd.crosstab(name.fillna(full["vehicle_id"]), full["option_id"].map(lab.option))
        pivot = pivot.reindex(columns=[lab.option(o) for o in results.get("options") or {} if lab.option(o) in pivot.columns])
        pivot.index.name, pivot.columns.name = "vehicle", None
        body.append("<h3>Services per vehicle, every option</h3>" + table(pivot.reset_index()))
    return "".join(body)


def _estate(tables, pref, unit, lab: Labels) -> str:
    """Existing buildings under the preferred option's optimised plan: kept, co-located into or released."""
    e = _for_option(tables.get("estate"), pref)
    if e is None or e.empty:
        return ""
    rows = pd.DataFrame({"building": e["name"].fillna(e["site_id"]), "decision": e["decision"],
                         "year": e["year"].fillna("–"), "saving over the period": e["saving_gbp"]})
    return (f"<h3>Estate: existing buildings under {esc(lab.option(pref))}</h3>"
            + table(rows, formats={"saving over the period": lambda v: money(v, unit)})
            + '<p class="note">Saving: the release lines of each building (running cost saved, receipts, less '
              "dilapidations) over the horizon, undiscounted and adjusted; a kept building saves nothing.</p>")
