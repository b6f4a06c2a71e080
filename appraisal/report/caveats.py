"""Honest caveats, each placed next to the figure it qualifies (and listed in the executive summary).

Every function returns plain sentences computed from the results; none is a fixed disclaimer.
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from appraisal.report.labels import Labels
from appraisal.report.summary import buyin_calibrated, preferred_option


def sensitivity(results: Mapping, lab: Labels) -> str | None:
    sens = results.get("sensitivity") or {}
    if not sens.get("indices"):
        return None
    if sens.get("converged") is False:
        return (f"Not converged: at {sens.get('n') or 'this'} base samples the confidence intervals of these indices are "
                "too wide to rank the parameters; treat them as indicative and rerun with more samples "
                "(reformkit run --samples).")
    if sens.get("converged") is None:
        return "Convergence of these indices was not recorded; treat them as indicative."
    return None


def buyin(results: Mapping) -> str | None:
    if not results.get("buyin"):
        return None
    if buyin_calibrated(results):
        return calibrated_buyin(results["buyin"].get("calibration") or {})
    return ("Uncalibrated: the buy-in model runs on its default behavioural parameters (how financial pressure, risk "
            "appetite and neighbours' stances move a partner), not ones fitted to these partners' past decisions. "
            "Read the probabilities as a comparison between vehicles and packages, not a forecast; a 0% means no "
            "simulated partnership agreed in time under those defaults.")


def calibrated_buyin(cal: Mapping) -> str | None:
    """What a calibrated buy-in rests on, and where the fitted model still misses its evidence (posterior
    predictive share against the observed share, off by more than 15 points)."""
    misses = []
    for t in cal.get("targets") or []:
        pred, n = t.get("predictive_share"), t.get("n_cases") or 0
        if pred is None or not n:
            continue
        obs = t["n_agreed"] / n
        if abs(pred - obs) > 0.15:
            misses.append(f"{t['vehicle_id']} ({t.get('case', 'base rates')}): observed {obs:.0%}, model {pred:.0%}")
    rest = cal.get("uncalibrated_parameters") or []
    text = (f"Calibrated: {', '.join(cal.get('calibrated_parameters') or [])} are drawn from a posterior fitted "
            "to base rates of English partnership vehicles" + (" and this study's recorded evidence"
                                                                 if any(t.get("case", "base rates") != "base rates"
                                                                        for t in cal.get("targets") or []) else "")
            + f"; {len(rest)} other behavioural parameters remain judgement defaults.")
    if misses:
        text += " The fitted model still misses: " + "; ".join(misses) + " — read those vehicles' probabilities with care."
    return text


def infeasible(results: Mapping, lab: Labels) -> list[str]:
    return [f"{lab.option(oid)} is infeasible: {why.rstrip('.')}. It is shown but not scored or ranked."
            for oid, why in lab.infeasible().items()]


def horizon(results: Mapping, tables: Mapping[str, pd.DataFrame], lab: Labels) -> list[str]:
    """Money the plan pushes past the appraisal period: transfers in the final year, vehicles never agreed."""
    out = []
    years = list(results.get("years") or [])
    pref = preferred_option(results)
    a = tables.get("assignment")
    if years and pref and a is not None and {"option_id", "transfer_year"} <= set(a.columns):
        mine = a[a["option_id"] == pref]
        last = mine[mine["transfer_year"].astype(str) == years[-1]]
        if len(last):
            out.append(f"The optimised plan for {lab.option(pref)} transfers {len(last)} of its {len(mine)} services in "
                       f"the final year of the horizon ({years[-1]}): their benefits and costs after {years[-1]} fall "
                       "outside the appraisal period and are not counted, which can flatter late moves.")
    for oid, o in (results.get("options") or {}).items():
        for key, v in ((o or {}).get("metrics") or {}).items():
            if ("beyond_horizon" in key or "outside_horizon" in key) and isinstance(v, (int, float)) and abs(v) > 0.5:
                out.append(f"{lab.option(oid)}: {lab.metric(key)} is {v:,.0f} £, money the plan moves past "
                           f"{years[-1] if years else 'the horizon'} and the appraisal does not count.")
    never = [v.get("name") or lab.vehicle(vid) for vid, v in ((results.get("buyin") or {}).get("vehicles") or {}).items()
             if not v.get("median_establishment")]
    if never:
        out.append(f"In most buy-in simulations partners do not agree {', '.join(never)} within the horizon; if so, the "
                   "money that depends on them falls outside the appraisal period.")
    return out


def targets(results: Mapping) -> str | None:
    rows = results.get("targets") or []
    misses = [t for t in rows if not t.get("within_tolerance", t.get("ok"))]
    if not misses:
        return None
    names = "; ".join(str(t.get("description") or t.get("target_id")) for t in misses[:5])
    more = f" and {len(misses) - 5} more" if len(misses) > 5 else ""
    return f"{len(misses)} of {len(rows)} figures published in the source document did not reproduce: {names}{more}."


def all_caveats(results: Mapping, tables: Mapping[str, pd.DataFrame], lab: Labels) -> list[tuple[str, str]]:
    """(sentence, section id) for the executive summary's list."""
    out = [(c, "economic") for c in infeasible(results, lab)]
    s = sensitivity(results, lab)
    if s:
        out.append(("Sensitivity indices: " + s[0].lower() + s[1:], "sensitivity"))
    b = buyin(results)
    if b:
        out.append(("Buy-in probabilities rest on the agent model's default behavioural parameters, not calibrated "
                    "to these partners: a comparison between vehicles, not a forecast.", "buyin"))
    out += [(c, "financial") for c in horizon(results, tables, lab)]
    t = targets(results)
    if t:
        out.append((t, "targets"))
    return out
