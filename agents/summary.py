"""Summaries of `BuyInResults` for reports, and the hooks appraisal feeds back to the optimiser.

Month m falls in year index m // 12 (month 0 starts year 0 of the horizon).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .simulate import BuyInResults


def _n_years(results: BuyInResults, years) -> tuple[int, list]:
    if years is None:
        n = -(-results.horizon_months // 12)
        return n, list(range(n))
    if isinstance(years, (int, np.integer)):
        return int(years), list(range(int(years)))
    return len(years), list(years)


def _year(months: pd.Series) -> pd.Series:
    return np.floor(months / 12.0)


def prob_by_year(results: BuyInResults, years=None) -> pd.DataFrame:
    """vehicle_id, year_index, year, prob_agreed, prob_established: by the end of each year."""
    n, labels = _n_years(results, years)
    o = results.outcomes
    rows = []
    for vid, g in o.groupby("vehicle_id", sort=False):
        ay, ey = _year(g["agreed_month"]).to_numpy(), _year(g["established_month"]).to_numpy()
        for t in range(n):
            rows.append((vid, t, labels[t], np.mean(ay <= t), np.mean(ey <= t)))  # NaN <= t is False
    return pd.DataFrame(rows, columns=["vehicle_id", "year_index", "year", "prob_agreed", "prob_established"])


def establishment_distribution(results: BuyInResults, years=None) -> pd.DataFrame:
    """vehicle_id, year_index (-1 = not within the horizon), prob: the distribution of the establishment year,
    for computing an expected benefit profile Σ_k prob_k × profile shifted to year k."""
    n, _ = _n_years(results, years)
    rows = []
    for vid, g in results.outcomes.groupby("vehicle_id", sort=False):
        ey = _year(g["established_month"]).to_numpy()
        ey = np.where(np.isnan(ey) | (ey >= n), -1, ey).astype(int)
        for t in [*range(n), -1]:
            rows.append((vid, t, float(np.mean(ey == t))))
    return pd.DataFrame(rows, columns=["vehicle_id", "year_index", "prob"])


def median_establishment(results: BuyInResults) -> pd.DataFrame:
    """vehicle_id, planned_month, median_established_month (NaN when over half the runs never agree),
    median_year_index, prob_never, mean_delay_months_if_established."""
    rows = []
    for vid, g in results.outcomes.groupby("vehicle_id", sort=False):
        est = g["established_month"].to_numpy(float)
        med = np.median(np.where(np.isnan(est), np.inf, est))
        med = float(med) if np.isfinite(med) else np.nan
        rows.append((vid, int(g["planned_month"].iloc[0]), med, np.floor(med / 12.0),
                     float(np.isnan(est).mean()), float(np.nanmean(g["delay_months"])) if (~np.isnan(est)).any()
                     else np.nan))
    return pd.DataFrame(rows, columns=["vehicle_id", "planned_month", "median_established_month",
                                       "median_year_index", "prob_never", "mean_delay_months_if_established"])


def delay_summary(results: BuyInResults, years=None) -> pd.DataFrame:
    """Per vehicle and year: the buy-in hooks for the optimiser and appraisal.

    prob_established      P(vehicle established by the end of year t) — the expected-benefit factor for year t
    expected_delay_years  E[established year − planned year]; runs that never agree within the horizon count as
                          established in the first year after it (so it is a lower bound when prob_never > 0)
    earliest_year_index   first year with prob_established ≥ 0.5 (NaN if none): a buy-in-aware earliest year
    prob_never            share of runs with no agreement within the horizon
    """
    n, labels = _n_years(results, years)
    pby = prob_by_year(results, n)
    out = []
    for vid, g in results.outcomes.groupby("vehicle_id", sort=False):
        planned_year = int(g["planned_month"].iloc[0]) // 12
        ey = _year(g["established_month"]).to_numpy()
        ey = np.where(np.isnan(ey), n, ey)
        d = pby[pby["vehicle_id"] == vid].copy()
        d["year"] = labels
        d["planned_year_index"] = planned_year
        d["expected_delay_years"] = float(np.mean(np.maximum(ey - planned_year, 0)))
        ok = d.loc[d["prob_established"] >= 0.5, "year_index"]
        d["earliest_year_index"] = float(ok.min()) if len(ok) else np.nan
        d["prob_never"] = float(np.mean(np.isnan(g["established_month"])))
        out.append(d.drop(columns=["prob_agreed"]))
    return pd.concat(out, ignore_index=True)[["vehicle_id", "year_index", "year", "prob_established",
                                              "expected_delay_years", "planned_year_index",
                                              "earliest_year_index", "prob_never"]]


def expected_profile(results: BuyInResults, streams: pd.DataFrame, years=None) -> pd.DataFrame:
    """Planned vs buy-in-expected yearly money of each vehicle.

    streams: vehicle_id, offset, benefit_gbp, cost_gbp — relative to the establishment year (offset 0), as in
    `optimise.PlacementProblem.vehicle_streams`. Expected = Σ_k P(established in year k) × stream anchored at k;
    runs never agreed within the horizon contribute nothing; amounts past the horizon are not counted.
    Returns vehicle_id, year_index, year, planned_benefit_gbp, planned_cost_gbp, expected_benefit_gbp,
    expected_cost_gbp.
    """
    n, labels = _n_years(results, years)
    dist = establishment_distribution(results, n)
    rows = []
    for vid in results.vehicle_ids:
        s = streams[streams["vehicle_id"].astype(str) == vid]
        ben = np.zeros(n)
        cost = np.zeros(n)
        for off, b, c in s[["offset", "benefit_gbp", "cost_gbp"]].itertuples(index=False):
            unit = np.zeros(n)
            if 0 <= int(off) < n:
                unit[int(off)] = 1.0
            ben += float(b) * unit
            cost += float(c) * unit
        planned_year = results.planned_month[vid] // 12
        shift = lambda arr, k: np.concatenate([np.zeros(k), arr[: n - k]]) if k < n else np.zeros(n)  # noqa: E731
        pb, pc = shift(ben, planned_year), shift(cost, planned_year)
        eb, ec = np.zeros(n), np.zeros(n)
        for k, prob in dist[(dist["vehicle_id"] == vid) & (dist["year_index"] >= 0)][["year_index", "prob"]] \
                .itertuples(index=False):
            eb += prob * shift(ben, int(k))
            ec += prob * shift(cost, int(k))
        for t in range(n):
            rows.append((vid, t, labels[t], pb[t], pc[t], eb[t], ec[t]))
    return pd.DataFrame(rows, columns=["vehicle_id", "year_index", "year", "planned_benefit_gbp", "planned_cost_gbp",
                                       "expected_benefit_gbp", "expected_cost_gbp"])


def chosen_option(results: BuyInResults, options: list[str]) -> pd.DataFrame:
    """For alternative options modelled as vehicles (e.g. Plymouth's integration levels 1–4), the partners' choice
    in each run is the first of `options` (most preferred first, e.g. deepest level first) agreed within the
    horizon. Returns option (None = nothing agreed), prob, median_agreed_month."""
    o = results.outcomes[results.outcomes["vehicle_id"].isin(options)]
    wide = o.pivot(index="run", columns="vehicle_id", values="agreed_month")[options]
    agreed = wide.notna().to_numpy()
    first = np.where(agreed.any(axis=1), agreed.argmax(axis=1), -1)
    rows = []
    for k, name in [*enumerate(options), (-1, None)]:
        sel = first == k
        months = wide.to_numpy()[sel, k] if k >= 0 else np.array([])
        rows.append((name, float(sel.mean()), float(np.median(months)) if len(months) else np.nan))
    return pd.DataFrame(rows, columns=["option", "prob", "median_agreed_month"])
