"""The estate part of an option's placement problem: the buildings a plan may release, and from when."""
from __future__ import annotations

import numpy as np
import pandas as pd

from appraisal.money.estates import release_years
from appraisal.study import Study


def building_table(study: Study, ledger) -> pd.DataFrame:
    """site_id, release_from (year index) of each building with a lease break. A release line that puts money
    before its anchor (e.g. dilapidations surveyed a year before the release) raises release_from, so that
    the optimiser never moves money before the horizon (as `money_floor` does for vehicles)."""
    years = release_years(study)
    ent, pad, T = ledger.entries, ledger.pad, ledger.T
    out = dict(years)
    for i in np.flatnonzero((ent["anchor"] == "building").to_numpy()):
        nz = np.flatnonzero(ledger.central[i, pad:pad + T])
        site = ent["site_id"].iat[i]
        if len(nz) and site in out:
            out[site] = max(out[site], int(ent["anchor0"].iat[i]) - int(nz[0]))
    out = {b: t for b, t in out.items() if t < T}  # money that leaves no year to release in: never released
    return pd.DataFrame({"site_id": list(out), "release_from": list(out.values())}, columns=["site_id", "release_from"])
