"""Uncertain parameters: marginal distributions, each mapping a unit-interval quantile to a value.

Samplers draw on the unit hypercube and map each column through its parameter's ``ppf`` (inverse CDF),
so every method (Sobol, Morris, Monte Carlo, correlations) works with any of these marginals.
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

#: quantiles are clipped to [EPS, 1 - EPS] before ``ppf`` so unbounded marginals stay finite
EPS = 1e-6


@dataclass(frozen=True)
class Param(ABC):
    name: str

    @abstractmethod
    def ppf(self, u):
        """Inverse CDF: unit-interval quantiles to parameter values."""

    def spec(self) -> dict:
        d = asdict(self)
        d["dist"] = type(self).__name__.lower()
        return d

    @property
    def median(self) -> float:
        return float(self.ppf(np.array([0.5]))[0])


@dataclass(frozen=True)
class Uniform(Param):
    low: float
    high: float

    def __post_init__(self):
        if not self.low < self.high:
            raise ValueError(f"{self.name}: need low < high")

    def ppf(self, u):
        return self.low + (self.high - self.low) * np.asarray(u, dtype=float)


@dataclass(frozen=True)
class Triangular(Param):
    low: float
    mode: float
    high: float

    def __post_init__(self):
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(f"{self.name}: need low <= mode <= high, low < high")

    def ppf(self, u):
        c = (self.mode - self.low) / (self.high - self.low)
        return stats.triang.ppf(np.asarray(u, dtype=float), c, loc=self.low, scale=self.high - self.low)


@dataclass(frozen=True)
class PERT(Param):
    """Beta-PERT: Beta(1 + lamb (m - a)/(b - a), 1 + lamb (b - m)/(b - a)) on [a, b]; mean (a + lamb m + b)/(lamb + 2)."""

    low: float
    mode: float
    high: float
    lamb: float = 4.0

    def __post_init__(self):
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(f"{self.name}: need low <= mode <= high, low < high")

    def ppf(self, u):
        r = self.high - self.low
        a = 1.0 + self.lamb * (self.mode - self.low) / r
        b = 1.0 + self.lamb * (self.high - self.mode) / r
        return self.low + r * stats.beta.ppf(np.asarray(u, dtype=float), a, b)


@dataclass(frozen=True)
class Normal(Param):
    """Normal(mean, sd), optionally truncated to [low, high]."""

    mean: float
    sd: float
    low: float | None = None
    high: float | None = None

    def __post_init__(self):
        if not self.sd > 0:
            raise ValueError(f"{self.name}: need sd > 0")

    def ppf(self, u):
        u = np.clip(np.asarray(u, dtype=float), EPS, 1 - EPS)
        if self.low is None and self.high is None:
            return stats.norm.ppf(u, self.mean, self.sd)
        lo = -math.inf if self.low is None else (self.low - self.mean) / self.sd
        hi = math.inf if self.high is None else (self.high - self.mean) / self.sd
        return stats.truncnorm.ppf(u, lo, hi, loc=self.mean, scale=self.sd)


_KINDS = {"uniform": Uniform, "triangular": Triangular, "pert": PERT, "normal": Normal}


def from_spec(spec: dict) -> Param:
    """Build a parameter from a plain dict, e.g. ``{"name": "x", "dist": "pert", "low": 0, "mode": 1, "high": 3}``."""
    d = dict(spec)
    kind = str(d.pop("dist")).lower()
    if kind not in _KINDS:
        raise ValueError(f"unknown distribution {kind!r}; choose from {sorted(_KINDS)}")
    return _KINDS[kind](**d)


def to_values(params, unit: np.ndarray) -> np.ndarray:
    """Map a unit-hypercube sample (rows x params) to parameter values column by column."""
    unit = np.asarray(unit, dtype=float)
    return np.column_stack([p.ppf(unit[:, j]) for j, p in enumerate(params)]) if len(params) else unit
