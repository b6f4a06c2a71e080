"""Row models of the Green Book toolkit tables: the risk register, price years and deflators, distributional weights,
social values and valued outcomes.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from appraisal.study.schema.types import (_blank_to_none, _financial_year, FinancialYear, Fraction, Id, IdList,
                                          OptFinancialYear, OptId, OptNonNegative, OptStr, Row)


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
