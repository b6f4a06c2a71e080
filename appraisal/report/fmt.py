"""Formatting helpers shared by the report: escaping, money in the study's display unit, HTML tables.

Every piece of text that reaches the page goes through :func:`esc` (HTML) or :func:`ptext` (plotly
labels, which plotly.js parses as pseudo-HTML and decodes entities in, so escaped text shows literally).
"""
from __future__ import annotations

import html
import math
from typing import Callable, Iterable, Mapping, Sequence

import pandas as pd

UNITS = {"gbp": (1.0, "£", ""), "gbp_k": (1e3, "£", "k"), "gbp_m": (1e6, "£", "m")}
AXIS_TITLES = {"gbp": "£", "gbp_k": "£ thousand", "gbp_m": "£ million"}
MINUS = "\u2212"


def esc(value) -> str:
    """HTML-escape any value (None -> empty)."""
    return "" if value is None else html.escape(str(value), quote=True)


def ptext(value) -> str:
    """Text for plotly labels/ticks/hover: entities are decoded by plotly.js, tags are not interpreted."""
    return html.escape("" if value is None else str(value), quote=False)


def is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def pick_unit(results: Mapping) -> str:
    """The study's display unit; when absent, the unit that suits the largest money figure."""
    unit = results.get("display_unit")
    if unit in UNITS:
        return unit
    biggest = 0.0
    for opt in (results.get("options") or {}).values():
        for key, value in (opt.get("metrics") or {}).items():
            if key.endswith("_gbp") and isinstance(value, (int, float)) and not is_missing(value):
                biggest = max(biggest, abs(float(value)))
    return "gbp_m" if biggest >= 1e6 else ("gbp_k" if biggest >= 1e5 else "gbp")


def scale(unit: str) -> float:
    return UNITS[unit][0]


def money(value, unit: str = "gbp_m", *, signed: bool = False) -> str:
    """£ in the display unit: gbp_m -> '£12.3m' (1 decimal), gbp_k -> '£1,234k', gbp -> '£1,234'."""
    if is_missing(value):
        return "–"
    factor, symbol, suffix = UNITS[unit]
    v = float(value) / factor
    decimals = 1 if unit == "gbp_m" else 0
    text = f"{symbol}{abs(v):,.{decimals}f}{suffix}"
    if round(v, decimals) < 0:
        return MINUS + text
    return ("+" + text) if signed and round(v, decimals) > 0 else text


def number(value, decimals: int = 2) -> str:
    if is_missing(value):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int,)) and not isinstance(value, bool):
        return f"{value:,}"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isinf(v):
        return "∞" if v > 0 else MINUS + "∞"
    text = f"{abs(v):,.{decimals}f}"
    return (MINUS + text) if round(v, decimals) < 0 else text


def pct(value, decimals: int = 0) -> str:
    if is_missing(value):
        return "–"
    return f"{float(value) * 100:.{decimals}f}%"


def value_text(value) -> str:
    """A generic cell: numbers with sensible decimals, everything else as text."""
    if is_missing(value):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return number(value, 0)
        return number(value, 4 if abs(value) < 1 else 2)
    return str(value)


Formatter = Callable[[object], str]


def money_columns(columns: Iterable[str], unit: str) -> dict[str, Formatter]:
    """Formatters for every column whose name says it holds pounds."""
    return {c: (lambda v, u=unit: money(v, u)) for c in columns if str(c).endswith("_gbp") or str(c).startswith("£")}


def table(frame: pd.DataFrame, *, formats: Mapping[str, Formatter] | None = None,
          headers: Mapping[str, str] | None = None, cell_class: Mapping[str, Callable[[object], str]] | None = None,
          caption: str | None = None, css: str = "data") -> str:
    """An HTML table of a DataFrame; every header and cell is escaped."""
    formats, cell_class = formats or {}, cell_class or {}
    headers = {c: header(c) for c in frame.columns} | dict(headers or {})
    numeric = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])}
    parts = [f'<table class="{esc(css)}">']
    if caption:
        parts.append(f"<caption>{esc(caption)}</caption>")
    parts.append("<thead><tr>" + "".join(f'<th scope="col">{esc(headers.get(c, c))}</th>' for c in frame.columns)
                 + "</tr></thead><tbody>")
    for row in frame.itertuples(index=False, name=None):
        cells = []
        for col, value in zip(frame.columns, row):
            fmt = formats.get(col)
            text = fmt(value) if fmt else value_text(value)
            classes = []
            if col in numeric or col in formats:
                classes.append("num")
            if col in cell_class:
                extra = cell_class[col](value)
                if extra:
                    classes.append(extra)
            attr = f' class="{esc(" ".join(classes))}"' if classes else ""
            cells.append(f"<td{attr}>{esc(text)}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def header(column) -> str:
    """A readable column heading: 'pv_costs_gbp' -> 'pv costs (£)'."""
    text = str(column)
    if text.endswith("_gbp"):
        text = text[:-4] + " (£)"
    return text.replace("_", " ")


def short_number(value) -> str:
    """A parameter value in as few digits as it needs: 0.5, 0.62, 20, 1,500."""
    if is_missing(value):
        return "–"
    v = float(value)
    text = f"{abs(v):,.0f}" if abs(v) >= 1e4 else f"{abs(v):.4g}"
    return (MINUS + text) if v < 0 else text


def kv_table(rows: Sequence[tuple[str, object]], css: str = "kv") -> str:
    """A two-column key/value table (values already plain text or numbers)."""
    body = "".join(f'<tr><th scope="row">{esc(k)}</th><td>{esc(value_text(v))}</td></tr>' for k, v in rows)
    return f'<table class="{esc(css)}"><tbody>{body}</tbody></table>'


def fy_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def fy_start(label) -> int | None:
    """'2017/18' -> 2017; 'YYYY-MM' -> the financial year (April start) containing that month; int -> itself."""
    if is_missing(label):
        return None
    if isinstance(label, (int,)) and not isinstance(label, bool):
        return int(label)
    text = str(label).strip()
    try:
        if "/" in text:
            return int(text.split("/")[0])
        if "-" in text:
            y, m = text.split("-")[:2]
            return int(y) if int(m) >= 4 else int(y) - 1
        return int(float(text))
    except ValueError:
        return None


def month_to_fy(label) -> str | None:
    start = fy_start(label)
    return None if start is None else fy_label(start)
