"""Charts of the money by year: the yearly profile, the partners' cumulative positions and the components of an
option's money.
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd
import plotly.graph_objects as go

from appraisal.report.charts.base import (_hx, _hy, bar_height, base_layout, BENEFIT, COST, money_axis, NET,
                                          OPTION_COLOURS, wrap)
from appraisal.report.fmt import fy_start, ptext, scale
from appraisal.report.labels import humanise, Labels


def yearly(results: Mapping, option_id: str, unit: str) -> tuple[go.Figure, pd.DataFrame] | None:
    yearly = ((results.get("options") or {}).get(option_id) or {}).get("yearly") or {}
    cols = [c for c in ("benefits_adjusted_gbp", "costs_adjusted_gbp", "net_gbp", "cumulative_net_gbp")
            if c in yearly]
    if not cols:
        return None
    years = results.get("years") or list(yearly[cols[0]])
    data = pd.DataFrame({"year": years, **{c: [yearly[c].get(y) for y in years] for c in cols}})
    s = scale(unit)
    x = [ptext(y) for y in years]
    traces = []
    if "benefits_adjusted_gbp" in data:
        traces.append(go.Bar(name="Benefits", x=x, y=data["benefits_adjusted_gbp"].astype(float) / s,
                             marker_color=BENEFIT, hovertemplate=_hy(unit)))
    if "costs_adjusted_gbp" in data:
        traces.append(go.Bar(name="Costs (shown below zero)", x=x, y=-data["costs_adjusted_gbp"].astype(float) / s,
                             marker_color=COST, hovertemplate=_hy(unit)))
    if "net_gbp" in data:
        traces.append(go.Scatter(name="Net", x=x, y=data["net_gbp"].astype(float) / s, mode="lines+markers",
                                 line=dict(color=NET, width=2), hovertemplate=_hy(unit)))
    fig = go.Figure(traces)
    base_layout(fig, barmode="relative", yaxis_title=money_axis(unit), xaxis_type="category", height=360)
    return fig, data.rename(columns={"benefits_adjusted_gbp": "benefits_gbp", "costs_adjusted_gbp": "costs_gbp"})


def position_lines(results: Mapping) -> pd.DataFrame:
    """Partners' cumulative budget position summed over partners, per scenario and year."""
    rows = []
    for pid, scenarios in (results.get("positions") or {}).items():
        for scenario, by_year in (scenarios or {}).items():
            for year, vals in (by_year or {}).items():
                rows.append({"partner_id": pid, "scenario": scenario, "year": year,
                             "cumulative_gbp": (vals or {}).get("cumulative_gbp")})
    return pd.DataFrame(rows, columns=["partner_id", "scenario", "year", "cumulative_gbp"])


def _scenario(sc: str) -> str:
    return "Do nothing" if sc == "do_nothing" else humanise(sc)


def cumulative(results: Mapping, unit: str, lab: Labels) -> tuple[go.Figure, pd.DataFrame] | None:
    years = list(results.get("years") or [])
    s = scale(unit)
    wide = pd.DataFrame({"year": years})
    traces = []
    infeasible = lab.infeasible()
    for i, (oid, opt) in enumerate((results.get("options") or {}).items()):
        cum = (opt.get("yearly") or {}).get("cumulative_net_gbp")
        if not cum or oid in infeasible:
            continue
        col = f"{lab.option(oid)} (£)"
        wide[col] = [cum.get(y) for y in years]
        preferred = oid == results.get("preferred_option")
        traces.append(go.Scatter(name=wrap(lab.option(oid), 60, 1), x=[ptext(y) for y in years],
                                 y=pd.to_numeric(wide[col], errors="coerce") / s, mode="lines+markers",
                                 line=dict(color=OPTION_COLOURS[i % len(OPTION_COLOURS)], width=3.5 if preferred else 1.8),
                                 hovertemplate=_hy(unit)))
    pos = position_lines(results)
    if not pos.empty:
        summed = pos.groupby(["scenario", "year"], sort=False)["cumulative_gbp"].sum().reset_index()
        order = ["do_nothing"] + [sc for sc in summed["scenario"].unique() if sc != "do_nothing"]
        for sc in order:
            line = summed[summed["scenario"] == sc]
            if line.empty:
                continue
            line = line.assign(_k=[fy_start(y) or 0 for y in line["year"]]).sort_values("_k")
            label = f"{_scenario(sc)}: partners' cumulative budget position"
            col = f"{label} (£)"
            wide = wide.merge(line[["year", "cumulative_gbp"]].rename(columns={"cumulative_gbp": col}), on="year",
                              how="outer")
            traces.append(go.Scatter(name=ptext(label), x=[ptext(y) for y in line["year"]], y=line["cumulative_gbp"] / s,
                                     mode="lines", line=dict(color="#555555" if sc == "do_nothing" else "#999999",
                                                             dash="dash" if sc == "do_nothing" else "dot", width=2),
                                     hovertemplate=_hy(unit)))
    if not traces:
        return None
    fig = go.Figure(traces)
    fig.add_hline(y=0, line=dict(color="#333", width=1))
    base_layout(fig, yaxis_title=money_axis(unit), xaxis_type="category", height=340 + 20 * len(traces), legend_rows=0)
    fig.update_layout(legend=dict(orientation="v", yanchor="top", y=-0.15, xanchor="left", x=0),
                      margin=dict(b=40 + 20 * len(traces)))
    wide = wide.assign(_k=[fy_start(y) or 0 for y in wide["year"]]).sort_values("_k").drop(columns="_k")
    return fig, wide.reset_index(drop=True)


def components(results: Mapping, profile: pd.DataFrame, option_id: str, unit: str) -> tuple[go.Figure, pd.DataFrame] | None:
    """Present value of each benefit and cost component, adding up to the NPSV (horizontal waterfall)."""
    if profile is None or profile.empty or "component" not in profile:
        return None
    rows = profile[profile["option_id"] == option_id] if "option_id" in profile else profile
    if rows.empty:
        return None
    years = list(results.get("years") or [])
    disc = (((results.get("options") or {}).get(option_id) or {}).get("yearly") or {}).get("discount_factor") or {}
    year_cols = [y for y in years if y in rows.columns]
    out = []
    for _, r in rows.iterrows():
        kind = str(r.get("kind", "benefit"))
        sign = -1.0 if kind.startswith("cost") else 1.0
        total = sum(float(r[y] or 0.0) for y in year_cols)
        pv = sum(float(r[y] or 0.0) * float(disc.get(y, 1.0)) for y in year_cols)
        out.append({"kind": kind, "component": humanise(r["component"]), "total_gbp": total, "pv_gbp": pv,
                    "contribution_gbp": sign * pv})
    data = pd.DataFrame(out).sort_values(["kind", "contribution_gbp"], ascending=[True, False]).reset_index(drop=True)
    s = scale(unit)
    names = [f"{c} ({k})" for c, k in zip(data["component"], data["kind"])]
    fig = go.Figure(go.Waterfall(
        orientation="h", y=[wrap(n, 30) for n in names] + ["NPSV"], measure=["relative"] * len(data) + ["total"],
        x=list(data["contribution_gbp"] / s) + [0.0], customdata=[ptext(n) for n in names] + ["NPSV"],
        hovertemplate=f"%{{customdata}}: {_hx(unit)}<extra></extra>",
        increasing=dict(marker=dict(color=BENEFIT)), decreasing=dict(marker=dict(color=COST)),
        totals=dict(marker=dict(color=NET)), connector=dict(line=dict(color="#999", width=1))))
    base_layout(fig, xaxis_title=money_axis(unit), yaxis_type="category", showlegend=False,
                height=bar_height(len(data) + 1, 0), legend_rows=0)
    fig.update_yaxes(autorange="reversed")
    return fig, data.rename(columns={"kind": "benefit or cost", "total_gbp": "undiscounted_gbp",
                                     "pv_gbp": "present_value_gbp"})
