"""The executive summary in plain words, built only from the numbers present in ``results``.

:func:`summary_facts` extracts the figures (preferred option and why, its NPSV, funding need and peak,
buy-in risk, the assumption that would flip the choice, ...); :func:`executive_summary` turns them into
sentences. Nothing here is hard-coded to a study: a fact that is missing from ``results`` produces no
sentence. Sentences are plain text; the HTML layer escapes them.
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from appraisal.report.labels import Labels
from appraisal.report.fmt import fy_start, is_missing, money, month_to_fy, number, pick_unit, short_number, value_text

ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh", 8: "eighth"}


def _ordinal(n: int) -> str:
    return ORDINALS.get(n, f"{n}th")


def _num(value) -> float | None:
    if is_missing(value):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def option_name(results: Mapping, option_id) -> str:
    opt = (results.get("options") or {}).get(option_id) or {}
    return str(opt.get("name") or option_id)


def preferred_option(results: Mapping) -> str | None:
    """results.json's `preferred_option` (appraisal.money.metrics.preferred_option: the study's, else the highest
    NPSV among the options that are choices); failing that, the option with the highest NPSV."""
    options = results.get("options") or {}
    pref = results.get("preferred_option")
    if pref in options:
        return pref
    ranked = npsv_ranking(results)
    return ranked[0] if ranked else None


def choices(results: Mapping) -> list[str]:
    """Options that are real choices: not a view of another option (``view_of``), not infeasible."""
    info = (results.get("labels") or {}).get("options") or {}
    bad = {oid for oid, o in (results.get("optimise") or {}).items()
           if str((o or {}).get("status") or "").lower() == "infeasible"}
    return [oid for oid in (results.get("options") or {}) if oid not in bad and not (info.get(oid) or {}).get("view_of")]


def unquantified(option: Mapping) -> bool:
    """True when the study gives an option no money at all (PV benefits and costs both zero or missing)."""
    m = (option or {}).get("metrics") or {}
    return all((_num(m.get(k)) or 0.0) == 0.0 for k in ("pv_benefits_gbp", "pv_costs_gbp"))


def counterfactual(option: Mapping) -> bool:
    """True for a do-nothing option: no money and a plan that moves no service and sets up no vehicle, so its
    NPSV is zero by construction (the other options' money is measured against it)."""
    changes = (option or {}).get("plan_changes")
    return unquantified(option) and changes is not None and not changes.get("services_moved") \
        and not changes.get("vehicles_established")


def npsv_ranking(results: Mapping) -> list[str]:
    """Real choices by NPSV, highest first (views and infeasible options never rank)."""
    options = results.get("options") or {}
    keep = set(choices(results))
    scored = [(oid, _num((o.get("metrics") or {}).get("npsv_gbp"))) for oid, o in options.items() if oid in keep]
    scored = [(oid, v) for oid, v in scored if v is not None]
    return [oid for oid, _ in sorted(scored, key=lambda t: -t[1])]


def vehicles_needed(results: Mapping, tables: Mapping[str, pd.DataFrame] | None, option_id) -> set | None:
    """Vehicle ids the option uses (from the phasing or assignment table), or None when unknown."""
    tables = tables or {}
    for name in ("phasing", "assignment"):
        frame = tables.get(name)
        if frame is not None and not frame.empty and {"option_id", "vehicle_id"} <= set(frame.columns):
            rows = frame[frame["option_id"] == option_id]
            if not rows.empty:
                return set(rows["vehicle_id"].dropna())
    return None


def prob_by_planned_year(vehicle: Mapping) -> float | None:
    """Probability the vehicle is agreed by the end of its planned financial year."""
    probs = vehicle.get("prob_by_year") or {}
    planned = fy_start(vehicle.get("planned"))
    if planned is None or not probs:
        return None
    best_year, best_p = None, 0.0
    for year, p in probs.items():
        start = fy_start(year)
        if start is not None and start <= planned and (best_year is None or start > best_year) and _num(p) is not None:
            best_year, best_p = start, float(p)
    return best_p


def _months_between(a: str | None, b: str | None) -> int | None:
    try:
        ya, ma = (int(x) for x in str(a).split("-")[:2])
        yb, mb = (int(x) for x in str(b).split("-")[:2])
    except (TypeError, ValueError):
        return None
    return (yb - ya) * 12 + (mb - ma)


def summary_facts(results: Mapping, tables: Mapping[str, pd.DataFrame] | None = None) -> dict:
    """Every figure the executive summary quotes, computed from ``results`` (and ``tables``)."""
    unit = pick_unit(results)
    options = results.get("options") or {}
    lab = Labels(results)
    facts: dict = {"unit": unit, "n_options": len(choices(results))}
    pref = preferred_option(results)
    if pref is None:
        return facts
    metrics = (options.get(pref) or {}).get("metrics") or {}
    facts.update(preferred=pref, preferred_name=option_name(results, pref), preferred_infeasible=pref in lab.infeasible(),
                 preferred_declared=results.get("preferred_option") in options
                 and bool(results.get("preferred_option_declared", True)))
    ranking = npsv_ranking(results)
    facts["npsv_rank"] = ranking.index(pref) + 1 if pref in ranking else None
    if ranking and ranking[0] != pref:
        facts["npsv_leader"] = ranking[0]
        facts["npsv_leader_name"] = option_name(results, ranking[0])
        facts["npsv_leader_gbp"] = _num(options[ranking[0]]["metrics"].get("npsv_gbp"))
    elif len(ranking) > 1:
        second = _num(options[ranking[1]]["metrics"].get("npsv_gbp"))
        tied = [oid for oid in ranking[1:] if abs(_num(options[oid]["metrics"].get("npsv_gbp")) - second) < 0.5]
        names = [option_name(results, oid) for oid in tied]
        facts["npsv_runner_up"] = ranking[1]
        facts["npsv_runner_up_name"] = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        facts["npsv_runner_up_gbp"] = second
    facts["unquantified"] = [option_name(results, o) for o in choices(results)
                             if o != pref and unquantified(options[o]) and not counterfactual(options[o])]
    facts["counterfactual"] = [option_name(results, o) for o in choices(results) if counterfactual(options[o])]
    own = _num(metrics.get("npsv_gbp"))
    facts["npsv_tied_with"] = [option_name(results, o) for o in ranking if o != pref and own is not None
                               and abs((_num(options[o]["metrics"].get("npsv_gbp")) or 0.0) - own) < 0.5]
    for key in ("npsv_gbp", "npv_gbp", "pv_benefits_gbp", "pv_costs_gbp", "bcr", "funding_requirement_gbp"):
        facts[key] = _num(metrics.get(key))
    for key in ("payback_year", "funding_peak_year"):
        facts[key] = None if is_missing(metrics.get(key)) else metrics.get(key)
    years = results.get("years") or []
    facts["first_year"], facts["last_year"] = (years[0], years[-1]) if years else (None, None)

    scoring = results.get("scoring") or {}
    if scoring.get("rank") and pref in scoring["rank"]:
        facts["score_rank"] = int(scoring["rank"][pref])
        facts["score_total"] = _num((scoring.get("total") or {}).get(pref))
        facts["n_scored"] = len(scoring["rank"])
        facts["score_tied_with"] = [option_name(results, o) for o, r in scoring["rank"].items()
                                    if o != pref and _num(r) == facts["score_rank"]]

    positions = results.get("positions") or {}
    dn_total, dn_year = 0.0, None
    for scenarios in positions.values():
        line = (scenarios or {}).get("do_nothing") or {}
        if line:
            last = max(line, key=lambda y: fy_start(y) or 0)
            dn_total += float(line[last].get("cumulative_gbp") or 0.0)
            dn_year = last if dn_year is None or (fy_start(last) or 0) > (fy_start(dn_year) or 0) else dn_year
    if dn_year is not None:
        facts["do_nothing_cumulative_gbp"], facts["do_nothing_year"] = dn_total, dn_year

    buyin = results.get("buyin") or {}
    vehicles = buyin.get("vehicles") or {}
    needed = vehicles_needed(results, tables, pref)
    risks = []
    for vid, v in vehicles.items():
        if needed is not None and vid not in needed:
            continue
        p = prob_by_planned_year(v)
        if p is not None:
            risks.append((p, vid, v))
    if risks:
        p, vid, v = min(risks, key=lambda t: (t[0], str(t[1])))
        facts["buyin_risk"] = {"vehicle_id": vid, "name": v.get("name") or vid, "probability": p,
                               "planned": v.get("planned"), "planned_fy": month_to_fy(v.get("planned")),
                               "median": v.get("median_establishment"),
                               "delay_months": _months_between(v.get("planned"), v.get("median_establishment")),
                               "n_vehicles": len(risks)}
    pivotal = [p for p in (buyin.get("pivotal") or []) if _num(p.get("pivotal_share")) is not None]
    if pivotal:
        top = max(pivotal, key=lambda p: float(p["pivotal_share"]))
        vname = (vehicles.get(top.get("vehicle_id")) or {}).get("name") or top.get("vehicle_id")
        facts["pivotal"] = {"partner": top.get("partner_name") or top.get("partner_id"), "vehicle": vname,
                            "share": float(top["pivotal_share"])}

    switching = scoring.get("switching") or []
    flips, zeros = [], []
    for s in switching:
        base = _num(s.get("base_value"))
        for key, bucket in (("preferred_changes_at", flips), ("npv_zero_at", zeros)):
            at = _num(s.get(key))
            if at is None:
                continue
            rel = abs(at - base) / abs(base) if base not in (None, 0.0) else float("inf")
            bucket.append((rel, abs(at - (base or 0.0)), s, at, base))
    if switching:
        facts["n_switching"] = len(switching)
    for name, bucket in (("flip", flips), ("npv_zero", zeros)):
        if bucket:
            rel, _, s, at, base = min(bucket, key=lambda t: (t[0], t[1]))
            facts[name] = {"parameter": s.get("parameter"), "description": s.get("description") or lab.parameter(s.get("parameter")),
                           "base": base, "at": at, "change_pct": None if rel == float("inf") else 100.0 * (at - base) / abs(base)}

    sens = results.get("sensitivity") or {}
    indices = [i for i in (sens.get("indices") or []) if _num(i.get("ST")) is not None or _num(i.get("mu_star")) is not None]
    if indices:
        key = "ST" if any(_num(i.get("ST")) is not None for i in indices) else "mu_star"
        top = max(indices, key=lambda i: _num(i.get(key)) or float("-inf"))
        facts["top_driver"] = {"parameter": top["parameter"], "label": lab.parameter(top["parameter"]), "index": key,
                               "value": _num(top.get(key)), "outcome": sens.get("outcome"),
                               "outcome_label": lab.outcome(sens.get("outcome")), "method": sens.get("method"),
                               "converged": sens.get("converged")}
    tor = [t for t in (sens.get("tornado") or []) if _num(t.get("outcome_low")) is not None]
    if tor:
        big = max(tor, key=lambda t: abs(float(t["outcome_high"]) - float(t["outcome_low"])))
        facts["largest_swing"] = {"parameter": big["parameter"], "label": lab.parameter(big["parameter"]),
                                  "low_value": big.get("low_value"), "high_value": big.get("high_value"),
                                  "outcome_low": _num(big["outcome_low"]), "outcome_high": _num(big["outcome_high"]),
                                  "outcome": sens.get("outcome"), "outcome_label": lab.outcome(sens.get("outcome"))}

    targets = results.get("targets") or []
    if targets:
        ok = [t for t in targets if t.get("within_tolerance", t.get("ok"))]
        facts["targets"] = {"n": len(targets), "ok": len(ok)}
        misses = [t for t in targets if not t.get("within_tolerance", t.get("ok"))]
        if misses:
            worst = max(misses, key=lambda t: abs(_num(t.get("difference")) or 0.0))
            facts["targets"]["worst"] = worst

    opt = (results.get("optimise") or {}).get(pref)
    if opt:
        facts["optimise"] = {"status": opt.get("status"), "gap": _num(opt.get("gap")), "diagnosis": opt.get("diagnosis")}
    return facts


def _value(v, parameter: str | None, unit: str) -> str:
    if parameter and str(parameter).endswith("_gbp"):
        return money(v, unit)
    return short_number(v)


OUTCOMES = {"npsv_gbp": "the NPSV", "npv_gbp": "the NPV", "bcr": "the benefit-cost ratio",
            "funding_requirement_gbp": "the funding requirement", "total": "the weighted score"}


def outcome_label(outcome) -> str:
    return OUTCOMES.get(str(outcome), str(outcome)) if outcome else "the outcome"


def _signed_pct(x: float) -> str:
    return ("+" if x > 0 else ("\u2212" if x < 0 else "")) + f"{abs(x):.0f}%"


def executive_summary(results: Mapping, tables: Mapping[str, pd.DataFrame] | None = None) -> list[str]:
    """Plain-language sentences for the executive summary, each computed from the numbers present."""
    f = summary_facts(results, tables)
    unit = f["unit"]
    out: list[str] = []
    if "preferred" not in f:
        out.append("No option has results to summarise.")
        return out
    name = f["preferred_name"]
    n = f["n_options"]
    if f.get("preferred_declared"):
        lead = f"{name} is the preferred option"
    else:
        lead = f"No preferred option is declared; {name} leads on net present social value"
    reasons = []
    others_blank = n > 1 and len(f.get("unquantified") or []) == n - 1
    if others_blank and f.get("npsv_rank") == 1:
        reasons.append(f"it is the only one of the {n} options whose money the study quantifies")
    elif f.get("npsv_rank") == 1 and n > 1 and f.get("preferred_declared"):
        runner = f.get("npsv_runner_up_name")
        gap = (f["npsv_gbp"] - f["npsv_runner_up_gbp"]) if runner and f.get("npsv_runner_up_gbp") is not None else None
        level = f.get("npsv_tied_with") or []
        if level:
            reasons.append(f"it has the joint highest net present social value (NPSV) of the {n} options, level with "
                           f"{', '.join(level)}")
        else:
            reasons.append(f"it has the highest net present social value (NPSV) of the {n} options"
                           + (f", {money(gap, unit)} ahead of {runner}" if gap is not None else ""))
    if f.get("score_rank") is not None:
        total = f" with a total score of {number(f['score_total'], 1)}" if f.get("score_total") is not None else ""
        tied = f.get("score_tied_with") or []
        joint = "joint " if tied else ""
        with_ = f" (tied with {', '.join(tied)})" if tied else ""
        reasons.append(f"it ranks {joint}{_ordinal(f['score_rank'])} of {f['n_scored']} on the weighted scoring"
                       f"{total}{with_}")
    sentence = lead + (": " + " and ".join(reasons) if reasons else "") + "."
    out.append(sentence)
    blank = f.get("unquantified") or []
    if blank:
        out.append(f"{'; '.join(blank)} {'carries' if len(blank) == 1 else 'carry'} no money figures in the study: "
                   "an NPSV of zero there means not quantified, not no value.")
    base = f.get("counterfactual") or []
    if base:
        out.append(f"{'; '.join(base)} {'is' if len(base) == 1 else 'are'} the do-nothing counterfactual: nothing "
                   "moves, and every other option's money is measured against it, so its NPSV is zero by construction.")
    if f.get("npsv_leader_name"):
        out.append(f"{f['npsv_leader_name']} has a higher NPSV ({money(f['npsv_leader_gbp'], unit)} against "
                   f"{money(f['npsv_gbp'], unit)}): preferring {name} is a judgement on the non-monetary value "
                   f"drivers and risks, which the economic case sets out.")

    if f.get("npsv_gbp") is not None:
        parts = [f"The NPSV of {name} is {money(f['npsv_gbp'], unit)}"]
        if f.get("pv_benefits_gbp") is not None and f.get("pv_costs_gbp") is not None:
            parts.append(f" (present value of benefits {money(f['pv_benefits_gbp'], unit)} against costs "
                         f"{money(f['pv_costs_gbp'], unit)}")
            parts.append(f", a benefit-cost ratio of {number(f['bcr'], 2)})" if f.get("bcr") is not None else ")")
        if f.get("npv_gbp") is not None and abs(f["npv_gbp"] - f["npsv_gbp"]) > 1e-6:
            parts.append(f"; counting cashable benefits only, the NPV is {money(f['npv_gbp'], unit)}")
        out.append("".join(parts) + ".")
    if f.get("payback_year"):
        out.append(f"Cumulative net cash turns positive (payback) in {f['payback_year']}.")
    elif f.get("last_year") and "payback_year" in f:
        out.append(f"It does not pay back within the appraisal period ({f['first_year']} to {f['last_year']}).")

    need = f.get("funding_requirement_gbp")
    if need is not None:
        if need > 0:
            peak = f" and the need peaks in {f['funding_peak_year']}" if f.get("funding_peak_year") else ""
            out.append(f"It needs {money(need, unit)} of funding before savings cover costs{peak}.")
        else:
            out.append("It needs no up-front funding: cumulative net cash never falls below zero.")
    if f.get("do_nothing_year"):
        out.append(f"Doing nothing, the partners' combined cumulative budget position reaches "
                   f"{money(f['do_nothing_cumulative_gbp'], unit)} by {f['do_nothing_year']}.")

    risk = f.get("buyin_risk")
    if risk:
        who = "the vehicle it needs" if risk["n_vehicles"] == 1 else f"the {risk['n_vehicles']} vehicles it needs"
        s = (f"Buy-in risk: of {who}, {risk['name']} is least likely to be agreed on time, with a "
             f"{risk['probability'] * 100:.0f}% chance that partners agree it by its planned year"
             f" ({risk['planned_fy'] or risk['planned']})")
        if risk.get("median"):
            delay = risk.get("delay_months")
            late = (f", {delay} months after the plan" if delay and delay > 0 else
                    (f", {-delay} months ahead of the plan" if delay and delay < 0 else ""))
            s += f"; the median agreement date in the simulations is {risk['median']}{late}"
        else:
            s += "; in most simulations it is not agreed within the horizon"
        out.append(s + ".")
    piv = f.get("pivotal")
    if piv:
        out.append(f"{piv['partner']} is the most often pivotal partner: its vote decides {piv['vehicle']} in "
                   f"{piv['share'] * 100:.0f}% of the simulated decisions.")

    flip = f.get("flip")
    if flip:
        change = f", a change of {_signed_pct(flip['change_pct'])}" if flip.get("change_pct") is not None else ""
        out.append(f"The assumption closest to flipping the choice is {flip['description']}: the preferred option "
                   f"changes if it moves from {_value(flip['base'], flip['parameter'], unit)} to "
                   f"{_value(flip['at'], flip['parameter'], unit)}{change}.")
    elif f.get("n_switching"):
        out.append(f"None of the {f['n_switching']} assumptions tested changes the preferred option within its range.")
    zero = f.get("npv_zero")
    if zero:
        change = f" ({_signed_pct(zero['change_pct'])})" if zero.get("change_pct") is not None else ""
        out.append(f"The NPSV would fall to zero if {zero['description']} moved from "
                   f"{_value(zero['base'], zero['parameter'], unit)} to {_value(zero['at'], zero['parameter'], unit)}{change}.")

    top = f.get("top_driver")
    if top:
        what = top["outcome_label"]
        label = "total-order Sobol index" if top["index"] == "ST" else "Morris μ*"
        if top.get("converged") is False:
            out.append(f"The sensitivity indices of the {what} have not converged at this sample size, so which "
                       f"parameter drives its uncertainty is not yet established (largest so far: {top['label']}).")
        else:
            out.append(f"Most of the uncertainty in the {what} comes from {top['label']} ({label} {number(top['value'], 2)}).")

    opt = f.get("optimise")
    if opt and opt.get("status"):
        gap = f" (gap {opt['gap'] * 100:.2f}%)" if opt.get("gap") is not None else ""
        s = f"The optimiser's plan for {name} is {str(opt['status']).replace('_', ' ')}{gap}"
        if opt.get("diagnosis"):
            s += f": {opt['diagnosis']}"
        out.append(s.rstrip(".") + ".")

    t = f.get("targets")
    if t:
        s = f"{t['ok']} of {t['n']} figures published in the source document are reproduced within tolerance"
        worst = t.get("worst")
        if worst:
            s += (f"; the largest difference is {worst.get('description') or worst.get('target_id')} "
                  f"(document {value_text(worst.get('document', worst.get('published')))}, "
                  f"ours {value_text(worst.get('ours', worst.get('computed')))})")
        out.append(s + ".")

    extra = (results.get("summary") or {}).get("sentences") or []
    out.extend(str(s) for s in extra)
    return out


# --- the one-page executive summary: recommendation, three numbers, the assumption that would change it ---

def buyin_calibrated(results: Mapping) -> bool:
    """True only when the buy-in results say their behavioural parameters were calibrated."""
    buyin = results.get("buyin") or {}
    cal = buyin.get("calibration")
    if isinstance(cal, Mapping):
        return bool(cal.get("calibrated"))
    return bool(buyin.get("calibrated"))


def headline(results: Mapping, tables: Mapping[str, pd.DataFrame] | None = None) -> dict:
    """``recommendation`` (sentence), ``numbers`` [(label, value, note)], ``assumption`` (sentence)."""
    f = summary_facts(results, tables)
    unit = f["unit"]
    if "preferred" not in f:
        return {"recommendation": "No option has results to summarise.", "numbers": [], "assumption": None}
    name = f["preferred_name"]
    why = []
    if f.get("npsv_rank") == 1 and f["n_options"] > 1 and len(f.get("unquantified") or []) == f["n_options"] - 1:
        why.append(f"the only one of the {f['n_options']} options whose money the study quantifies")
    elif f.get("npsv_rank") == 1 and f["n_options"] > 1:
        level = f.get("npsv_tied_with") or []
        why.append(f"the joint highest NPSV of the {f['n_options']} options (level with {', '.join(level)})" if level
                   else f"the highest NPSV of the {f['n_options']} options")
    elif f.get("npsv_leader_name"):
        why.append(f"a lower NPSV than {f['npsv_leader_name']}, so the choice rests on the value drivers and risks")
    if f.get("score_rank") is not None:
        joint = "joint " if f.get("score_tied_with") else ""
        why.append(f"{joint}{_ordinal(f['score_rank'])} of {f['n_scored']} on the weighted value drivers")
    if f.get("preferred_infeasible"):
        rec = f"{name} is the study's preferred option, but no plan satisfies its rules (infeasible); it cannot be recommended as specified."
    elif f.get("preferred_declared"):
        rec = f"{name} is recommended, as the study's preferred option" + (f": {'; '.join(why)}." if why else ".")
    else:
        rec = f"No preferred option is declared; {name} leads on NPSV" + (f" ({'; '.join(why)})." if why else ".")
    numbers = []
    if f.get("npsv_gbp") is not None:
        note = f"benefit-cost ratio {number(f['bcr'], 2)}" if f.get("bcr") is not None else "benefit-cost ratio not available"
        numbers.append(("Net present social value", money(f["npsv_gbp"], unit), note))
    else:
        numbers.append(("Net present social value", "not available", ""))
    need = f.get("funding_requirement_gbp")
    if need is not None:
        note = f"peaks in {f['funding_peak_year']}" if need > 0 and f.get("funding_peak_year") else (
            "cumulative cash never below zero" if need <= 0 else "")
        numbers.append(("Funding need before savings cover costs", money(need, unit), note))
    else:
        numbers.append(("Funding need", "not available", ""))
    on_time = _num(((results.get("buyin_by_option") or {}).get(f["preferred"]) or {}).get("prob_agreed_on_time"))
    if f.get("preferred_infeasible"):
        numbers.append(("Chance partners agree in time", "not applicable", "no feasible plan to agree"))
    elif on_time is not None:
        note = "every vehicle the plan needs agreed by its planned year"
        if not buyin_calibrated(results):
            note += "; behavioural defaults, uncalibrated"
        numbers.append(("Chance partners agree in time", f"{on_time * 100:.0f}%", note))
    elif f.get("score_rank") is not None:
        numbers.append(("Weighted value-driver score", number(f.get("score_total"), 1),
                        f"{_ordinal(f['score_rank'])} of {f['n_scored']}"))
    elif f.get("payback_year"):
        numbers.append(("Payback", str(f["payback_year"]), "cumulative net cash turns positive"))
    return {"recommendation": rec, "numbers": numbers, "assumption": pivotal_assumption(f)}


def pivotal_assumption(f: Mapping) -> str | None:
    """The one assumption that would change the recommendation, or the one that moves it most."""
    unit = f["unit"]
    flip = f.get("flip")
    if flip:
        return (f"{flip['description'][:1].upper()}{flip['description'][1:]}: the preferred option changes if it moves from "
                f"{_value(flip['base'], flip['parameter'], unit)} to {_value(flip['at'], flip['parameter'], unit)}.")
    zero = f.get("npv_zero")
    if zero:
        return (f"{zero['description'][:1].upper()}{zero['description'][1:]}: the NPSV falls to zero if it moves from "
                f"{_value(zero['base'], zero['parameter'], unit)} to {_value(zero['at'], zero['parameter'], unit)}.")
    swing = f.get("largest_swing")
    if swing:
        tested = f"None of the {f['n_switching']} assumptions tested changes the choice within its range. " \
            if f.get("n_switching") else ""
        money_outcome = str(swing.get("outcome") or "").endswith("_gbp")
        show = (lambda v: money(v, unit)) if money_outcome else (lambda v: number(v, 2))
        return (f"{tested}The one that moves it most is {swing['label']}: from {short_number(swing['low_value'])} to "
                f"{short_number(swing['high_value'])} it takes the {swing['outcome_label']} from "
                f"{show(swing['outcome_low'])} to {show(swing['outcome_high'])}.")
    if f.get("n_switching"):
        return f"None of the {f['n_switching']} assumptions tested changes the choice within its range."
    return None
