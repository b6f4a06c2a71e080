"""Row models of the appraisal's judgements and checks: value drivers and their scores, partner positions, document
targets and the declared uncertainties.
"""
from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from appraisal.study.schema.types import _blank_to_none, FinancialYear, Flag, Id, OptFloat, OptId, OptStr, Row


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
