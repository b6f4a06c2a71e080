"""Plotly figures for the report. Each builder returns ``(figure, data)``: the data frame is the table
shown beside the chart, holding exactly the numbers plotted (in pounds, not display units).

User text (option, service, partner, vehicle names) goes through :func:`ptext` before reaching plotly.
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd
import plotly.graph_objects as go

from appraisal.report.fmt import AXIS_TITLES, fy_start, is_missing, month_to_fy, ptext, scale
from appraisal.report.summary import prob_by_planned_year

BENEFIT, COST, NET, CUM = "#2a7f62", "#c8553d", "#1d3557", "#457b9d"
PLANNED, REALISED = "#a8dadc", "#1d3557"
OPTION_COLOURS = ["#1d3557", "#e76f51", "#2a9d8f", "#e9c46a", "#6d597a", "#8ab17d", "#f4a261", "#264653"]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


_AXIS = dict(gridcolor="#e5e8eb", linecolor="#c5ccd3", zerolinecolor="#9aa5b1", automargin=True,
             title=dict(standoff=10))
# A small template of our own: plotly's built-in ones are large (copied into every figure, slow to validate).
TEMPLATE = go.layout.Template(layout=dict(paper_bgcolor="white", plot_bgcolor="white", colorway=OPTION_COLOURS,
                                          hovermode="closest", font=dict(color="#1b1f24"), xaxis=_AXIS, yaxis=_AXIS))


def base_layout(fig: go.Figure, *, title: str | None = None, height: int = 380, **kw) -> go.Figure:
    fig.update_layout(template=TEMPLATE, height=height, margin=dict(l=60, r=20, t=50 if title else 30, b=50),
                      font=dict(family=FONT, size=12), title=dict(text=ptext(title)) if title else None,
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0), **kw)
    return fig


def money_axis(unit: str) -> str:
    return AXIS_TITLES[unit]


def _hover(unit: str) -> str:
    return "%{y:,.1f}" if unit == "gbp_m" else "%{y:,.0f}"


# --- options ------------------------------------------------------------------------------------

def options_npsv(results: Mapping, unit: str) -> tuple[go.Figure, pd.DataFrame] | None:
    rows = []
    for oid, opt in (results.get("options") or {}).items():
        m = opt.get("metrics") or {}
        rows.append({"option_id": oid, "option": opt.get("name") or oid,
                     "pv_benefits_gbp": m.get("pv_benefits_gbp"), "pv_costs_gbp": m.get("pv_costs_gbp"),
                     "npsv_gbp": m.get("npsv_gbp"), "npv_gbp": m.get("npv_gbp"), "bcr": m.get("bcr"),
                     "payback_year": m.get("payback_year"), "funding_requirement_gbp": m.get("funding_requirement_gbp"),
                     "funding_peak_year": m.get("funding_peak_year")})
    if not rows:
        return None
    data = pd.DataFrame(rows)
    s = scale(unit)
    names = [ptext(n) for n in data["option"]]
    num = lambda c: pd.to_numeric(data[c], errors="coerce").fillna(0.0) / s  # noqa: E731
    fig = go.Figure([
        go.Bar(name="PV benefits", x=names, y=num("pv_benefits_gbp"), marker_color=BENEFIT, hovertemplate=_hover(unit)),
        go.Bar(name="PV costs", x=names, y=-num("pv_costs_gbp"), marker_color=COST, hovertemplate=_hover(unit)),
        go.Scatter(name="NPSV", x=names, y=num("npsv_gbp"), mode="markers", hovertemplate=_hover(unit),
                   marker=dict(symbol="diamond", size=14, color=NET, line=dict(color="white", width=1))),
    ])
    base_layout(fig, barmode="relative", yaxis_title=money_axis(unit), xaxis_type="category")
    return fig, data


def by_party(results: Mapping, option_id: str, unit: str,
             names: Mapping | None = None) -> tuple[go.Figure, pd.DataFrame] | None:
    parties = ((results.get("options") or {}).get(option_id) or {}).get("by_party") or {}
    if not parties:
        return None
    names = names or {}
    data = pd.DataFrame([{"partner_id": pid, "partner": names.get(pid, pid), **vals} for pid, vals in parties.items()])
    s = scale(unit)
    x = [ptext(p) for p in data["partner"]]
    fig = go.Figure([
        go.Bar(name="Benefits", x=x, y=data["benefits_gbp"] / s, marker_color=BENEFIT, hovertemplate=_hover(unit)),
        go.Bar(name="Costs", x=x, y=data["costs_gbp"] / s, marker_color=COST, hovertemplate=_hover(unit)),
        go.Bar(name="Net", x=x, y=data["net_gbp"] / s, marker_color=NET, hovertemplate=_hover(unit)),
    ])
    base_layout(fig, barmode="group", yaxis_title=money_axis(unit), xaxis_type="category", height=340)
    return fig, data


def scores_total(scoring: Mapping, results: Mapping) -> tuple[go.Figure, pd.DataFrame] | None:
    total = scoring.get("total") or {}
    if not total:
        return None
    rank = scoring.get("rank") or {}
    data = pd.DataFrame([{"option_id": oid, "option": _name(results, oid), "total_score": v, "rank": rank.get(oid)}
                         for oid, v in total.items()]).sort_values("total_score", ascending=True)
    fig = go.Figure(go.Bar(x=data["total_score"], y=[ptext(n) for n in data["option"]], orientation="h",
                           marker_color=OPTION_COLOURS[0], text=[f"{v:.1f}" for v in data["total_score"]],
                           textposition="auto", hovertemplate="%{x:.1f}<extra></extra>"))
    base_layout(fig, xaxis_title="weighted total score", height=120 + 40 * len(data), yaxis_type="category")
    return fig, data.sort_values("total_score", ascending=False)


def acceptability(scoring: Mapping, results: Mapping) -> tuple[go.Figure, pd.DataFrame] | None:
    acc = scoring.get("acceptability") or {}
    if not acc:
        return None
    ranks = sorted({str(r) for v in acc.values() for r in v}, key=lambda r: int(r) if r.isdigit() else 99)
    data = pd.DataFrame([{"option_id": oid, "option": _name(results, oid),
                          **{f"P(rank {r})": float((v or {}).get(r, (v or {}).get(int(r) if r.isdigit() else r, 0.0)) or 0.0)
                             for r in ranks}} for oid, v in acc.items()])
    fig = go.Figure([go.Bar(name=ptext(f"rank {r}"), x=[ptext(n) for n in data["option"]], y=data[f"P(rank {r})"],
                            marker_color=OPTION_COLOURS[i % len(OPTION_COLOURS)], hovertemplate="%{y:.0%}")
                     for i, r in enumerate(ranks)])
    base_layout(fig, barmode="stack", yaxis_title="rank acceptability", yaxis_tickformat=".0%", xaxis_type="category",
                height=340)
    return fig, data


def _name(results: Mapping, oid) -> str:
    return str(((results.get("options") or {}).get(oid) or {}).get("name") or oid)


# --- services, sites, phasing -----------------------------------------------------------------------

MAX_SANKEY_SERVICES = 40


def sankey(assignment: pd.DataFrame, max_services: int = MAX_SANKEY_SERVICES) -> tuple[go.Figure, pd.DataFrame]:
    """Services -> vehicles (-> sites when the assignment has sites). Flow width is FTE (else one per service).

    Beyond ``max_services`` services the smallest are pooled into one "other services" node per chart, so
    the diagram stays legible; the data table beside it still lists every service.
    """
    a = assignment.copy()
    svc = a["service_name"] if "service_name" in a else a["service_id"]
    veh = a["vehicle_name"] if "vehicle_name" in a else a["vehicle_id"]
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
            labels.append(ptext(label))
            colours.append(colour)
        return index[key]

    src, tgt, val = [], [], []
    for (svc_name, veh_name), w in a.groupby(["_svc", "_veh"], sort=False)["_w"].sum().items():
        src.append(node("service", svc_name, "#a8dadc")), tgt.append(node("vehicle", veh_name, "#1d3557"))
        val.append(float(w))
    if has_sites:
        flows = a.dropna(subset=["site_id"]).groupby(["_veh", "site_id"], sort=True)["_w"].sum()
        for (veh_name, site), w in flows.items():
            src.append(node("vehicle", veh_name, "#1d3557")), tgt.append(node("site", str(site), "#e9c46a"))
            val.append(float(w))
    fig = go.Figure(go.Sankey(arrangement="snap",
                              node=dict(label=labels, color=colours, pad=10, thickness=14,
                                        line=dict(color="white", width=0.5)),
                              link=dict(source=src, target=tgt, value=val, color="rgba(69,123,157,0.25)")))
    n_services = a["_svc"].nunique()
    base_layout(fig, height=int(min(900, max(320, 24 * n_services + 80))))
    cols = [c for c in ("service_id", "service_name", "vehicle_id", "vehicle_name", "site_id", "transfer_year", "fte")
            if c in assignment]
    return fig, assignment[cols].reset_index(drop=True)


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


def gantt(phasing: pd.DataFrame, years: list[str]) -> tuple[go.Figure, pd.DataFrame]:
    """Planned versus buy-in-realised (median) establishment year per vehicle, bars running to horizon end."""
    p = phasing.copy()
    name = (p["vehicle_name"] if "vehicle_name" in p else p["vehicle_id"]).fillna(p["vehicle_id"]).astype(str)
    end = float(len(years))
    ylab = [ptext(n) for n in name]
    traces = []
    for col, label, colour in (("planned_year", "Planned", PLANNED), ("realised_median_year", "Buy-in realised (median)", REALISED)):
        if col not in p:
            continue
        starts = [_year_index(v, years) for v in p[col]]
        traces.append(go.Bar(name=label, orientation="h", y=ylab, base=[s if s is not None else end for s in starts],
                             x=[(end - s) if s is not None else 0 for s in starts], marker_color=colour,
                             customdata=[ptext(v) if not is_missing(v) else "not within horizon" for v in p[col]],
                             hovertemplate=f"{label}: %{{customdata}}<extra></extra>"))
    fig = go.Figure(traces)
    base_layout(fig, barmode="group", height=140 + 50 * len(p), yaxis_type="category",
                xaxis=dict(range=[0, end], tickmode="array", tickvals=list(range(len(years))),
                           ticktext=[ptext(y) for y in years], title="establishment year (bar runs to horizon end)"))
    fig.update_yaxes(autorange="reversed")
    return fig, p.reset_index(drop=True)


# --- yearly profile and funding ---------------------------------------------------------------------

def yearly(results: Mapping, option_id: str, unit: str) -> tuple[go.Figure, pd.DataFrame] | None:
    yearly = ((results.get("options") or {}).get(option_id) or {}).get("yearly") or {}
    cols = [c for c in ("benefits_adjusted_gbp", "costs_adjusted_gbp", "net_gbp", "cumulative_net_gbp", "pv_net_gbp")
            if c in yearly]
    if not cols:
        return None
    years = results.get("years") or list(yearly[cols[0]])
    data = pd.DataFrame({"year": years, **{c: [yearly[c].get(y) for y in years] for c in cols}})
    s = scale(unit)
    x = [ptext(y) for y in years]
    traces = []
    if "benefits_adjusted_gbp" in data:
        traces.append(go.Bar(name="Benefits (adjusted)", x=x, y=data["benefits_adjusted_gbp"].astype(float) / s,
                             marker_color=BENEFIT, hovertemplate=_hover(unit)))
    if "costs_adjusted_gbp" in data:
        traces.append(go.Bar(name="Costs (adjusted)", x=x, y=-data["costs_adjusted_gbp"].astype(float) / s,
                             marker_color=COST, hovertemplate=_hover(unit)))
    if "net_gbp" in data:
        traces.append(go.Scatter(name="Net", x=x, y=data["net_gbp"].astype(float) / s, mode="lines+markers",
                                 line=dict(color=NET, width=2), hovertemplate=_hover(unit)))
    fig = go.Figure(traces)
    base_layout(fig, barmode="relative", yaxis_title=money_axis(unit), xaxis_type="category")
    return fig, data


def position_lines(results: Mapping) -> pd.DataFrame:
    """Partners' cumulative budget position summed over partners, per scenario and year."""
    rows = []
    for pid, scenarios in (results.get("positions") or {}).items():
        for scenario, by_year in (scenarios or {}).items():
            for year, vals in (by_year or {}).items():
                rows.append({"partner_id": pid, "scenario": scenario, "year": year,
                             "cumulative_gbp": (vals or {}).get("cumulative_gbp")})
    return pd.DataFrame(rows, columns=["partner_id", "scenario", "year", "cumulative_gbp"])


def cumulative(results: Mapping, unit: str) -> tuple[go.Figure, pd.DataFrame] | None:
    years = list(results.get("years") or [])
    s = scale(unit)
    wide = pd.DataFrame({"year": years})
    traces = []
    for i, (oid, opt) in enumerate((results.get("options") or {}).items()):
        cum = (opt.get("yearly") or {}).get("cumulative_net_gbp")
        if not cum:
            continue
        col = f"{oid}: cumulative_net_gbp"
        wide[col] = [cum.get(y) for y in years]
        preferred = oid == results.get("preferred_option")
        traces.append(go.Scatter(name=ptext(opt.get("name") or oid), x=[ptext(y) for y in years],
                                 y=pd.to_numeric(wide[col], errors="coerce") / s, mode="lines+markers",
                                 line=dict(color=OPTION_COLOURS[i % len(OPTION_COLOURS)], width=3 if preferred else 1.5),
                                 hovertemplate=_hover(unit)))
    pos = position_lines(results)
    if not pos.empty:
        summed = pos.groupby(["scenario", "year"], sort=False)["cumulative_gbp"].sum().reset_index()
        order = ["do_nothing"] + [sc for sc in summed["scenario"].unique() if sc != "do_nothing"]
        for sc in order:
            line = summed[summed["scenario"] == sc]
            if line.empty:
                continue
            line = line.assign(_k=[fy_start(y) or 0 for y in line["year"]]).sort_values("_k")
            col = f"partners {sc}: cumulative_gbp"
            wide = wide.merge(line[["year", "cumulative_gbp"]].rename(columns={"cumulative_gbp": col}), on="year",
                              how="outer")
            label = "Do nothing: partners' cumulative budget position" if sc == "do_nothing" else \
                f"{sc.replace('_', ' ').capitalize()}: partners' cumulative budget position"
            traces.append(go.Scatter(name=ptext(label), x=[ptext(y) for y in line["year"]], y=line["cumulative_gbp"] / s,
                                     mode="lines", line=dict(color="#6c757d" if sc == "do_nothing" else "#adb5bd",
                                                             dash="dash", width=2), hovertemplate=_hover(unit)))
    if not traces:
        return None
    fig = go.Figure(traces)
    fig.add_hline(y=0, line=dict(color="#333", width=1))
    base_layout(fig, yaxis_title=money_axis(unit), xaxis_type="category", height=400)
    wide = wide.assign(_k=[fy_start(y) or 0 for y in wide["year"]]).sort_values("_k").drop(columns="_k")
    return fig, wide.reset_index(drop=True)


def components(results: Mapping, profile: pd.DataFrame, option_id: str, unit: str) -> tuple[go.Figure, pd.DataFrame] | None:
    """Present value of each benefit and cost component, stacked into the NPSV (waterfall)."""
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
        sign = -1.0 if str(r.get("kind", "benefit")).startswith("cost") else 1.0
        total = sum(float(r[y] or 0.0) for y in year_cols)
        pv = sum(float(r[y] or 0.0) * float(disc.get(y, 1.0)) for y in year_cols)
        out.append({"kind": r.get("kind"), "component": r["component"], "total_gbp": total, "pv_gbp": pv,
                    "contribution_gbp": sign * pv})
    data = pd.DataFrame(out).sort_values(["kind", "contribution_gbp"], ascending=[True, False]).reset_index(drop=True)
    s = scale(unit)
    labels = [ptext(f"{c} ({k})") for c, k in zip(data["component"], data["kind"])]
    fig = go.Figure(go.Waterfall(
        orientation="v", x=labels + ["NPSV"], measure=["relative"] * len(data) + ["total"],
        y=list(data["contribution_gbp"] / s) + [0.0], hovertemplate=_hover(unit),
        increasing=dict(marker=dict(color=BENEFIT)), decreasing=dict(marker=dict(color=COST)),
        totals=dict(marker=dict(color=NET)), connector=dict(line=dict(color="#999", width=1))))
    base_layout(fig, yaxis_title=money_axis(unit), xaxis_type="category", showlegend=False, height=420)
    return fig, data


# --- buy-in -----------------------------------------------------------------------------------------

def buyin_curves(buyin: Mapping) -> tuple[go.Figure, pd.DataFrame] | None:
    vehicles = buyin.get("vehicles") or {}
    rows, traces = [], []
    for i, (vid, v) in enumerate(vehicles.items()):
        probs = v.get("prob_by_year") or {}
        keys = sorted(probs, key=lambda y: fy_start(y) or 0)
        name = v.get("name") or vid
        for y in keys:
            rows.append({"vehicle_id": vid, "vehicle": name, "year": y, "probability_agreed": probs[y],
                         "planned": v.get("planned"), "median_establishment": v.get("median_establishment")})
        colour = OPTION_COLOURS[i % len(OPTION_COLOURS)]
        traces.append(go.Scatter(name=ptext(name), x=[ptext(y) for y in keys], y=[probs[y] for y in keys],
                                 mode="lines+markers", line=dict(color=colour, shape="hv"),
                                 hovertemplate="%{y:.0%}"))
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
    base_layout(fig, yaxis=dict(title="probability agreed by year end", tickformat=".0%", range=[0, 1.05]),
                xaxis_type="category")
    return fig, pd.DataFrame(rows)


def pivotal(buyin: Mapping) -> tuple[go.Figure, pd.DataFrame] | None:
    piv = buyin.get("pivotal") or []
    if not piv:
        return None
    data = pd.DataFrame(piv)
    vehicles = buyin.get("vehicles") or {}
    data["vehicle"] = [(vehicles.get(v) or {}).get("name") or v for v in data.get("vehicle_id", [None] * len(data))]
    if "partner_name" not in data:
        data["partner_name"] = data["partner_id"]
    data["partner_name"] = data["partner_name"].fillna(data["partner_id"])
    traces = []
    for i, (vname, grp) in enumerate(data.groupby("vehicle", sort=False)):
        grp = grp.sort_values("pivotal_share")
        traces.append(go.Bar(name=ptext(vname), orientation="h", x=grp["pivotal_share"],
                             y=[ptext(n) for n in grp["partner_name"]], marker_color=OPTION_COLOURS[i % len(OPTION_COLOURS)],
                             hovertemplate="%{x:.0%}"))
    fig = go.Figure(traces)
    base_layout(fig, barmode="group", xaxis=dict(title="share of simulated decisions where the partner is pivotal",
                                                 tickformat=".0%"), yaxis_type="category",
                height=140 + 30 * len(data))
    cols = [c for c in ("partner_id", "partner_name", "vehicle_id", "vehicle", "pivotal_share") if c in data]
    return fig, data[cols]


# --- sensitivity ------------------------------------------------------------------------------------

def tornado(sens: Mapping, results: Mapping, unit: str) -> tuple[go.Figure, pd.DataFrame] | None:
    rows = sens.get("tornado") or []
    if not rows:
        return None
    data = pd.DataFrame(rows)
    outcome = str(sens.get("outcome") or "outcome")
    is_money = outcome.endswith("_gbp")
    s = scale(unit) if is_money else 1.0
    base = sens.get("base_outcome")
    if base is None:
        pref = results.get("preferred_option")
        base = (((results.get("options") or {}).get(pref) or {}).get("metrics") or {}).get(outcome)
    if base is None:
        base = float(pd.concat([data["outcome_low"], data["outcome_high"]]).mean())
    data["swing"] = (data["outcome_high"] - data["outcome_low"]).abs()
    data = data.sort_values("swing", ascending=True).reset_index(drop=True)
    y = [ptext(p) for p in data["parameter"]]
    fig = go.Figure([
        go.Bar(name="parameter at low value", orientation="h", y=y, base=base / s,
               x=(data["outcome_low"] - base) / s, marker_color="#e76f51",
               customdata=data["low_value"], hovertemplate="low value %{customdata}: %{x:,.2f}<extra></extra>"),
        go.Bar(name="parameter at high value", orientation="h", y=y, base=base / s,
               x=(data["outcome_high"] - base) / s, marker_color="#2a9d8f",
               customdata=data["high_value"], hovertemplate="high value %{customdata}: %{x:,.2f}<extra></extra>"),
    ])
    fig.add_vline(x=base / s, line=dict(color="#333", width=1, dash="dot"))
    base_layout(fig, barmode="overlay", yaxis_type="category", height=140 + 32 * len(data),
                xaxis_title=ptext(f"{outcome} ({money_axis(unit)})" if is_money else outcome))
    return fig, data.drop(columns="swing").iloc[::-1].reset_index(drop=True)


def sobol(sens: Mapping) -> tuple[go.Figure, pd.DataFrame] | None:
    idx = sens.get("indices") or []
    if not idx:
        return None
    data = pd.DataFrame(idx)
    traces = []
    order = data.sort_values("ST" if "ST" in data else data.columns[1], ascending=False)
    x = [ptext(p) for p in order["parameter"]]
    for col, label, colour in (("S1", "first order S1", "#457b9d"), ("ST", "total order ST", "#1d3557")):
        if col not in order or order[col].isna().all():
            continue
        conf = order.get(f"{col}_conf")
        traces.append(go.Bar(name=label, x=x, y=order[col], marker_color=colour,
                             error_y=dict(type="data", array=list(conf.fillna(0.0)) if conf is not None else None,
                                          visible=conf is not None, thickness=1.2, width=4),
                             hovertemplate="%{y:.3f}"))
    if not traces and "mu_star" in order:
        traces.append(go.Bar(name="Morris μ*", x=x, y=order["mu_star"], marker_color="#1d3557"))
    if not traces:
        return None
    fig = go.Figure(traces)
    base_layout(fig, barmode="group", xaxis_type="category",
                yaxis_title="Sobol index (bars: 95% interval)" if "ST" in order else "index")
    return fig, order.reset_index(drop=True)
