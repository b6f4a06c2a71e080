"""Discount factors for the Green Book schedules.

A schedule is a list of bands (first year index, annual rate). Year 0 is the base year and is not
discounted; the factor for year t is the factor for year t−1 divided by (1 + r_t), where r_t is the
rate of the band containing t. So a 40-year stream under the STPR uses 3.5% for years 1–30 and 3.0%
for years 31–40: DF_40 = 1.035^-30 × 1.03^-10.
"""
from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

SCHEDULE_NAMES = ("none", "stpr", "health", "stpr_sensitivity_test", "constant")


@cache
def schedule_table() -> pd.DataFrame:
    """The published bands with their sources (appraisal/money/reference/discount_schedules.csv)."""
    with resources.files("appraisal.money.reference").joinpath("discount_schedules.csv").open() as fh:
        return pd.read_csv(fh)


def schedule_versions(schedule: str) -> list[str]:
    """The published version(s) a schedule's bands come from, e.g. ['Green Book 2026'], for provenance."""
    if schedule == "constant":
        return ["constant rate set by the study"]
    return sorted(set(schedule_table().query("schedule == @schedule")["version"]))


def yearly_rates(schedule: str, n_years: int, rate_pct: float | None = None) -> np.ndarray:
    """The rate (as a fraction) that applies in each year index 0 … n_years−1."""
    if schedule == "constant":
        if rate_pct is None:
            raise ValueError("the constant schedule needs rate_pct")
        return np.full(n_years, rate_pct / 100.0)
    bands = schedule_table()
    bands = bands[bands["schedule"] == schedule].sort_values("from_year")
    if bands.empty:
        raise ValueError(f"unknown discount schedule '{schedule}'; known: {', '.join(SCHEDULE_NAMES)}")
    starts = bands["from_year"].to_numpy()
    rates = bands["rate_pct"].to_numpy() / 100.0
    idx = np.searchsorted(starts, np.arange(n_years), side="right") - 1
    return rates[idx]


def discount_factors(schedule: str, n_years: int, rate_pct: float | None = None) -> np.ndarray:
    """Green Book discount factors, DF[0] = 1."""
    rates = yearly_rates(schedule, n_years, rate_pct)
    growth = np.concatenate([[1.0], 1.0 + rates[1:]])
    return 1.0 / np.cumprod(growth)


def present_value(amounts: np.ndarray, factors: np.ndarray) -> float:
    return float(np.dot(np.asarray(amounts, dtype=float), factors[: len(amounts)]))
