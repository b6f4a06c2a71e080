"""The Five Case Model sections (HM Treasury business case guidance): strategic, economic, commercial,
financial and management cases, each built only from the results present. A part with no data says so
in one line. All user text is escaped with ``esc``; tables carry human names, never internal ids.
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from appraisal.report import caveats, charts, programme
from appraisal.report.fmt import esc, is_missing, money, number, pct, short_number, table, value_text
from appraisal.report.labels import NOT_AVAILABLE, Labels, humanise, kind
from appraisal.report.summary import (buyin_calibrated, choices, counterfactual, preferred_option, unquantified,
                                      vehicles_needed)
from appraisal.report.weights import live_weights


def missing(what: str, why: str = "") -> str:
    return f'<p class="missing">{esc(what)}: {NOT_AVAILABLE}{(" — " + esc(why)) if why else ""}.</p>'


def caveat(text: str | None) -> str:
    return f'<p class="caveat"><strong>Caveat.</strong> {esc(text)}</p>' if text else ""


def _rag_class(value) -> str:
    return {"red": "rag-red", "amber": "rag-amber", "green": "rag-green"}.get(str(value).strip().lower(), "")


def _for_option(frame: pd.DataFrame | None, option_id) -> pd.DataFrame | None:
    if frame is None or frame.empty:
        return None
    if "option_id" in frame:
        rows = frame[frame["option_id"] == option_id]
        return rows if not rows.empty else None
    return frame


def _scoring_note(results) -> str | None:
    for n in results.get("notes_run") or []:
        if "scoring" in str(n).lower():
            return str(n).split(":", 1)[-1].strip()
    return None


# --- strategic case -----------------------------------------------------------------------------

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


# --- economic case ------------------------------------------------------------------------------

def vfm_band(bcr) -> str:
    """The DfT value-for-money band of a BCR (a convention for describing it, not a decision rule)."""
    if is_missing(bcr):
        return "–"
    b = float(bcr)
    return ("poor" if b < 1 else "low" if b < 1.5 else "medium" if b < 2 else "high" if b < 4 else "very high")


def economic(results, tables, ch, unit, lab: Labels) -> str:
    body = [programme.decision_table(results, unit, lab)]
    for c in caveats.infeasible(results, lab):
        body.append(caveat(c))
    body.append(ch("options-npsv", f"Present value of benefits and costs, and NPSV, by option ({charts.money_axis(unit)})",
                   charts.options_npsv(results, unit, lab),
                   note="Benefits and costs after adjustments (double counting, optimism bias), discounted."))
    rows = []
    infeasible = lab.infeasible()
    for oid, opt in (results.get("options") or {}).items():
        m = opt.get("metrics") or {}
        rows.append({"option": lab.option(oid), "pv_benefits_gbp": m.get("pv_benefits_gbp"),
                     "pv_costs_gbp": m.get("pv_costs_gbp"), "npsv_gbp": m.get("npsv_gbp"),
                     "benefit-cost ratio": m.get("bcr"), "VfM band of the ratio (DfT)": vfm_band(m.get("bcr")),
                     "payback": m.get("payback_year") or "not within the period",
                     "note": "infeasible" if oid in infeasible else ("view, not ranked" if lab.view_of(oid) else
                                                                      ("do-nothing counterfactual" if counterfactual(opt) else
                                                                       "no money figures in the study" if unquantified(opt) else ""))})
    if rows:
        body.append("<h3>Value for money</h3>" + table(pd.DataFrame(rows), formats={
            "pv_benefits_gbp": lambda v: money(v, unit), "pv_costs_gbp": lambda v: money(v, unit),
            "npsv_gbp": lambda v: money(v, unit), "benefit-cost ratio": lambda v: number(v, 2)},
            headers={"pv_benefits_gbp": "PV benefits", "pv_costs_gbp": "PV costs", "npsv_gbp": "NPSV"}))
        body.append(_vfm_judgement(results, unit, lab))
    body.append(ch("components", f"NPSV by component: {lab.option(preferred_option(results))} ({charts.money_axis(unit)})",
                   charts.components(results, tables.get("component_profile"), preferred_option(results), unit)
                   if preferred_option(results) else None,
                   note="Present value of each benefit (adds) and cost (subtracts) component, adding up to the NPSV."))
    body.append(programme.ownership_table(results, unit, lab))
    body.append(programme.places_table(results, unit, lab))
    body.append(_scoring(results, ch, lab))
    body.append(_sensitivity(results, ch, unit, lab))
    body.append(_risks(results, tables, lab))
    return "".join(body)


def _vfm_judgement(results, unit, lab) -> str:
    pref = preferred_option(results)
    m = ((results.get("options") or {}).get(pref) or {}).get("metrics") or {}
    if pref is None or is_missing(m.get("bcr")):
        return missing("The value-for-money judgement", "no benefit-cost ratio for the preferred option")
    bcr = float(m["bcr"])
    return (f'<p class="vfm"><strong>Judgement.</strong> On the quantified benefits, {esc(lab.option(pref))} returns '
            f"£{bcr:,.2f} of benefit for each £1 of cost (NPSV "
            f"{esc(money(m.get('npsv_gbp'), unit))}), in the DfT's '{vfm_band(bcr)}' band. The ratio is one input to "
            "the value-for-money judgement, not a pass mark: the judgement also weighs the value drivers scored below, "
            "the risks, and what partners will agree.</p>")


def _scoring(results, ch, lab: Labels) -> str:
    scoring = results.get("scoring") or {}
    out = ["<h3 id=\"scoring\">Value drivers: scores and weights</h3>"]
    if not (scoring.get("scores") or scoring.get("rag")):
        return out[0] + missing("Value-driver scoring", _scoring_note(results) or "the study declares no value drivers")
    keep = [oid for oid in (scoring.get("scores") or scoring.get("rag")) if oid in set(choices(results))]
    dropped = [lab.option(o) for o in (scoring.get("scores") or scoring.get("rag")) if o not in keep]
    drivers = scoring.get("drivers") or []
    ids = [d.get("driver_id") for d in drivers] or sorted({k for v in (scoring.get("scores") or scoring.get("rag")).values() for k in v})
    weights = {d.get("driver_id"): d.get("weight") for d in drivers}
    rows = []
    for oid in keep:
        row = {"option": lab.option(oid)}
        for d in ids:
            score = ((scoring.get("scores") or {}).get(oid) or {}).get(d)
            rag = ((scoring.get("rag") or {}).get(oid) or {}).get(d)
            row[d] = " ".join(x for x in (rag or "", "" if is_missing(score) else f"{float(score):.0f}") if x) or "–"
        row["total"] = (scoring.get("total") or {}).get(oid)
        row["rank"] = (scoring.get("rank") or {}).get(oid)
        rows.append(row)
    headers = {d: lab.driver(d) + (f" ({float(weights[d]):.0%})" if not is_missing(weights.get(d)) else "") for d in ids}
    cls = {d: (lambda v: _rag_class(str(v).split(" ")[0])) for d in ids}
    out.append('<p class="note">RAG and value 0–100 per driver; the weight is in brackets.</p>'
               + table(pd.DataFrame(rows), headers=headers, cell_class=cls, formats={"total": lambda v: number(v, 1)},
                       css="data rag"))
    if dropped:
        out.append(caveat(f"Not scored or ranked: {', '.join(dropped)} (infeasible, or a view of another option)."))
    out.append(live_weights(scoring, lab, keep))
    totals = {o: v for o, v in (scoring.get("total") or {}).items() if o in keep}
    out.append(ch("scores-total", "Weighted total score by option at the study's weights (score 0–100)",
                  charts.scores_total(totals, lab), formats={"total_score": lambda v: number(v, 1)}))
    out.append(ch("acceptability", "Rank acceptability: share of uncertain-weight draws giving each rank (%)",
                  charts.acceptability(scoring, lab, keep)))
    return "".join(out)


def _sensitivity(results, ch, unit, lab: Labels) -> str:
    sens = results.get("sensitivity") or {}
    out = ['<h3 id="sensitivity">Sensitivity and switching values</h3>']
    if not sens:
        return out[0] + missing("Sensitivity analysis", "the study declares no uncertain parameters")
    outcome = lab.outcome(sens.get("outcome"))
    is_money = str(sens.get("outcome")).endswith("_gbp")
    money_fmt = {c: (lambda v: money(v, unit)) for c in ("outcome_low_gbp", "outcome_high_gbp")}
    out.append(ch("tornado", f"Tornado: {outcome} with one parameter at a time at its low and high value"
                  + (f" ({charts.money_axis(unit)})" if is_money else ""),
                  charts.tornado(sens, results, unit, lab), formats={**money_fmt, "low value": short_number,
                                                                     "high value": short_number}))
    out.append(ch("sobol", f"Sensitivity indices ({sens.get('method') or 'global'}) of {outcome} (share of variance)",
                  charts.sobol(sens, lab), formats={c: (lambda v: number(v, 3)) for c in ("S1", "S1_conf", "ST", "ST_conf")},
                  caveat=caveats.sensitivity(results, lab)))
    switching = (results.get("scoring") or {}).get("switching") or []
    if switching:
        def given(key):
            return None if is_missing(s.get(key)) else s.get(key)

        rows = []
        for s in switching:
            rows.append({"assumption": s.get("description") or lab.parameter(s.get("parameter")),
                         "base": given("base_value"),
                         "range tested": f"{short_number(s.get('low'))} to {short_number(s.get('high'))}"
                         if given("low") is not None else "–",
                         "NPSV reaches zero at": given("npv_zero_at") if given("npv_zero_at") is not None
                         else (given("npv_status") or "–"),
                         "preferred option changes at": given("preferred_changes_at")
                         if given("preferred_changes_at") is not None else (given("preferred_status") or "–"),
                         "then preferred": lab.option(s["preferred_after_switch"]) if given("preferred_after_switch")
                         else "–"})
        fmt = {c: (lambda v: v if isinstance(v, str) else short_number(v))
               for c in ("base", "NPSV reaches zero at", "preferred option changes at")}
        out.append("<h4>Switching values</h4><p class=note>The value of each assumption at which the NPSV reaches zero, "
                   "or the preferred option changes, the others held at the study's own figures (the base: 1 for a "
                   "multiplier, no delay).</p>" + table(pd.DataFrame(rows), formats=fmt))
    return "".join(out)


def _risks(results, tables, lab: Labels) -> str:
    from appraisal.report.summary import summary_facts

    f = summary_facts(results, tables)
    items = []
    risk = f.get("buyin_risk")
    if risk:
        items.append(f"Partner agreement: {risk['name']} has a {risk['probability'] * 100:.0f}% chance of being agreed "
                     f"by its planned year ({risk['planned_fy'] or risk['planned']})"
                     + ("" if buyin_calibrated(results) else " (uncalibrated behavioural defaults)") + ".")
    top = f.get("top_driver")
    if top and top.get("converged") is not False:
        items.append(f"Uncertainty: {top['label']} explains most of the variance in the {top['outcome_label']}.")
    for adj in results.get("adjustments") or []:
        if isinstance(adj, Mapping) and adj.get("kind") == "optimism_bias":
            items.append(f"Optimism bias of {value_text(adj.get('pct', adj.get('value')))}% is applied to "
                         f"{value_text(adj.get('applies_to') or 'costs')}.")
    items += caveats.horizon(results, tables, lab)
    if not items:
        return "<h3>Risks</h3>" + missing("A risk summary", "no buy-in, sensitivity or horizon results")
    return "<h3>Risks</h3><ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


# --- commercial case ----------------------------------------------------------------------------

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


# --- financial case -----------------------------------------------------------------------------

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


# --- management case ----------------------------------------------------------------------------

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


# --- appendix -----------------------------------------------------------------------------------

def targets_table(results, unit, lab: Labels) -> str:
    targets = results.get("targets") or []
    if not targets:
        return missing("The document's own figures", "the study lists no published figures to reproduce")

    def fmt_for(t):
        metric = str(t.get("metric") or "")
        return (lambda v: value_text(v)) if metric.endswith(("bcr", "year")) else (lambda v: money(v, unit))

    rows = []
    for t in targets:
        f = fmt_for(t)
        ok = t.get("within_tolerance", t.get("ok"))
        rows.append({"figure": t.get("description") or humanise(t.get("target_id")),
                     "document": f(t.get("document", t.get("published"))), "reformkit": f(t.get("ours", t.get("computed"))),
                     "difference": f(t.get("difference")), "reproduced": ok, "source": t.get("source") or "–"})
    cls = {"reproduced": lambda v: "rag-green" if v is True or v == 1 else ("rag-red" if v is False or v == 0 else "")}
    return caveat(caveats.targets(results)) + table(pd.DataFrame(rows), cell_class=cls)


def optimiser_table(results, unit, lab: Labels) -> str:
    opt = results.get("optimise") or {}
    if not opt:
        return missing("Optimiser results")
    rows = []
    for oid, v in opt.items():
        comp = v.get("comparison") if isinstance(v.get("comparison"), Mapping) else None
        changes = comp.get("changes") if comp else None
        n = len(changes) if isinstance(changes, list) else (changes if isinstance(changes, int) else None)
        against = "–"
        if comp:
            gain = v.get("npsv_gain_over_document_gbp", comp.get("npv_gain_gbp"))
            against = (f"{n} services placed differently or at another date" if n is not None else "changes")
            if gain is not None:
                against += f"; NPSV {money(gain, unit, signed=True)}"
        rows.append({"option": lab.option(oid), "status": humanise(v.get("status") or "–"),
                     "NPSV of the optimised plan": v.get("npsv_gbp"), "NPSV of the document's plan": v.get("document_plan_npsv_gbp", v.get("reproduce_npv_gbp")),
                     "gap": v.get("gap"), "seconds": v.get("solve_seconds"), "against the document's plan": against,
                     "diagnosis": v.get("diagnosis") or "–"})
    m = lambda x: money(x, unit)  # noqa: E731
    return ('<p class="intro">The optimiser places services into vehicles, sites and years to maximise NPSV under '
            "each option's rules; the gap is how far the plan could be from the best possible.</p>"
            + table(pd.DataFrame(rows), formats={"NPSV of the optimised plan": m, "NPSV of the document's plan": m,
                                                 "gap": lambda x: pct(x, 2), "seconds": lambda x: number(x, 1)}))


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
