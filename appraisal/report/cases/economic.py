"""The economic case: value for money (NPSV, BCR and the DfT band), value-driver scoring, sensitivity analysis and the
risks.
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from appraisal.report import caveats, charts, programme
from appraisal.report.cases.common import _rag_class, _scoring_note, caveat, missing
from appraisal.report.fmt import esc, is_missing, money, number, short_number, table, value_text
from appraisal.report.labels import Labels
from appraisal.report.summary import buyin_calibrated, choices, counterfactual, preferred_option, unquantified
from appraisal.report.weights import live_weights


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
