"""Row models of the cohort (pathway) model: models, states, transitions and entrants."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator

from appraisal.study.schema.money import BenefitCategory
from appraisal.study.schema.types import (_blank_to_none, FinancialYear, Fraction, Id, NonNegative, OptFinancialYear,
                                          OptId, OptNonNegative, OptStr, Row)


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
