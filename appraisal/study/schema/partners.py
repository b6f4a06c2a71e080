"""Row models of the partners and their decisions (the buy-in model's inputs): partners, board governance, intervention
packages, recorded stances, decision dates and elections.
"""
from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from appraisal.study.schema.types import (_blank_to_none, Flag, Fraction, Id, OptFloat, OptId, OptNonNegative, OptStr,
                                          Row)


PartnerType = Literal[
    "county_council", "district_council", "unitary_council", "ccg", "acute_trust", "community_trust",
    "mental_health_trust", "police", "fire", "combined_authority", "voluntary_sector", "nhs_england", "other",
]


class PartnerRow(Row):
    partner_id: Id
    name: str = Field(min_length=1)
    type: PartnerType
    budget_gbp: OptNonNegative = Field(None, description="annual net revenue budget, £")
    financial_pressure: Fraction = Field(0.5, description="0 = comfortable, 1 = severe")
    risk_appetite: Fraction = Field(0.5, description="0 = averse, 1 = seeking")
    board_meeting_interval_months: int = Field(2, ge=1, le=12)
    election_month: OptStr = Field(None, description="YYYY-MM of the next election, blank if none")

    @field_validator("election_month")
    @classmethod
    def _month(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^\d{4}-(0[1-9]|1[0-2])$", v):
            raise ValueError(f"a month like '2017-05', got '{v}'")
        return v


class GovernanceRow(Row):
    vehicle_id: Id
    partner_id: Id
    voting_weight: float = Field(ge=0)
    veto: Flag = False
    funds: Flag = False


class InterventionRow(Row):
    """One measure of an intervention package the buy-in model compares against doing nothing.

    risk_share: caps the partner's annual loss on the vehicle at amount_gbp. side_payment: pays the partner
    amount_gbp a year from transitional funding. early_engagement: starts engagement `months` earlier.
    governance_change: the vehicle's rule becomes `rule` (with threshold_pct)."""

    package: Id = Field(description="measures with the same package id are applied together")
    kind: Literal["risk_share", "side_payment", "early_engagement", "governance_change"]
    partner_id: OptId = None
    vehicle_id: OptId = None
    amount_gbp: OptNonNegative = Field(None, description="£ a year: loss cap (risk_share) or payment (side_payment)")
    months: OptFloat = Field(None, ge=0)
    rule: Annotated[Literal["unanimity", "majority", "qualified_majority"] | None, BeforeValidator(_blank_to_none)] = None
    threshold_pct: OptFloat = Field(None, gt=0, le=100)

    @model_validator(mode="after")
    def _needs(self) -> "InterventionRow":
        need = {"risk_share": ["partner_id", "amount_gbp"], "side_payment": ["partner_id", "vehicle_id", "amount_gbp"],
                "early_engagement": ["months"], "governance_change": ["vehicle_id", "rule"]}[self.kind]
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a {self.kind} needs {', '.join(missing)}")
        return self


YearMonth = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="a month like '2017-05'")]
Stance = Literal["confirmed", "in_principle", "undecided", "opposed"]


class StanceRow(Row):
    """What the documents say about a partner's position on a vehicle (the buy-in model's starting stance; a
    confirmed commitment is a yes at the partner's first decision point unless an election intervenes)."""

    partner_id: Id
    vehicle_id: Id
    stance: Stance


class DecisionDateRow(Row):
    """A known meeting that takes the decision (cabinet, board, governing body). Regular meetings before a
    partner's first known date are not decision points for that vehicle."""

    partner_id: Id
    vehicle_id: OptId = Field(None, description="blank = the meeting decides on every vehicle of the partner")
    date: YearMonth
    body: OptStr = Field(None, description="e.g. cabinet, governing body, full council")


class ElectionRow(Row):
    """An election of a partner (several per partner allowed)."""

    partner_id: Id
    date: YearMonth
    kind: OptStr = Field(None, description="e.g. all-out, by thirds, mayoral, PCC")
    turnover_prob: Annotated[Fraction | None, BeforeValidator(_blank_to_none)] = Field(
        None, description="chance it changes the administration enough to reopen a decision; blank = model default")
