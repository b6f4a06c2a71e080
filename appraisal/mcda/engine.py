"""Linear additive multi-criteria analysis (UK government MCA manual, DCLG 2009, ch. 5-6).

Plain-data engine: options x criteria tables in, DataFrames and dataclasses out. No YAML, no CLI.

* value functions map a criterion's performance onto a 0-100 value scale (0 = worst, 100 = best of the
  range considered, higher always better once mapped);
* swing weights: the swing from worst to best on each criterion is judged against the most important
  swing (= 100) and normalised to sum to one;
* overall score  V_i = sum_j w_j v_ij  (0-100), ranking with ties shown (equal totals share the best rank);
* RAG bands for display only.

RAG judgements enter as values through :data:`RAG_VALUES` (Red 0, Amber 50, Green 100), an interval
scale, so any positive affine map of it (e.g. the G=3/A=2/R=1 points of the Lancashire report) gives the
same ranking under the same weights.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

RAG_VALUES: dict[str, float] = {"Red": 0.0, "Amber": 50.0, "Green": 100.0}
RAG_POINTS: dict[str, float] = {"Red": 1.0, "Amber": 2.0, "Green": 3.0}
#: default display bands for a 0-100 value: [0, 100/3) Red, [100/3, 200/3) Amber, >= 200/3 Green
DEFAULT_BANDS: tuple[float, float] = (100.0 / 3.0, 200.0 / 3.0)
#: totals closer than this (on the 0-100 scale) are treated as tied
TIE_TOL = 1e-9


def linear_value(x, worst: float, best: float):
    """Linear value function: ``worst`` -> 0, ``best`` -> 100, clipped to [0, 100].

    Works for either direction (``best < worst`` for a cost-type criterion)."""
    if best == worst:
        raise ValueError("best and worst must differ")
    v = 100.0 * (np.asarray(x, dtype=float) - worst) / (best - worst)
    return np.clip(v, 0.0, 100.0)


def piecewise_value(x, points: Sequence[tuple[float, float]]):
    """Piecewise-linear value function through ``(performance, value)`` points (values 0-100).

    Points may be given in any order of performance; outside the range the end values hold."""
    pts = sorted(points)
    xs = np.array([p[0] for p in pts], dtype=float)
    vs = np.array([p[1] for p in pts], dtype=float)
    if np.any(vs < 0) or np.any(vs > 100):
        raise ValueError("values must lie in 0-100")
    return np.interp(np.asarray(x, dtype=float), xs, vs)


def rag_value(rag, scale: Mapping[str, float] = RAG_VALUES):
    """Map RAG labels ("Red"/"Amber"/"Green", case-insensitive, or R/A/G) to values."""
    lookup = {k.lower(): v for k, v in scale.items()}
    lookup.update({k[0].lower(): v for k, v in scale.items()})

    def one(r):
        try:
            return lookup[str(r).strip().lower()]
        except KeyError:
            raise ValueError(f"unknown RAG label {r!r}") from None

    if isinstance(rag, pd.DataFrame):
        return rag.map(one).astype(float)
    if isinstance(rag, pd.Series):
        return rag.map(one).astype(float)
    if isinstance(rag, str):
        return one(rag)
    return np.array([one(r) for r in rag], dtype=float)


def rag_band(value, bands: tuple[float, float] = DEFAULT_BANDS):
    """Display band of a 0-100 value: below bands[0] Red, below bands[1] Amber, else Green."""
    lo, hi = bands

    def one(v):
        return "Red" if v < lo else ("Amber" if v < hi else "Green")

    if isinstance(value, (pd.Series, pd.DataFrame)):
        return value.map(one)
    if np.ndim(value) == 0:
        return one(float(value))
    return np.array([one(v) for v in np.asarray(value, dtype=float)], dtype=object)


def swing_weights(swings: Mapping[str, float]) -> pd.Series:
    """Normalise swing-weight judgements (most important swing = 100, others relative) to sum to 1."""
    s = pd.Series(dict(swings), dtype=float)
    if (s < 0).any() or s.sum() <= 0:
        raise ValueError("swing weights must be non-negative and not all zero")
    return s / s.sum()


def rank_with_ties(totals: pd.Series, tol: float = TIE_TOL) -> pd.Series:
    """Competition ranking (1 = best, higher totals better); totals within ``tol`` share the best rank.

    E.g. totals 10, 12, 13, 13 give ranks 4, 3, 1, 1."""
    t = totals.astype(float)
    return t.apply(lambda v: int(1 + (t > v + tol).sum())).rename("rank")


@dataclass
class MCDAResult:
    """Outcome of :func:`score`.

    ``table``: one row per option (index = option) with the weighted contribution of each criterion,
    ``total`` (0-100), ``rank`` (ties share a rank), ``band`` (RAG of the total) and ``tied`` (bool).
    ``values``: the 0-100 value matrix used; ``weights``: normalised weights (sum 1)."""

    table: pd.DataFrame
    values: pd.DataFrame
    weights: pd.Series
    provenance: dict = field(default_factory=dict)

    @property
    def totals(self) -> pd.Series:
        return self.table["total"]

    @property
    def ranks(self) -> pd.Series:
        return self.table["rank"]

    @property
    def preferred(self) -> list:
        """Options ranked first (more than one when tied)."""
        return list(self.table.index[self.table["rank"] == 1])

    def as_dict(self) -> dict:
        """JSON-ready: weights, per-option totals/ranks/bands/contributions, preferred options."""
        crit = list(self.values.columns)
        return {"weights": {str(k): float(v) for k, v in self.weights.items()},
                "options": {str(o): {"total": float(r["total"]), "rank": int(r["rank"]), "band": r["band"],
                                     "tied": bool(r["tied"]),
                                     "contributions": {str(c): float(r[c]) for c in crit}}
                            for o, r in self.table.iterrows()},
                "preferred": [str(o) for o in self.preferred], "provenance": self.provenance}


def normalise_weights(weights, criteria: Sequence) -> pd.Series:
    """Weights as a Series over ``criteria`` summing to 1 (``None`` = equal weights)."""
    if weights is None:
        return pd.Series(1.0 / len(criteria), index=list(criteria))
    w = pd.Series(weights, dtype=float)
    missing = set(criteria) - set(w.index)
    extra = set(w.index) - set(criteria)
    if missing or extra:
        raise ValueError(f"weights/criteria mismatch: missing {sorted(missing)}, unknown {sorted(extra)}")
    return swing_weights(w.reindex(list(criteria)))


def score(values: pd.DataFrame, weights=None, *, bands=DEFAULT_BANDS, tol: float = TIE_TOL) -> MCDAResult:
    """Linear additive model. ``values``: options (index) x criteria (columns), each 0-100.

    ``weights``: mapping criterion -> swing weight (normalised here), or None for equal weights."""
    v = values.astype(float)
    if ((v < -1e-12) | (v > 100 + 1e-12)).any().any():
        raise ValueError("values must lie on the 0-100 scale; apply a value function first")
    w = normalise_weights(weights, v.columns)
    contrib = v * w
    table = contrib.copy()
    table["total"] = contrib.sum(axis=1)
    table["rank"] = rank_with_ties(table["total"], tol)
    table["band"] = rag_band(table["total"], bands)
    table["tied"] = table["rank"].map(table["rank"].value_counts()) > 1
    return MCDAResult(table=table, values=v, weights=w,
                      provenance={"method": "linear additive (MCA manual)", "tie_tol": tol})


def rag_matrix(long: pd.DataFrame, *, option="option_id", criterion="value_driver", rag="rag") -> pd.DataFrame:
    """Pivot a long RAG table (one row per option x criterion) to options x criteria labels."""
    return long.pivot(index=option, columns=criterion, values=rag)
