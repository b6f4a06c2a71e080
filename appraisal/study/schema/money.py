"""Row models of the money lines: benefits and costs (with triggers, apportionment, ownership), their year profiles,
apportionment shares, payer allocations, running-cost curves and transfers.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from appraisal.study.schema.types import (_blank_to_none, Flag, Fractions, Id, IdList, OptFinancialYear, OptFloat,
                                          OptId, OptStr, OptTimeLabel, Row, TimeLabel)


TRIGGER = ("what in a plan makes the line happen and anchors its timing: option (the programme: always, as "
           "entered), vehicle (vehicle_id is established), service (service_id moves into vehicle_id; at site_id "
           "only, when given), site (site_id opens), release (existing building site_id is released: once, from "
           "the release year, when the building has a lease_break_year; else each service there today earns its "
           "share as it leaves); blank = vehicle when vehicle_id is given, else option")
APPORTION = ("a vehicle line split over the services that may move into its vehicle (placements.csv), each "
             "share anchored on that service's transfer: by baseline_cost, fte, volume, or explicit shares "
             "(apportionments.csv); blank = not apportioned")
Trigger = Annotated[Literal["option", "vehicle", "service", "site", "release"] | None, BeforeValidator(_blank_to_none)]
Apportion = Annotated[Literal["baseline_cost", "fte", "volume", "shares"] | None, BeforeValidator(_blank_to_none)]


IN_PLACEMENTS = ("format 1 only (removed in format 2, where every pound is entered once): yes when "
                 "placements.csv carried this same money service by service")
BenefitCategory = Literal["cashable", "non_cashable", "societal"]
Confidence = Literal["high", "medium", "low"]


REALISED_BY = ("the vehicle or workstream that realises (owns) the benefit; blank = the line's vehicle_id, else the "
               "programme. A vehicle named here that the line's trigger does not already need must exist too")
ENABLED_BY = ("vehicles or workstreams that must also exist for the benefit to count, ';'-separated: in each year the "
              "benefit counts only when every one of them is established by that year")


class BenefitRow(Row):
    benefit_id: Id
    component: str = Field(min_length=1)
    category: BenefitCategory = "cashable"
    vehicle_id: OptId = Field(None, description="benefit needs this vehicle; shifts with its establishment year")
    service_id: OptId = None
    phase: OptStr = None
    run_rate_gbp: OptFloat = Field(None, description="£ a year at steady state (the central figure)")
    low_gbp: OptFloat = None
    high_gbp: OptFloat = None
    start_year: OptTimeLabel = Field(None, description="anchor year (or period) of the ramp or profile; blank = first year")
    ramp: Fractions = Field(default_factory=list, description="fraction of run rate from the start year; blank = 1 throughout")
    confidence: Confidence = "medium"
    recipient: OptId = Field(None, description="partner_id, or allocation_id to split it")
    trigger: Trigger = Field(None, description=TRIGGER)
    site_id: OptId = Field(None, description="the site whose opening triggers it (trigger site)")
    apportion: Apportion = Field(None, description=APPORTION)
    tags: IdList = Field(default_factory=list, description="free tags, ';'-separated, for adjustments and uncertainties")
    in_placements: Flag = Field(False, description=IN_PLACEMENTS)
    options: IdList = Field(default_factory=list, description="option ids it applies to; blank = all")
    baseline: OptStr = Field(None, description="the budget or cost base the saving comes out of (e.g. 'county estate "
                                               "running costs'); blank = its component, service and place. Two lines "
                                               "with the same recipient and baseline in overlapping years claim the "
                                               "same saving (validate refuses it)")
    realised_by: OptId = Field(None, description=REALISED_BY)
    enabled_by: IdList = Field(default_factory=list, description=ENABLED_BY)
    place: OptStr = Field(None, description="the place (town, locality, neighbourhood) it belongs to, for the place-based view")

    @model_validator(mode="after")
    def _range(self) -> "BenefitRow":
        if self.low_gbp is not None and self.high_gbp is not None and self.low_gbp > self.high_gbp:
            raise ValueError(f"low_gbp {self.low_gbp:,.0f} is above high_gbp {self.high_gbp:,.0f}")
        return self


class CostRow(Row):
    cost_id: Id
    component: str = Field(min_length=1)
    kind: Literal["one_off", "recurring"]
    category: Literal["capital", "revenue"] = "revenue"
    vehicle_id: OptId = None
    service_id: OptId = None
    phase: OptStr = None
    amount_gbp: float = Field(ge=0, description="£ (a year, for recurring); × quantity")
    quantity: float = Field(1.0, ge=0, description="multiplier, e.g. 0.25 of an annual team cost, or 9 business cases")
    start_year: OptTimeLabel = Field(None, description="year (or period) it falls (one-off) or starts (recurring); "
                                                       "blank = first year")
    end_year: OptTimeLabel = Field(None, description="last year (or period) of a recurring cost; blank = end of horizon")
    payer: OptId = Field(None, description="partner_id, or allocation_id to split it")
    trigger: Trigger = Field(None, description=TRIGGER)
    site_id: OptId = Field(None, description="the site whose opening triggers it (trigger site)")
    apportion: Apportion = Field(None, description=APPORTION)
    tags: IdList = Field(default_factory=list, description="free tags, ';'-separated, for adjustments and uncertainties")
    in_placements: Flag = Field(False, description=IN_PLACEMENTS)
    options: IdList = Field(default_factory=list)
    place: OptStr = Field(None, description="the place (town, locality, neighbourhood) it belongs to, for the place-based view")


class ProfileRow(Row):
    """An explicit yearly profile for a benefit or cost (overrides run rate × ramp)."""

    stream_id: Id
    year: TimeLabel = Field(description="financial year (spread evenly over its periods in a study by quarters or "
                                        "months) or period")
    amount_gbp: float


class ApportionmentRow(Row):
    """An explicit share of an apportioned benefit or cost line (apportion = shares) for one service."""

    line_id: Id = Field(description="benefit_id or cost_id of a line with apportion = shares")
    service_id: Id
    share: float = Field(ge=0, description="relative weight; a line's shares are normalised to sum to 1")


class AllocationRow(Row):
    allocation_id: Id
    recipient_id: Id = Field(description="partner_id, or service_id (its current provider receives it)")
    weight: float = Field(ge=0)
    basis: Literal["pct", "relative"] = Field("pct", description="pct: weights must sum to 100; relative: normalised")


class CostCurveRow(Row):
    """A point of a vehicle's running cost curve: economies of scale, piecewise-linear in volume."""

    vehicle_id: Id
    volume: float = Field(ge=0, description="contacts, cases or units a year served by the vehicle")
    running_cost_gbp_per_year: float = Field(ge=0, description="£ a year at that volume")
    payer: OptId = Field(None, description="partner_id, or allocation_id, who pays the running cost")


class TransferRow(Row):
    """Money moving between two accounts of one body (an HRA contribution to the General Fund) or between
    partners (a pooled-budget contribution): neither a cost nor a benefit of the system, so it never enters
    the NPSV and no adjustment touches it; it shows in who pays / who benefits and in the budget positions."""

    transfer_id: Id
    from_partner: Id = Field(description="partner_id that pays")
    from_account: OptId = Field(None, description="the payer's account, e.g. HRA (blank = the partner as a whole)")
    to_partner: Id = Field(description="partner_id that receives")
    to_account: OptId = Field(None, description="the receiver's account, e.g. GF")
    kind: Literal["one_off", "recurring"] = "recurring"
    amount_gbp: float = Field(ge=0, description="£ (a year, for recurring)")
    start_year: OptFinancialYear = Field(None, description="blank = first year")
    end_year: OptFinancialYear = Field(None, description="last year of a recurring transfer; blank = end of horizon")
    options: IdList = Field(default_factory=list, description="option ids it applies to; blank = all")
