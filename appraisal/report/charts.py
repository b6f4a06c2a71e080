"""Plotly figures for the report. Each builder returns ``(figure, data)``: the data frame is the table
shown beside the chart, holding exactly the numbers plotted (in pounds, not display units), with human
names and no internal ids.

Charts that compare named things (options, partners, components, parameters) are horizontal bars, so no
label is ever rotated: names are wrapped onto at most two lines (:func:`wrap`), the full name is in the
hover text and in the data table. Colours are the Okabe-Ito colour-blind-safe palette. Heights grow with
the number of bars so the plot area is never squashed (tested in Chromium at 1400 px and A4 width).

User text (option, service, partner, vehicle names) goes through :func:`ptext` before reaching plotly.
"""
from __future__ import annotations

import textwrap
from typing import Mapping

import pandas as pd
import plotly.graph_objects as go

from appraisal.report.fmt import AXIS_TITLES, fy_start, is_missing, month_to_fy, ptext, scale
from appraisal.report.labels import Labels, humanise
from appraisal.report.summary import prob_by_planned_year

# Okabe & Ito (2008), safe for the common colour-vision deficiencies
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
BENEFIT, COST, NET = "#0072B2", "#D55E00", "#1b1f24"
PLANNED, REALISED = "#56B4E9", "#0072B2"
OPTION_COLOURS = OKABE_ITO
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
WRAP = 26  # characters per label line
ROW = 46  # pixels per bar row (two-line labels)

_AXIS = dict(gridcolor="#e5e8eb", linecolor="#c5ccd3", zerolinecolor="#9aa5b1", automargin=True,
             title=dict(standoff=10))
# A small template of our own: plotly's built-in ones are large (copied into every figure, slow to validate).
TEMPLATE = go.layout.Template(layout=dict(paper_bgcolor="white", plot_bgcolor="white", colorway=OPTION_COLOURS,
                                          hovermode="closest", font=dict(color="#1b1f24"), xaxis=_AXIS, yaxis=_AXIS))


def wrap(name, width: int = WRAP, lines: int = 2) -> str:
    """A label for an axis: at most ``lines`` lines of ``width`` characters, '…' when cut (escaped for plotly)."""
    parts = textwrap.wrap(str(name), width) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1].rstrip() + "…"
    return "<br>".join(ptext(p) for p in parts)


def base_layout(fig: go.Figure, *, height: int = 380, legend_rows: int = 1, **kw) -> go.Figure:
    top = 20 + 22 * legend_rows if legend_rows else 20
    fig.update_layout(template=TEMPLATE, height=height, margin=dict(l=10, r=20, t=top, b=50),
                      font=dict(family=FONT, size=12),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0), **kw)
    return fig


def bar_height(n: int, legend_rows: int = 1) -> int:
    """Figure height for ``n`` horizontal bar rows: plot area at least 60 % of the figure."""
    return int(max(300, 90 + 22 * legend_rows + ROW * n))


def money_axis(unit: str) -> str:
    return AXIS_TITLES[unit]


def _hx(unit: str) -> str:
    return "%{x:,.1f}" if unit == "gbp_m" else "%{x:,.0f}"


def _hy(unit: str) -> str:
    return "%{y:,.1f}" if unit == "gbp_m" else "%{y:,.0f}"


# --- options ------------------------------------------------------------------------------------

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


# --- services, sites, phasing -----------------------------------------------------------------------

MAX_SANKEY_SERVICES = 40


def sankey(assignment: pd.DataFrame, max_services: int = MAX_SANKEY_SERVICES,
           site_name=humanise) -> tuple[go.Figure, pd.DataFrame]:
    """Services -> vehicles (-> sites when the assignment has sites). Flow width is FTE (else one per service).

    Beyond ``max_services`` services the smallest are pooled into one "other services" node per chart, so
    the diagram stays legible; the data table beside it still lists every service.
    """
    a = assignment.copy()
    svc = a["service_name"] if "service_name" in a else a["service_id"].map(humanise)
    veh = a["vehicle_name"] if "vehicle_name" in a else a["vehicle_id"].map(humanise)
    a["_svc"], a["_veh"] = svc.fillna(a["service_id"]).astype(str), veh.fillna(a["vehicle_id"]).astype(str)
    a["_w"] = pd.to_numeric(a["fte"], errors="coerce").fillna(1.0) if "fte" in a else 1.0
    has_sites = "site_id" in a and a["site_id"].notna().any()
    sizes = a.groupby("_svc", sort=True)["_w"].sum().sort_values(ascending=False, kind="stable")
    if len(sizes) > max_services:
        keep = set(sizes.index[: max_services - 1])
        pooled = len(sizes) - len(keep)
        a["_svc"] = a["_svc"].where(a["_svc"].isin(keep), f"Other services ({pooled})")
    labels: list[str] = []
    colours: list[str] = []
    index: dict[tuple[str, str], int] = {}

    def node(kind: str, label: str, colour: str) -> int:
        key = (kind, label)
        if key not in index:
            index[key] = len(labels)
            labels.append(wrap(label, 34) if kind == "site" else ptext(label))
            colours.append(colour)
        return index[key]

    src, tgt, val = [], [], []
    for (svc_name, veh_name), w in a.groupby(["_svc", "_veh"], sort=False)["_w"].sum().items():
        src.append(node("service", svc_name, "#56B4E9")), tgt.append(node("vehicle", veh_name, "#0072B2"))
        val.append(float(w))
    if has_sites:
        flows = a.dropna(subset=["site_id"]).groupby(["_veh", "site_id"], sort=True)["_w"].sum()
        for (veh_name, site), w in flows.items():
            src.append(node("vehicle", veh_name, "#0072B2")), tgt.append(node("site", site_name(site), "#E69F00"))
            val.append(float(w))
    fig = go.Figure(go.Sankey(arrangement="snap",
                              node=dict(label=labels, color=colours, pad=10, thickness=14,
                                        line=dict(color="white", width=0.5)),
                              link=dict(source=src, target=tgt, value=val, color="rgba(0,114,178,0.22)")))
    n_services = a["_svc"].nunique()
    base_layout(fig, height=int(min(900, max(320, 22 * n_services + 80))), legend_rows=0)
    out = pd.DataFrame({"service": svc.fillna(a["service_id"]).astype(str), "vehicle": a["_veh"]})
    if has_sites:
        out["site"] = a["site_id"].map(lambda v: "" if is_missing(v) else site_name(v))
    for col, name in (("transfer_year", "transfer year"), ("fte", "FTE")):
        if col in a:
            out[name] = a[col].values
    return fig, out.reset_index(drop=True)


def _year_index(value, years: list[str]) -> float | None:
    if is_missing(value):
        return None
    if isinstance(value, str) and value in years:
        return float(years.index(value))
    start = fy_start(value)
    if start is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < len(years) + 50 and value < 1900:
        return float(value)
    first = fy_start(years[0]) if years else None
    return None if first is None else float(start - first)


def gantt(phasing: pd.DataFrame, years: list[str], lab: Labels) -> tuple[go.Figure, pd.DataFrame]:
    """Planned versus buy-in-realised (median) establishment year per vehicle, bars running to horizon end."""
    p = phasing.copy()
    name = p["vehicle_name"] if "vehicle_name" in p else p["vehicle_id"].map(lab.vehicle)
    name = name.fillna(p["vehicle_id"].map(lab.vehicle)).astype(str)
    end = float(len(years))
    ylab = [wrap(n, 34) for n in name]
    traces = []
    table = pd.DataFrame({"vehicle": name})
    for col, label, colour in (("planned_year", "Planned", PLANNED), ("realised_median_year", "Buy-in realised (median)", REALISED)):
        if col not in p:
            continue
        starts = [_year_index(v, years) for v in p[col]]
        shown = [ptext(v) if not is_missing(v) else "not within the horizon" for v in p[col]]
        table[label.lower()] = ["not within the horizon" if is_missing(v) else v for v in p[col]]
        traces.append(go.Bar(name=label, orientation="h", y=ylab, base=[s if s is not None else end for s in starts],
                             x=[(end - s) if s is not None else 0 for s in starts], marker_color=colour,
                             customdata=[[ptext(n), v] for n, v in zip(name, shown)],
                             hovertemplate=f"%{{customdata[0]}}: {label.lower()} %{{customdata[1]}}<extra></extra>"))
    fig = go.Figure(traces)
    base_layout(fig, barmode="group", height=bar_height(len(p)), yaxis_type="category",
                xaxis=dict(range=[0, end], tickmode="array", tickvals=list(range(len(years))),
                           ticktext=[ptext(y) for y in years], title="financial year established (bar runs to horizon end)"))
    fig.update_yaxes(autorange="reversed")
    return fig, table


# --- yearly profile and funding ---------------------------------------------------------------------

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


# --- buy-in -----------------------------------------------------------------------------------------

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


# --- sensitivity ------------------------------------------------------------------------------------

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
