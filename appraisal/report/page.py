"""The report page: sections as small HTML-building functions. All user text is escaped with ``esc``.

Charts are rendered through :class:`Charts`, which embeds plotly.js exactly once (with the first chart)
and puts each chart's data table beside it in a ``<details>`` element.
"""
from __future__ import annotations

import json
import re
from typing import Callable, Mapping

import pandas as pd
import plotly.graph_objects as go

from appraisal.report import charts
from appraisal.report.fmt import (esc, is_missing, kv_table, money, money_columns, month_to_fy, number, pct, pick_unit,
                                  short_number, table)
from appraisal.report.style import CSS
from appraisal.report.summary import executive_summary, option_name, outcome_label, preferred_option

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True,
                 "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}


class Charts:
    """Renders figures in document order; the first carries the one embedded copy of plotly.js."""

    def __init__(self, unit: str, details_open: bool = False):
        self.unit, self.details_open, self.count, self.ids = unit, details_open, 0, set()

    def __call__(self, key: str, title: str, built: tuple[go.Figure, pd.DataFrame] | None, *,
                 note: str | None = None, formats: Mapping | None = None) -> str:
        if built is None:
            return ""
        fig, data = built
        div_id = self._id(key)
        height = int(fig.layout.height or 380)
        plot = fig.to_html(full_html=False, include_plotlyjs=self.count == 0, config=PLOTLY_CONFIG,
                           div_id=div_id, default_width="100%", default_height=f"{height}px")
        self.count += 1
        fmts = {**money_columns(data.columns, self.unit), **{c: pct for c in data.columns if str(c).startswith("P(")},
                **(formats or {})}
        opened = " open" if self.details_open else ""
        return (f'<figure class="chart" id="fig-{esc(div_id)}"><figcaption>{esc(title)}</figcaption>'
                f'{f"<p class=note>{esc(note)}</p>" if note else ""}'
                f'<div class="plot">{plot}</div>'
                f'<details class="data"{opened}><summary>Data table: {esc(title)}</summary>'
                f'{table(data, formats=fmts)}</details></figure>')

    def _id(self, key: str) -> str:
        base = "chart-" + (re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-") or "x")
        out, i = base, 2
        while out in self.ids:
            out, i = f"{base}-{i}", i + 1
        self.ids.add(out)
        return out


def section(sid: str, title: str, body: str, intro: str | None = None) -> str:
    if not body.strip():
        return ""
    lead = f'<p class="intro">{esc(intro)}</p>' if intro else ""
    return f'<section id="{esc(sid)}"><h2>{esc(title)}</h2>{lead}{body}</section>'


def _rag_class(value) -> str:
    return {"red": "rag-red", "amber": "rag-amber", "green": "rag-green"}.get(str(value).strip().lower(), "")


# --- sections ---------------------------------------------------------------------------------------

def sec_summary(results, tables) -> str:
    items = "".join(f"<li>{esc(s)}</li>" for s in executive_summary(results, tables))
    notes = "".join(f"<p class=note>{esc(n)}</p>" for n in results.get("notes_run") or [])
    return section("summary", "Executive summary", f'<ul class="summary">{items}</ul>{notes}')


def sec_options(results, tables, ch: Charts, unit: str) -> str:
    pref = preferred_option(results)
    body = [ch("options-npsv", "Present value of benefits and costs, and NPSV, by option", charts.options_npsv(results, unit),
               note="Benefits and costs after adjustments (double counting, optimism bias), discounted.",
               formats={"bcr": lambda v: number(v, 2)})]
    scoring = results.get("scoring") or {}
    if scoring.get("scores") or scoring.get("rag"):
        drivers = scoring.get("drivers") or []
        names = {d.get("driver_id"): d.get("name") or d.get("driver_id") for d in drivers}
        weights = {d.get("driver_id"): d.get("weight") for d in drivers}
        ids = [d.get("driver_id") for d in drivers] or sorted({k for v in (scoring.get("scores") or scoring.get("rag")).values() for k in v})
        rows = []
        for oid in (scoring.get("scores") or scoring.get("rag")):
            row = {"option": option_name(results, oid)}
            for d in ids:
                score = ((scoring.get("scores") or {}).get(oid) or {}).get(d)
                rag = ((scoring.get("rag") or {}).get(oid) or {}).get(d)
                row[d] = " ".join(x for x in (rag or "", "" if is_missing(score) else f"{float(score):.0f}") if x) or "–"
            row["total"] = (scoring.get("total") or {}).get(oid)
            row["rank"] = (scoring.get("rank") or {}).get(oid)
            rows.append(row)
        frame = pd.DataFrame(rows)
        headers = {d: f"{names.get(d, d)}" + (f" (weight {float(weights[d]):.0%})" if not is_missing(weights.get(d)) else "")
                   for d in ids}
        cls = {d: (lambda v: _rag_class(str(v).split(" ")[0])) for d in ids}
        body.append('<h3>Scoring against the value drivers (RAG and score 0–100)</h3>'
                    + table(frame, headers=headers, cell_class=cls, formats={"total": lambda v: number(v, 1)}, css="data rag"))
        body.append(ch("scores-total", "Weighted total score by option", charts.scores_total(scoring, results),
                       formats={"total_score": lambda v: number(v, 1)}))
        body.append(ch("acceptability", "Rank acceptability (probability of each rank under uncertain weights)",
                       charts.acceptability(scoring, results)))
    if pref is not None:
        body.append(ch("by-party", f"Who pays, who benefits: {option_name(results, pref)} (undiscounted, adjusted)",
                       charts.by_party(results, pref, unit, partner_names(results, tables))))
    return section("options", "Options side by side", "".join(body))


def partner_names(results, tables) -> dict:
    """partner_id -> name, from a `partners` table or the buy-in section, when either is given."""
    names = {p.get("partner_id"): p.get("partner_name") for p in (results.get("buyin") or {}).get("pivotal") or []
             if p.get("partner_name")}
    partners = tables.get("partners")
    if partners is not None and {"partner_id", "name"} <= set(partners.columns):
        names.update(dict(zip(partners["partner_id"], partners["name"])))
    return names


def _for_option(frame: pd.DataFrame | None, option_id) -> pd.DataFrame | None:
    if frame is None or frame.empty:
        return None
    if "option_id" in frame:
        rows = frame[frame["option_id"] == option_id]
        return rows if not rows.empty else None
    return frame


def sec_services(results, tables, ch: Charts) -> str:
    pref = preferred_option(results)
    a = _for_option(tables.get("assignment"), pref)
    if a is None:
        return ""
    body = [ch("sankey", f"Services to delivery vehicles{' and sites' if 'site_id' in a and a['site_id'].notna().any() else ''}: "
               f"{option_name(results, pref)}", charts.sankey(a),
               note="Flow width is staff (FTE) where known, otherwise one per service.")]
    if "site_id" in a and a["site_id"].notna().any():
        g = a.groupby("site_id", sort=True)
        sites = pd.DataFrame({"site_id": list(g.groups), "services": g.size().values,
                              "vehicles": [", ".join(sorted(map(str, set(x.dropna())))) for _, x in
                                           g["vehicle_name" if "vehicle_name" in a else "vehicle_id"]]})
        if "fte" in a:
            sites["fte"] = g["fte"].sum().values
        body.append("<h3>Services by site</h3>" + table(sites))
    full = tables.get("assignment")
    if full is not None and "option_id" in full and full["option_id"].nunique() > 1:
        counts = full.groupby(["option_id", "vehicle_name" if "vehicle_name" in full else "vehicle_id"]).size()
        body.append("<h3>Services per vehicle, every option</h3>"
                    + table(counts.rename("services").reset_index()))
    return section("services", "Services to vehicles and sites", "".join(body))


def _phasing_from_buyin(results) -> pd.DataFrame | None:
    vehicles = (results.get("buyin") or {}).get("vehicles") or {}
    if not vehicles:
        return None
    return pd.DataFrame([{"vehicle_id": vid, "vehicle_name": v.get("name") or vid,
                          "planned_year": month_to_fy(v.get("planned")),
                          "realised_median_year": month_to_fy(v.get("median_establishment"))}
                         for vid, v in vehicles.items()])


def sec_phasing(results, tables, ch: Charts) -> str:
    pref = preferred_option(results)
    p = _for_option(tables.get("phasing"), pref)
    if p is None:
        p = _phasing_from_buyin(results)
    if p is None or p.empty:
        return ""
    return section("phasing", "Phasing: planned against buy-in-realised",
                   ch("gantt", f"Vehicle establishment, planned and median buy-in-realised: {option_name(results, pref)}",
                      charts.gantt(p, list(results.get("years") or []))),
                   intro="Each bar starts in the year a vehicle is established and runs to the end of the horizon; "
                         "a later dark bar means partners are expected to agree later than planned.")


def sec_money(results, tables, ch: Charts, unit: str) -> str:
    pref = preferred_option(results)
    body = []
    if pref is not None:
        body.append(ch("yearly", f"Yearly profile: {option_name(results, pref)}", charts.yearly(results, pref, unit),
                       note="Benefits above the axis, costs below, after adjustments; undiscounted."))
    body.append(ch("cumulative", "Cumulative net position by option, against the do-nothing line",
                   charts.cumulative(results, unit),
                   note="Below zero is funding needed. Dashed lines are the partners' own cumulative budget positions."))
    if pref is not None:
        body.append(ch("components", f"NPSV by component: {option_name(results, pref)}",
                       charts.components(results, tables.get("component_profile"), pref, unit),
                       note="Present value of each benefit (up) and cost (down) component, adding up to the NPSV."))
    return section("money", "Money: yearly profile, funding and NPV by component", "".join(body))


def sec_buyin(results, tables, ch: Charts) -> str:
    buyin = results.get("buyin") or {}
    if not buyin:
        return ""
    cal = buyin.get("calibration") or {}
    dagger = "" if cal.get("calibrated") else " †"
    body = [f"<p class=note>{esc(cal['statement'])}</p>" if cal.get("statement") else "",
            ch("buyin", f"Probability that partners have agreed each vehicle, by year{dagger}", charts.buyin_curves(buyin),
               note="Diamonds mark the planned year.", formats={"probability_agreed": pct}),
            ch("pivotal", f"Pivotal partners{dagger}", charts.pivotal(buyin), formats={"pivotal_share": pct})]
    power = buyin.get("power") or []
    if power:
        frame = pd.DataFrame(power)[["vehicle_id", "partner_name", "voting_weight", "veto", "funds", "banzhaf",
                                     "shapley_shubik"]].rename(columns={"vehicle_id": "vehicle", "partner_name": "partner"})
        body.append("<h3>Voting power on each board</h3><p class=note>Normalised Banzhaf and Shapley–Shubik indices "
                    "of each member under the board's rule (vetoes and 'all funders' included): a share of the "
                    "power to turn a losing coalition into a winning one. They follow from the rules alone.</p>"
                    + table(frame, formats={"banzhaf": lambda v: number(v, 3), "shapley_shubik": lambda v: number(v, 3)}))
    cheapest = buyin.get("cheapest") or {}
    if cheapest.get("elements"):
        frame = pd.DataFrame(cheapest["elements"])[["vehicle_id", "baseline_prob", "prob", "element", "level",
                                                    "element_cost_gbp", "buys_prob"]]
        body.append(f"<h3>Cheapest route to agreement{dagger}</h3><p class=note>The least-cost package getting each "
                    f"vehicle agreed by its planned year with probability at least {pct(cheapest['target_prob'])}: "
                    f"{esc(money(cheapest['annual_cost_gbp'], 'gbp'))} a year; expected NPSV under buy-in "
                    f"{esc(money(cheapest.get('expected_npsv_net_of_package_gbp'), 'gbp'))} net of it. "
                    f"{esc(cheapest.get('cost_basis', ''))}.</p>"
                    + table(frame, formats={"baseline_prob": pct, "prob": pct, "buys_prob": pct,
                                            "element_cost_gbp": lambda v: money(v, "gbp")}))
    packages = buyin.get("interventions") or []
    if packages:
        frame = pd.DataFrame(packages)[["scenario", "vehicle_id", "prob_agreed", "delta_prob_agreed",
                                        "expected_delay_years", "cost_gbp"]]
        frame = frame.rename(columns={"scenario": "package", "vehicle_id": "vehicle"})
        body.append("<h3>Interventions against doing nothing</h3><p class=note>Each package the study declares, "
                    "simulated with the same random numbers as the baseline; cost is a year's cost of the package.</p>"
                    + table(frame, formats={"prob_agreed": pct, "delta_prob_agreed": pct,
                                            "expected_delay_years": lambda v: number(v, 2),
                                            "cost_gbp": lambda v: money(v, "gbp")}))
    return section("buyin", "Buy-in: will partners agree in time?", "".join(body))


def sec_sensitivity(results, tables, ch: Charts, unit: str) -> str:
    sens = results.get("sensitivity") or {}
    body = []
    if sens:
        outcome = outcome_label(sens.get("outcome"))
        money_fmt = {c: (lambda v: money(v, unit)) for c in ("outcome_low", "outcome_high")} \
            if str(sens.get("outcome")).endswith("_gbp") else {}
        body.append(ch("tornado", f"Tornado: {outcome} with one parameter at a time at its low and high value",
                       charts.tornado(sens, results, unit), formats=money_fmt))
        body.append(ch("sobol", f"Sensitivity indices ({sens.get('method') or 'global'}) of {outcome}",
                       charts.sobol(sens), formats={c: (lambda v: number(v, 3)) for c in ("S1", "S1_conf", "ST", "ST_conf")}))
    switching = (results.get("scoring") or {}).get("switching") or []
    if switching:
        frame = pd.DataFrame(switching)
        short = {c: short_number for c in ("npv_zero_at", "preferred_changes_at", "base_value")}
        body.append("<h3>Switching values</h3><p class=note>The value of each assumption at which the NPSV "
                    "reaches zero, or the preferred option changes (– means no switch within the range tested).</p>"
                    + table(frame, formats=short))
    return section("sensitivity", "Sensitivity and switching values", "".join(body))


def sec_optimise(results, tables) -> str:
    opt = results.get("optimise") or {}
    if not opt:
        return ""
    frame = pd.DataFrame([{"option": option_name(results, oid), **v} for oid, v in opt.items()])
    fmts = {"gap": lambda v: pct(v, 2), "solve_seconds": lambda v: number(v, 1),
            **money_columns(frame.columns, pick_unit(results))}
    return section("optimise", "How the plans were found (optimiser)", table(frame, formats=fmts),
                   intro="Objective and bound are the net present value of the plan; the gap is how far the "
                         "plan could be from the best possible.")


def sec_targets(results, tables) -> str:
    targets = results.get("targets") or []
    if not targets:
        return ""
    frame = pd.DataFrame(targets).rename(columns={"published": "document", "computed": "ours", "ok": "within_tolerance"})
    cols = [c for c in ("target_id", "description", "document", "ours", "difference", "within_tolerance", "source")
            if c in frame]
    cls = {"within_tolerance": lambda v: "rag-green" if v is True or v == 1 else ("rag-red" if v is False or v == 0 else "")}
    return section("targets", "The document's figures beside ours",
                   table(frame[cols], cell_class=cls,
                         headers={"document": "document", "ours": "reformkit", "within_tolerance": "within tolerance"}),
                   intro="Each published figure from the source business case, the figure reformkit computes "
                         "from the same inputs, and whether they agree within the stated tolerance.")


def _flatten(d, prefix="") -> list[tuple[str, object]]:
    rows = []
    for k, v in (d or {}).items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            rows.extend(_flatten(v, key + "."))
        elif isinstance(v, (list, tuple)):
            rows.append((key, ", ".join(json.dumps(x, default=str) if isinstance(x, (dict, list)) else str(x) for x in v)))
        else:
            rows.append((key, v))
    return rows


def sec_assumptions(results, tables) -> str:
    body = []
    disc = results.get("discounting")
    if disc:
        body.append("<h3>Discounting</h3>" + kv_table(_flatten(disc)))
    adj = results.get("adjustments")
    if adj:
        frame = pd.DataFrame(adj)
        for c in frame.columns:
            if frame[c].map(lambda v: isinstance(v, (list, tuple))).any():
                frame[c] = frame[c].map(lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
        body.append("<h3>Adjustments</h3>" + table(frame))
    years = results.get("years")
    if years:
        body.append(f"<p>Appraisal period: {esc(years[0])} to {esc(years[-1])} ({len(years)} years). "
                    f"Money shown in {esc({'gbp': 'pounds', 'gbp_k': 'thousands of pounds', 'gbp_m': 'millions of pounds'}[pick_unit(results)])}.</p>")
    prov = results.get("provenance") or {}
    hashes = prov.get("input_hashes") or {}
    if hashes:
        body.append("<h3>Data sources</h3>" + table(pd.DataFrame(
            [{"file": k, "sha256": v} for k, v in hashes.items()]), css="data mono"))
    if prov:
        rest = {k: v for k, v in prov.items() if k != "input_hashes"}
        body.append('<h3 id="provenance">Provenance</h3>' + kv_table(_flatten(rest), css="kv mono"))
    return section("appendix", "Appendix: assumptions, data sources and provenance", "".join(body))


SECTIONS: list[tuple[str, str]] = [
    ("summary", "Executive summary"), ("options", "Options side by side"), ("services", "Services to vehicles and sites"),
    ("phasing", "Phasing"), ("money", "Money"), ("buyin", "Buy-in"), ("sensitivity", "Sensitivity"),
    ("optimise", "Optimiser"), ("targets", "Document figures"), ("appendix", "Appendix"),
]


def build_html(results: Mapping, tables: Mapping[str, pd.DataFrame] | None = None, *, details_open: bool = False) -> str:
    """The whole report as one self-contained HTML string."""
    tables = dict(tables or {})
    unit = pick_unit(results)
    ch = Charts(unit, details_open=details_open)
    parts: dict[str, str] = {}
    builders: dict[str, Callable[[], str]] = {
        "summary": lambda: sec_summary(results, tables),
        "options": lambda: sec_options(results, tables, ch, unit),
        "services": lambda: sec_services(results, tables, ch),
        "phasing": lambda: sec_phasing(results, tables, ch),
        "money": lambda: sec_money(results, tables, ch, unit),
        "buyin": lambda: sec_buyin(results, tables, ch),
        "sensitivity": lambda: sec_sensitivity(results, tables, ch, unit),
        "optimise": lambda: sec_optimise(results, tables),
        "targets": lambda: sec_targets(results, tables),
        "appendix": lambda: sec_assumptions(results, tables),
    }
    for sid, _ in SECTIONS:  # document order, so the first chart rendered is the first on the page
        parts[sid] = builders[sid]()
    nav = "".join(f'<li><a href="#{sid}">{esc(label)}</a></li>' for sid, label in SECTIONS if parts[sid])
    study = results.get("study") or "Study"
    created = (results.get("provenance") or {}).get("created_utc")
    pref = preferred_option(results)
    sub = " · ".join(x for x in (
        f"Preferred option: {option_name(results, pref)}" if pref else "",
        f"{results['years'][0]} to {results['years'][-1]}" if results.get("years") else "",
        f"generated {created}" if created else "") if x)
    return ("<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{esc(study)}: option appraisal</title><style>{CSS}</style></head><body><main>"
            f"<header><p class=\"kicker\">Option appraisal · cabinet report</p><h1>{esc(study)}</h1>"
            f"<p class=\"sub\">{esc(sub)}</p></header>"
            f"<nav aria-label=\"Contents\"><ol>{nav}</ol></nav>"
            + "".join(parts[sid] for sid, _ in SECTIONS)
            + "<footer><p>Produced by reformkit. Figures are computed from the study's data; see the appendix for "
              "inputs and versions.</p></footer></main></body></html>\n")
