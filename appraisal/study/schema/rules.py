"""Row models of the options and what constrains their plans: options, option rules, precedence, vehicle dependencies,
floors and limits.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from appraisal.study.schema.types import (_blank_to_none, Flag, Id, OptFinancialYear, OptFloat, OptId, OptStr,
                                          OptTimeLabel, Row)


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
