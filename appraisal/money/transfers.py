"""Internal transfers: money between two accounts of one body or between partners (study table `transfers`).

A transfer is not a benefit or a cost of the system: it never enters the streams, the NPSV or an
adjustment. It moves money from one party to another, so it shows in who pays / who benefits (columns
transfers_in_gbp / transfers_out_gbp, and in each party's net_gbp) and in the budget positions of the study's
plan. Over all parties transfers net to zero. A party with an account is shown as `<partner>:<account>`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from appraisal.study import Study

SPLIT_COLUMNS = ["kind", "year", "recipient_id", "partner_id", "share_gbp"]


def _applies(options: list[str], option_id: str | None) -> bool:
    return option_id is None or not options or option_id in options


def transfer_profile(study: Study, row) -> np.ndarray:
    """£ by year index of one transfer row."""
    n = len(study.years)
    out = np.zeros(n)
    start = study.year_index(row.start_year)
    if row.kind == "one_off":
        out[start] = row.amount_gbp
    else:
        out[start: study.year_index(row.end_year, default=n - 1) + 1] = row.amount_gbp
    return out


def party(partner: str, account: str | None) -> str:
    return f"{partner}:{account}" if account else partner


def transfer_split(study: Study, option_id: str | None) -> pd.DataFrame:
    """Each transfer as a payment out of its payer and into its receiver, by year (the split_by_party layout)."""
    rows = []
    for r in study.tables["transfers"].itertuples(index=False):
        if not _applies(r.options, option_id):
            continue
        profile = transfer_profile(study, r)
        for t in np.flatnonzero(profile):
            year = study.years[t]
            rows.append(("transfer_out", year, party(r.from_partner, r.from_account), r.from_partner, float(profile[t])))
            rows.append(("transfer_in", year, party(r.to_partner, r.to_account), r.to_partner, float(profile[t])))
    return pd.DataFrame(rows, columns=SPLIT_COLUMNS)


def transfer_position_lines(study: Study, option_id: str | None) -> pd.DataFrame:
    """Transfers as budget-position lines of the plan scenario (out negative, in positive), by partner and year."""
    split = transfer_split(study, option_id)
    if split.empty:
        return pd.DataFrame(columns=["partner_id", "scenario", "line", "year", "amount_gbp"])
    sign = np.where(split["kind"] == "transfer_in", 1.0, -1.0)
    return pd.DataFrame({"partner_id": split["partner_id"], "scenario": "plan",
                         "line": "transfer:" + split["recipient_id"], "year": split["year"],
                         "amount_gbp": sign * split["share_gbp"]})
