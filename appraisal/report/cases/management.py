"""The management case: phasing, milestones of the plan, partner buy-in (voting power, the cheapest route to agreement)
and dependencies between vehicles.
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from appraisal.report import caveats, charts, programme
from appraisal.report.cases.common import _for_option, caveat, missing
from appraisal.report.fmt import esc, is_missing, money, number, pct, table
from appraisal.report.labels import humanise, Labels
from appraisal.report.summary import preferred_option, vehicles_needed


def management(results, tables, ch, unit, lab: Labels) -> str:
    body = []
    pref = preferred_option(results)
    years = list(results.get("years") or [])
    p = _for_option(tables.get("phasing"), pref)
    if p is None:
        vehicles = (results.get("buyin") or {}).get("vehicles") or {}
        if vehicles:
            from appraisal.report.fmt import month_to_fy
            p = pd.DataFrame([{"vehicle_id": vid, "vehicle_name": v.get("name") or lab.vehicle(vid),
                               "planned_year": month_to_fy(v.get("planned")),
                               "realised_median_year": month_to_fy(v.get("median_establishment"))}
                              for vid, v in vehicles.items()])
    if p is not None and not p.empty:
        body.append(ch("gantt", f"Phasing: vehicle establishment, planned and median buy-in-realised: {lab.option(pref)} "
                       "(financial year)", charts.gantt(p, years, lab),
                       note="Each bar starts in the year a vehicle is established and runs to the end of the horizon; "
                            "a later dark bar means partners are expected to agree later than planned.",
                       caveat=caveats.buyin(results)))
    else:
        body.append(missing("Phasing", "no plan or buy-in results"))
    body.append(programme.workstreams_table(results, lab) + programme.milestones_table(results, lab))
    body.append("<h3>Milestones of the plan</h3>" + _milestones(results, tables, lab))
    buyin = dict(results.get("buyin") or {})
    needed = vehicles_needed(results, tables, pref)
    if buyin and needed is not None:  # only the vehicles the plan uses (never one the option forbids)
        buyin["vehicles"] = {v: x for v, x in (buyin.get("vehicles") or {}).items() if v in needed}
        buyin["pivotal"] = [x for x in buyin.get("pivotal") or [] if x.get("vehicle_id") in needed]
    body.append('<h3 id="buyin">Buy-in: will partners agree in time?</h3>')
    if buyin:
        body.append(caveat(caveats.buyin(results)))
        body.append(ch("buyin", "Probability that partners have agreed each vehicle, by year (%)",
                       charts.buyin_curves(buyin, lab), note="Diamonds mark the planned year.",
                       formats={"probability_agreed": pct}))
        body.append(ch("pivotal", f"Pivotal partners: the {charts.MAX_PIVOTAL} most often decisive (% of simulated decisions)",
                       charts.pivotal(buyin, lab), formats={"pivotal_share": pct}))
        cal = buyin.get("calibration") or {}
        if cal.get("statement"):
            body.append(f"<p class=note>{esc(cal['statement'])}</p>")
        body.append(_power_table(buyin, lab, needed))
        body.append(_cheapest_route(buyin, lab))
        packages = buyin.get("interventions") or []
        if packages:
            frame = pd.DataFrame([{"package": "Baseline (no package)" if x.get("scenario") == "baseline" else humanise(x.get("scenario")), "vehicle": lab.vehicle(x.get("vehicle_id")),
                                   "chance agreed": x.get("prob_agreed"), "change": x.get("delta_prob_agreed"),
                                   "expected delay (years)": x.get("expected_delay_years"), "cost a year": x.get("cost_gbp")}
                                  for x in packages])
            body.append("<h4>Interventions against doing nothing</h4><p class=note>Each package the study declares, "
                        "simulated with the same random numbers as the baseline.</p>"
                        + table(frame, formats={"chance agreed": pct, "change": lambda v: pct(v) if is_missing(v) or v <= 0 else "+" + pct(v),
                                                "expected delay (years)": lambda v: number(v, 2),
                                                "cost a year": lambda v: money(v, "gbp")}))
    else:
        body.append(missing("Partner buy-in", "the study gives no governance or partners"))
    deps = (results.get("labels") or {}).get("dependencies") or []
    body.append("<h3>Dependencies</h3>")
    if deps:
        body.append(table(pd.DataFrame([{"vehicle": lab.vehicle(d.get("vehicle_id")),
                                         "only after": lab.vehicle(d.get("requires_vehicle_id")),
                                         "lag (years)": d.get("min_lag_years", 0), "source": d.get("source")} for d in deps])))
    else:
        body.append(missing("Dependencies between vehicles", "the study declares none (vehicle_dependencies)"))
    body.append(programme.risk_register(results, unit))
    return "".join(body)


def _milestones(results, tables, lab: Labels) -> str:
    pref = preferred_option(results)
    a = _for_option(tables.get("assignment"), pref)
    if a is None or "transfer_year" not in a:
        return missing("Milestones", "no optimised plan")
    name = a["vehicle_name"] if "vehicle_name" in a else a["vehicle_id"].map(lab.vehicle)
    a = a.assign(_v=name.fillna(a["vehicle_id"]), _y=a["transfer_year"].astype(str))
    years = list(results.get("years") or [])
    order = {y: i for i, y in enumerate(years)}
    rows = []
    for v, g in a.groupby("_v", sort=True):
        ys = sorted((y for y in g["_y"] if y in order), key=order.get)
        rows.append({"vehicle": v, "services": len(g), "first transfer": ys[0] if ys else "–",
                     "last transfer": ys[-1] if ys else "–"})
    return table(pd.DataFrame(rows).sort_values("first transfer", kind="stable"))


def _power_table(buyin: Mapping, lab: Labels, needed) -> str:
    """Normalised Banzhaf and Shapley–Shubik power of each board member under the board's rule."""
    power = [x for x in buyin.get("power") or [] if needed is None or x.get("vehicle_id") in needed]
    if not power:
        return ""
    frame = pd.DataFrame([{"vehicle": lab.vehicle(x.get("vehicle_id")),
                           "partner": x.get("partner_name") or lab.partner(x.get("partner_id")),
                           "voting weight": x.get("voting_weight"), "veto": "yes" if x.get("veto") else "no",
                           "Banzhaf": x.get("banzhaf"), "Shapley–Shubik": x.get("shapley_shubik")} for x in power])
    return ("<h4>Voting power on each board</h4><p class=note>Normalised Banzhaf and Shapley–Shubik indices of each "
            "member under the board's rule (vetoes and 'all funders' included): each member's share of the power to "
            "turn a losing coalition into a winning one. They follow from the governance rules alone.</p>"
            f'<details class="data"><summary>Power of each of the {len(frame)} board seats</summary>'
            + table(frame, formats={"voting weight": lambda v: number(v, 2), "Banzhaf": lambda v: number(v, 3),
                                    "Shapley–Shubik": lambda v: number(v, 3)}) + "</details>")


def _cheapest_route(buyin: Mapping, lab: Labels) -> str:
    """The least-cost intervention package that gets each vehicle agreed on time with the target probability."""
    cheapest = buyin.get("cheapest") or {}
    if not cheapest.get("elements"):
        return ""
    frame = pd.DataFrame([{"vehicle": lab.vehicle(x.get("vehicle_id")), "chance without": x.get("baseline_prob"),
                           "chance with": x.get("prob"), "measure": humanise(x.get("element")),
                           "cost a year": x.get("element_cost_gbp"), "what it buys": x.get("buys_prob")}
                          for x in cheapest["elements"]])
    return (f"<h4>Cheapest route to agreement</h4><p class=note>The least-cost package that gets each vehicle agreed by "
            f"its planned year with probability at least {pct(cheapest.get('target_prob'))}: "
            f"{esc(money(cheapest.get('annual_cost_gbp'), 'gbp'))} a year; expected NPSV under buy-in net of it "
            f"{esc(money(cheapest.get('expected_npsv_net_of_package_gbp'), 'gbp'))}.</p>"
            + table(frame, formats={"chance without": pct, "chance with": pct, "what it buys": pct,
                                    "cost a year": lambda v: money(v, "gbp")}))
