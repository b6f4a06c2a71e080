"""Charts of a plan: services into vehicles and sites (Sankey) and the phasing of vehicles (Gantt)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from appraisal.report.charts.base import bar_height, base_layout, PLANNED, REALISED, wrap
from appraisal.report.fmt import fy_start, is_missing, ptext
from appraisal.report.labels import humanise, Labels


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
