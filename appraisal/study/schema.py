"""The study schema: `study.yaml` and one pydantic model per table row.

Every field documents its unit. Money is pounds sterling (`_gbp`); years are financial years written
`2017/18`; percentages are 0–100 (`_pct`); fractions are 0–1. Ids are short strings without spaces.
A list in a CSV cell is written with semicolons: `0.1;0.6;1`.
"""
from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from appraisal.study.numbers import parse_number

FY_PATTERN = re.compile(r"^(\d{4})/(\d{2})$")


def fy_start(label: str) -> int:
    """The calendar year in which financial year `label` ('2017/18') starts."""
    return int(FY_PATTERN.match(label).group(1))


def fy_label(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def _financial_year(value: object) -> str:
    text = str(value).strip()
    m = FY_PATTERN.match(text)
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise ValueError(f"a financial year like '2017/18', got '{text}'")
    return text


def _blank_to_none(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from pandas
        return None
    if isinstance(value, str) and value.strip() == "":
        return None
    return value.strip() if isinstance(value, str) else value


def _id_list(value: object) -> list[str]:
    value = _blank_to_none(value)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value]
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _fraction_list(value: object) -> list[float]:
    value = _blank_to_none(value)
    if value is None:
        return []
    parts = value if isinstance(value, list) else str(value).split(";")
    out = []
    for part in parts:
        try:
            number = part if isinstance(part, (int, float)) else parse_number(str(part), money=False)
        except ValueError:
            raise ValueError(f"fractions between 0 and 1 separated by ';' like '0.1;0.6;1', got '{value}'") from None
        if not 0 <= number <= 1:
            raise ValueError(f"fractions between 0 and 1 separated by ';' like '0.1;0.6;1', got {number:g} in '{value}'")
        out.append(float(number))
    return out


def _safe_id(value: str) -> str:
    if set(value) == {"."}:
        raise ValueError(f"'{value}' cannot be an id: ids name files and folders of the results; use letters or digits")
    return value


def _bool(value: object) -> bool:
    value = _blank_to_none(value)
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"yes", "y", "true", "1", "x"}:
        return True
    if text in {"no", "n", "false", "0", "-"}:
        return False
    raise ValueError(f"yes or no, got '{value}'")


FinancialYear = Annotated[str, BeforeValidator(_financial_year)]
OptFinancialYear = Annotated[FinancialYear | None, BeforeValidator(_blank_to_none)]
PERIOD_PATTERN = re.compile(r"^(\d{4})/(\d{2})(?: (Q[1-4]|M(?:0[1-9]|1[0-2])))?$")


def _time_label(value: object) -> str:
    """A gate of the plan: a financial year, or (in a study with `horizon.period`) a quarter or month of one."""
    text = " ".join(str(value).split())
    m = PERIOD_PATTERN.match(text)
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise ValueError(f"a financial year like '2017/18', got '{text}' (a study by quarters or months also takes "
                         "periods like '2017/18 Q3' or '2017/18 M07')")
    return text


TimeLabel = Annotated[str, BeforeValidator(_time_label)]
OptTimeLabel = Annotated[TimeLabel | None, BeforeValidator(_blank_to_none)]
OptStr = Annotated[str | None, BeforeValidator(_blank_to_none)]
OptFloat = Annotated[float | None, BeforeValidator(_blank_to_none)]
NonNegative = Annotated[float, Field(ge=0)]
OptNonNegative = Annotated[NonNegative | None, BeforeValidator(_blank_to_none)]
OptInt = Annotated[int | None, BeforeValidator(_blank_to_none)]
IdList = Annotated[list[str], BeforeValidator(_id_list)]
Fractions = Annotated[list[float], BeforeValidator(_fraction_list)]
Flag = Annotated[bool, BeforeValidator(_bool)]
Id = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.\-]+$"), AfterValidator(_safe_id)]
OptId = Annotated[Id | None, BeforeValidator(_blank_to_none)]
Fraction = Annotated[float, Field(ge=0, le=1)]


class Row(BaseModel):
    """A table row. Unknown columns are errors, so a misspelt header is caught, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)
    source: str = Field(min_length=1, description="Where the figure comes from: document section, table or line")


# --------------------------------------------------------------------------------------- tables


VehicleKind = Literal[
    "status_quo", "council", "integrated_care", "combined_authority", "shared_service", "market",
    "joint_venture", "other",
]
PartnerType = Literal[
    "county_council", "district_council", "unitary_council", "ccg", "acute_trust", "community_trust",
    "mental_health_trust", "police", "fire", "combined_authority", "voluntary_sector", "nhs_england", "other",
]


class ServiceRow(Row):
    service_id: Id
    name: str = Field(min_length=1)
    service_area: OptStr = None
    current_provider: OptId = Field(None, description="partner_id of today's provider")
    current_vehicle_id: OptId = Field(None, description="vehicle that delivers it today (a status_quo vehicle)")
    current_site_id: OptId = None
    baseline_cost_gbp: OptNonNegative = Field(None, description="£ a year, price base of the study")
    fte: OptNonNegative = Field(None, description="full-time equivalent staff")
    volume: OptNonNegative = Field(None, description="contacts, cases or units a year")
    place: OptStr = Field(None, description="the place (town, locality, neighbourhood) it belongs to, for the place-based view")
    notes: OptStr = None


class VehicleRow(Row):
    vehicle_id: Id
    name: str = Field(min_length=1)
    kind: VehicleKind
    earliest_year: OptTimeLabel = Field(None, description="first financial year (or period) it can exist")
    planned_year: OptTimeLabel = Field(None, description="year (or period) the source plan establishes it")
    max_sites: OptInt = Field(None, ge=1)
    governance_rule: Literal["unanimity", "majority", "qualified_majority", "lead_partner", "opt_in"] = Field(
        "unanimity", description="unanimity / majority / qualified_majority: a partnership vote of the board; "
                                 "lead_partner: an executive decision of one body (lead_partner_id); opt_in: each "
                                 "board member joins separately, the vehicle goes ahead once min_members have")
    threshold_pct: OptFloat = Field(None, gt=0, le=100, description="share of voting weight needed (qualified majority)")
    require_all_funders: Flag = True
    lead_partner_id: OptId = Field(None, description="lead_partner: the deciding body; blank = the board's only "
                                                      "member with a vote")
    min_members: OptInt = Field(None, ge=1, description="opt_in: members needed for the vehicle to go ahead (blank = 1)")
    notes: OptStr = None


class SiteRow(Row):
    site_id: Id
    name: str = Field(min_length=1)
    vehicle_id: OptId = Field(None, description="vehicle it can host; blank = shared: any vehicle whose placements "
                                                "name this site, within one capacity (docs/optimise.md, Estates)")
    capacity_fte: OptNonNegative = Field(None, description="FTE it holds: the services there today "
                                                           "(services.current_site_id) until they move out, and those moved in")
    running_cost_gbp_per_year: OptNonNegative = Field(None, description="format 1 only: in format 2 a site's money "
                                                      "is a cost line with trigger 'site' (so it has a payer)")
    open_cost_gbp: OptNonNegative = Field(None, description="format 1 only (see running_cost_gbp_per_year)")
    existing: Flag = True
    must_open: Flag = False
    place: OptStr = Field(None, description="the place (town, locality, neighbourhood) it belongs to, for the place-based view")
    lease_break_year: OptFinancialYear = Field(None, description="an existing building a plan may release from this "
                                               "year on, once no service is left in it (its trigger 'release' lines are "
                                               "then earned once, from the release year); blank = not a decision")


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


class PlacementRow(Row):
    """An eligible (service, vehicle[, site]) pair. In format 2 it carries no money: the money a transfer
    brings is a benefit or cost line with trigger 'service' (or a vehicle line apportioned over services).
    The money columns are read only from format-1 studies, which `reformkit upgrade` rewrites."""

    service_id: Id
    vehicle_id: Id
    site_id: OptId = None
    benefit_run_rate_gbp: OptNonNegative = Field(None, description="format 1 only: £ a year once ramped up")
    ramp: Fractions = Field(default_factory=list, description="format 1 only: fraction of run rate by year after transfer")
    transition_cost_gbp: OptNonNegative = Field(None, description="format 1 only: one-off £ in the transfer year")
    running_cost_change_gbp_per_year: OptFloat = Field(None, description="format 1 only: £ a year, + costs more, − costs less")
    score: OptFloat = Field(None, description="a value-driver score of this placement (any scale), the second "
                                               "objective of `reformkit optimise --pareto score`")


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


class OptionRow(Row):
    option_id: Id
    name: str = Field(min_length=1)
    description: OptStr = None
    builds_on: OptId = None
    view_of: OptId = Field(None, description="the option this row is another view of (e.g. with enabled benefits): "
                                              "appraised and reported, not ranked as a choice of its own")


RuleKind = Literal[
    "allow_vehicle", "forbid_vehicle", "forbid_kind", "force", "forbid", "force_year", "lock_site", "reference",
    "keep_site", "release",
]
# keep_site: building site_id (one with a lease_break_year) must not be released under the option.
# release: the source document's own plan releases building site_id in `year` (a reference, like `reference`:
# it constrains nothing; the optimiser chooses releases freely).
# reference: the source document's own plan moves service_id into vehicle_id (in `year`, else the vehicle's
# planned year). It constrains nothing; reproduce mode evaluates that plan beside the optimised one.


class OptionRuleRow(Row):
    option_id: Id
    rule: RuleKind
    service_id: OptId = None
    vehicle_id: OptId = None
    vehicle_kind: OptStr = None
    site_id: OptId = None
    year: OptTimeLabel = None
    notes: OptStr = None


class CostCurveRow(Row):
    """A point of a vehicle's running cost curve: economies of scale, piecewise-linear in volume."""

    vehicle_id: Id
    volume: float = Field(ge=0, description="contacts, cases or units a year served by the vehicle")
    running_cost_gbp_per_year: float = Field(ge=0, description="£ a year at that volume")
    payer: OptId = Field(None, description="partner_id, or allocation_id, who pays the running cost")


class PrecedenceRow(Row):
    before_service_id: Id
    after_service_id: Id
    min_lag_years: int = Field(0, ge=0)


class VehicleDependencyRow(Row):
    """A vehicle may be established only `min_lag_years` after another is (read by the optimiser and the buy-in model)."""

    vehicle_id: Id
    requires_vehicle_id: Id
    min_lag_years: int = Field(0, ge=0, description="whole years after the required vehicle's establishment; 0 = same year")


class FloorRow(Row):
    """A floor or target on the optimised plan of an option (table `floors`; docs/optimise.md, "floors").

    Money floors (measure benefits / costs / net, £ undiscounted) give the bound as `value_gbp`, or as `pct`
    per cent of a labelled `baseline_gbp` (e.g. savings of at least 10 % of the property running cost);
    a membership floor (measure members) gives `count` services moved into `vehicle_id`."""

    floor_id: Id
    option_id: OptId = Field(None, description="blank = every option")
    measure: Literal["benefits", "costs", "net", "members"]
    selector: OptStr = Field(None, description="the ledger entries counted: blank = all, partner:<id> (money the "
                             "partner pays or receives), or an uncertainty target such as component:<name>, tag:<tag>, "
                             "vehicle:<id>, line:<id>, category:<name>, trigger:<kind>")
    vehicle_id: OptId = Field(None, description="the vehicle of a members floor")
    sense: Literal["at_least", "at_most"]
    value_gbp: OptFloat = Field(None, description="the bound in £ (money floors)")
    pct: OptFloat = Field(None, description="the bound as per cent (0-100) of baseline_gbp")
    baseline_gbp: OptFloat = Field(None, description="the baseline pct refers to, in £ (label it in source)")
    count: Annotated[int | None, BeforeValidator(_blank_to_none)] = Field(None, ge=0, description="services (members floors)")
    year: OptFinancialYear = Field(None, description="blank = every year of the horizon (members: by the last year)")
    cumulative: Flag = Field(False, description="yes = the money from the first year to `year`, no = that year alone")

    @model_validator(mode="after")
    def _one_bound(self):
        if self.measure == "members":
            if self.count is None or self.vehicle_id is None:
                raise ValueError("a members floor needs vehicle_id and count")
            if self.value_gbp is not None or self.pct is not None or self.selector is not None:
                raise ValueError("a members floor takes count, not value_gbp, pct or selector")
        else:
            given = (self.value_gbp is not None) + (self.pct is not None or self.baseline_gbp is not None)
            if given != 1:
                raise ValueError("a money floor needs exactly one of value_gbp or (pct and baseline_gbp)")
            if self.value_gbp is None and (self.pct is None or self.baseline_gbp is None):
                raise ValueError("pct and baseline_gbp go together")
            if self.count is not None:
                raise ValueError("count is for members floors")
        return self


class LimitRow(Row):
    limit: Literal["max_transfers_per_year", "funding_cap_yearly_gbp", "funding_cap_cumulative_gbp"]
    year: OptFinancialYear = Field(None, description="blank = every year")
    value: float = Field(ge=0)


class ValueDriverRow(Row):
    driver_id: Id
    name: str = Field(min_length=1)
    kind: Literal["metric", "judgement"]
    metric: OptStr = Field(None, description="computed metric name when kind = metric")
    weight: float = Field(ge=0, description="swing weight; normalised over drivers")
    weight_low: OptFloat = None
    weight_high: OptFloat = None
    higher_is_better: Flag = True


class DriverScoreRow(Row):
    driver_id: Id
    option_id: Id
    rag: Annotated[Literal["Red", "Amber", "Green"] | None, BeforeValidator(lambda v: _blank_to_none(v) and str(v).strip().title())] = None
    score: OptFloat = Field(None, ge=0, le=100, description="0–100 value score; blank = from RAG")
    rationale: OptStr = None


class PositionRow(Row):
    """A partner's budget position line by year (for funding-gap and do-nothing comparisons)."""

    partner_id: Id
    scenario: Literal["do_nothing", "plan"]
    line: str = Field(min_length=1, description="e.g. income, expenditure, reserves_opening")
    year: FinancialYear
    amount_gbp: float


class TargetRow(Row):
    """A figure the source document publishes, to show beside ours and to test against."""

    target_id: Id
    option_id: OptId = None
    metric: str = Field(min_length=1, description="dotted path into results.json, e.g. options.3.benefits_total_gbp, "
                                                 "or into the inputs: inputs.costs.by.component.staffing.amount_gbp")
    value: float
    tolerance: float = Field(0.5, ge=0)
    description: str = Field(min_length=1)


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


def humanise(identifier: str) -> str:
    """A readable default label for an id: 'implementation_delay' -> 'Implementation delay'."""
    text = re.sub(r"[_.\-]+", " ", str(identifier)).strip()
    text = re.sub(r"\bgbp\b", "£", text)
    text = re.sub(r"\bpct\b", "%", text)
    return text[:1].upper() + text[1:] if text else str(identifier)


class UncertaintyRow(Row):
    parameter: Id
    label: OptStr = Field(None, description="what the parameter means, for people (default: the id, humanised)")
    target: str = Field(min_length=1, description="what it scales: benefits, costs, benefit:<id>, cost:<id>, line:<id>, "
                        "component:<name>, category:<name>, trigger:<kind>, vehicle:<id>, tag:<tag>; or delay_years, "
                        "discount_rate_pct")
    distribution: Literal["uniform", "triangular", "pert", "normal"]
    low: OptFloat = None
    mode: OptFloat = None
    high: OptFloat = None
    mean: OptFloat = None
    sd: OptFloat = None

    @model_validator(mode="after")
    def _default_label(self) -> "UncertaintyRow":
        if not self.label:
            self.label = humanise(self.parameter)
        return self


COHORT_SCENARIO = Field("today", description="'today' (the counterfactual) or an option_id whose target "
                                              "operating model restates this figure; options inherit today's "
                                              "figures and replace only what they restate")


class CohortModelRow(Row):
    """A care pathway (cohort) model whose yearly cost difference, today − option, becomes money lines."""

    model_id: Id
    name: str = Field(min_length=1)
    periods_per_year: int = Field(1, description="periods a year: 1, 2, 4 or 12 (monthly)")
    start_year: OptFinancialYear = Field(None, description="first year of the options' target operating model; "
                                                           "blank = first year of the horizon")
    vehicle_id: OptId = Field(None, description="the target operating model starts when this vehicle is established "
                                                "(moves with it in a plan)")
    component: str = Field(min_length=1, description="component name of the money lines")
    category: BenefitCategory = Field("cashable", description="category of the savings lines")
    party: OptId = Field(None, description="partner_id, or allocation_id, that pays for the care (and keeps the saving)")

    @field_validator("periods_per_year")
    @classmethod
    def _periods(cls, v: int) -> int:
        if v not in (1, 2, 4, 12):
            raise ValueError(f"1, 2, 4 or 12 periods a year, got {v}")
        return v


class CohortStateRow(Row):
    model_id: Id
    state_id: Id
    scenario: Id = COHORT_SCENARIO
    name: OptStr = None
    unit_cost_gbp: float = Field(ge=0, description="£ per person-year (per_year) or per entry into the state (per_entry)")
    cost_basis: Literal["per_year", "per_entry"] = "per_year"
    opening_people: OptNonNegative = Field(None, description="people in the state at the start of the horizon "
                                                              "(today's rows only; blank = 0)")


class CohortTransitionRow(Row):
    model_id: Id
    scenario: Id = COHORT_SCENARIO
    from_state: Id
    to_state: Id
    share: Annotated[Fraction | None, BeforeValidator(_blank_to_none)] = Field(
        None, description="share of the people in from_state who are in to_state next period (0-1); blank = the rest "
                          "(1 − the other shares of from_state); what no row takes leaves the model")


class CohortEntrantRow(Row):
    model_id: Id
    scenario: Id = COHORT_SCENARIO
    state_id: Id
    year: FinancialYear
    people: NonNegative = Field(description="new entrants from outside the model in that year (e.g. new contacts)")


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


class RiskRow(Row):
    """A line of the risk register. Optionally quantified: with `probability` the risk occurs, and then costs a
    draw from `cost_distribution` in `cost_year` (a cost of risk that feeds the Monte Carlo)."""

    risk_id: Id
    description: str = Field(min_length=1)
    category: OptStr = None
    likelihood: int = Field(ge=1, le=5, description="1 (rare) to 5 (almost certain)")
    impact: int = Field(ge=1, le=5, description="1 (negligible) to 5 (severe)")
    owner: str = Field(min_length=1, description="who manages the risk (a role or a partner)")
    mitigation: OptStr = None
    status: Annotated[Literal["open", "closed"] | None, BeforeValidator(_blank_to_none)] = None
    probability: Annotated[Fraction | None, BeforeValidator(_blank_to_none)] = Field(
        None, description="chance the risk occurs within the horizon (0-1), for the quantified cost")
    cost_distribution: Annotated[Literal["uniform", "triangular", "pert", "normal"] | None,
                                 BeforeValidator(_blank_to_none)] = None
    cost_low_gbp: OptNonNegative = None
    cost_mode_gbp: OptNonNegative = None
    cost_high_gbp: OptNonNegative = None
    cost_mean_gbp: OptNonNegative = None
    cost_sd_gbp: OptNonNegative = None
    cost_year: OptFinancialYear = Field(None, description="year the cost falls if the risk occurs")
    options: IdList = Field(default_factory=list, description="option ids it applies to; blank = all")

    @model_validator(mode="after")
    def _quantified(self) -> "RiskRow":
        money = [self.cost_low_gbp, self.cost_mode_gbp, self.cost_high_gbp, self.cost_mean_gbp, self.cost_sd_gbp]
        if self.probability is None and self.cost_distribution is None and all(v is None for v in money):
            return self
        need = ["probability", "cost_distribution", "cost_year"] + {
            "uniform": ["cost_low_gbp", "cost_high_gbp"], "triangular": ["cost_low_gbp", "cost_mode_gbp", "cost_high_gbp"],
            "pert": ["cost_low_gbp", "cost_mode_gbp", "cost_high_gbp"], "normal": ["cost_mean_gbp", "cost_sd_gbp"],
            None: []}[self.cost_distribution]
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a quantified risk needs {', '.join(missing)}")
        lo, mode, hi = self.cost_low_gbp, self.cost_mode_gbp, self.cost_high_gbp
        if self.cost_distribution in ("uniform", "triangular", "pert") and not lo < hi:
            raise ValueError(f"cost_low_gbp {lo:,.0f} must be below cost_high_gbp {hi:,.0f}")
        if mode is not None and lo is not None and hi is not None and not lo <= mode <= hi:
            raise ValueError(f"cost_mode_gbp {mode:,.0f} must lie between cost_low_gbp and cost_high_gbp")
        if self.cost_distribution == "normal" and not self.cost_sd_gbp > 0:
            raise ValueError("cost_sd_gbp must be above 0")
        return self

    @property
    def quantified(self) -> bool:
        return self.probability is not None


def _price_year(value: object) -> str:
    text = str(value).strip()
    return text if text == "cash" else _financial_year(text)


class PriceYearRow(Row):
    """The prices a benefit or cost line is entered in, when not the study's price base: a financial year, or
    'cash' (each year's amount in that year's prices). Such lines are rebased to study.yaml `price_base` with
    GDP deflators (the study's `deflators` table, else appraisal/money/reference/gdp_deflators.csv)."""

    stream_id: Id = Field(description="benefit_id or cost_id")
    price_year: Annotated[str, BeforeValidator(_price_year)] = Field(description="a financial year like 2019/20, or cash")


class DeflatorRow(Row):
    """A GDP deflator at market prices for a financial year (any base: only ratios are used)."""

    year: FinancialYear
    index: float = Field(gt=0)


class BenefitDistributionRow(Row):
    """The share of a benefit line that accrues to an income group (quintile q1 … q5), for distributional weights."""

    benefit_id: Id
    group_id: Literal["q1", "q2", "q3", "q4", "q5"]
    share: Fraction


class SocialValueRow(Row):
    """An import slot for a licensed social-value bank: the study brings the values its licence allows;
    reformkit ships none. A `valued_outcomes` row names one by `unit` = value_id."""

    value_id: Id
    name: str = Field(min_length=1, description="the outcome valued, e.g. 'moving from unemployment to employment'")
    value_gbp: float = Field(description="£ per unit of the outcome a year")
    price_year: OptFinancialYear = Field(None, description="prices of the value; blank = the study's price base")
    licence: str = Field(min_length=1, description="the bank, version and the licence under which the study uses it")


class ValuedOutcomeRow(Row):
    """A non-cash outcome valued per unit (a societal benefit line): WELLBYs or QALYs at the Green Book figure,
    or a value of the study's social_values table."""

    outcome_id: Id
    component: str = Field(min_length=1)
    unit: Id = Field(description="wellby, qaly, or a value_id of social_values")
    quantity_per_year: float = Field(description="WELLBYs or QALYs gained a year (negative = lost)")
    value: Literal["central", "low", "high"] = Field("central", description="which published value (WELLBY has a range)")
    start_year: OptFinancialYear = None
    end_year: OptFinancialYear = None
    recipient: OptId = None
    options: IdList = Field(default_factory=list)


TABLE_MODELS: dict[str, type[Row]] = {
    "services": ServiceRow,
    "vehicles": VehicleRow,
    "sites": SiteRow,
    "partners": PartnerRow,
    "governance": GovernanceRow,
    "placements": PlacementRow,
    "benefits": BenefitRow,
    "benefit_profiles": ProfileRow,
    "costs": CostRow,
    "cost_profiles": ProfileRow,
    "allocations": AllocationRow,
    "apportionments": ApportionmentRow,
    "options": OptionRow,
    "option_rules": OptionRuleRow,
    "precedence": PrecedenceRow,
    "vehicle_dependencies": VehicleDependencyRow,
    "cost_curves": CostCurveRow,
    "limits": LimitRow,
    "floors": FloorRow,
    "value_drivers": ValueDriverRow,
    "driver_scores": DriverScoreRow,
    "positions": PositionRow,
    "targets": TargetRow,
    "uncertainties": UncertaintyRow,
    "interventions": InterventionRow,
    "cohort_models": CohortModelRow,
    "cohort_states": CohortStateRow,
    "cohort_transitions": CohortTransitionRow,
    "cohort_entrants": CohortEntrantRow,
    "transfers": TransferRow,
    "risks": RiskRow,
    "price_years": PriceYearRow,
    "deflators": DeflatorRow,
    "benefit_distribution": BenefitDistributionRow,
    "valued_outcomes": ValuedOutcomeRow,
    "social_values": SocialValueRow,
    "stances": StanceRow,
    "decision_dates": DecisionDateRow,
    "elections": ElectionRow,
}
from appraisal.study.schema_programme import PROGRAMME_MODELS, Programme  # noqa: E402  (its rows use the types above)

TABLE_MODELS.update(PROGRAMME_MODELS)
REQUIRED_TABLES = ("options",)

# --------------------------------------------------------------------------------------- study.yaml


OB_PROJECT_TYPES = Literal[
    "standard_buildings", "non_standard_buildings", "standard_civil_engineering",
    "non_standard_civil_engineering", "equipment_development", "outsourcing",
]


class OptimismBias(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    project_type: OB_PROJECT_TYPES
    bound: Literal["upper", "lower"] = "upper"
    measure: Literal["capex", "duration", "opex"] = "capex"


class Adjustment(BaseModel):
    """A multiplicative adjustment: benefits × (1 − pct/100) or costs × (1 + pct/100)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str
    applies_to: Literal["benefits", "costs"]
    pct: float | None = Field(None, ge=0, le=300)
    optimism_bias: OptimismBias | None = Field(None, description="Mott MacDonald bound by name instead of pct")
    excess_tax_burden: bool = Field(False, description="the marginal excess tax burden uplift on costs "
                                                       "(appraisal/money/reference/green_book_values.csv) instead of pct")
    categories: list[str] = Field(default_factory=list, description="benefit categories or cost categories; empty = all")
    components: list[str] = Field(default_factory=list, description="components it applies to; empty = all")
    triggers: list[Literal["option", "vehicle", "service", "site", "release"]] = Field(
        default_factory=list, description="line triggers it applies to; empty = all")
    vehicles: list[str] = Field(default_factory=list, description="vehicle ids it applies to; empty = all")
    tags: list[str] = Field(default_factory=list, description="applies to lines carrying any of these tags; empty = all")
    lines: list[str] = Field(default_factory=list, description="benefit or cost ids it applies to; empty = all")

    @model_validator(mode="after")
    def _one_source(self) -> "Adjustment":
        if [self.pct is not None, self.optimism_bias is not None, self.excess_tax_burden].count(True) != 1:
            raise ValueError("give exactly one of pct or optimism_bias (or excess_tax_burden: true)")
        if self.excess_tax_burden and self.applies_to != "costs":
            raise ValueError("the excess tax burden uplift applies to costs")
        return self


class Horizon(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    start: FinancialYear
    years: int = Field(ge=1, le=200)
    period: Literal["year", "quarter", "month"] = Field(
        "year", description="the plan's time step: financial years, or their quarters (2025/26 Q1 = Apr-Jun) or "
                            "months (2025/26 M01 = April); money is still reported and discounted by year")


def _schedule_name(value: object) -> object:
    if value == "stpr_lower":
        raise ValueError("'stpr_lower' (STPR minus one point) was a placeholder and has been removed; use "
                         "'stpr_sensitivity_test', the Green Book 2026 additional sensitivity test")
    return value


ScheduleName = Annotated[Literal["none", "stpr", "health", "stpr_sensitivity_test"], BeforeValidator(_schedule_name)]


class Discounting(BaseModel):
    """Green Book 2026 schedules (appraisal/money/reference/discount_schedules.csv), or a constant rate."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    schedule: Annotated[Literal["none", "stpr", "health", "stpr_sensitivity_test", "constant"],
                        BeforeValidator(_schedule_name)] = "stpr"
    rate_pct: float | None = Field(None, ge=0, le=50, description="only for schedule: constant")
    sensitivities: list[ScheduleName] = Field(default_factory=list, description="other schedules reported alongside")

    @model_validator(mode="after")
    def _rate(self) -> "Discounting":
        if self.schedule == "constant" and self.rate_pct is None:
            raise ValueError("schedule 'constant' needs rate_pct")
        return self


class StudyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    format: int = Field(1, ge=1, le=2, description="2 = the one-ledger format (every pound entered once); "
                                                    "1 (or absent) = the old format, upgraded on loading")
    name: str
    description: str = ""
    display_unit: Literal["gbp", "gbp_k", "gbp_m"] = "gbp_m"
    price_base: str | None = Field(None, description="the prices the study is in; a financial year (2024/25) when "
                                                      "lines in other prices (price_years) are rebased to it")
    distributional_elasticity: float | None = Field(None, gt=0, description="elasticity of the marginal utility of "
                                                                           "income for distributional weights; blank = "
                                                                           "the Green Book's 1.3")
    horizon: Horizon
    discounting: Discounting = Discounting()
    adjustments: list[Adjustment] = Field(default_factory=list)
    options: list[str] = Field(default_factory=list, description="option ids to compare; empty = all")
    preferred_option: str | None = None
    programme: Programme | None = Field(None, description="a programme appraised as go against do-minimum "
                                                          "(docs/programmes.md)")
    workbook: str | None = Field(None, description="an .xlsx whose sheets are the tables")
    tables: dict[str, str] = Field(default_factory=dict, description="table name -> CSV file; default <table>.csv when present")
    notes: str = ""

    @field_validator("tables")
    @classmethod
    def _known_tables(cls, v: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(v) - set(TABLE_MODELS))
        if unknown:
            raise ValueError(f"unknown table(s) {unknown}; known tables are {sorted(TABLE_MODELS)}")
        return v
