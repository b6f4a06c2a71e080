"""Interventions a study can declare: each is a pure transform of `BuyInInputs` plus its cost."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .inputs import BuyInInputs


def _mask(df: pd.DataFrame, col: str, ids) -> pd.Series:
    if ids is None:
        return pd.Series(True, index=df.index)
    ids = [ids] if isinstance(ids, str) else list(ids)
    return df[col].astype(str).isin([str(i) for i in ids])


def stake_pairs(inputs: BuyInInputs) -> set[tuple[str, str]]:
    """(partner, vehicle) pairs where the partner has a stake: a board seat or a partner_value row."""
    g, pv = inputs.governance, inputs.partner_value
    return (set(zip(g["partner_id"].astype(str), g["vehicle_id"].astype(str)))
            | set(zip(pv["partner_id"].astype(str), pv["vehicle_id"].astype(str))))


def _full_value(inputs: BuyInInputs) -> pd.DataFrame:
    """partner_value with a row for every stake pair (a seat without a row gets zero money), so interventions
    can reach every partner with a stake; pairs without a stake are left out (they stay neutral)."""
    pv = inputs.partner_value.copy()
    pv["partner_id"] = pv["partner_id"].astype(str)
    pv["vehicle_id"] = pv["vehicle_id"].astype(str)
    have = set(zip(pv["partner_id"], pv["vehicle_id"]))
    extra = sorted(stake_pairs(inputs) - have)
    if extra:
        pv = pd.concat([pv, pd.DataFrame(extra, columns=["partner_id", "vehicle_id"])], ignore_index=True)
    for col in ("net_benefit_gbp", "cost_share_gbp"):
        pv[col] = pv[col].fillna(0.0) if col in pv else 0.0
    return pv


def _target(inputs: BuyInInputs, pv: pd.DataFrame, partner_id, vehicle_id) -> pd.Series:
    return _mask(pv, "partner_id", partner_id) & _mask(pv, "vehicle_id", vehicle_id)


@dataclass(frozen=True)
class RiskShare:
    """A risk-sharing agreement: the partner's annual loss on the vehicle is capped at `cap_gbp`; the
    agreement also cuts the partner's perceived uncertainty by `uncertainty_reduction` (share). Applies where the
    partner has a stake (a board seat or a partner_value row)."""
    partner_id: str | Iterable[str]
    cap_gbp: float
    vehicle_id: str | Iterable[str] | None = None
    uncertainty_reduction: float = 0.5

    def apply(self, inputs: BuyInInputs) -> BuyInInputs:
        pv = _full_value(inputs)
        m = _target(inputs, pv, self.partner_id, self.vehicle_id)
        pv.loc[m, "net_benefit_gbp"] = np.maximum(pv.loc[m, "net_benefit_gbp"], -float(self.cap_gbp))
        unc = pv["uncertainty"] if "uncertainty" in pv else pd.Series(np.nan, index=pv.index)
        unc = unc.fillna(inputs.params.default_uncertainty)
        pv["uncertainty"] = np.where(m, unc * (1.0 - self.uncertainty_reduction), unc)
        return inputs.with_(partner_value=pv)

    def cost_gbp(self, inputs: BuyInInputs) -> float:
        """Annual loss the underwriter takes on (loss above the cap)."""
        pv = _full_value(inputs)
        m = _target(inputs, pv, self.partner_id, self.vehicle_id)
        return float(np.maximum(-pv.loc[m, "net_benefit_gbp"] - float(self.cap_gbp), 0.0).sum())


@dataclass(frozen=True)
class SidePayment:
    """An annual payment to a partner from transitional funding, conditional on the vehicle (paid only where the
    partner has a stake in it: a board seat or a partner_value row)."""
    partner_id: str | Iterable[str]
    amount_gbp: float
    vehicle_id: str | Iterable[str]

    def apply(self, inputs: BuyInInputs) -> BuyInInputs:
        pv = _full_value(inputs)
        m = _target(inputs, pv, self.partner_id, self.vehicle_id)
        pv.loc[m, "net_benefit_gbp"] = pv.loc[m, "net_benefit_gbp"] + float(self.amount_gbp)
        return inputs.with_(partner_value=pv)

    def cost_gbp(self, inputs: BuyInInputs) -> float:
        """Annual total paid: the amount for every (partner, vehicle) pair where the partner has a stake."""
        return float(self.amount_gbp) * int(_target(inputs, _full_value(inputs), self.partner_id,
                                                    self.vehicle_id).sum())


@dataclass(frozen=True)
class EarlyEngagement:
    """Engagement that starts `months` earlier: a stance head start and less uncertainty at month 0."""
    months: float
    partner_id: str | Iterable[str] | None = None
    vehicle_id: str | Iterable[str] | None = None

    def apply(self, inputs: BuyInInputs) -> BuyInInputs:
        pv = _full_value(inputs)
        m = _target(inputs, pv, self.partner_id, self.vehicle_id)
        hs = pv["head_start_months"].fillna(0.0) if "head_start_months" in pv else 0.0
        pv["head_start_months"] = hs + np.where(m, float(self.months), 0.0)
        return inputs.with_(partner_value=pv)

    def cost_gbp(self, inputs: BuyInInputs) -> float:
        return 0.0


@dataclass(frozen=True)
class GovernanceChange:
    """A different governance rule or threshold for one vehicle."""
    vehicle_id: str
    rule: str | None = None
    threshold: float | None = None
    require_all_funders: bool | None = None

    def apply(self, inputs: BuyInInputs) -> BuyInInputs:
        rules = inputs.rules.copy()
        m = rules["vehicle_id"].astype(str) == str(self.vehicle_id)
        if not m.any():
            raise ValueError(f"GovernanceChange: unknown vehicle {self.vehicle_id!r}")
        for col in ("rule", "threshold", "require_all_funders"):
            val = getattr(self, col)
            if val is not None:
                if col not in rules:
                    rules[col] = None
                rules[col] = rules[col].astype(object)
                rules.loc[m, col] = val
        return inputs.with_(rules=rules)

    def cost_gbp(self, inputs: BuyInInputs) -> float:
        return 0.0


def apply_interventions(inputs: BuyInInputs, extra: Iterable = ()) -> BuyInInputs:
    """Apply `inputs.interventions` then `extra`, in order; the result has no interventions left."""
    out = inputs.with_(interventions=[])
    for iv in list(inputs.interventions) + list(extra):
        out = iv.apply(out)
    return out


def intervention_cost_gbp(inputs: BuyInInputs, interventions: Iterable) -> float:
    """Annual cost of a package, each priced on the inputs as they stand before it (after the inputs' own
    declared interventions)."""
    total, cur = 0.0, apply_interventions(inputs)
    for iv in interventions:
        total += iv.cost_gbp(cur)
        cur = iv.apply(cur)
    return total
