"""The rest of the Green Book toolkit, each from versioned data in appraisal/money/reference/:

* **Real terms.** A line entered in the prices of year p (study table `price_years`) is rebased to the
  study's `price_base` b: amount × D_b / D_p, with GDP deflators D (the study's `deflators` table, else
  `gdp_deflators.csv`). A `cash` line is in each year's own prices: amount_t × D_b / D_t.
* **Distributional weights.** w_g = (Y_ref / Y_g)^η with η the elasticity of the marginal utility of income
  (1.3, Green Book A3.14, or study.yaml `distributional_elasticity`), Y_g the median income of quintile g and
  Y_ref the overall median (`income_groups.csv`). A benefit split over groups (`benefit_distribution`) counts
  Σ_g share_g · w_g of its PV in `npsv_distributional_gbp`; benefits without a split and all costs weigh 1.
  The unweighted NPSV stays the headline, as the Green Book asks.
* **WELLBY and QALY values.** A `valued_outcomes` row of q units a year is a societal benefit line of
  q × value (£13,000 per WELLBY in 2019 prices, range £10,000–£16,000; £70,000 per QALY in 2020-21 prices),
  rebased to the price base when the study states one as a financial year.
* **Licensed social values.** A study may import values from a social-value bank it holds a licence for
  (table `social_values`: value_id, value_gbp, price_year, licence) and name them as a `valued_outcomes`
  unit; reformkit ships no such values.
* **Marginal excess tax burden.** An adjustment with `excess_tax_burden: true` uplifts costs by the
  tabulated percentage (20%, unverified: see the CSV's status column).
"""
from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from appraisal.study import Study
from appraisal.study.schema import FY_PATTERN


def _reference(name: str) -> pd.DataFrame:
    with resources.files("appraisal.money.reference").joinpath(name).open() as fh:
        return pd.read_csv(fh)


@cache
def green_book_values() -> pd.DataFrame:
    return _reference("green_book_values.csv")


def green_book_value(parameter: str) -> dict:
    table = green_book_values().set_index("parameter")
    if parameter not in table.index:
        raise ValueError(f"no Green Book value '{parameter}'; known: {', '.join(table.index)}")
    return table.loc[parameter].to_dict()


@cache
def income_groups() -> pd.DataFrame:
    return _reference("income_groups.csv")


@cache
def reference_deflators() -> pd.DataFrame:
    return _reference("gdp_deflators.csv")


def deflator_index(study: Study) -> dict[str, float]:
    """Financial year -> GDP deflator: the study's own `deflators` table when it has one, else the reference."""
    own = study.tables["deflators"]
    table = own if not own.empty else reference_deflators()
    return dict(zip(table["year"], table["index"].astype(float)))


def real_terms_factors(study: Study, price_year: str) -> np.ndarray:
    """Per horizon year, the factor that turns an amount in `price_year` prices ('cash' = its own year's)
    into the study's price base."""
    index = deflator_index(study)
    base = index[study.config.price_base]
    if price_year == "cash":
        return np.array([base / index[y] for y in study.years])
    return np.full(len(study.years), base / index[price_year])


def rebase_profile(study: Study, line_id: str, profile: np.ndarray, pad: int) -> np.ndarray:
    """A ledger line's profile on the extended axis (document time, horizon at pad … pad+T−1) in the price
    base: lines named in `price_years` are rebased (validated beforehand); a cash line's years outside the
    horizon use the nearest horizon year's deflator."""
    table = study.tables["price_years"]
    if table.empty:
        return profile
    hit = table[table["stream_id"] == line_id]
    if hit.empty:
        return profile
    factors = real_terms_factors(study, hit["price_year"].iloc[0])
    T = len(study.years)
    idx = np.clip((np.arange(len(profile)) - pad) // study.periods_per_year, 0, T - 1)  # a period's year
    return profile * factors[idx]


def distributional_weights(elasticity: float | None = None) -> dict[str, float]:
    """Income group -> (Y_ref / Y_g)^η, Y_ref = the middle fifth's median (the overall median)."""
    eta = 1.3 if elasticity is None else elasticity
    groups = income_groups().set_index("group_id")["median_income_gbp"].astype(float)
    return {g: float((groups["q3"] / y) ** eta) for g, y in groups.items()}


def distributional_npsv(study: Study, adjusted: pd.DataFrame, discount_factor: np.ndarray) -> dict:
    """`npsv_distributional_gbp`: the NPSV with each split benefit's PV weighted by its groups (empty when
    the study splits no benefit)."""
    split = study.tables["benefit_distribution"]
    if split.empty:
        return {}
    eta = study.config.distributional_elasticity
    weights = distributional_weights(eta if eta is not None else float(green_book_value("elasticity_marginal_utility")["value"]))
    per_benefit = {b: float(sum(r.share * weights[r.group_id] for r in g.itertuples(index=False)))
                   for b, g in split.groupby("benefit_id", sort=False)}
    pv = discount_factor[adjusted["t"].to_numpy(dtype=int)] * adjusted["adj_amount_gbp"].to_numpy(dtype=float)
    benefit = (adjusted["kind"] == "benefit").to_numpy()
    w = adjusted["stream_id"].map(per_benefit).fillna(1.0).to_numpy(dtype=float)
    return {"npsv_distributional_gbp": float((pv * w)[benefit].sum() - pv[~benefit].sum())}


def outcome_value(study: Study, unit: str, which: str) -> tuple[float, str]:
    """£ per unit in the study's prices and a note of the figure used: a Green Book value, or the study's own
    licensed social value (`social_values`, shipped by the study, never by reformkit)."""
    bank = study.tables["social_values"]
    if unit not in ("wellby", "qaly"):
        row = bank[bank["value_id"] == unit].iloc[0]
        value, year, base = float(row["value_gbp"]), row["price_year"], study.config.price_base
        if year and base and FY_PATTERN.match(base) and year != base:
            index = deflator_index(study)
            return value * index[base] / index[year], f"{row['licence']}: £{value:,.0f} ({year} prices) rebased to {base}"
        return value, f"{row['licence']}: £{value:,.0f}"
    row = green_book_value("wellby_gbp" if unit == "wellby" else "qaly_gbp")
    value = float(row["value"] if which == "central" else row[which])
    if value != value:
        raise ValueError(f"the {unit.upper()} value has no {which} figure")
    year = str(row["price_year"])
    year = f"{year}/{(int(year) + 1) % 100:02d}" if year.isdigit() else year  # a calendar year: its financial year
    base = study.config.price_base
    if base and FY_PATTERN.match(base) and base != year:
        index = deflator_index(study)
        if year in index and base in index:
            return value * index[base] / index[year], f"{row['version']}: £{value:,.0f} ({year} prices) rebased to {base}"
    return value, f"{row['version']}: £{value:,.0f} in {year} prices"


def outcome_entries(study: Study, option_id: str, L: int, pad: int) -> list[tuple[dict, np.ndarray, bool]]:
    """Each valued outcome of the option as a ledger entry (a societal benefit line triggered by the option):
    (attributes, profile on the extended axis in document time, finite)."""
    out = []
    T = len(study.years)
    for r in study.tables["valued_outcomes"].itertuples(index=False):
        if r.options and option_id not in r.options:
            continue
        value, _ = outcome_value(study, r.unit, r.value)
        start = study.year_index(r.start_year)
        profile = np.zeros(L)
        if r.end_year is None:
            profile[pad + start:] = r.quantity_per_year * value
        else:
            profile[pad + start: pad + study.year_index(r.end_year) + 1] = r.quantity_per_year * value
        attrs = {"line_id": f"outcome:{r.outcome_id}", "kind": "benefit", "component": r.component,
                 "category": "societal", "trigger": "option", "vehicle_id": None, "service_id": None, "site_id": None,
                 "party": r.recipient, "phase": None, "tags": "", "share": 1.0, "anchor": "option", "anchor0": 0}
        out.append((attrs, profile, r.end_year is not None))
    return out
