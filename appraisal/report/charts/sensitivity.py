"""Charts of the sensitivity analysis: the tornado of one-at-a-time swings and the Sobol indices."""
from __future__ import annotations

from typing import Mapping

import pandas as pd
import plotly.graph_objects as go

from appraisal.report.charts.base import bar_height, base_layout, BENEFIT, COST, money_axis, wrap
from appraisal.report.fmt import ptext, scale
from appraisal.report.labels import Labels


def tornado(sens: Mapping, results: Mapping, unit: str, lab: Labels) -> tuple[go.Figure, pd.DataFrame] | None:
    rows = sens.get("tornado") or []
    if not rows:
        return None
    data = pd.DataFrame(rows)
    outcome = str(sens.get("outcome") or "outcome")
    is_money = outcome.endswith("_gbp")
    s = scale(unit) if is_money else 1.0
    base = sens.get("base_outcome")
    if base is None and "base_outcome" in data and data["base_outcome"].notna().any():
        base = float(data["base_outcome"].dropna().iloc[0])
    if base is None:
        pref = results.get("preferred_option")
        key = outcome.split(".", 1)[-1]
        base = (((results.get("options") or {}).get(pref) or {}).get("metrics") or {}).get(key)
    if base is None:
        base = float(pd.concat([data["outcome_low"], data["outcome_high"]]).mean())
    data["swing"] = (data["outcome_high"] - data["outcome_low"]).abs()
    data = data.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    data["parameter"] = data["parameter"].map(lab.parameter)
    y, full = [wrap(p, 30) for p in data["parameter"]], [ptext(p) for p in data["parameter"]]
    fmt = ",.1f" if is_money and unit == "gbp_m" else ",.2f"
    fig = go.Figure([
        go.Bar(name="parameter at its low value", orientation="h", y=y, base=base / s,
               x=(data["outcome_low"] - base) / s, marker_color=COST,
               customdata=[[f, lv] for f, lv in zip(full, data["low_value"])],
               hovertemplate=f"%{{customdata[0]}} at %{{customdata[1]}}: %{{x:{fmt}}} from base<extra></extra>"),
        go.Bar(name="parameter at its high value", orientation="h", y=y, base=base / s,
               x=(data["outcome_high"] - base) / s, marker_color=BENEFIT,
               customdata=[[f, hv] for f, hv in zip(full, data["high_value"])],
               hovertemplate=f"%{{customdata[0]}} at %{{customdata[1]}}: %{{x:{fmt}}} from base<extra></extra>"),
    ])
    fig.add_vline(x=base / s, line=dict(color="#333", width=1, dash="dot"))
    base_layout(fig, barmode="overlay", yaxis_type="category", height=bar_height(len(data)),
                xaxis_title=ptext(f"{lab.outcome(outcome)} ({money_axis(unit)})" if is_money else lab.outcome(outcome)))
    fig.update_yaxes(autorange="reversed")
    cols = ["parameter", "low_value", "high_value", "outcome_low", "outcome_high"]
    table = data[cols].rename(columns={"low_value": "low value", "high_value": "high value"})
    if is_money:
        table = table.rename(columns={"outcome_low": "outcome_low_gbp", "outcome_high": "outcome_high_gbp"})
    return fig, table


def sobol(sens: Mapping, lab: Labels) -> tuple[go.Figure, pd.DataFrame] | None:
    idx = sens.get("indices") or []
    if not idx:
        return None
    data = pd.DataFrame(idx)
    if "parameter" not in data:
        return None
    traces = []
    order = data.sort_values("ST" if "ST" in data else data.columns[1], ascending=False, kind="stable").reset_index(drop=True)
    order["parameter"] = order["parameter"].map(lab.parameter)
    y, full = [wrap(p, 30) for p in order["parameter"]], [ptext(p) for p in order["parameter"]]
    for col, label, colour in (("S1", "first order (S1)", "#56B4E9"), ("ST", "total order (ST)", "#0072B2")):
        if col not in order or order[col].isna().all():
            continue
        conf = order.get(f"{col}_conf")
        traces.append(go.Bar(name=label, y=y, x=order[col], orientation="h", marker_color=colour, customdata=full,
                             error_x=dict(type="data", array=list(conf.fillna(0.0)) if conf is not None else None,
                                          visible=conf is not None, thickness=1.2, width=4),
                             hovertemplate=f"%{{customdata}}: {label} %{{x:.3f}}<extra></extra>"))
    if not traces and "mu_star" in order:
        traces.append(go.Bar(name="Morris μ*", y=y, x=order["mu_star"], orientation="h", marker_color=BENEFIT,
                             customdata=full, hovertemplate="%{customdata}: %{x:.3g}<extra></extra>"))
    if not traces:
        return None
    fig = go.Figure(traces)
    base_layout(fig, barmode="group", yaxis_type="category", height=bar_height(len(order)),
                xaxis_title="Sobol index, share of variance (bars: 95% interval)" if "ST" in order else "index")
    fig.update_yaxes(autorange="reversed")
    keep = [c for c in ("parameter", "S1", "S1_conf", "ST", "ST_conf", "mu_star") if c in order]
    return fig, order[keep]
