"""Cohort models inside the sample model: each sample re-runs the pathway with its sampled rates.

A `cohort:` target (grammar in `appraisal.money.cohort_lines.parse_target`) takes the parameter's value
itself: a share (0-1) for `cohort:<model>[:<scenario>]:<from>><to>`, a multiplier for `:entrants` and
`:unit_cost:<state>`. The lines are what the ledger makes of the model (`cohort_lines.cohort_entries`): the
same adjustment factors, the same multiplier targets (`appraisal.money.scenarios.entry_scale`), and, for a
model tied to a vehicle, the same shift by the plan's establishment year and by a sampled delay.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from appraisal.money.adjustments import stream_factors
from appraisal.money.cohort_lines import CohortSpec, check_target, cohort_specs, extended, line_frame, model_anchor, \
    target_model
from appraisal.money.plans import Plan
from appraisal.money.scenarios import entry_scale
from appraisal.study import Study


@dataclass
class CohortTerm:
    spec: CohortSpec  # extended by the years a plan that moves it earlier needs
    shift: int  # the plan's establishment year − the model's anchor (0 for a model tied to no vehicle)
    tied: bool  # a sampled delay moves it
    lines: pd.DataFrame  # 2S rows: each state's benefit line, then its cost line (the ledger's entry columns)
    factor: np.ndarray  # (2S,) adjustment factors


@dataclass
class CohortTerms:
    """Per option, the cohort models to re-run per sample."""

    terms: dict[str, list[CohortTerm]]

    def arrays(self, option_id: str, values: dict[str, float], delay: int, scenario: dict, targets: dict[str, str]):
        """(kind ±1, cashable, year index, signed adjusted £) of the option's pathway lines in this sample."""
        kind, cash, t, signed = [], [], [], []
        for term in self.terms.get(option_id, []):
            spec = term.spec
            diff = spec.difference(option_id, spec.start, values)
            S = len(spec.states)
            scale = entry_scale(term.lines, scenario, targets) * term.factor
            money = np.concatenate([np.clip(diff, 0, None) * scale[:S], np.clip(-diff, 0, None) * scale[S:]], axis=1)
            years, cols = np.nonzero(money)
            benefit = cols < S
            kind.append(np.where(benefit, 1.0, -1.0))
            cash.append(benefit & (term.lines["category"].to_numpy()[cols] == "cashable"))
            t.append(years + term.shift + (delay if term.tied else 0))
            signed.append(np.where(benefit, 1.0, -1.0) * money[years, cols])
        if not kind:
            return None
        return tuple(np.concatenate(a) for a in (kind, cash, t, signed))


def cohort_terms(study: Study, plans: dict[str, Plan]) -> CohortTerms | None:
    if study.tables["cohort_models"].empty:
        return None
    specs = cohort_specs(study)
    terms: dict[str, list[CohortTerm]] = {}
    for oid, plan in plans.items():
        for spec in specs.values():
            if oid not in spec.options:
                continue
            trigger, anchor0 = model_anchor(study, spec)
            if trigger == "vehicle":
                if spec.vehicle_id not in plan.vehicles:
                    continue  # the plan never establishes the vehicle: no pathway change
                shift = int(plan.vehicles[spec.vehicle_id]) - anchor0
            else:
                shift = 0
            lines = line_frame(spec, trigger)
            terms.setdefault(oid, []).append(CohortTerm(extended(spec, max(-shift, 0)), shift, trigger == "vehicle",
                                                        lines, stream_factors(lines, study.config.adjustments)))
    return CohortTerms(terms)


def cohort_target_problem(study: Study, target: str, high: float | None = None) -> str | None:
    """None if a `cohort:` target names a share, entrants or unit cost the study's models have (and a share's
    `high` keeps its row at most 1)."""
    specs = cohort_specs(study)
    parts = target.split(":")
    if len(parts) < 3 or target_model(target) not in specs:
        return f"no cohort model '{parts[1] if len(parts) > 1 else ''}' in the study"
    return check_target(specs[target_model(target)], target, high)
