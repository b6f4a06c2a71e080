"""Checks of the tables added for programmes and the rest of the Green Book toolkit: transfers, risks."""
from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

import pandas as pd

from appraisal.study.errors import Problem
from appraisal.study.validate_estates import estate_problems
from appraisal.study.schema import FY_PATTERN

if TYPE_CHECKING:
    from appraisal.study.load import Study


def _row(frame, pos: int) -> int | None:
    return int(frame["source_row"].iloc[pos]) if "source_row" in frame else None


def _duplicates(study: "Study", name: str, key: str) -> list[Problem]:
    frame = study.tables[name]
    return [Problem(study.sources[name], _row(frame, frame.index.get_loc(i)), key, f"duplicate {key} '{frame.at[i, key]}'")
            for i in frame.index[frame.duplicated(subset=[key], keep="first")]]


def _years(study: "Study", name: str, columns: list[str]) -> list[Problem]:
    frame, years = study.tables[name], set(study.years)
    out = []
    for col in columns:
        for pos, value in enumerate(frame.get(col, [])):
            if value is not None and value == value and value not in years:
                out.append(Problem(study.sources[name], _row(frame, pos), col,
                                   f"year {value} is outside the horizon {study.years[0]} to {study.years[-1]}"))
    return out


def _options(study: "Study", name: str) -> list[Problem]:
    frame, known = study.tables[name], set(study.tables["options"]["option_id"])
    return [Problem(study.sources[name], _row(frame, pos), "options", f"'{o}' is not an option_id in {study.sources['options']}")
            for pos, ids in enumerate(frame.get("options", [])) for o in (ids or []) if o not in known]


def transfer_problems(study: "Study") -> list[Problem]:
    frame, src = study.tables["transfers"], study.sources["transfers"]
    if frame.empty:
        return []
    partners = set(study.tables["partners"]["partner_id"]) | study.raw_ids.get("partners.partner_id", set())
    out = _duplicates(study, "transfers", "transfer_id") + _years(study, "transfers", ["start_year", "end_year"]) \
        + _options(study, "transfers")
    for pos, r in enumerate(frame.itertuples(index=False)):
        for col in ("from_partner", "to_partner"):
            if getattr(r, col) not in partners:
                out.append(Problem(src, _row(frame, pos), col,
                                   f"'{getattr(r, col)}' is not a partner_id in {study.sources['partners']}"))
        if (r.from_partner, r.from_account) == (r.to_partner, r.to_account):
            out.append(Problem(src, _row(frame, pos), "to_account",
                               "a transfer needs two different parties (or two accounts of one partner)"))
    return out


def risk_problems(study: "Study") -> list[Problem]:
    if study.tables["risks"].empty:
        return []
    return _duplicates(study, "risks", "risk_id") + _years(study, "risks", ["cost_year"]) + _options(study, "risks")


def _deflator_years(study: "Study") -> tuple[set[str], str]:
    own = study.tables["deflators"]
    if not own.empty:
        return set(own["year"]), study.sources["deflators"]
    with resources.files("appraisal.money.reference").joinpath("gdp_deflators.csv").open() as fh:
        return set(pd.read_csv(fh)["year"]), "appraisal/money/reference/gdp_deflators.csv"


def _fy(text: str) -> str:
    return f"{text}/{(int(text) + 1) % 100:02d}" if text.isdigit() else text


def real_terms_problems(study: "Study") -> list[Problem]:
    t, src = study.tables, study.sources
    out = []
    frame = t["deflators"]
    out += [Problem(src["deflators"], _row(frame, frame.index.get_loc(i)), "year", f"duplicate year '{frame.at[i, 'year']}'")
            for i in frame.index[frame.duplicated(subset=["year"], keep="first")]]
    prices, outcomes = t["price_years"], t["valued_outcomes"]
    base = study.config.price_base
    base_is_year = bool(base and FY_PATTERN.match(base))
    if prices.empty and (outcomes.empty or not base_is_year):
        return out
    if not prices.empty and not base_is_year:
        return out + [Problem("study.yaml", None, "price_base", f"lines in {src['price_years']} are rebased to the "
                              f"price base, so price_base must be a financial year like 2024/25, got '{base}'")]
    have, where = _deflator_years(study)
    lines = set(t["benefits"]["benefit_id"]) | set(t["costs"]["cost_id"])
    out += _duplicates(study, "price_years", "stream_id")
    if base not in have:
        out.append(Problem("study.yaml", None, "price_base", f"no GDP deflator for {base} in {where}"))
    for pos, r in enumerate(prices.itertuples(index=False)):
        if r.stream_id not in lines:
            out.append(Problem(src["price_years"], _row(prices, pos), "stream_id",
                               f"'{r.stream_id}' is not a benefit_id or cost_id"))
        needed = study.years if r.price_year == "cash" else [r.price_year]
        missing = [y for y in needed if y not in have]
        if missing:
            out.append(Problem(src["price_years"], _row(prices, pos), "price_year",
                               f"no GDP deflator for {', '.join(missing)} in {where}; add the HM Treasury figures "
                               "as rows of deflators.csv"))
    if base_is_year and not outcomes.empty:
        with resources.files("appraisal.money.reference").joinpath("green_book_values.csv").open() as fh:
            values = pd.read_csv(fh, dtype=str).set_index("parameter")["price_year"].to_dict()
        bank = dict(zip(t["social_values"]["value_id"], t["social_values"]["price_year"]))
        for pos, r in enumerate(outcomes.itertuples(index=False)):
            if r.unit in bank:
                year = bank[r.unit] or base
            elif r.unit in ("wellby", "qaly"):
                year = _fy(values["wellby_gbp" if r.unit == "wellby" else "qaly_gbp"])
            else:
                continue
            if year != base and (year not in have or base not in have):
                out.append(Problem(src["valued_outcomes"], _row(outcomes, pos), "unit",
                                   f"the {r.unit.upper()} value is in {year} prices and the study's in {base}: "
                                   f"{where} needs GDP deflators for both years"))
    return out


def distribution_problems(study: "Study") -> list[Problem]:
    frame, src = study.tables["benefit_distribution"], study.sources["benefit_distribution"]
    if frame.empty:
        return []
    out = []
    known = set(study.tables["benefits"]["benefit_id"])
    for pos, r in enumerate(frame.itertuples(index=False)):
        if r.benefit_id not in known:
            out.append(Problem(src, _row(frame, pos), "benefit_id", f"'{r.benefit_id}' is not a benefit_id in "
                                                                    f"{study.sources['benefits']}"))
    for benefit, group in frame.groupby("benefit_id", sort=True):
        if group["group_id"].duplicated().any():
            out.append(Problem(src, _row(group, 0), "group_id", f"benefit '{benefit}' names an income group twice"))
        if abs(group["share"].sum() - 1) > 1e-6:
            out.append(Problem(src, _row(group, 0), "share",
                               f"shares of benefit '{benefit}' sum to {group['share'].sum():g}, expected 1"))
    return out


def outcome_problems(study: "Study") -> list[Problem]:
    frame, src = study.tables["valued_outcomes"], study.sources["valued_outcomes"]
    if frame.empty:
        return []
    parties = set(study.tables["partners"]["partner_id"]) | set(study.tables["allocations"]["allocation_id"])
    out = _duplicates(study, "valued_outcomes", "outcome_id") + _years(study, "valued_outcomes", ["start_year", "end_year"]) \
        + _options(study, "valued_outcomes")
    bank = set(study.tables["social_values"]["value_id"]) | study.raw_ids.get("social_values.value_id", set())
    out += _duplicates(study, "social_values", "value_id")
    for pos, r in enumerate(frame.itertuples(index=False)):
        if r.unit not in {"wellby", "qaly"} | bank:
            out.append(Problem(src, _row(frame, pos), "unit", f"'{r.unit}' is not wellby, qaly or a value_id in "
                                                              f"{study.sources['social_values']}"))
        elif r.unit in bank and r.value != "central":
            out.append(Problem(src, _row(frame, pos), "value", "a social_values figure has one value: use central"))
        if r.unit == "qaly" and r.value != "central":
            out.append(Problem(src, _row(frame, pos), "value", "the QALY value has one published figure: use central"))
        if r.recipient is not None and r.recipient not in parties:
            out.append(Problem(src, _row(frame, pos), "recipient", f"'{r.recipient}' is not a partner_id or allocation_id"))
    return out


def more_problems(study: "Study") -> list[Problem]:
    from appraisal.study.validate_ownership import ownership_problems

    return (transfer_problems(study) + risk_problems(study) + real_terms_problems(study) + distribution_problems(study)
            + outcome_problems(study) + ownership_problems(study) + estate_problems(study))
