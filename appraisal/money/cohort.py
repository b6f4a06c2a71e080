"""A cohort (care pathway) model: people move between states period by period; each state has a unit cost.

Plain arrays in, yearly cost by state out (numpy only). The maths is in docs/money_cohort.md:

    n_0     = s_0 + e_0                    people in each state during period 0 (opening caseload + entrants)
    n_{k+1} = P_kᵀ n_k + e_{k+1}           P_k[i, j] = share of the people in i who are in j next period
    a_0     = e_0,  a_{k+1}[j] = Σ_{i≠j} n_k[i] P_k[i, j] + e_{k+1}[j]     arrivals (entries) into j
    cost_k  = n_k ∘ c_year · (months/12)  +  a_k ∘ c_entry

Rows of P_k sum to at most 1; the rest of a row leaves the model (no further cost). Staying in a state
(P[i, i] > 0) is not a new entry, so a per-entry cost is paid once per spell. Yearly figures add the
periods of each year.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CohortInputs:
    """One scenario of a cohort model on plain arrays (S states, K = years × periods_per_year periods).

    transitions: (K, S, S) or (S, S) shares per period, rows ≤ 1; entrants: (K, S) people arriving from
    outside in each period; opening: (S,) people in each state at the start; cost_per_year: (S,) £ per
    person-year in the state; cost_per_entry: (S,) £ per arrival into the state."""

    transitions: np.ndarray
    entrants: np.ndarray
    opening: np.ndarray
    cost_per_year: np.ndarray
    cost_per_entry: np.ndarray
    periods_per_year: int = 1


@dataclass(frozen=True)
class CohortResult:
    occupancy: np.ndarray  # (K, S) people in each state during each period
    arrivals: np.ndarray  # (K, S) entries into each state in each period
    cost_by_period: np.ndarray  # (K, S) £
    yearly_cost: np.ndarray  # (Y, S) £ by year and state
    yearly_person_years: np.ndarray  # (Y, S) person-years spent in each state in each year
    yearly_arrivals: np.ndarray  # (Y, S) entries into each state in each year


def run_cohort(inputs: CohortInputs) -> CohortResult:
    """Propagate the cohort through every period and cost it (see the module docstring)."""
    entrants = np.asarray(inputs.entrants, dtype=float)
    k_periods, n_states = entrants.shape
    m = int(inputs.periods_per_year)
    if m < 1 or k_periods % m:
        raise ValueError(f"{k_periods} periods is not a whole number of years of {m} periods")
    p = np.asarray(inputs.transitions, dtype=float)
    if p.ndim == 2:
        p = np.broadcast_to(p, (k_periods, n_states, n_states))
    if p.shape != (k_periods, n_states, n_states):
        raise ValueError(f"transitions have shape {p.shape}, expected ({k_periods}, {n_states}, {n_states})")
    if (p < -1e-12).any():
        raise ValueError("a transition share is negative")
    sums = p.sum(axis=2)
    if (sums > 1 + 1e-9).any():
        k, i = np.argwhere(sums > 1 + 1e-9)[0]
        raise ValueError(f"shares out of state {i} sum to {sums[k, i]:.6g} in period {k}, more than 1")
    stay = np.einsum("kii->ki", p)
    occupancy = np.zeros((k_periods, n_states))
    arrivals = np.zeros((k_periods, n_states))
    occupancy[0] = np.asarray(inputs.opening, dtype=float) + entrants[0]
    arrivals[0] = entrants[0]
    for k in range(k_periods - 1):
        moved = occupancy[k] @ p[k]
        occupancy[k + 1] = moved + entrants[k + 1]
        arrivals[k + 1] = moved - occupancy[k] * stay[k] + entrants[k + 1]
    per_year = np.broadcast_to(np.asarray(inputs.cost_per_year, dtype=float), (k_periods, n_states))
    per_entry = np.broadcast_to(np.asarray(inputs.cost_per_entry, dtype=float), (k_periods, n_states))
    cost = occupancy * per_year / m + arrivals * per_entry
    years = k_periods // m

    def by_year(a: np.ndarray) -> np.ndarray:
        return a.reshape(years, m, n_states).sum(axis=1)

    return CohortResult(occupancy, arrivals, cost, by_year(cost), by_year(occupancy) / m, by_year(arrivals))


def yearly_entrants(per_year: np.ndarray, periods_per_year: int) -> np.ndarray:
    """(Y, S) entrants a year → (Y·m, S) per period, spread evenly over the periods of each year."""
    per_year = np.asarray(per_year, dtype=float)
    return np.repeat(per_year / periods_per_year, periods_per_year, axis=0)
