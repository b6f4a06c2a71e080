"""Optimise each option of a study and appraise the plans with the money engine.

For every option: the optimised plan; in reproduce mode, the source document's own plan (the services'
forced mappings and the vehicles' planned years) evaluated under the same model; and the difference.
A plan's money-engine NPSV equals the MILP objective plus the PV of the streams tied to no vehicle.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from appraisal.money.metrics import OptionAppraisal, appraise_option
from appraisal.adapters.to_optimise import build_problem
from appraisal.study import Study
from appraisal.adapters.optimiser import (Plan, PlacementProblem, alternatives, compare_plans, distance_table,
                                         pareto, solve, solve_decomposed)


@dataclass
class OptionPlan:
    option_id: str
    problem: PlacementProblem
    plan: Plan
    constant_gbp: float  # PV of the option's streams that no plan decision changes
    appraisal: OptionAppraisal | None
    reference: Plan | None = None  # the document's own plan (reproduce mode), when the study defines one
    comparison: dict | None = None

    @property
    def npsv_gbp(self) -> float | None:
        return None if self.plan.objective_gbp is None else self.plan.objective_gbp + self.constant_gbp

    def summary(self) -> dict:
        ref = self.reference
        return {
            "status": self.plan.status, "objective_gbp": self.plan.objective_gbp, "bound_gbp": self.plan.bound_gbp,
            "gap": self.plan.gap, "solve_seconds": self.plan.solve_seconds, "npsv_gbp": self.npsv_gbp,
            "appraised_npsv_gbp": None if self.appraisal is None else self.appraisal.metrics["npsv_gbp"],
            "peak_funding_gbp": self.plan.peak_funding_gbp, "diagnosis": self.plan.diagnosis,
            "reproduce_npv_gbp": None if ref is None or ref.objective_gbp is None else ref.objective_gbp + self.constant_gbp,
            "reproduce_status": None if ref is None else ref.status,
            "comparison": self.comparison,
            "provenance": self.plan.provenance,
        }


def plan_inputs(plan: Plan) -> dict:
    """The money engine's view of a plan: vehicle anchors, service transfers and site openings."""
    anchors = {row.vehicle_id: (None if pd.isna(row.established_year) else int(row.established_year))
               for row in plan.vehicles.itertuples(index=False)}
    moves = plan.assignment[plan.assignment["transfer_year"].notna()]
    assignment = pd.DataFrame({"service_id": moves["service_id"], "vehicle_id": moves["vehicle_id"],
                               "site_id": moves["site_id"].replace("", None),
                               "transfer_year": moves["transfer_year"].astype(int)})
    opened = {row.site_id: int(row.opened_year) for row in plan.sites.itertuples(index=False)
              if bool(row.open) and not pd.isna(row.opened_year)}
    return {"anchors": anchors, "assignment": assignment, "sites_opened": opened}


def appraise_plan(study: Study, option_id: str, plan: Plan) -> OptionAppraisal | None:
    if not plan.has_solution:
        return None
    return appraise_option(study, option_id, **plan_inputs(plan))


def document_assignment(study: Study, option_id: str) -> pd.DataFrame | None:
    """The source document's plan of an option (its `reference` rules), each service moving in the rule's
    year, else its vehicle's planned (or earliest) year."""
    rules = study.tables["option_rules"]
    reference = rules[(rules["option_id"] == option_id) & (rules["rule"] == "reference")]
    if reference.empty:
        return None
    vehicles = study.tables["vehicles"].set_index("vehicle_id")
    rows = []
    for r in reference.itertuples(index=False):
        label = r.year or vehicles.at[r.vehicle_id, "planned_year"] or vehicles.at[r.vehicle_id, "earliest_year"]
        rows.append({"service_id": r.service_id, "vehicle_id": r.vehicle_id, "site_id": None,
                     "transfer_year": study.year_index(label)})
    return pd.DataFrame(rows)


def planned_vehicles(study: Study) -> pd.DataFrame:
    """Each vehicle established in its planned year (the source document's timetable)."""
    v = study.tables["vehicles"]
    v = v[(v["kind"] != "status_quo") & v["planned_year"].notna()]
    return pd.DataFrame({"vehicle_id": v["vehicle_id"],
                         "established_year": pd.array([study.year_index(y) for y in v["planned_year"]], dtype="Int64")})


def optimise_option(study: Study, option_id: str, *, time_limit: float | None = None, rel_gap: float = 1e-6,
                    seed: int = 0, reproduce: bool = True, decompose: bool = False, client=None) -> OptionPlan:
    """The option's optimised plan (and, in reproduce mode, the document's plan beside it). `decompose` solves
    independent blocks of services (e.g. authorities that share no vehicle) apart, on dask when `client`."""
    problem, constant = build_problem(study, option_id)
    if decompose:
        plan = solve_decomposed(problem, client=client, time_limit=time_limit, rel_gap=rel_gap, seed=seed)
    else:
        plan = solve(problem, time_limit=time_limit, rel_gap=rel_gap, seed=seed)
    result = OptionPlan(option_id, problem, plan, constant, appraise_plan(study, option_id, plan))
    reference = document_assignment(study, option_id) if reproduce else None
    if reference is not None:
        result.reference = solve(problem, mode="reproduce", assignment=reference, vehicles=planned_vehicles(study),
                                 time_limit=time_limit, rel_gap=rel_gap, seed=seed)
        if plan.has_solution and result.reference.has_solution:
            result.comparison = compare_plans(problem, result.reference, plan)
    return result


def near_optimal(result: OptionPlan, n: int, slack_pct: float, time_limit: float | None = None) -> pd.DataFrame:
    """N plans within `slack_pct` of the optimum that differ most from it and from each other (MGA)."""
    plans = alternatives(result.problem, result.plan, n=n, slack_pct=slack_pct, time_limit=time_limit)
    distances = distance_table(result.problem, [result.plan, *plans])
    rows = []
    for k, plan in enumerate(plans, start=1):
        moved = plan.assignment[plan.assignment["moves"]]
        rows.append({"alternative": k, "status": plan.status, "npsv_gbp": plan.objective_gbp + result.constant_gbp,
                     "npsv_below_optimum_gbp": result.plan.objective_gbp - plan.objective_gbp,
                     "changes_from_optimum": int(distances.iat[0, k]),
                     "min_changes_from_others": int(min(distances.iat[k, j] for j in range(len(plans) + 1) if j != k)),
                     "moves": "; ".join(f"{r.service_id}>{r.vehicle_id}{'/' + r.site_id if r.site_id else ''}@{r.year}"
                                       for r in moved.itertuples(index=False))})
    return pd.DataFrame(rows)


def tradeoff(result: OptionPlan, second: str, points: int, time_limit: float | None = None) -> pd.DataFrame:
    """The Pareto front of NPSV against peak funding need (`funding`) or the placements' score (`score`)."""
    front = pareto(result.problem, second=second, points=points, time_limit=time_limit)
    table = front.table.copy()
    table["npsv_gbp"] = table["npv_gbp"] + result.constant_gbp
    return table.drop(columns=["npv_gbp"])
