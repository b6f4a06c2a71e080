"""What `reformkit run` prints: a line per step, the options table, and progress only on a terminal.

Tables use the study's names (never ids), fit the console's width and wrap long option names onto
several lines at word boundaries; numbers never wrap. Tested at 80 and 160 columns.
"""
from __future__ import annotations

import math
import time
from contextlib import contextmanager
from typing import Mapping

from rich import box
from rich.console import Console
from rich.table import Table

from appraisal.report.fmt import money, pick_unit
from appraisal.report.labels import Labels


def _pct(v) -> str:
    return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{float(v) * 100:.0f}%"


def options_table(results: Mapping) -> Table:
    """One row per option: NPSV of the document's plan and of the optimised plan, funding need, score, rank,
    chance partners agree in time; infeasible options and views say so instead of a rank."""
    lab = Labels(results)
    unit = pick_unit(results)
    sc = results.get("scoring") or {}
    opt = results.get("optimise") or {}
    infeasible = lab.infeasible()
    rows = []
    for oid, node in (results.get("options") or {}).items():
        m = node.get("metrics") or {}
        rank = str(sc.get("rank", {}).get(oid, "–"))
        if oid in infeasible:
            rank = "infeasible"
        elif lab.view_of(oid):
            rank = "view"
        rows.append((lab.option(oid), money(m.get("npsv_gbp"), unit),
                      "–" if oid in infeasible else money((opt.get(oid) or {}).get("npsv_gbp"), unit),
                      money(m.get("funding_requirement_gbp"), unit),
                      f"{sc['total'][oid]:.1f}" if oid in (sc.get("total") or {}) else "–", rank,
                      "–" if oid in infeasible else
                      _pct(((results.get("buyin_by_option") or {}).get(oid) or {}).get("prob_agreed_on_time"))))
    return name_table(f"{results.get('study') or 'Study'}: options", "option", HEADERS, rows)


HEADERS = ("NPSV document plan", "NPSV optimised", "funding need", "score", "rank", "agreed in time")


def step_lines(results: Mapping, seconds: Mapping[str, float]) -> list[str]:
    """One summary line per step of `reformkit run`, with its time."""
    lab = Labels(results)
    unit = pick_unit(results)
    t = lambda key: f" ({seconds[key]:.1f} s)" if key in seconds else ""  # noqa: E731
    options = results.get("options") or {}
    pref = results.get("preferred_option")
    lines = []
    npsv = ((options.get(pref) or {}).get("metrics") or {}).get("npsv_gbp")
    lines.append(f"Financial case: {len(options)} options appraised"
                 + (f"; {lab.option(pref)} NPSV {money(npsv, unit)}" if pref in options else "") + t("financial_case"))
    opt = results.get("optimise") or {}
    if opt:
        statuses = sorted({str(v.get("status")) for v in opt.values()})
        gaps = [v.get("gap") for v in opt.values() if v.get("gap") is not None]
        lines.append(f"Optimiser: {len(opt)} plans ({', '.join(statuses)})"
                     + (f", largest gap {max(gaps):.2%}" if gaps else "") + t("optimise"))
    buyin = results.get("buyin") or {}
    if buyin:
        nv = len(buyin.get('vehicles') or {})
        lines.append(f"Buy-in: {buyin.get('runs', '?')} simulated runs per option, {nv} "
                     f"vehicle{'' if nv == 1 else 's'} for {lab.option(buyin.get('option_id') or pref)}" + t("buyin"))
    sc = results.get("scoring") or {}
    if sc.get("total"):
        lines.append(f"Scoring: {len(sc.get('drivers') or [])} value drivers, {len(sc['total'])} options ranked" + t("scoring"))
    for n in results.get("notes_run") or []:
        lines.append(str(n))
    sens = results.get("sensitivity") or {}
    if sens:
        conv = {True: "converged", False: "NOT converged", None: "convergence not recorded"}[sens.get("converged")]
        lines.append(f"Sensitivity: {sens.get('method')}, {sens.get('runs', '?')} runs, indices {conv}" + t("sensitivity"))
    targets = results.get("targets") or []
    if targets:
        held = sum(bool(x.get("within_tolerance")) for x in targets)
        lines.append(f"Document figures reproduced: {held} of {len(targets)}")
    return lines


@contextmanager
def steps(console: Console, total: int):
    """Yields ``step(name)``: a progress bar on a terminal, else one plain line per step (logs stay short)."""
    if console.is_terminal:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                      TimeElapsedColumn(), console=console, transient=True) as bar:
            task = bar.add_task("starting", total=total)
            seen = []

            def step(name):
                bar.update(task, description=name, advance=1 if seen else 0)
                seen.append(name)

            yield step
            bar.update(task, completed=total)
        return
    started = time.perf_counter()

    def step(name):
        console.print(f"[{time.perf_counter() - started:6.1f} s] {name}", highlight=False, markup=False)

    yield step


def _month(label) -> str:
    """'2025-04' -> 'Apr 2025' (a month as people write it); anything else as it is."""
    import re

    text = str(label or "")
    m = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return text or "–"
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    return f"{months[int(m.group(2)) - 1]} {m.group(1)}"


def buyin_table(summary: Mapping, years: list[str], title: str, width: int) -> Table:
    """Chance each vehicle is agreed: by every year when the console is wide enough, else by its planned year
    and by the horizon's end (vehicle names keep at least 24 columns and wrap at words)."""
    from appraisal.report.summary import prob_by_planned_year

    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("vehicle", min_width=24, overflow="fold")
    per_year = width >= 24 + 4 + 10 * (len(years) + 1)
    shown = years if per_year else years[-1:]
    if not per_year:
        table.add_column("planned", justify="right", width=8)
        table.add_column("by planned year", justify="right", width=7)
    for y in shown:
        table.add_column(y if per_year else f"by {y}", justify="right", width=7)
    table.add_column("median agreed", justify="right", width=10)  # 'not agreed' or 'Apr 2025' 
    for vid, v in (summary.get("vehicles") or {}).items():
        probs = v.get("prob_by_year") or {}
        cells = [_pct(probs.get(y)) for y in shown]
        if not per_year:
            cells = [_month(v.get("planned")), _pct(prob_by_planned_year(v))] + cells
        median = v.get("median_establishment")
        table.add_row(str(v.get("name") or vid), *cells, _month(median) if median else "not agreed")
    return table


def indices_table(frame, title: str, labels: Mapping[str, str]) -> Table:
    """Sensitivity indices (one row per parameter, index columns) as a rich table with the parameters' labels."""
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("parameter", min_width=20, overflow="fold")
    cols = [c for c in frame.columns]
    for c in cols:
        table.add_column(str(c).replace("_conf", " ±95%"), justify="right", width=max(7, len(str(c))))
    for pid, row in frame.iterrows():
        table.add_row(str(labels.get(pid, pid)), *["–" if row[c] != row[c] else f"{float(row[c]):.3f}" for c in cols])
    return table


def name_table(title: str, first: str, headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> Table:
    """A terminal table whose first column holds names (at least 16 columns, wrapping at words) and whose other
    columns hold figures that never wrap (each as wide as its widest figure or header word)."""
    table = Table(title=title, box=box.SIMPLE_HEAD, expand=False, title_justify="left")
    table.add_column(first, min_width=16, overflow="fold")
    for i, col in enumerate(headers):
        width = max([len(w) for w in col.split()] + [len(r[i + 1]) for r in rows])
        table.add_column(col, justify="right", width=width, no_wrap=False)
    for r in rows:
        table.add_row(*r)
    return table


PLAN_KINDS = {"document": "document's plan", "optimised": "optimised plan", "file": "plan from a file",
              "alternative": "near-optimal alternative", "delayed": "delayed plan"}


def financial_case_table(title: str, options: Mapping[str, tuple[str, str, Mapping]], unit: str) -> Table:
    """The financial case: option name, its plan, PV benefits − PV costs = NPSV (present values, so each row
    adds up), BCR, payback and funding need. `options`: id -> (name, plan kind, metrics)."""
    kinds = {kind for _, kind, _ in options.values()}
    one_kind = len(kinds) == 1
    if one_kind:  # the plan goes in the title, so the table fits 80 columns
        title = f"{title}, {PLAN_KINDS.get(next(iter(kinds)), next(iter(kinds)))}s"
    rows = []
    for name, kind, m in options.values():
        rows.append((name, *(() if one_kind else (PLAN_KINDS.get(kind, kind),)), money(m.get("pv_benefits_gbp"), unit),
                     money(m.get("pv_costs_gbp"), unit), money(m.get("npsv_gbp"), unit),
                     "–" if m.get("bcr") is None else f"{m['bcr']:.2f}", m.get("payback_year") or "never",
                     money(m.get("funding_requirement_gbp"), unit)))
    headers = ("PV benefits", "PV costs", "NPSV", "BCR", "payback", "funding need")
    return name_table(title, "option", headers if one_kind else ("plan", *headers), rows)


def optimised_table(title: str, names: Mapping[str, str], results: Mapping[str, Mapping], unit: str) -> Table:
    """One row per option: solver status, the optimised plan's NPSV, gap, the document plan's NPSV, seconds."""
    rows = [(names.get(oid, oid), str(r["status"]), money(r.get("npsv_gbp"), unit),
             "–" if r.get("gap") is None else f"{r['gap']:.2%}", money(r.get("document_plan_npsv_gbp"), unit),
             f"{r.get('solve_seconds') or 0:.2f}") for oid, r in results.items()]
    return name_table(title, "option", ("status", "NPSV optimised", "gap", "NPSV document plan", "seconds"), rows)


def method_lines(names: Mapping[str, str], results: Mapping[str, Mapping], unit: str) -> list[str]:
    """One line per option the optimiser solved by region (``--decompose`` on coupled regions): how, and the
    bound its gap is proven against."""
    out = []
    for oid, r in results.items():
        how = (r.get("provenance") or {}).get("decomposition") or {}
        if how.get("method") == "lagrange" and r.get("npsv_bound_gbp") is not None:
            out.append(f"{names.get(oid, oid)}: solved by region ({how['regions']} regions, Lagrangian decomposition); "
                       f"no plan is worth more than {money(r['npsv_bound_gbp'], unit)} (the proven bound)")
    return out


def scores_table(title: str, names: Mapping[str, str], summary: Mapping) -> Table:
    """Value-driver scores (0–100 with the RAG letter) per option, weighted total, rank and P(ranked first)."""
    drivers = summary["drivers"]
    rows = [(names.get(o, o), *[f"{abs(summary['scores'][o][d['driver_id']]):.0f} {summary['rag'][o][d['driver_id']][0]}"
                                 for d in drivers],
             f"{summary['total'][o]:.1f}", str(summary["rank"][o]), f"{summary['acceptability'][o]['1']:.0%}")
            for o in summary["total"]]
    headers = tuple(f"{d['name']} ({d['weight']:.0%})" for d in drivers) + ("total", "rank", "P(first)")
    return name_table(title, "option", headers, rows)


def study_tables(s, absent_means: Mapping[str, str]) -> list[Table]:
    """What `reformkit describe` prints: the study's tables (rows, file), its options (how many benefit and cost
    lines apply to each) and the optional tables it does not have, with what that means."""
    table = Table(title=f"{s.name} ({s.years[0]}–{s.years[-1]}, discounting: {s.config.discounting.schedule})")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("from")
    for name, frame in s.tables.items():
        if len(frame):
            table.add_row(name, str(len(frame)), s.sources[name])
    options = Table(title="Options")
    for col in ("option", "name", "benefit lines", "cost lines"):
        options.add_column(col)
    for row in s.tables["options"].itertuples(index=False):
        nb = sum(1 for o in s.tables["benefits"]["options"] if not o or row.option_id in o)
        nc = sum(1 for o in s.tables["costs"]["options"] if not o or row.option_id in o)
        options.add_row(row.option_id, row.name, str(nb), str(nc))
    tables = [table, options]
    absent = [name for name, frame in s.tables.items() if frame.empty]
    if absent:
        missing = Table(title="Optional tables this study does not have")
        missing.add_column("table")
        missing.add_column("what that means")
        for name in absent:
            missing.add_row(name, absent_means.get(name, "not used"))
        tables.append(missing)
    return tables


def floors_table(results: Mapping[str, Mapping], unit: str) -> Table | None:
    """The floors of each option's optimised plan: figure, bound, slack, whether binding, price (£ per £ relaxed);
    None when no option has floors."""
    rows = [(oid, f) for oid, r in results.items() for f in (r.get("floors") or [])]
    if not rows:
        return None
    table = Table(title="floors and targets (binding = dropping the floor would raise NPSV)")
    for col in ("option", "floor", "year", "sense", "bound", "plan", "binding", "shadow price", "cost of floor"):
        table.add_column(col, justify="right", no_wrap=col in ("floor", "year", "sense"))
    for oid, f in rows:
        fmt = (lambda v: f"{v:g}") if f["measure"] == "members" else (lambda v: money(v, unit))
        price = f"£{f['shadow_price_gbp']:,.3g}/{'service' if f['measure'] == 'members' else '£'}"
        table.add_row(oid, f["floor_id"], f["year"], f["sense"].replace("_", " "), fmt(f["bound"]), fmt(f["value"]),
                      "yes" if f["binding"] else "no", price, money(f["cost_of_floor_gbp"], "gbp"))
    return table


def discovery_line(d: Mapping) -> str:
    """Scenario discovery of a sensitivity run: how often the preferred option fails, and PRIM's box."""
    return (f"Option {d['preferred']} fails (NPSV below zero or beaten) in {d['share']:.0%} of samples"
            + (f"; PRIM box (coverage {d['coverage']:.0%}, density {d['density']:.0%}): "
               + ", ".join(f"{k} in [{lo:.3g}, {hi:.3g}]" for k, (lo, hi) in d["box"].items())
               if d.get("box") else ""))


def sensitivity_tables(analysis: Mapping, labels: Mapping[str, str], option_names: Mapping[str, str]) -> list[Table]:
    """One table of indices per outcome that has them, titled by the outcome's name ('NPSV of Option 3 ...')."""
    outcome = Labels({"options": {o: {"name": n} for o, n in option_names.items()}}).outcome
    return [indices_table(frame, f"Sensitivity indices of the {outcome(name)}", labels)
            for name, res in analysis.items() if (frame := getattr(res, "indices", None)) is not None]
