"""The appendix tables: the document's own figures reproduced and the optimiser's results."""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from appraisal.report import caveats
from appraisal.report.cases.common import caveat, missing
from appraisal.report.fmt import money, number, pct, table, value_text
from appraisal.report.labels import humanise, Labels


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
