"""A sensitivity design: the SALib problem, the sample (in the sampler's row order) and the method, in
one object, so that analysis can only ever be run on outputs in the order the sampler produced.

Sampling happens on the unit hypercube (SALib bounds [0, 1]); each column is then mapped through its
parameter's inverse CDF. Row ``i`` of :attr:`SensitivityDesign.X` is sample index ``i``.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib.metadata import version

import numpy as np
import pandas as pd
from scipy.stats import qmc

from appraisal.uncertainty import correlation as corr_mod
from appraisal.uncertainty.params import EPS, Param, to_values

METHODS = ("sobol", "morris", "montecarlo")


@dataclass(frozen=True, eq=False)
class SensitivityDesign:
    method: str
    params: tuple[Param, ...]
    n: int  # Sobol base sample N, Morris trajectories, or Monte Carlo runs
    seed: int
    problem: dict  # SALib problem on the unit hypercube
    unit: np.ndarray  # rows x params in [0, 1], SALib's row order
    options: dict = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.params]

    @property
    def X(self) -> pd.DataFrame:
        """Parameter values, one row per run, index ``sample_index`` 0..len-1."""
        u = self.unit
        if self.method == "morris":  # grid levels include 0 and 1: keep unbounded marginals finite
            u = np.clip(u, self.options.get("morris_eps", 1e-3), 1 - self.options.get("morris_eps", 1e-3))
        df = pd.DataFrame(to_values(self.params, u), columns=self.names)
        df.index.name = "sample_index"
        return df

    def __len__(self) -> int:
        return self.unit.shape[0]

    def hash(self) -> str:
        """Content hash of the design (method, parameter specs, n, seed, options, SALib version)."""
        payload = json.dumps({"method": self.method, "params": [p.spec() for p in self.params], "n": self.n,
                              "seed": self.seed, "options": self.options, "salib": version("SALib")},
                             sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()

    def analyse(self, Y, **kw):
        """Analyse outputs paired with this design (see :mod:`appraisal.uncertainty.indices`).

        ``Y``: array in sample order, a Series, or a DataFrame indexed by ``sample_index`` (one column per
        output: returns a dict output -> result)."""
        from appraisal.uncertainty import indices
        return indices.analyse(self, Y, **kw)


def _problem(params) -> dict:
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise ValueError("parameter names must be unique")
    return {"num_vars": len(params), "names": names, "bounds": [[0.0, 1.0]] * len(params)}


def sobol(params, n: int, *, seed: int = 0) -> SensitivityDesign:
    """Saltelli/Sobol' design, ``n`` base samples (a power of 2), first and total order only: n (D + 2) runs."""
    from SALib.sample import sobol as sobol_sample
    if n < 4 or n & (n - 1):
        raise ValueError("Sobol base sample n must be a power of 2 (>= 4)")
    params = tuple(params)
    prob = _problem(params)
    unit = sobol_sample.sample(prob, n, calc_second_order=False, scramble=True, seed=seed)
    return SensitivityDesign("sobol", params, n, seed, prob, unit, {"calc_second_order": False})


def morris(params, n: int, *, num_levels: int = 4, seed: int = 0, eps: float = 1e-3) -> SensitivityDesign:
    """Morris elementary-effects design: ``n`` trajectories of D + 1 runs on a ``num_levels`` grid.

    Grid ends 0 and 1 are evaluated at quantiles ``eps`` and ``1 - eps``."""
    from SALib.sample import morris as morris_sample
    params = tuple(params)
    prob = _problem(params)
    unit = morris_sample.sample(prob, n, num_levels=num_levels, seed=seed)
    return SensitivityDesign("morris", params, n, seed, prob, unit, {"num_levels": num_levels, "morris_eps": eps})


def montecarlo(params, n: int, *, seed: int = 0, lhs: bool = False, correlation=None,
               correlation_method: str = "iman_conover") -> SensitivityDesign:
    """Plain Monte Carlo (or Latin hypercube) sample of ``n`` runs, optionally with a rank correlation
    matrix imposed by ``"iman_conover"`` (keeps the sampled marginals) or ``"gaussian_copula"``."""
    params = tuple(params)
    prob = _problem(params)
    rng = np.random.default_rng(seed)
    k = len(params)
    unit = qmc.LatinHypercube(d=k, seed=rng).random(n) if lhs else rng.random((n, k))
    opts = {"lhs": lhs}
    if correlation is not None:
        c = np.asarray(correlation, dtype=float)
        if correlation_method == "iman_conover":
            unit = corr_mod.iman_conover(unit, c, seed=seed + 1)
        elif correlation_method == "gaussian_copula":
            unit = corr_mod.gaussian_copula(unit, c)
        else:
            raise ValueError("correlation_method must be 'iman_conover' or 'gaussian_copula'")
        unit = np.clip(unit, EPS, 1 - EPS)
        opts.update(correlation=c.tolist(), correlation_method=correlation_method)
    return SensitivityDesign("montecarlo", params, n, seed, prob, unit, opts)


def make(method: str, params, n: int, *, seed: int = 0, **kw) -> SensitivityDesign:
    """Dispatch on ``method`` in :data:`METHODS` (the CLI's ``--method``)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    if method != "montecarlo":
        if kw.pop("correlation", None) is not None:
            raise ValueError(f"{method}: variance-based and screening indices assume independent inputs; "
                             "use method='montecarlo' for correlated parameters")
        kw.pop("correlation_method", None)
    return {"sobol": sobol, "morris": morris, "montecarlo": montecarlo}[method](params, n, seed=seed, **kw)
