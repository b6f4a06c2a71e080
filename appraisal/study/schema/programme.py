"""Row models of the programme tables (issue 11): workstreams, milestones, timing rules and places.

Registered in TABLE_MODELS by schema/tables.py. A programme is a set of workstreams, each
one of the study's vehicles (the engines see workstreams as vehicles: the optimiser phases them, the buy-in
model asks their lead partner), with milestones and the risk register (risks.csv); see docs/programmes.md.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from appraisal.study.schema.types import FinancialYear, Id, IdList, OptFinancialYear, OptId, OptInt, OptStr, Row


class WorkstreamRow(Row):
    """A workstream of a programme: one of the study's vehicles (vehicles.csv, same id)."""

    workstream_id: Id = Field(description="the vehicle_id (vehicles.csv) the workstream is to the optimiser")
    name: str = Field(min_length=1)
    lead_partner: Id = Field(description="partner_id of the partner that leads it")
    kind: Literal["delivery", "enabling"] = Field(description="delivery: realises benefits; enabling: makes other "
                                                              "workstreams' benefits possible (feeds)")
    feeds: IdList = Field(default_factory=list, description="workstream_ids whose benefits it enables, ';'-separated")
    notes: OptStr = None


class MilestoneRow(Row):
    """A dated milestone of a workstream (the study's date: a plan that moves the workstream does not move it)."""

    milestone_id: Id
    workstream_id: Id
    name: str = Field(min_length=1)
    due_year: FinancialYear = Field(description="financial year it is due, like 2026/27")
    due_quarter: OptInt = Field(None, ge=1, le=4, description="quarter of the financial year (1 = Apr-Jun); blank = "
                                                              "sometime in the year")


class TimingRuleRow(Row):
    """No money of the selected lines before a date: a financial year, or the due year of a milestone (the end
    of a phase, e.g. 'implementation complete'). The ledger applies it to every plan; the optimiser's
    coefficients carry it, so a re-optimised plan keeps it."""

    rule_id: Id
    selector: str = Field(min_length=1, description="which lines: the uncertainties' selector grammar (benefits, "
                                                     "costs, benefit:<id>, cost:<id>, line:<id>, component:<name>, "
                                                     "category:<name>, trigger:<kind>, vehicle:<id>, tag:<tag>)")
    not_before_year: OptFinancialYear = Field(None, description="no money of the lines in years before this one")
    not_before_milestone: OptId = Field(None, description="milestone_id: no money before the year after it is due")
    description: OptStr = None

    @model_validator(mode="after")
    def _one_date(self) -> "TimingRuleRow":
        if (self.not_before_year is None) == (self.not_before_milestone is None):
            raise ValueError("give exactly one of not_before_year or not_before_milestone")
        return self


PROGRAMME_MODELS: dict[str, type[Row]] = {
    "workstreams": WorkstreamRow,
    "milestones": MilestoneRow,
    "timing_rules": TimingRuleRow,
}


GO, DO_MINIMUM = "go", "do_minimum"


class Programme(BaseModel):
    """study.yaml `programme:` — the study is one programme (its workstreams in workstreams.csv) appraised as go
    against a do-minimum counterfactual: reformkit makes the two options (`go`: every workstream may be
    established; `do_minimum`: none is) unless options.csv gives them itself, and reports a go / do-not-go
    decision rather than a ranking."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str = Field(min_length=1)
    go_description: str = Field("", description="what going ahead means")
    do_minimum_description: str = Field(min_length=1, description="the counterfactual: what happens without the programme")

    @property
    def go(self) -> str:
        return GO

    @property
    def do_minimum(self) -> str:
        return DO_MINIMUM
