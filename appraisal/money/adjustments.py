"""Adjustments to benefit and cost streams: double-counting reductions and optimism bias.

Each adjustment is multiplicative and they compound in the order the study lists them, as the
Plymouth/NEW Devon case does (13,735,102 × 0.9 × 0.9 = 11,125,433; an additive 20% would give
10,988,082). A benefit adjustment reduces: × (1 − pct/100). A cost adjustment uplifts: × (1 + pct/100).
Optimism bias can be named by Mott MacDonald project type and bound instead of a percentage.
"""
from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from appraisal.study.schema import Adjustment


@cache
def optimism_bias_table() -> pd.DataFrame:
    with resources.files("appraisal.money.reference").joinpath("optimism_bias.csv").open() as fh:
        return pd.read_csv(fh)


def optimism_bias_pct(project_type: str, bound: str = "upper", measure: str = "capex") -> float:
    """The Mott MacDonald upper or lower bound (per cent) for a project type and measure."""
    table = optimism_bias_table()
    hit = table[(table["project_type"] == project_type) & (table["measure"] == measure)]
    if hit.empty:
        known = ", ".join(f"{r.project_type}/{r.measure}" for r in table.itertuples())
        raise ValueError(f"no optimism-bias figure for {project_type}/{measure}; known: {known}")
    return float(hit.iloc[0][f"{bound}_pct"])


def adjustment_pct(adj: Adjustment) -> float:
    if adj.pct is not None:
        return adj.pct
    ob = adj.optimism_bias
    return optimism_bias_pct(ob.project_type, ob.bound, ob.measure)


def adjustment_factor(adj: Adjustment) -> float:
    pct = adjustment_pct(adj)
    return 1.0 - pct / 100.0 if adj.applies_to == "benefits" else 1.0 + pct / 100.0


def tag_hits(tags: np.ndarray, wanted) -> np.ndarray:
    """Rows whose ';'-separated tags include any of `wanted`."""
    wanted = set(wanted)
    return np.array([bool(wanted & set(str(t or "").split(";"))) for t in tags], dtype=bool)


def stream_factors(streams: pd.DataFrame, adjustments: list[Adjustment]) -> np.ndarray:
    """The compound adjustment factor of each ledger entry or stream row. An adjustment selects by kind,
    category, component, trigger, vehicle, tag and line; a share of an apportioned line carries its line's
    attributes, so an adjustment acts on it exactly as on the line."""
    factor = np.ones(len(streams))
    kinds = streams["kind"].to_numpy()
    for adj in adjustments:
        hit = kinds == ("benefit" if adj.applies_to == "benefits" else "cost")
        for attr, column in (("categories", "category"), ("components", "component"), ("triggers", "trigger"),
                             ("vehicles", "vehicle_id"), ("lines", "line_id")):
            wanted = getattr(adj, attr)
            if wanted:
                col = column if column in streams else ("stream_id" if column == "line_id" else None)
                hit &= np.isin(streams[col].to_numpy(), wanted) if col else False
        if adj.tags:
            hit &= tag_hits(streams["tags"].to_numpy(), adj.tags) if "tags" in streams else False
        factor[hit] *= adjustment_factor(adj)
    return factor
