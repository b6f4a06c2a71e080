"""Correlated inputs on the unit hypercube: Gaussian copula or Iman-Conover rank reordering.

Both take independent uniforms and a target *rank* (Spearman) correlation matrix and return uniforms
with that dependence; marginals are applied afterwards through each parameter's ``ppf`` (monotone, so
rank correlations survive). Only for plain Monte Carlo: Sobol and Morris designs assume independence.
"""
from __future__ import annotations

import numpy as np
from scipy import stats


def _check(corr: np.ndarray, k: int) -> np.ndarray:
    c = np.asarray(corr, dtype=float)
    if c.shape != (k, k) or not np.allclose(c, c.T) or not np.allclose(np.diag(c), 1.0):
        raise ValueError("correlation must be a symmetric k x k matrix with unit diagonal")
    if np.linalg.eigvalsh(c).min() <= 0:
        raise ValueError("correlation matrix is not positive definite")
    return c


def spearman_to_pearson(rho_s):
    """Normal-copula Pearson correlation giving Spearman ``rho_s``: 2 sin(pi rho_s / 6)."""
    return 2.0 * np.sin(np.pi * np.asarray(rho_s, dtype=float) / 6.0)


def gaussian_copula(unit: np.ndarray, corr) -> np.ndarray:
    """Z = Phi^-1(U) L^T with L L^T = R (R from the Spearman target), returned as Phi(Z)."""
    u = np.clip(np.asarray(unit, dtype=float), 1e-12, 1 - 1e-12)
    r = spearman_to_pearson(_check(corr, u.shape[1]))
    np.fill_diagonal(r, 1.0)
    z = stats.norm.ppf(u) @ np.linalg.cholesky(r).T
    return stats.norm.cdf(z)


def iman_conover(unit: np.ndarray, corr, seed: int = 0) -> np.ndarray:
    """Iman & Conover (1982): reorder each column so its ranks follow correlated normal scores.

    Marginal values are kept exactly (only their pairing changes); the rank correlation of the result
    is close to ``corr``."""
    x = np.asarray(unit, dtype=float)
    n, k = x.shape
    c = _check(corr, k)
    rng = np.random.default_rng(seed)
    scores = stats.norm.ppf(np.arange(1, n + 1) / (n + 1))
    s = np.column_stack([rng.permutation(scores) for _ in range(k)])
    e = np.corrcoef(s, rowvar=False)
    t = s @ np.linalg.inv(np.linalg.cholesky(e)).T @ np.linalg.cholesky(c).T
    out = np.empty_like(x)
    for j in range(k):
        ranks = np.argsort(np.argsort(t[:, j], kind="stable"), kind="stable")
        out[:, j] = np.sort(x[:, j])[ranks]
    return out
