"""Charts of partner buy-in: the chance each vehicle is agreed by each year, and the pivotal partners."""
from __future__ import annotations

from typing import Mapping

import pandas as pd
import plotly.graph_objects as go

from appraisal.report.charts.base import bar_height, base_layout, BENEFIT, OPTION_COLOURS, wrap
from appraisal.report.fmt import fy_start, is_missing, month_to_fy, ptext
from appraisal.report.labels import Labels
from appraisal.report.summary import prob_by_planned_year


def buyin_curves(buyin: Mapping, lab: Labels) -> tuple[go.Figure, pd.DataFrame] | None:
    vehicles = buyin.get("vehicles") or {}
    rows, traces = [], []
    for i, (vid, v) in enumerate(vehicles.items()):
        probs = v.get("prob_by_year") or {}
        keys = sorted(probs, key=lambda y: fy_start(y) or 0)
        name = v.get("name") or lab.vehicle(vid)
        for y in keys:
            rows.append({"vehicle": name, "year": y, "probability_agreed": probs[y],
                         "planned": v.get("planned"),
                         "median_agreed": v.get("median_establishment") or "not within the horizon"})
        colour = OPTION_COLOURS[i % len(OPTION_COLOURS)]
        traces.append(go.Scatter(name=wrap(name, 60, 1), x=[ptext(y) for y in keys], y=[probs[y] for y in keys],
                                 mode="lines+markers", line=dict(color=colour, shape="hv"),
                                 hovertemplate=ptext(name) + ": %{y:.0%}<extra></extra>"))
        planned = v.get("planned")
        if planned:
            fy = month_to_fy(planned)
            p = prob_by_planned_year(v)
            if fy and p is not None and fy in keys:
                traces.append(go.Scatter(name=ptext(f"{name}: planned {planned}"), x=[ptext(fy)], y=[p], mode="markers",
                                         marker=dict(symbol="diamond-open", size=14, color=colour, line=dict(width=2)),
                                         showlegend=False, hovertemplate=ptext(f"planned {planned}") + ": %{y:.0%}<extra></extra>"))
    if not rows:
        return None
    fig = go.Figure(traces)
    n = len(vehicles)
    base_layout(fig, yaxis=dict(title="probability agreed by year end", tickformat=".0%", range=[0, 1.05]),
                xaxis_type="category", height=340 + 20 * n, legend_rows=0)
    fig.update_layout(legend=dict(orientation="v", yanchor="top", y=-0.15, xanchor="left", x=0),
                      margin=dict(b=40 + 20 * n))
    return fig, pd.DataFrame(rows)


MAX_PIVOTAL = 12


def pivotal(buyin: Mapping, lab: Labels) -> tuple[go.Figure, pd.DataFrame] | None:
    """The partners most often pivotal (their vote decides the vehicle), largest first; the table lists all."""
    piv = buyin.get("pivotal") or []
    if not piv:
        return None
    data = pd.DataFrame(piv)
    vehicles = buyin.get("vehicles") or {}
    data["vehicle"] = [(vehicles.get(v) or {}).get("name") or lab.vehicle(v) for v in data.get("vehicle_id", [None] * len(data))]
    names = data["partner_name"] if "partner_name" in data else pd.Series([None] * len(data))
    data["partner"] = [n if not is_missing(n) else lab.partner(p) for n, p in zip(names, data["partner_id"])]
    data = data.sort_values("pivotal_share", ascending=False, kind="stable").reset_index(drop=True)
    top = data.head(MAX_PIVOTAL)
    label = [f"{p} — {v}" for p, v in zip(top["partner"], top["vehicle"])]
    fig = go.Figure(go.Bar(orientation="h", x=top["pivotal_share"], y=[wrap(x, 40) for x in label],
                           marker_color=BENEFIT, customdata=[ptext(x) for x in label],
                           hovertemplate="%{customdata}: %{x:.0%}<extra></extra>"))
    base_layout(fig, xaxis=dict(title="share of simulated decisions where the partner is pivotal",
                                tickformat=".0%", rangemode="tozero"), yaxis_type="category",
                height=bar_height(len(top), 0), legend_rows=0, showlegend=False)
    fig.update_yaxes(autorange="reversed")
    return fig, data[["partner", "vehicle", "pivotal_share"]]
