"""Report parts of programmes and benefit ownership (issue 11): the go / do-minimum decision (page 1 and the
economic case), workstreams, milestones and the risk register (management case), the enabler -> realiser
map and the place-based view (economic case). Each is built only from results.json; absent data, no part."""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from appraisal.report.fmt import esc, is_missing, money, number, pct, table
from appraisal.report.labels import Labels, humanise
from appraisal.report.summary import prob_by_planned_year

DECISION = {"go": "Go", "do not go": "Do not go: keep the do-minimum"}


def _optimised(results: Mapping, oid: str):
    return ((results.get("optimise") or {}).get(oid) or {}).get("npsv_gbp")


def programme_headline(results: Mapping, unit: str) -> dict | None:
    """Page 1 of a programme study: the decision asked for (go / do not go), not a ranking."""
    p = results.get("programme")
    if not p:
        return None
    inc = p["incremental"]
    npsv = inc.get("npsv_risk_adjusted_gbp", inc["npsv_gbp"])
    basis = p["decision_basis"]
    verb = "Go ahead" if p["decision"] == "go" else "Do not go ahead"
    rec = (f"{verb} with {p['name']}: against the do-minimum it has a {basis} of {money(npsv, unit)}"
           + (" (positive: it adds value)." if npsv > 0 else " (not positive: it does not pay its way)."))
    numbers = [("The answer", DECISION[p["decision"]], f"on the {basis}"),
               ("NPSV of go less do-minimum", money(inc["npsv_gbp"], unit),
                f"PV benefits {money(inc['pv_benefits_gbp'], unit)}, PV costs {money(inc['pv_costs_gbp'], unit)}")]
    if "npsv_risk_adjusted_gbp" in inc:
        numbers.append(("Risk-adjusted", money(inc["npsv_risk_adjusted_gbp"], unit), "less the expected cost of the "
                                                                                     "quantified risks"))
    best = _optimised(results, p["go"])
    if best is not None:
        numbers.append(("With the optimised phasing", money(best - (_optimised(results, p["do_minimum"]) or 0.0), unit),
                        "go less do-minimum, workstreams phased by the optimiser"))
    return {"label": "Decision", "recommendation": rec, "numbers": numbers}


def decision_table(results: Mapping, unit: str, lab: Labels) -> str:
    """Economic case of a programme: go, do-minimum and go less do-minimum side by side."""
    p = results.get("programme")
    if not p:
        return ""
    opts = results.get("options") or {}
    rows = []
    for label, oid in (("Do minimum", p["do_minimum"]), (f"Go: {p['name']}", p["go"])):
        m = (opts.get(oid) or {}).get("metrics") or {}
        rows.append({"": label, "PV benefits": m.get("pv_benefits_gbp"), "PV costs": m.get("pv_costs_gbp"),
                     "NPSV": m.get("npsv_gbp"), "risk-adjusted NPSV": m.get("npsv_risk_adjusted_gbp"),
                     "NPSV, optimised phasing": _optimised(results, oid)})
    inc = p["incremental"]
    rows.append({"": "Go less do-minimum", "PV benefits": inc["pv_benefits_gbp"], "PV costs": inc["pv_costs_gbp"],
                 "NPSV": inc["npsv_gbp"], "risk-adjusted NPSV": inc.get("npsv_risk_adjusted_gbp"),
                 "NPSV, optimised phasing": (None if _optimised(results, p["go"]) is None else
                                             _optimised(results, p["go"]) - (_optimised(results, p["do_minimum"]) or 0.0))})
    fmt = {c: (lambda v: money(v, unit)) for c in ("PV benefits", "PV costs", "NPSV", "risk-adjusted NPSV",
                                                   "NPSV, optimised phasing")}
    verdict = DECISION[p["decision"]]
    return ('<h3 id="decision">The decision: go against do-minimum</h3>'
            f'<p class="intro">The study is one programme, not a choice between options: it asks whether to go ahead. '
            f'The answer on the {esc(p["decision_basis"])}: <b>{esc(verdict)}</b>.</p>' + table(pd.DataFrame(rows), formats=fmt))


def ownership_table(results: Mapping, unit: str, lab: Labels) -> str:
    rows = results.get("ownership") or []
    if not rows:
        return ""
    pref = (results.get("programme") or {}).get("go") or results.get("preferred_option")
    frame = pd.DataFrame([{"enabled by": lab.vehicle(r["enabler"]) if r["enabler"] else "–",
                           "realised by": lab.vehicle(r["realiser"]) if r["realiser"] else "the programme",
                           "benefit": humanise(r["benefit_id"]), "component": r["component"],
                           "recipient": r.get("recipient") or "–", "PV": (r.get("pv_gbp") or {}).get(pref)} for r in rows])
    return ("<h3 id=\"ownership\">Who realises the benefits, and what enables them</h3><p class=note>Each benefit is "
            "owned once, by the workstream or vehicle that realises it; a benefit with enablers counts only in the "
            f"years every one of them exists. PV under {esc(lab.option(pref))}.</p>"
            + table(frame, formats={"PV": lambda v: money(v, unit)}))


def places_table(results: Mapping, unit: str, lab: Labels) -> str:
    places = results.get("places") or {}
    if not places:
        return ""
    rows = []
    for oid, lst in places.items():
        for r in lst:
            rows.append({"option": lab.option(oid), "place": r["place"], "PV benefits": r["pv_benefits_gbp"],
                         "PV costs": r["pv_costs_gbp"], "NPSV": r["npsv_gbp"]})
    return ("<h3 id=\"places\">The place-based view</h3><p class=note>Each option's benefits, costs and NPSV by "
            "place (a line's own place, else its service's, else its site's); the places add up to the option's "
            "NPSV.</p>" + table(pd.DataFrame(rows), formats={c: (lambda v: money(v, unit))
                                                               for c in ("PV benefits", "PV costs", "NPSV")}))


def workstreams_table(results: Mapping, lab: Labels) -> str:
    p = results.get("programme")
    if not p:
        return ""
    vehicles = ((results.get("buyin") or {}).get("vehicles") or {})
    rows = []
    for w in p["workstreams"]:
        v = vehicles.get(w["workstream_id"])
        rows.append({"workstream": w["name"], "kind": w["kind"], "lead partner": lab.partner(w["lead_partner"]),
                     "enables": ", ".join(lab.vehicle(f) for f in (w.get("feeds") or [])) or "–",
                     "chance agreed by its planned year": prob_by_planned_year(v) if v else None})
    return ("<h3 id=\"workstreams\">Workstreams</h3><p class=note>Each workstream is a vehicle to the optimiser (which "
            "phases it) and to the buy-in model (which asks its lead partner and board).</p>"
            + table(pd.DataFrame(rows), formats={"chance agreed by its planned year":
                                                 lambda v: "–" if is_missing(v) else pct(v)}))


def milestones_table(results: Mapping, lab: Labels) -> str:
    p = results.get("programme")
    if not p or not p["milestones"]:
        return ""
    frame = pd.DataFrame([{"milestone": m["name"], "workstream": lab.vehicle(m["workstream_id"]),
                           "due": m["due_year"] + (f" Q{int(m['due_quarter'])}" if not is_missing(m.get("due_quarter")) else ""),
                           "source": m.get("source")} for m in p["milestones"]])
    return "<h3 id=\"programme-milestones\">Programme milestones</h3>" + table(frame)


def risk_register(results: Mapping, unit: str) -> str:
    reg = (results.get("risks") or {}).get("register") or []
    if not reg:
        return ""
    frame = pd.DataFrame([{"risk": r["description"], "category": r.get("category") or "–", "likelihood": r["likelihood"],
                           "impact": r["impact"], "score": r["score"], "rating": r["rating"], "owner": r["owner"],
                           "mitigation": r.get("mitigation") or "–",
                           "expected cost": r.get("expected_cost_gbp")} for r in reg])
    return ("<h3 id=\"risk-register\">Risk register</h3><p class=note>Score = likelihood × impact (1-5 each); "
            "high ≥ 15, medium ≥ 8. A quantified risk's expected cost is its probability × its cost's mean; its cost "
            "is drawn in the Monte Carlo.</p>"
            + table(frame, formats={"expected cost": lambda v: "–" if is_missing(v) else money(v, unit),
                                    "likelihood": lambda v: number(v, 0), "impact": lambda v: number(v, 0),
                                    "score": lambda v: number(v, 0)}))
