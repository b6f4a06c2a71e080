"""Cohort models inside the sample model: each sample re-runs the pathway with its sampled rates.

A `cohort:` target (grammar in `appraisal.money.cohort_lines.parse_target`) takes the parameter's value
itself: a share (0-1) for `cohort:<model>[:<scenario>]:<from>><to>`, a multiplier for `:entrants` and
`:unit_cost:<state>`. The lines are adjusted like the ledger's (same factors, by kind, component, category).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from appraisal.money.adjustments import stream_factors
from appraisal.money.cohort_lines import PREFIX, CohortSpec, check_target, cohort_specs, model_start, target_model
from appraisal.money.ledger import vehicle_planned_years
from appraisal.study import Study


@dataclass
class CohortTerm:
    spec: CohortSpec
    start: int
    factor_benefit: float
    factor_cost: float


@dataclass
class CohortTerms:
    """Per option, the cohort models to re-run per sample; `arrays` gives their lines as FrozenOption columns."""

    terms: dict[str, list[CohortTerm]]

    def arrays(self, option_id: str, values: dict[str, float], delay: int = 0):
        kind, cash, t, amount, tied, sid, comp, veh = [], [], [], [], [], [], [], []
        for term in self.terms.get(option_id, []):
            spec = term.spec
            start = term.start + (max(delay, 0) if spec.vehicle_id else 0)
            diff = spec.difference(option_id, start, values)
            years, states = np.nonzero(np.abs(diff) > 1e-9)
            v = diff[years, states]
            benefit = v > 0
            kind.append(np.where(benefit, 1.0, -1.0))
            cash.append(benefit & (spec.category == "cashable"))
            t.append(years)
            amount.append(np.abs(v) * np.where(benefit, term.factor_benefit, term.factor_cost))
            tied.append(np.zeros(len(v), dtype=bool))  # delay already moved the model's start
            sid.append(np.array([f"{PREFIX}{spec.model_id}:{spec.states[s]}" for s in states], dtype=object))
            comp.append(np.full(len(v), spec.component, dtype=object))
            veh.append(np.full(len(v), spec.vehicle_id, dtype=object))
        if not kind:
            return None
        return tuple(np.concatenate(a) for a in (kind, cash, t, amount, tied, sid, comp, veh))


def cohort_terms(study: Study, plans: dict[str, dict] | None = None) -> CohortTerms | None:
    if study.tables["cohort_models"].empty:
        return None
    specs = cohort_specs(study)
    planned = vehicle_planned_years(study)
    adjustments = study.config.adjustments
    terms: dict[str, list[CohortTerm]] = {}
    for oid in study.option_ids:
        anchors = (plans or {}).get(oid, {}).get("anchors")
        for spec in specs.values():
            start = model_start(spec, planned, anchors)
            if start is None or oid not in spec.options:
                continue
            rows = pd.DataFrame({"kind": ["benefit", "cost"], "category": [spec.category, "revenue"],
                                 "component": [spec.component] * 2})
            fb, fc = stream_factors(rows, adjustments)
            terms.setdefault(oid, []).append(CohortTerm(spec, start, float(fb), float(fc)))
    return CohortTerms(terms)


def cohort_target_problem(study: Study, target: str, high: float | None = None) -> str | None:
    """None if a `cohort:` target names a share, entrants or unit cost the study's models have (and a share's
    `high` keeps its row at most 1)."""
    specs = cohort_specs(study)
    parts = target.split(":")
    if len(parts) < 3 or target_model(target) not in specs:
        return f"no cohort model '{parts[1] if len(parts) > 1 else ''}' in the study"
    return check_target(specs[target_model(target)], target, high)
