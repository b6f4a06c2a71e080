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


def _profiled(inputs: BuyInInputs) -> set[tuple[str, str]]:
    prof = inputs.value_profile
    if prof is None or not len(prof):
        return set()
    return set(zip(prof["partner_id"].astype(str), prof["vehicle_id"].astype(str)))


def _full_profile(inputs: BuyInInputs, pairs: set[tuple[str, str]]) -> pd.DataFrame:
    """value_profile with a row for every year of the horizon for each of `pairs` (missing years: £0)."""
    prof = inputs.value_profile.copy()
    prof["partner_id"] = prof["partner_id"].astype(str)
    prof["vehicle_id"] = prof["vehicle_id"].astype(str)
    have = set(zip(prof["partner_id"], prof["vehicle_id"], prof["year_index"].astype(int)))
    extra = [(p, v, y, 0.0, 0.0) for p, v in sorted(pairs) for y in range(inputs.n_years) if (p, v, y) not in have]
    if extra:
        prof = pd.concat([prof, pd.DataFrame(extra, columns=["partner_id", "vehicle_id", "year_index", "benefit_gbp",
                                                             "cost_gbp"])], ignore_index=True)
    prof["year_index"] = prof["year_index"].astype(int)
    for col in ("benefit_gbp", "cost_gbp"):
        prof[col] = prof[col].fillna(0.0).astype(float)
    return prof.sort_values(["partner_id", "vehicle_id", "year_index"], ignore_index=True)


def _with_profile(inputs: BuyInInputs, pv: pd.DataFrame, prof: pd.DataFrame) -> BuyInInputs:
    """Inputs with the changed profile, and partner_value's money for profiled pairs set to the profile's means."""
    means = prof.groupby(["partner_id", "vehicle_id"])[["benefit_gbp", "cost_gbp"]].sum() / inputs.n_years
    key = list(zip(pv["partner_id"], pv["vehicle_id"]))
    hit = [k in means.index for k in key]
    if any(hit):
        sel = means.loc[[k for k, h in zip(key, hit) if h]]
        pv.loc[hit, "net_benefit_gbp"] = (sel["benefit_gbp"] - sel["cost_gbp"]).to_numpy()
        pv.loc[hit, "cost_share_gbp"] = sel["cost_gbp"].to_numpy()
    return inputs.with_(partner_value=pv, value_profile=prof)


def _targets(inputs: BuyInInputs, pv: pd.DataFrame, partner_id, vehicle_id) -> tuple[pd.Series, set, pd.Series]:
    """Targeted stake pairs: (mask over partner_value rows with flat money, profiled pairs, mask over all rows)."""
    m = _target(inputs, pv, partner_id, vehicle_id)
    profiled = _profiled(inputs)
    is_prof = pd.Series([k in profiled for k in zip(pv["partner_id"], pv["vehicle_id"])], index=pv.index)
    pairs = set(zip(pv.loc[m & is_prof, "partner_id"], pv.loc[m & is_prof, "vehicle_id"]))
    return m & ~is_prof, pairs, m


@dataclass(frozen=True)
class RiskShare:
    """A risk-sharing agreement: the partner's loss on the vehicle in any year is capped at `cap_gbp` (the
    underwriter pays the rest); the agreement also cuts the partner's perceived uncertainty by
    `uncertainty_reduction` (share). Applies where the partner has a stake (a board seat or a partner_value row);
    with a yearly profile the cap applies year by year, so early losses are covered."""
    partner_id: str | Iterable[str]
    cap_gbp: float
    vehicle_id: str | Iterable[str] | None = None
    uncertainty_reduction: float = 0.5

    def apply(self, inputs: BuyInInputs) -> BuyInInputs:
        pv = _full_value(inputs)
        flat, pairs, m = _targets(inputs, pv, self.partner_id, self.vehicle_id)
        pv.loc[flat, "net_benefit_gbp"] = np.maximum(pv.loc[flat, "net_benefit_gbp"], -float(self.cap_gbp))
        unc = pv["uncertainty"] if "uncertainty" in pv else pd.Series(np.nan, index=pv.index)
        unc = unc.fillna(inputs.params.default_uncertainty)
        pv["uncertainty"] = np.where(m, unc * (1.0 - self.uncertainty_reduction), unc)
        if not pairs:
            return inputs.with_(partner_value=pv)
        prof = _full_profile(inputs, pairs)
        hit = pd.Series(list(zip(prof["partner_id"], prof["vehicle_id"]))).isin(pairs).to_numpy()
        loss = prof["cost_gbp"] - prof["benefit_gbp"]
        prof.loc[hit, "benefit_gbp"] += np.maximum(loss[hit] - float(self.cap_gbp), 0.0)
        return _with_profile(inputs, pv, prof)

    def cost_gbp(self, inputs: BuyInInputs) -> float:
        """Mean yearly loss the underwriter takes on (losses above the cap; year by year with a profile)."""
        pv = _full_value(inputs)
        flat, pairs, _ = _targets(inputs, pv, self.partner_id, self.vehicle_id)
        total = float(np.maximum(-pv.loc[flat, "net_benefit_gbp"] - float(self.cap_gbp), 0.0).sum())
        if pairs:
            prof = _full_profile(inputs, pairs)
            hit = pd.Series(list(zip(prof["partner_id"], prof["vehicle_id"]))).isin(pairs).to_numpy()
            loss = (prof["cost_gbp"] - prof["benefit_gbp"])[hit]
            total += float(np.maximum(loss - float(self.cap_gbp), 0.0).sum()) / inputs.n_years
        return total


@dataclass(frozen=True)
class SidePayment:
    """A yearly payment to a partner from transitional funding, conditional on the vehicle (paid only where the
    partner has a stake in it: a board seat or a partner_value row); with a profile it is paid every year."""
    partner_id: str | Iterable[str]
    amount_gbp: float
    vehicle_id: str | Iterable[str]

    def apply(self, inputs: BuyInInputs) -> BuyInInputs:
        pv = _full_value(inputs)
        flat, pairs, _ = _targets(inputs, pv, self.partner_id, self.vehicle_id)
        pv.loc[flat, "net_benefit_gbp"] = pv.loc[flat, "net_benefit_gbp"] + float(self.amount_gbp)
        if not pairs:
            return inputs.with_(partner_value=pv)
        prof = _full_profile(inputs, pairs)
        hit = pd.Series(list(zip(prof["partner_id"], prof["vehicle_id"]))).isin(pairs).to_numpy()
        prof.loc[hit, "benefit_gbp"] += float(self.amount_gbp)
        return _with_profile(inputs, pv, prof)

    def cost_gbp(self, inputs: BuyInInputs) -> float:
        """Yearly total paid: the amount for every (partner, vehicle) pair where the partner has a stake."""
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
