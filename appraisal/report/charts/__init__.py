"""Plotly figures for the report, one module per subject (base: what they share; options, plan, money, buyin,
sensitivity). Each builder returns ``(figure, data)``: the data frame is the table shown beside the chart, holding
exactly the numbers plotted (in pounds, not display units), with human names and no internal ids.

Charts that compare named things (options, partners, components, parameters) are horizontal bars, so no label is
ever rotated: names are wrapped onto at most two lines (:func:`wrap`), the full name is in the hover text and in the
data table. Colours are the Okabe-Ito colour-blind-safe palette. Heights grow with the number of bars so the plot
area is never squashed (tested in Chromium at 1400 px and A4 width).

User text (option, service, partner, vehicle names) goes through :func:`ptext` before reaching plotly.
"""
from __future__ import annotations

from appraisal.report.charts.base import (OKABE_ITO, BENEFIT, COST, NET, PLANNED, REALISED, OPTION_COLOURS, FONT, WRAP,
                                          ROW, _AXIS, TEMPLATE, wrap, base_layout, bar_height, money_axis, _hx, _hy)
from appraisal.report.charts.options import options_npsv, by_party, scores_total, acceptability
from appraisal.report.charts.plan import MAX_SANKEY_SERVICES, sankey, _year_index, gantt
from appraisal.report.charts.money import yearly, position_lines, _scenario, cumulative, components
from appraisal.report.charts.buyin import buyin_curves, MAX_PIVOTAL, pivotal
from appraisal.report.charts.sensitivity import tornado, sobol
