"""Checks of the tables added for programmes and the rest of the Green Book toolkit: transfers, risks."""
from __future__ import annotations

from typing import TYPE_CHECKING

from appraisal.study.errors import Problem

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


def more_problems(study: "Study") -> list[Problem]:
    return transfer_problems(study) + risk_problems(study)
