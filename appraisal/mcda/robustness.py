"""Robustness of a linear additive MCDA ranking: weight swings, SMAA-2 rank acceptability, rank reversal.

All functions take a 0-100 value matrix (options x criteria, see :mod:`appraisal.mcda.engine`) and weights.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from appraisal.mcda.engine import TIE_TOL, linear_value, normalise_weights, rank_with_ties, score


def _ordering(totals: pd.Series, tol: float = TIE_TOL) -> str:
    """Human-readable ranking: "3 = 4 > 2 > 1"."""
    t = totals.sort_values(ascending=False, kind="stable")
    out, prev = "", None
    for opt, v in t.items():
        if prev is not None:
            out += " = " if abs(prev - v) <= tol else " > "
        out += str(opt)
        prev = v
    return out


def _swung(values: pd.DataFrame, w: pd.Series, criterion, t: np.ndarray) -> np.ndarray:
    """Totals (len(t) x options) when ``criterion`` weighs ``t`` and the others keep their proportions."""
    others = w.drop(criterion)
    rest = others / others.sum() if others.sum() > 0 else pd.Series(1.0 / len(others), index=others.index)
    r = values[rest.index].to_numpy() @ rest.to_numpy()  # per option, others' weighted mean
    vk = values[criterion].to_numpy()
    t = np.asarray(t, dtype=float)[:, None]
    return t * vk[None, :] + (1.0 - t) * r[None, :]


def weight_swing(values: pd.DataFrame, weights=None, criterion=None, *, lo: float = 0.0, hi: float = 1.0,
                 tol: float = TIE_TOL) -> pd.DataFrame:
    """Swing one criterion's normalised weight over [lo, hi], others rescaled in proportion.

    Totals are linear in the swung weight, so rank changes are found exactly: the result has one row per
    interval of constant ranking, plus one row for each crossing point where options tie. Columns:
    ``criterion, weight_from, weight_to, ranking, preferred, base_weight``."""
    v = values.astype(float)
    w = normalise_weights(weights, v.columns)
    opts = list(v.index)
    a, b = _swung(v, w, criterion, np.array([0.0, 1.0]))  # totals at t=0 and t=1
    slope, icpt = b - a, a
    pts = {lo, hi}
    for i in range(len(opts)):
        for j in range(i + 1, len(opts)):
            ds = slope[i] - slope[j]
            if abs(ds) > 1e-15:
                x = (icpt[j] - icpt[i]) / ds
                if lo < x < hi:
                    pts.add(float(x))
    pts = sorted(pts)
    rows = []

    def ranking_at(x):
        tot = pd.Series(icpt + slope * x, index=opts)
        ranks = rank_with_ties(tot, tol * 1e3)
        return _ordering(tot, tol * 1e3), [o for o in opts if ranks[o] == 1]

    for k, x in enumerate(pts):
        if 0 < k < len(pts) - 1 or len(pts) == 1:
            order, pref = ranking_at(x)
            rows.append((x, x, order, pref))
        if k + 1 < len(pts):
            order, pref = ranking_at(0.5 * (x + pts[k + 1]))
            rows.append((x, pts[k + 1], order, pref))
    df = pd.DataFrame(rows, columns=["weight_from", "weight_to", "ranking", "preferred"])
    # merge adjacent intervals with identical ranking (crossings that do not change the order)
    keep = [0]
    for i in range(1, len(df)):
        if df.loc[i, "ranking"] == df.loc[keep[-1], "ranking"]:
            df.loc[keep[-1], "weight_to"] = df.loc[i, "weight_to"]
        else:
            keep.append(i)
    df = df.loc[keep].reset_index(drop=True)
    df.insert(0, "criterion", criterion)
    df["base_weight"] = float(w[criterion])
    return df


def weight_swings(values: pd.DataFrame, weights=None, ranges: Mapping | None = None) -> pd.DataFrame:
    """:func:`weight_swing` for every criterion (ranges: criterion -> (lo, hi), default (0, 1))."""
    ranges = ranges or {}
    return pd.concat([weight_swing(values, weights, c, lo=ranges.get(c, (0, 1))[0], hi=ranges.get(c, (0, 1))[1])
                      for c in values.columns], ignore_index=True)


def switching_weights(values: pd.DataFrame, weights=None) -> pd.DataFrame:
    """Per criterion: nearest weight below and above the base weight at which the preferred set changes.

    NaN means no change of the first-ranked option(s) anywhere in that direction; a value equal to the
    base weight means the base is itself a tie (any move in that direction breaks it)."""
    w = normalise_weights(weights, values.columns)
    rows = []
    for c in values.columns:
        sw = weight_swing(values, w, c)
        base = float(w[c])
        here = sw[(sw.weight_from <= base + 1e-12) & (sw.weight_to >= base - 1e-12)]
        base_pref = set(map(str, here.iloc[len(here) // 2]["preferred"]))
        down = [r.weight_to for r in sw.itertuples() if r.weight_to <= base + 1e-12 and set(map(str, r.preferred)) != base_pref]
        up = [r.weight_from for r in sw.itertuples() if r.weight_from >= base - 1e-12 and set(map(str, r.preferred)) != base_pref]
        rows.append({"criterion": c, "base_weight": base,
                     "switch_below": max(down) if down else np.nan,
                     "switch_above": min(up) if up else np.nan})
    return pd.DataFrame(rows)


@dataclass
class SMAAResult:
    """SMAA-2 output. ``acceptability``: options x ranks (1..m), each row and column sums to 1.
    ``central_weights``: options x criteria, mean weight vector over draws where the option ranks first
    (NaN if it never does). ``n``, ``seed``: sample size and seed."""

    acceptability: pd.DataFrame
    central_weights: pd.DataFrame
    n: int
    seed: int

    @property
    def first_rank(self) -> pd.Series:
        """Probability each option ranks first."""
        return self.acceptability[1]

    def as_dict(self) -> dict:
        """JSON-ready: acceptability[option][rank], central weights, n and seed."""
        return {"acceptability": {str(o): {int(r): float(v) for r, v in row.items()}
                                  for o, row in self.acceptability.iterrows()},
                "central_weights": {str(o): {str(c): (None if pd.isna(v) else float(v)) for c, v in row.items()}
                                    for o, row in self.central_weights.iterrows()},
                "n": self.n, "seed": self.seed}


def _sample_weights(rng, criteria, n, weights, weight_bounds):
    c = len(criteria)
    if weight_bounds is None:
        return rng.dirichlet(np.ones(c), size=n)  # uniform on the simplex: no weight information
    lo = np.array([weight_bounds[k][0] if k in weight_bounds else np.nan for k in criteria], float)
    hi = np.array([weight_bounds[k][1] if k in weight_bounds else np.nan for k in criteria], float)
    base = normalise_weights(weights, criteria).to_numpy() if weights is not None else np.full(c, 1.0 / c)
    lo = np.where(np.isnan(lo), base, lo)
    hi = np.where(np.isnan(hi), base, hi)
    raw = rng.uniform(lo, hi, size=(n, c))  # swing weights within bounds, then normalised
    s = raw.sum(axis=1, keepdims=True)
    if np.any(s <= 0):
        raise ValueError("weight bounds allow all-zero weights")
    return raw / s


def smaa(values: pd.DataFrame, *, weights=None, weight_bounds: Mapping | None = None,
         values_low: pd.DataFrame | None = None, values_high: pd.DataFrame | None = None,
         value_sd: float | pd.DataFrame = 0.0, n: int = 10_000, seed: int = 0,
         tol: float = TIE_TOL) -> SMAAResult:
    """SMAA-2 rank acceptability indices by Monte Carlo (Lahdelma & Salminen 2001).

    Weights: uniform on the simplex when ``weight_bounds`` is None (no preference information); otherwise
    swing weights drawn uniformly within ``weight_bounds`` (criterion -> (lo, hi); criteria not listed
    stay at their ``weights`` value) and normalised. Values: uniform between ``values_low`` and
    ``values_high`` if given, else normal around ``values`` with ``value_sd``, clipped to 0-100.
    Exact ties in a draw are broken uniformly at random, so each rank's acceptabilities sum to 1."""
    rng = np.random.default_rng(seed)
    v = values.astype(float)
    opts, crit = list(v.index), list(v.columns)
    m = len(opts)
    W = _sample_weights(rng, crit, n, weights, dict(weight_bounds) if weight_bounds is not None else None)
    if values_low is not None or values_high is not None:
        lo = (values_low if values_low is not None else v).loc[opts, crit].to_numpy(float)
        hi = (values_high if values_high is not None else v).loc[opts, crit].to_numpy(float)
        V = rng.uniform(lo, hi, size=(n, m, len(crit)))
    else:
        sd = value_sd.loc[opts, crit].to_numpy(float) if isinstance(value_sd, pd.DataFrame) else float(value_sd)
        V = v.to_numpy()[None] + rng.standard_normal((n, m, len(crit))) * sd if np.any(np.asarray(sd) > 0) \
            else np.broadcast_to(v.to_numpy(), (n, m, len(crit)))
        V = np.clip(V, 0.0, 100.0)
    T = np.einsum("nmc,nc->nm", V, W)
    tiebreak = rng.random((n, m))
    better = T[:, None, :] > T[:, :, None] + tol  # [n, i, j]: j beats i
    tied = (np.abs(T[:, None, :] - T[:, :, None]) <= tol) & (tiebreak[:, None, :] < tiebreak[:, :, None])
    rank = 1 + better.sum(axis=2) + tied.sum(axis=2)  # n x m, a permutation of 1..m per draw
    acc = np.stack([(rank == r).mean(axis=0) for r in range(1, m + 1)], axis=1)
    acceptability = pd.DataFrame(acc, index=v.index, columns=pd.Index(range(1, m + 1), name="rank"))
    first = rank == 1
    cw = np.array([W[first[:, i]].mean(axis=0) if first[:, i].any() else np.full(len(crit), np.nan)
                   for i in range(m)])
    return SMAAResult(acceptability, pd.DataFrame(cw, index=v.index, columns=crit), n, seed)


def rank_reversal(performance: pd.DataFrame, weights=None, *, directions: Mapping | None = None,
                  scales: str | Mapping = "local") -> pd.DataFrame:
    """Remove each option in turn, re-score the rest and report changes in their relative order.

    ``performance``: options x criteria in natural units. ``directions``: criterion -> +1 (more is
    better, default) or -1. ``scales``: "local" (value functions re-fitted to the options present,
    0 = worst present, 100 = best present: the setting in which reversals can occur), or a mapping
    criterion -> (worst, best) of fixed global scales (no reversal is possible for a linear additive
    model). Returns one row per removed option: ``removed, ranking_before, ranking_after,
    reversed_pairs, reversal``."""
    directions = directions or {}
    perf = performance.astype(float)

    def to_values(p: pd.DataFrame) -> pd.DataFrame:
        out = {}
        for c in p.columns:
            if scales == "local":
                lo, hi = p[c].min(), p[c].max()
                worst, best = (lo, hi) if directions.get(c, 1) > 0 else (hi, lo)
                out[c] = np.full(len(p), 100.0) if worst == best else linear_value(p[c], worst, best)
            else:
                worst, best = scales[c]
                out[c] = linear_value(p[c], worst, best)
        return pd.DataFrame(out, index=p.index)

    base = score(to_values(perf), weights).totals
    rows = []
    for rm in perf.index:
        rest = perf.drop(index=rm)
        after = score(to_values(rest), weights).totals
        before = base.drop(index=rm)
        pairs = []
        keys = list(rest.index)
        for i in range(len(keys)):
            for j in range(i + 1, len(keys)):
                a, b = keys[i], keys[j]
                s0 = np.sign(round(before[a] - before[b], 9))
                s1 = np.sign(round(after[a] - after[b], 9))
                if s0 != s1:
                    pairs.append((a, b))
        rows.append({"removed": rm, "ranking_before": _ordering(before), "ranking_after": _ordering(after),
                     "reversed_pairs": pairs, "reversal": bool(pairs)})
    return pd.DataFrame(rows)


def robustness_report(values: pd.DataFrame, weights=None, *, weight_bounds: Mapping | None = None,
                      n: int = 10_000, seed: int = 0) -> dict:
    """Everything ``reformkit score`` reports, JSON-ready: scores and ranks, exact weight-swing intervals,
    switching weights, SMAA-2 acceptabilities and the rank-reversal check (fixed 0-100 scales)."""
    res = score(values, weights)
    swings = weight_swings(values, res.weights)
    swings["preferred"] = swings["preferred"].map(lambda p: [str(o) for o in p])
    rr = rank_reversal(values, res.weights, scales={c: (0.0, 100.0) for c in values.columns})
    rr["reversed_pairs"] = rr["reversed_pairs"].map(lambda ps: [[str(a), str(b)] for a, b in ps])
    sw = switching_weights(values, res.weights).astype(object)
    sw = sw.where(sw.notna(), None)
    return {"score": res.as_dict(), "weight_swings": swings.to_dict("records"),
            "switching_weights": sw.to_dict("records"),
            "smaa": smaa(values, weights=res.weights, weight_bounds=weight_bounds, n=n, seed=seed).as_dict(),
            "rank_reversal": rr.astype({"removed": str}).to_dict("records")}
