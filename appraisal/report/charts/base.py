"""What every chart shares: the Okabe-Ito colours, font, the plotly template, label wrapping, the layout, bar heights
and money axes.
"""
from __future__ import annotations

import textwrap

import plotly.graph_objects as go

from appraisal.report.fmt import AXIS_TITLES, ptext


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
