"""Analysis of outputs paired with a :class:`~appraisal.uncertainty.design.SensitivityDesign`.

* Sobol: SALib.analyze.sobol (first and total order, bootstrap confidence intervals) at N/4, N/2 and N
  base samples; converged when every S1 and ST moved by at most ``tol`` between N/2 and N.
* Morris: SALib.analyze.morris (mu, mu*, sigma, bootstrap CI of mu*), parameters ranked by mu*.
* Monte Carlo: output summary and Spearman rank correlation of each input with the output.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats


def _records(df: pd.DataFrame) -> dict:
    return {str(i): {k: (None if pd.isna(v) else (int(v) if k == "rank" else float(v))) for k, v in row.items()}
            for i, row in df.iterrows()}


@dataclass
class SobolResult:
    indices: pd.DataFrame  # param -> S1, S1_conf, ST, ST_conf (at full N)
    convergence: pd.DataFrame  # n_base, param, S1, S1_conf, ST, ST_conf
    max_change: float  # max |index(N) - index(N/2)| over S1 and ST
    converged: bool
    tol: float

    def as_dict(self) -> dict:
        conv = {int(m): _records(g.set_index("param").drop(columns="n_base"))
                for m, g in self.convergence.groupby("n_base")}
        return {"method": "sobol", "indices": _records(self.indices), "convergence": conv,
                "max_change": self.max_change, "converged": self.converged, "tol": self.tol}


@dataclass
class MorrisResult:
    indices: pd.DataFrame  # param -> mu, mu_star, sigma, mu_star_conf, rank (by mu_star)

    def as_dict(self) -> dict:
        return {"method": "morris", "indices": _records(self.indices)}


@dataclass
class MonteCarloResult:
    summary: pd.Series  # mean, sd, p05, p50, p95, min, max, n
    rank_correlation: pd.DataFrame  # param -> spearman, p_value

    def as_dict(self) -> dict:
        return {"method": "montecarlo", "summary": {k: float(v) for k, v in self.summary.items()},
                "rank_correlation": _records(self.rank_correlation)}


def _ordered(design, Y) -> pd.DataFrame:
    n = len(design)
    if isinstance(Y, pd.DataFrame) or isinstance(Y, pd.Series):
        df = Y.to_frame() if isinstance(Y, pd.Series) else Y
        df = df.sort_index()
        if len(df) != n or not np.array_equal(df.index.to_numpy(), np.arange(n)):
            raise ValueError(f"outputs must cover sample_index 0..{n - 1} exactly once (got {len(df)} rows)")
        return df
    a = np.asarray(Y, dtype=float)
    if a.shape[0] != n:
        raise ValueError(f"expected {n} outputs in sample order, got {a.shape[0]}")
    return pd.DataFrame(a.reshape(n, -1) if a.ndim > 1 else {"y": a})


def salib_seed(seed: int) -> int:
    """SALib's analysers ignore a falsy seed (``if seed:``), so seed 0 would give unseeded bootstrap
    intervals; derive a fixed non-zero seed from the design's seed instead."""
    return int(np.random.SeedSequence(int(seed)).generate_state(1)[0]) or 1


def sobol_indices(design, y: np.ndarray, *, num_resamples: int = 200, conf_level: float = 0.95,
                  tol: float = 0.05) -> SobolResult:
    from SALib.analyze import sobol as sobol_analyze
    d = design.problem["num_vars"]
    rows, per = [], d + 2
    sizes = [m for m in (design.n // 4, design.n // 2, design.n) if m >= 4]
    for m in sizes:  # prefixes of a scrambled Sobol' sequence of power-of-2 length are balanced designs
        r = sobol_analyze.analyze(design.problem, y[: m * per], calc_second_order=False,
                                  num_resamples=num_resamples, conf_level=conf_level, seed=salib_seed(design.seed))
        for j, name in enumerate(design.names):
            rows.append({"n_base": m, "param": name, "S1": r["S1"][j], "S1_conf": r["S1_conf"][j],
                         "ST": r["ST"][j], "ST_conf": r["ST_conf"][j]})
    conv = pd.DataFrame(rows)
    full = conv[conv.n_base == design.n].set_index("param")[["S1", "S1_conf", "ST", "ST_conf"]]
    if len(sizes) >= 2:
        half = conv[conv.n_base == sizes[-2]].set_index("param")
        change = float(np.nanmax(np.abs(full[["S1", "ST"]].to_numpy() - half[["S1", "ST"]].to_numpy())))
    else:
        change = float("nan")
    return SobolResult(full, conv, change, bool(change <= tol), tol)


def morris_indices(design, y: np.ndarray, *, num_resamples: int = 200, conf_level: float = 0.95) -> MorrisResult:
    from SALib.analyze import morris as morris_analyze
    r = morris_analyze.analyze(design.problem, design.unit, y, num_resamples=num_resamples,
                               conf_level=conf_level, num_levels=design.options["num_levels"],
                               seed=salib_seed(design.seed))
    df = pd.DataFrame({"mu": r["mu"], "mu_star": r["mu_star"], "sigma": r["sigma"],
                       "mu_star_conf": r["mu_star_conf"]}, index=pd.Index(design.names, name="param"))
    df["rank"] = df["mu_star"].rank(ascending=False, method="min").astype(int)
    return MorrisResult(df)


def montecarlo_summary(design, y: np.ndarray) -> MonteCarloResult:
    y = np.asarray(y, dtype=float)
    q = np.nanquantile(y, [0.05, 0.5, 0.95])
    summ = pd.Series({"n": len(y), "mean": np.nanmean(y), "sd": np.nanstd(y, ddof=1), "p05": q[0], "p50": q[1],
                      "p95": q[2], "min": np.nanmin(y), "max": np.nanmax(y)})
    X = design.X
    rc = []
    for name in design.names:
        res = stats.spearmanr(X[name].to_numpy(), y, nan_policy="omit")
        rc.append({"param": name, "spearman": float(res.statistic), "p_value": float(res.pvalue)})
    return MonteCarloResult(summ, pd.DataFrame(rc).set_index("param"))


def analyse(design, Y, **kw):
    df = _ordered(design, Y)
    fn = {"sobol": sobol_indices, "morris": morris_indices, "montecarlo": montecarlo_summary}[design.method]
    out = {col: fn(design, df[col].to_numpy(dtype=float), **kw) for col in df.columns}
    return out if len(out) > 1 else next(iter(out.values()))
