"""Time is a list of periods: financial years by default, or quarters or months of them (docs/money.md, "Periods").

A study declares its period in study.yaml (`horizon: {start: 2025/26, years: 5, period: quarter}`; default
`year`). Period labels are the financial year and the period within it:

* quarters `2025/26 Q1` … `2025/26 Q4` (Q1 = April–June, Q4 = January–March);
* months   `2025/26 M01` … `2025/26 M12` (M01 = April, M12 = March).

Wherever a year label is a gate of the plan (vehicles' earliest and planned years, lines' start and end
years, yearly profiles, option rules' years), a period study accepts period labels too; a plain year label
there means the year's FIRST period (`2025/26` = `2025/26 Q1`), except as a recurring cost's `end_year`,
where it means the year's LAST period (the cost runs to the end of that year). Period labels are refused in
a yearly study, with the setting that allows them.
"""
from __future__ import annotations

import numpy as np

from appraisal.study.schema import PERIOD_PATTERN

PERIODS_PER_YEAR = {"year": 1, "quarter": 4, "month": 12}
EXAMPLE = {"year": "2025/26", "quarter": "2025/26 Q3", "month": "2025/26 M07"}


def period_labels(years: list[str], period: str) -> list[str]:
    """The horizon's period labels in order (the years themselves for a yearly study)."""
    if period == "year":
        return list(years)
    k = PERIODS_PER_YEAR[period]
    code = "Q" if period == "quarter" else "M"
    width = 1 if period == "quarter" else 2
    return [f"{y} {code}{j + 1:0{width}d}" for y in years for j in range(k)]


def is_time_label(text: str) -> bool:
    """A financial year ('2025/26') or a period of one ('2025/26 Q3', '2025/26 M07')."""
    m = PERIOD_PATTERN.match(text)
    return bool(m) and (int(m.group(1)) + 1) % 100 == int(m.group(2))


def label_problem(label: str, years: list[str], period: str) -> str | None:
    """Why a time label is not one of the study's (None when it is): outside the horizon, or a period label
    of another kind than the study's period."""
    if not is_time_label(label):
        return f"expected a financial year like '2025/26'{_or_period(period)}, got '{label}'"
    year, part = _split(label)
    if year not in years:
        return f"year {label} is outside the horizon {years[0]} to {years[-1]}"
    if part is None:
        return None
    kind = "quarter" if part.startswith("Q") else "month"
    if kind != period:
        return (f"'{label}' is a {kind}, but this study plans by {period}s: write a financial year like "
                f"'2025/26'{_or_period(period)}, or set `period: {kind}` under `horizon:` in study.yaml")
    return None


def _or_period(period: str) -> str:
    return "" if period == "year" else f" or a {period} like '{EXAMPLE[period]}'"


def period_index(label: str, years: list[str], period: str, end: bool = False) -> int:
    """The index of a time label on the study's period axis; a year label is the year's first period (its
    last with end=True). Raises ValueError for a label `label_problem` refuses."""
    problem = label_problem(label, years, period)
    if problem:
        raise ValueError(problem)
    k = PERIODS_PER_YEAR[period]
    year, part = _split(label)
    first = years.index(year) * k
    if part is None:
        return first + (k - 1 if end else 0)
    return first + int(part[1:]) - 1


def year_of_period(label: str) -> str:
    """The financial year a time label falls in ('2025/26 Q3' -> '2025/26'; anything else unchanged)."""
    return _split(label)[0] if PERIOD_PATTERN.match(str(label)) else label


def _split(label: str) -> tuple[str, str | None]:
    m = PERIOD_PATTERN.match(label)
    return f"{m.group(1)}/{m.group(2)}", m.group(3)


def spread(profile: np.ndarray, k: int) -> np.ndarray:
    """A yearly profile on the period axis: each year's amount spread evenly over its k periods."""
    return profile if k == 1 else np.repeat(np.asarray(profile, dtype=float) / k, k, axis=-1)


def to_years(money: np.ndarray, k: int) -> np.ndarray:
    """Money by period (last axis) summed to money by financial year."""
    return money if k == 1 else money.reshape(*money.shape[:-1], money.shape[-1] // k, k).sum(axis=-1)


def period_discount_factors(yearly: np.ndarray, k: int) -> np.ndarray:
    """Each period's discount factor: its financial year's (the Green Book discounts by year, so money in any
    period of year t is discounted by D_t; NPV by period = NPV of the yearly totals)."""
    return yearly if k == 1 else np.repeat(yearly, k)


GATE_COLUMNS = [("vehicles", "earliest_year"), ("vehicles", "planned_year"), ("benefits", "start_year"),
                ("costs", "start_year"), ("costs", "end_year"), ("benefit_profiles", "year"),
                ("cost_profiles", "year"), ("option_rules", "year")]
YEARLY_ONLY_LIMITS = ("max_transfers_per_year", "funding_cap_yearly_gbp")


def period_problems(study) -> list:
    """What a study by quarters or months cannot yet express (each a Problem naming file, row and column):
    yearly caps on transfers or funding (the optimiser's caps are per period) and floors (by year)."""
    from appraisal.study.errors import Problem

    if study.period == "year":
        return []
    out = []
    limits = study.tables["limits"]
    for pos, kind in enumerate(limits.get("limit", [])):
        if kind in YEARLY_ONLY_LIMITS:
            out.append(Problem(study.sources["limits"], _row(limits, pos), "limit",
                               f"'{kind}' is a yearly cap, not available in a study by {study.period}s yet (the "
                               "optimiser's caps are per period); use funding_cap_cumulative_gbp, or plan by year"))
    floors = study.tables["floors"]
    if len(floors):
        out.append(Problem(study.sources["floors"], _row(floors, 0), "floor_id",
                           f"floors are by year and not available in a study by {study.period}s yet; plan by year"))
    cohorts = study.tables["cohort_models"]
    if len(cohorts):
        out.append(Problem(study.sources["cohort_models"], _row(cohorts, 0), "model_id",
                           f"care pathway models are not available in a study by {study.period}s yet; plan by year"))
    return out


def _row(frame, pos: int) -> int | None:
    return int(frame["source_row"].iloc[pos]) if "source_row" in frame else None
