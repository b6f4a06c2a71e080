"""Sensitivity with the plan re-optimised per sample (`reformkit sensitivity --reoptimise`).

Each sample rebuilds the option's placement problem from the ledger under the sample's scenario — the same
entries, adjustment factors and selectors as the fixed-plan model (`appraisal.money.scenarios`), a delay as
every vehicle's earliest year later (`adapters.to_optimise.delay_vehicles`), a discount rate as the discount
factors — and re-solves the MILP, so the plan adapts to the assumptions. Every target the fixed-plan model
accepts is accepted here, and a fixed plan valued through this model's problem equals the fixed-plan
model's value (tested).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from appraisal.adapters.optimiser import evaluate_plan, solve
from appraisal.adapters.to_optimise import build_problem, engine_tables
from appraisal.money.plans import Plan
from appraisal.money.scenarios import base_scenario, scenario_delay, targets_of
from appraisal.study import Study
from appraisal.uncertainty.scenario import check_targets


@dataclass
class ReoptimiseModel:
    study: Study
    options: list[str]
    targets: dict[str, str]
    base: dict[str, float]
    choices: list[str]

    def problem(self, option_id: str, scenario: dict | None = None):
        """The option's placement problem and constant under a scenario (base values filled in)."""
        return build_problem(self.study, option_id, {**self.base, **(scenario or {})})

    def value_of(self, plan: Plan, scenario: dict | None = None) -> float:
        """NPSV of a fixed plan through this model's (scenario) problem: the MILP's valuation of that plan."""
        full = {**self.base, **(scenario or {})}
        problem, constant = self.problem(plan.option_id, full)
        delayed = plan.delayed(scenario_delay(full, self.targets) * self.study.periods_per_year)
        return evaluate_plan(problem, **engine_tables(delayed, len(self.study.periods))).npv_gbp + constant

    def outcomes(self, scenario: dict | None = None) -> dict[str, dict[str, float]]:
        out = {}
        for oid in self.options:
            problem, constant = self.problem(oid, scenario)
            plan = solve(problem, threads=1, seed=0, diagnose_infeasible=False)
            npsv = None if plan.objective_gbp is None else plan.objective_gbp + constant
            out[oid] = {"npsv_gbp": np.nan if npsv is None else npsv,
                        "moves": float(plan.assignment["moves"].sum()) if plan.has_solution else np.nan}
        return out

    def __call__(self, scenario: dict) -> dict[str, float]:
        res = self.outcomes(scenario)
        flat = {f"{oid}.{k}": v for oid, m in res.items() for k, v in m.items()}
        ok = {o: m["npsv_gbp"] for o, m in res.items() if o in self.choices and not np.isnan(m["npsv_gbp"])}
        preferred = max(ok, key=lambda o: (ok[o], o)) if ok else None
        flat["preferred_npsv_gbp"] = ok[preferred] if preferred else np.nan
        flat["preferred_option_index"] = float(list(res).index(preferred)) if preferred else np.nan
        return flat


def reoptimise_model(study: Study) -> ReoptimiseModel:
    check_targets(study)
    return ReoptimiseModel(study, list(study.option_ids), targets_of(study), base_scenario(study), study.choice_ids)
