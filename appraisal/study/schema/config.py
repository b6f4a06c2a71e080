"""`study.yaml`: horizon, discounting, optimism bias and the other adjustments, and the study's configuration as a
whole.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from appraisal.study.schema.programme import Programme
from appraisal.study.schema.tables import TABLE_MODELS
from appraisal.study.schema.types import FinancialYear


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
