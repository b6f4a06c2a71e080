"""The place-based view: an option's PV of benefits and costs, and NPSV, by place (town, locality).

A ledger line's place is its own `place` (benefits.csv / costs.csv), else the place of its service
(services.csv `place`, for a service line or a share of an apportioned line), else the place of its site
(sites.csv `place`), else NOT_PLACED. Every adjusted, discounted pound of the option falls in exactly one
place, so the places add up to the option's NPSV (tested).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

NOT_PLACED = "not placed"


def has_places(study) -> bool:
    t = study.tables
    return any(t[name]["place"].notna().any() for name in ("benefits", "costs", "services", "sites"))


def stream_places(study, streams: pd.DataFrame) -> np.ndarray:
    t = study.tables
    own = {**dict(zip(t["benefits"]["benefit_id"], t["benefits"]["place"])),
           **dict(zip(t["costs"]["cost_id"], t["costs"]["place"]))}
    service = dict(zip(t["services"]["service_id"], t["services"]["place"]))
    site = dict(zip(t["sites"]["site_id"], t["sites"]["place"]))
    out = []
    for line, s, st in zip(streams["stream_id"], streams["service_id"], streams["site_id"]):
        place = own.get(line) or service.get(s) or site.get(st)
        out.append(place if isinstance(place, str) and place else NOT_PLACED)
    return np.array(out, dtype=object)


def place_view(study, option) -> pd.DataFrame:
    """place, pv_benefits_gbp, pv_costs_gbp, npsv_gbp of an option's appraisal (OptionAppraisal), one row a
    place (NOT_PLACED last), from the same adjusted streams and discount factors as the option's NPSV."""
    from appraisal.money.metrics import study_discount_factors

    s = option.streams
    cols = ["place", "pv_benefits_gbp", "pv_costs_gbp", "npsv_gbp"]
    if s is None or s.empty:
        return pd.DataFrame(columns=cols)
    df = study_discount_factors(study)
    pv = s["adj_amount_gbp"].to_numpy(dtype=float) * df[s["t"].to_numpy(dtype=int)]
    frame = pd.DataFrame({"place": stream_places(study, s), "benefit": np.where(s["kind"] == "benefit", pv, 0.0),
                          "cost": np.where(s["kind"] == "cost", pv, 0.0)})
    g = frame.groupby("place", sort=True)[["benefit", "cost"]].sum()
    order = sorted(g.index, key=lambda p: (p == NOT_PLACED, p))
    g = g.reindex(order)
    return pd.DataFrame({"place": g.index, "pv_benefits_gbp": g["benefit"].to_numpy(), "pv_costs_gbp": g["cost"].to_numpy(),
                         "npsv_gbp": (g["benefit"] - g["cost"]).to_numpy()})
