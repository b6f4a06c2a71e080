"""Sensitivity with the plan re-optimised per sample (`reformkit sensitivity --reoptimise`).

Each sample scales the option's placement problem and re-solves the MILP, so the plan adapts to the
assumptions. Supported targets: `benefits` and `costs` (multipliers on every stream), `delay_years` (no
vehicle can be established earlier than its earliest year plus the delay) and `discount_rate_pct`.
Line- and component-level targets need the fixed-plan model, which keeps the stream detail.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from appraisal.money.discounting import discount_factors
from appraisal.money.metrics import adjust, study_discount_factors
from appraisal.adapters.to_optimise import build_problem
from appraisal.uncertainty.scenario import base_value
from appraisal.money.ledger import build_streams
from appraisal.study import Study
from appraisal.adapters.optimiser import PlacementProblem, solve

SUPPORTED = ("benefits", "costs", "delay_years", "discount_rate_pct")


@dataclass
class OptionProblem:
    problem: PlacementProblem
    constant_benefit: np.ndarray  # by year: adjusted streams tied to no vehicle
    constant_cost: np.ndarray


@dataclass
class ReoptimiseModel:
    years: list[str]
    discount_factor: np.ndarray
    options: dict[str, OptionProblem]
    targets: dict[str, str]
    base: dict[str, float]
    choices: list[str]

    def _scaled(self, op: OptionProblem, scenario: dict, df: np.ndarray) -> PlacementProblem:
        bm = np.prod([scenario[p] for p, t in self.targets.items() if t == "benefits"] or [1.0])
        cm = np.prod([scenario[p] for p, t in self.targets.items() if t == "costs"] or [1.0])
        delay = sum(int(round(scenario[p])) for p, t in self.targets.items() if t == "delay_years")
        P = op.problem
        scale = {}
        for name in ("placement_streams", "vehicle_streams"):
            frame = getattr(P, name).copy()
            frame["benefit_gbp"] = frame["benefit_gbp"] * bm
            frame["cost_gbp"] = frame["cost_gbp"] * cm
            scale[name] = frame
        sites = P.sites.copy()
        sites[["fixed_cost_gbp_per_year", "open_cost_gbp"]] = sites[["fixed_cost_gbp_per_year", "open_cost_gbp"]] * cm
        curves = P.cost_curves.copy()
        curves["running_cost_gbp_per_year"] = curves["running_cost_gbp_per_year"] * cm
        vehicles = P.vehicles.copy()
        movable = ~vehicles["is_status_quo"].astype(bool)
        vehicles.loc[movable, "earliest_year"] = vehicles.loc[movable, "earliest_year"] + max(delay, 0)
        blocked = tuple(vehicles.loc[movable & (vehicles["earliest_year"] >= len(self.years)), "vehicle_id"])
        vehicles["earliest_year"] = vehicles["earliest_year"].clip(upper=len(self.years) - 1)
        rules = P.rules.replace(forbidden_vehicles=tuple(sorted(set(P.rules.forbidden_vehicles) | set(blocked))))
        return dataclasses.replace(P, discount_factor=df, vehicles=vehicles, rules=rules, sites=sites,
                                   cost_curves=curves, **scale)

    def outcomes(self, scenario: dict | None = None) -> dict[str, dict[str, float]]:
        scenario = {**self.base, **(scenario or {})}
        df = self.discount_factor
        rate = [scenario[p] for p, t in self.targets.items() if t == "discount_rate_pct"]
        if rate:
            df = discount_factors("constant", len(self.years), rate[0])
        bm = np.prod([scenario[p] for p, t in self.targets.items() if t == "benefits"] or [1.0])
        cm = np.prod([scenario[p] for p, t in self.targets.items() if t == "costs"] or [1.0])
        out = {}
        for oid, op in self.options.items():
            plan = solve(self._scaled(op, scenario, df), threads=1, seed=0, diagnose_infeasible=False)
            constant = float(df @ (op.constant_benefit * bm - op.constant_cost * cm))
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
    u = study.tables["uncertainties"]
    for row in u.itertuples(index=False):
        if row.target not in SUPPORTED:
            raise ValueError(f"{study.sources['uncertainties']}, row {row.source_row}, column 'target': '{row.target}' "
                             f"cannot be re-optimised per sample; --reoptimise supports {', '.join(SUPPORTED)} "
                             "(use the fixed-plan model for line and component targets)")
    n = len(study.years)
    options = {}
    for oid in study.option_ids:
        problem, _ = build_problem(study, oid)
        streams = adjust(build_streams(study, oid, for_plan=True), study)
        free = streams[streams["vehicle_id"].isna()]
        benefit, cost = np.zeros(n), np.zeros(n)
        np.add.at(benefit, free.loc[free["kind"] == "benefit", "t"].to_numpy(int),
                  free.loc[free["kind"] == "benefit", "adj_amount_gbp"].to_numpy(float))
        np.add.at(cost, free.loc[free["kind"] == "cost", "t"].to_numpy(int),
                  free.loc[free["kind"] == "cost", "adj_amount_gbp"].to_numpy(float))
        options[oid] = OptionProblem(problem.normalised(), benefit, cost)
    return ReoptimiseModel(study.years, study_discount_factors(study), options, dict(zip(u["parameter"], u["target"])),
                           {p: base_value(r) for p, r in zip(u["parameter"], u.itertuples(index=False))},
                           study.choice_ids)
