"""Charts comparing the options: NPSV by option, money by party, value-driver totals and SMAA rank acceptability."""
from __future__ import annotations

from typing import Mapping

import pandas as pd
import plotly.graph_objects as go

from appraisal.report.charts.base import (_hx, bar_height, base_layout, BENEFIT, COST, money_axis, NET, OPTION_COLOURS,
                                          wrap)
from appraisal.report.fmt import ptext, scale
from appraisal.report.labels import Labels


def options_npsv(results: Mapping, unit: str, lab: Labels) -> tuple[go.Figure, pd.DataFrame] | None:
    rows = []
    infeasible = lab.infeasible()
    for oid, opt in (results.get("options") or {}).items():
        if oid in infeasible:
            continue
        m = opt.get("metrics") or {}
        rows.append({"option": lab.option(oid), "pv_benefits_gbp": m.get("pv_benefits_gbp"),
                     "pv_costs_gbp": m.get("pv_costs_gbp"), "npsv_gbp": m.get("npsv_gbp")})
    if not rows:
        return None
    data = pd.DataFrame(rows)
    s = scale(unit)
    names = [wrap(n) for n in data["option"]]
    full = [ptext(n) for n in data["option"]]
    num = lambda c: pd.to_numeric(data[c], errors="coerce").fillna(0.0) / s  # noqa: E731
    hover = f"%{{customdata}}: {_hx(unit)}<extra>%{{fullData.name}}</extra>"
    fig = go.Figure([
        go.Bar(name="PV benefits", y=names, x=num("pv_benefits_gbp"), orientation="h", marker_color=BENEFIT,
               customdata=full, hovertemplate=hover),
        go.Bar(name="PV costs (shown below zero)", y=names, x=-num("pv_costs_gbp"), orientation="h",
               marker_color=COST, customdata=full, hovertemplate=hover),
        go.Scatter(name="NPSV", y=names, x=num("npsv_gbp"), mode="markers", customdata=full, hovertemplate=hover,
                   marker=dict(symbol="diamond", size=13, color=NET, line=dict(color="white", width=1))),
    ])
    base_layout(fig, barmode="relative", xaxis_title=money_axis(unit), yaxis_type="category",
                height=bar_height(len(data)))
    fig.update_yaxes(autorange="reversed")
    return fig, data


def by_party(results: Mapping, option_id: str, unit: str, lab: Labels) -> tuple[go.Figure, pd.DataFrame] | None:
    parties = ((results.get("options") or {}).get(option_id) or {}).get("by_party") or {}
    if not parties:
        return None
    data = pd.DataFrame([{"partner": lab.partner(pid), "benefits_gbp": v.get("benefits_gbp"),
                          "costs_gbp": v.get("costs_gbp"), "net_gbp": v.get("net_gbp")} for pid, v in parties.items()])
    data = data.sort_values("net_gbp", ascending=False, kind="stable").reset_index(drop=True)
    s = scale(unit)
    y, full = [wrap(p, 34) for p in data["partner"]], [ptext(p) for p in data["partner"]]
    hover = f"%{{customdata}}: {_hx(unit)}<extra>%{{fullData.name}}</extra>"
    fig = go.Figure([
        go.Bar(name="Benefits", y=y, x=data["benefits_gbp"] / s, orientation="h", marker_color=BENEFIT,
               customdata=full, hovertemplate=hover),
        go.Bar(name="Costs", y=y, x=data["costs_gbp"] / s, orientation="h", marker_color=COST, customdata=full,
               hovertemplate=hover),
        go.Scatter(name="Net", y=y, x=data["net_gbp"] / s, mode="markers", customdata=full, hovertemplate=hover,
                   marker=dict(symbol="diamond", size=11, color=NET)),
    ])
    base_layout(fig, barmode="group", xaxis_title=money_axis(unit), yaxis_type="category",
                height=int(max(300, 110 + 40 * len(data))), bargap=0.25)
    fig.update_yaxes(autorange="reversed")
    return fig, data


def scores_total(totals: Mapping, lab: Labels) -> tuple[go.Figure, pd.DataFrame] | None:
    if not totals:
        return None
    data = pd.DataFrame([{"option": lab.option(oid), "total_score": v} for oid, v in totals.items()])
    data = data.sort_values("total_score", ascending=False, kind="stable").reset_index(drop=True)
    fig = go.Figure(go.Bar(x=data["total_score"], y=[wrap(n) for n in data["option"]], orientation="h",
                           marker_color=BENEFIT, text=[f"{v:.1f}" for v in data["total_score"]],
                           customdata=[ptext(n) for n in data["option"]], textposition="auto",
                           hovertemplate="%{customdata}: %{x:.1f}<extra></extra>"))
    base_layout(fig, xaxis=dict(title="weighted total score (0–100)", range=[0, 100]), height=bar_height(len(data), 0),
                yaxis_type="category", legend_rows=0, showlegend=False)
    fig.update_yaxes(autorange="reversed")
    return fig, data


def acceptability(scoring: Mapping, lab: Labels, keep: list[str]) -> tuple[go.Figure, pd.DataFrame] | None:
    acc = {oid: v for oid, v in (scoring.get("acceptability") or {}).items() if oid in keep}
    if not acc:
        return None
    ranks = sorted({str(r) for v in acc.values() for r in v}, key=lambda r: int(r) if r.isdigit() else 99)
    data = pd.DataFrame([{"option": lab.option(oid),
                          **{f"P(rank {r})": float((v or {}).get(r, 0.0) or 0.0) for r in ranks}} for oid, v in acc.items()])
    y, full = [wrap(n) for n in data["option"]], [ptext(n) for n in data["option"]]
    fig = go.Figure([go.Bar(name=ptext(f"ranked {r}"), y=y, x=data[f"P(rank {r})"], orientation="h",
                            marker_color=OPTION_COLOURS[i % len(OPTION_COLOURS)], customdata=full,
                            hovertemplate=f"%{{customdata}}: ranked {r} in %{{x:.0%}} of draws<extra></extra>")
                     for i, r in enumerate(ranks)])
    base_layout(fig, barmode="stack", xaxis=dict(title="share of weight draws (rank acceptability)",
                                                 tickformat=".0%", range=[0, 1]),
                yaxis_type="category", height=bar_height(len(data)))
    fig.update_yaxes(autorange="reversed")
    return fig, data
