"""The report page: a one-page executive summary, a contents page, then the Five Case Model sections
(:mod:`appraisal.report.cases`) and an appendix. All user text is escaped with ``esc``.

Charts are rendered through :class:`Charts`, which embeds plotly.js exactly once (with the first chart)
and puts each chart's data table, and any caveat on it, right after it.
"""
from __future__ import annotations

import json
import re
from typing import Callable, Mapping

import pandas as pd
import plotly.graph_objects as go

from appraisal.report import cases, caveats
from appraisal.report.fmt import esc, kv_table, money_columns, pct, pick_unit, table
from appraisal.report.labels import Labels, humanise
from appraisal.report.style import css
from appraisal.report.programme import programme_headline
from appraisal.report.summary import executive_summary, headline, preferred_option

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True,
                 "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}


PRINT_ROWS = 40  # data tables longer than this are not printed in the PDF


class Charts:
    """Renders figures in document order; the first carries the one embedded copy of plotly.js."""

    def __init__(self, unit: str, details_open: bool = False):
        self.unit, self.details_open, self.count, self.ids = unit, details_open, 0, set()

    def __call__(self, key: str, title: str, built: tuple[go.Figure, pd.DataFrame] | None, *,
                 note: str | None = None, formats: Mapping | None = None, caveat: str | None = None) -> str:
        if built is None:
            return cases.missing(title.split(" (")[0])
        fig, data = built
        div_id = self._id(key)
        height = int(fig.layout.height or 380)
        plot = fig.to_html(full_html=False, include_plotlyjs=self.count == 0, config=PLOTLY_CONFIG,
                           div_id=div_id, default_width="100%", default_height=f"{height}px")
        self.count += 1
        fmts = {**money_columns(data.columns, self.unit), **{c: pct for c in data.columns if str(c).startswith("P(")},
                **(formats or {})}
        opened = " open" if self.details_open else ""
        shown, rest = data, ""
        if self.details_open and len(data) > PRINT_ROWS:  # the printed variant: long tables stay in the HTML
            shown = data.head(0)
            rest = (f'<p class="note">{len(data):,} rows: the full table is in the HTML report and the results '
                    "workbook.</p>")
        return (f'<figure class="chart" id="fig-{esc(div_id)}"><div class="keep"><figcaption>{esc(title)}</figcaption>'
                f'{f"<p class=note>{esc(note)}</p>" if note else ""}'
                f'<div class="plot">{plot}</div></div>{cases.caveat(caveat)}'
                f'<details class="data"{opened}><summary>Data table: {esc(title)}</summary>'
                f'{table(shown, formats=fmts) if len(shown) else ""}{rest}</details></figure>')

    def _id(self, key: str) -> str:
        base = "chart-" + (re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-") or "x")
        out, i = base, 2
        while out in self.ids:
            out, i = f"{base}-{i}", i + 1
        self.ids.add(out)
        return out


def section(sid: str, title: str, body: str, intro: str | None = None) -> str:
    lead = f'<p class="intro">{esc(intro)}</p>' if intro else ""
    return f'<section id="{esc(sid)}"><h2>{esc(title)}</h2>{lead}{body}</section>'


# --- executive summary ----------------------------------------------------------------------------

SHOWN_ABOVE = ("The optimiser's plan", "None of the", "The assumption closest to flipping", "The NPSV would fall to zero")


def sec_summary(results, tables, lab: Labels) -> str:
    h = headline(results, tables)
    h |= programme_headline(results, pick_unit(results)) or {}  # a programme: the go / do-minimum decision
    cards = "".join(f'<div class="card"><p class="label">{esc(label)}</p><p class="value">{esc(value)}</p>'
                    f'<p class="note">{esc(note)}</p></div>' for label, value, note in h["numbers"])
    assumption = h.get("assumption")
    cav = caveats.all_caveats(results, tables, lab)
    # key facts: the summary's sentences less the lead (the recommendation says it) and those the boxes above
    # already carry or the appendix covers, so the summary stays on one A4 page
    facts = [x for x in executive_summary(results, tables)[1:] if not x.startswith(SHOWN_ABOVE)]
    notes = "".join(f"<p class=note>{esc(n)}</p>" for n in results.get("notes_run") or [])
    return section("summary", "Executive summary", (
        f'<div class="rec"><p class="label">{esc(h.get("label", "Recommendation"))}</p><p>{esc(h["recommendation"])}</p></div>'
        f'<div class="cards">{cards}</div>'
        + (f'<div class="assume"><p class="label">The assumption that would change it</p><p>{esc(assumption)}</p></div>'
           if assumption else '<div class="assume">' + cases.missing("The assumption that would change it",
                                                                      "the study declares no uncertain parameters") + "</div>")
        + (('<p class="label">Caveats</p><ul class="caveats">'
            + "".join(f'<li>{esc(c)} <a href="#{esc(sid)}">(see)</a></li>' for c, sid in cav) + "</ul>") if cav else "")
        + '<p class="label">Key facts</p><ul class="summary">' + "".join(f"<li>{esc(s)}</li>" for s in facts) + "</ul>"
        + notes))


def _flatten(d, prefix="") -> list[tuple[str, object]]:
    rows = []
    for k, v in (d or {}).items():
        key = f"{prefix}{humanise(k)}"
        if isinstance(v, Mapping):
            rows.extend(_flatten(v, key + " › "))
        elif isinstance(v, (list, tuple)):
            rows.append((key, ", ".join(json.dumps(x, default=str) if isinstance(x, (dict, list)) else str(x) for x in v)))
        else:
            rows.append((key, v))
    return rows


def sec_appendix(results, tables, unit, lab: Labels) -> str:
    body = ['<h3 id="targets">The document\'s figures beside ours</h3>', cases.targets_table(results, unit, lab),
            '<h3 id="optimise">How the plans were found (optimiser)</h3>', cases.optimiser_table(results, unit, lab)]
    disc = results.get("discounting")
    if disc:
        body.append("<h3>Discounting</h3>" + kv_table(_flatten(disc)))
    adj = results.get("adjustments")
    body.append("<h3>Adjustments</h3>")
    if adj:
        frame = pd.DataFrame(adj)
        for c in frame.columns:
            if frame[c].map(lambda v: isinstance(v, (list, tuple))).any():
                frame[c] = frame[c].map(lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
        body.append(table(frame))
    else:
        body.append("<p>No adjustments (optimism bias, double counting) are applied.</p>")
    years = results.get("years")
    if years:
        body.append(f"<p>Appraisal period: {esc(years[0])} to {esc(years[-1])} ({len(years)} years). "
                    f"Money shown in {esc({'gbp': 'pounds', 'gbp_k': 'thousands of pounds', 'gbp_m': 'millions of pounds'}[unit])}.</p>")
    prov = results.get("provenance") or {}
    hashes = prov.get("input_hashes") or {}
    if hashes:
        body.append("<h3>Data sources</h3>" + table(pd.DataFrame(
            [{"file": k, "sha256": v} for k, v in hashes.items()]), css="data mono"))
    if prov:
        rest = {k: v for k, v in prov.items() if k != "input_hashes"}
        body.append('<h3 id="provenance">Provenance</h3>' + kv_table(_flatten(rest), css="kv mono"))
    return section("appendix", APPENDIX, "".join(body))


SECTIONS: list[tuple[str, str, str]] = [
    ("strategic", "1. Strategic case", "The case for change, the objectives, and the options considered."),
    ("economic", "2. Economic case", "Value for money: NPSV, benefit-cost ratio, the value drivers, sensitivity and risks."),
    ("commercial", "3. Commercial case", "The delivery vehicles and partners, and which services go where."),
    ("financial", "4. Financial case", "Affordability: the funding need, who pays and who benefits, budget positions."),
    ("management", "5. Management case", "Phasing, partner buy-in, dependencies and the plan's milestones."),
]


APPENDIX = "Appendix: document figures, optimiser, assumptions and provenance"


def contents_headings() -> dict[str, str]:
    """section id -> its heading, in document order (the contents page lists them)."""
    return {"summary": "Executive summary", **{sid: title for sid, title, _ in SECTIONS}, "appendix": APPENDIX}


def build_html(results: Mapping, tables: Mapping[str, pd.DataFrame] | None = None, *, details_open: bool = False,
               print_layout: bool = False, pages: Mapping[str, int] | None = None) -> str:
    """The whole report as one self-contained HTML string (``print_layout``: the variant printed to PDF)."""
    tables = dict(tables or {})
    unit = pick_unit(results)
    lab = Labels(results)
    ch = Charts(unit, details_open=details_open)
    builders: dict[str, Callable[[], str]] = {
        "strategic": lambda: cases.strategic(results, tables, ch, unit, lab),
        "economic": lambda: cases.economic(results, tables, ch, unit, lab),
        "commercial": lambda: cases.commercial(results, tables, ch, unit, lab),
        "financial": lambda: cases.financial(results, tables, ch, unit, lab),
        "management": lambda: cases.management(results, tables, ch, unit, lab),
    }
    summary = sec_summary(results, tables, lab)
    parts = [section(sid, title, builders[sid](), intro) for sid, title, intro in SECTIONS]  # document order
    appendix = sec_appendix(results, tables, unit, lab)
    pages = pages or {}
    nav = "".join(f'<li><a href="#{sid}">{esc(label)}</a><span class="pageno" data-for="{sid}">'
                  f'{esc(f"page {pages[sid]}") if sid in pages else ""}</span></li>'
                  for sid, label in contents_headings().items())
    study = results.get("study") or "Study"
    created = str((results.get("provenance") or {}).get("created_utc") or "")
    date = created[:10]
    pref = preferred_option(results)
    sub = " · ".join(x for x in (
        f"Preferred option: {lab.option(pref)}" if pref else "",
        f"{results['years'][0]} to {results['years'][-1]}" + (f", planned by {results['period']}" if results.get("period")
                                                              else "") if results.get("years") else "",
        f"generated {created.replace('T', ' ')[:16]} UTC" if created else "") if x)
    return ("<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{esc(study)}: option appraisal</title><style>{css(study, date, print_layout)}</style></head>"
            f"<body><main>"
            f"<header><p class=\"kicker\">Option appraisal · business case in the Five Case Model</p><h1>{esc(study)}</h1>"
            f"<p class=\"sub\">{esc(sub)}</p></header>"
            + summary
            + f"<nav id=\"contents\" aria-label=\"Contents\"><h2>Contents</h2><ul class=\"toc\">{nav}</ul></nav>"
            + "".join(parts) + appendix
            + "<footer><p>Produced by reformkit. Figures are computed from the study's data; see the appendix for "
              "inputs and versions.</p></footer></main></body></html>\n")
