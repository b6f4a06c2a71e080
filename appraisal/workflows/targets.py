"""Published figures (a study's `targets` table) checked against the money engine's results.

A target's `metric` is a dotted path into the results tree, the same layout as `results.json`:

* ``options.<option_id>.metrics.<name>``                 e.g. ``options.level4.metrics.benefits_adjusted_total_gbp``
* ``options.<option_id>.yearly.<column>.<year>``         e.g. ``options.opt3.yearly.net_gbp.2019/20``
* ``options.<option_id>.by_party.<partner_id>.<column>`` column: benefits_gbp, costs_gbp, net_gbp
* ``options.<option_id>.by_recipient.<recipient_id>.<column>``
* ``options.<option_id>.by_component.<kind>.<component>.<year or total>``  kind: benefit or cost
* ``positions.<partner_id>.<scenario>.<year>.<column>``  column: in_year_gbp, cumulative_gbp, reserves_closing_gbp

Years such as ``2019/20`` contain no dot, so a path splits on ``.`` unambiguously; ids must not contain dots
to be addressable. A target holds when ``|actual − value| ≤ tolerance`` (tolerance in the metric's unit).
"""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from appraisal.money.metrics import OptionAppraisal, appraise_study, position_summary
from appraisal.study import Study


def _by_component(r: OptionAppraisal, years: list[str]) -> dict:
    out: dict = {}
    for row in r.by_component.to_dict(orient="records"):
        cells = {y: float(row.get(y, 0.0)) for y in years}
        cells["total"] = float(sum(cells.values()))
        out.setdefault(row["kind"], {})[row["component"]] = cells
    return out


def _parties(frame: pd.DataFrame, key: str) -> dict:
    return {row[key]: {"benefits_gbp": float(row["benefits_gbp"]), "costs_gbp": float(row["costs_gbp"]),
                       "net_gbp": float(row["net_gbp"])} for row in frame.to_dict(orient="records")}


def results_tree(study: Study, appraisals: Mapping[str, OptionAppraisal] | None = None,
                 positions: pd.DataFrame | None = None) -> dict:
    """The results of a study as nested dicts (the results.json layout plus `by_component`)."""
    appraisals = appraise_study(study) if appraisals is None else appraisals
    positions = position_summary(study) if positions is None else positions
    years = study.years
    tree: dict = {"study": study.name, "years": years, "options": {}, "positions": {}}
    for oid, r in appraisals.items():
        tree["options"][oid] = {
            "metrics": dict(r.metrics),
            "yearly": {col: dict(zip(r.yearly["year"], map(float, r.yearly[col])))
                       for col in r.yearly.columns if col != "year"},
            "by_party": _parties(r.by_party, "partner_id"),
            "by_recipient": _parties(r.by_recipient, "recipient_id"),
            "by_component": _by_component(r, years),
        }
    for row in positions.to_dict(orient="records"):
        tree["positions"].setdefault(row["partner_id"], {}).setdefault(row["scenario"], {})[row["year"]] = {
            "in_year_gbp": float(row["in_year_gbp"]), "cumulative_gbp": float(row["cumulative_gbp"]),
            "reserves_closing_gbp": float(row["reserves_closing_gbp"])}
    return tree


class TargetPathError(KeyError):
    """A dotted metric path that does not lead to a number in the results tree."""


def resolve(tree: Mapping, path: str) -> float:
    """The number at a dotted `path` in `tree`; raises TargetPathError naming the first missing step."""
    node: object = tree
    walked: list[str] = []
    for part in path.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            known = sorted(map(str, node))[:12] if isinstance(node, Mapping) else []
            raise TargetPathError(f"'{path}': no '{part}' after '{'.'.join(walked) or '(root)'}'"
                                  + (f"; known: {', '.join(known)}" if known else ""))
        walked.append(part)
    if node is None:
        return float("nan")
    if isinstance(node, Mapping):
        raise TargetPathError(f"'{path}' leads to a table, not a number; next keys: {', '.join(sorted(map(str, node))[:12])}")
    try:
        return float(node)
    except (TypeError, ValueError):
        raise TargetPathError(f"'{path}' leads to '{node}', not a number") from None


def check_targets(study: Study, tree: Mapping | None = None) -> pd.DataFrame:
    """Each target beside the computed figure: target_id, metric, published, computed, difference, ok."""
    tree = results_tree(study) if tree is None else tree
    rows = []
    for t in study.tables["targets"].to_dict(orient="records"):
        try:
            actual, problem = resolve(tree, t["metric"]), None
        except TargetPathError as exc:
            actual, problem = float("nan"), str(exc)
        diff = actual - t["value"]
        rows.append({"target_id": t["target_id"], "metric": t["metric"], "description": t["description"],
                     "published": t["value"], "computed": actual, "difference": diff, "tolerance": t["tolerance"],
                     "ok": problem is None and abs(diff) <= t["tolerance"] + 1e-9, "problem": problem,
                     "source": t["source"]})
    return pd.DataFrame(rows, columns=["target_id", "metric", "description", "published", "computed", "difference",
                                       "tolerance", "ok", "problem", "source"])
