"""Agent-based optimisation (optimise ⇄ simulate): optimise → simulate buy-in → move each vehicle's earliest
year to the first year it is agreed in at least half the runs → re-optimise, until the plan stops changing.
The naive and the buy-in-aware plans are then both valued under their simulated buy-in (`buyin_money`)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from appraisal.adapters.agent_model import delay_summary
from appraisal.adapters.optimiser import Plan, solve
from appraisal.adapters.to_optimise import from_engine
from appraisal.study import Study
from appraisal.workflows.buyin_money import expected_npsv, opt_in_boards
from appraisal.workflows.buyin_runs import BuyIn, run_buyin
from appraisal.workflows.optimise import OptionPlan, optimise_option

def npsv_under_buyin(study: Study, option_id: str, plan: Plan, buy: BuyIn) -> dict:
    """Expected NPSV of an engine plan under the buy-in runs `buy` (delays and opt-in membership), through
    `plan_money` (see buyin_money)."""
    ledger_plan = from_engine(option_id, plan, "optimised")
    return expected_npsv(study, ledger_plan, buy.results.outcomes, buy.results.membership,
                         opt_in_boards(study, buy.inputs.vehicle_ids))


def delayed_npv(study: Study, option_id: str, plan: Plan, outcomes: pd.DataFrame,
                membership: pd.DataFrame | None = None) -> float:
    """Mean NPSV of an engine plan over simulated runs (each run's delays and opt-in membership)."""
    membership = pd.DataFrame(columns=["run", "vehicle_id", "partner_id"]) if membership is None else membership
    vehicles = sorted(set(outcomes["vehicle_id"]))
    return expected_npsv(study, from_engine(option_id, plan, "optimised"), outcomes, membership,
                         opt_in_boards(study, vehicles))["expected_npsv_under_buyin_gbp"]


def _signature(plan: Plan) -> tuple:
    a = plan.assignment
    return (tuple(zip(a["service_id"], a["vehicle_id"], a["transfer_year"].astype("float").fillna(-1))),
            tuple(zip(plan.vehicles["vehicle_id"], plan.vehicles["established_year"].astype("float").fillna(-1))))


@dataclass
class AgentBasedResult:
    option_id: str
    naive: OptionPlan
    aware_plan: Plan
    iterations: list[dict] = field(default_factory=list)
    naive_npv_under_buyin_gbp: float | None = None
    aware_npv_under_buyin_gbp: float | None = None
    buyin: BuyIn | None = None
    naive_money: dict | None = None  # expected_npsv of the naive plan under its buy-in runs
    aware_money: dict | None = None

    def summary(self) -> dict:
        constant = self.naive.constant_gbp  # every figure is an NPSV: the MILP's NPV of the plan + the constant
        plus = lambda v: None if v is None else v + constant  # noqa: E731
        return {"option_id": self.option_id, "iterations": self.iterations,
                "naive_npsv_gbp": self.naive.npsv_gbp, "aware_npsv_gbp": plus(self.aware_plan.npv_gbp),
                "naive_npsv_under_buyin_gbp": self.naive_npv_under_buyin_gbp,
                "aware_npsv_under_buyin_gbp": self.aware_npv_under_buyin_gbp,
                "npsv_difference_under_buyin_gbp": (None if self.aware_npv_under_buyin_gbp is None else
                                                    self.aware_npv_under_buyin_gbp - self.naive_npv_under_buyin_gbp),
                "naive_under_buyin": self.naive_money, "aware_under_buyin": self.aware_money}


def agent_based_optimise(study: Study, option_id: str, runs: int, seed: int, max_iterations: int = 5,
                         time_limit: float | None = None, client=None, posterior=None) -> AgentBasedResult:
    """With a `posterior`, every buy-in simulation of the loop draws its behavioural parameters from it (the
    same draws and run seeds for the naive and the buy-in-aware plan: common random numbers)."""
    if study.periods_per_year > 1:
        from appraisal.study import Problem, StudyError

        raise StudyError([Problem("study.yaml", None, "horizon.period", f"--agent-based re-optimisation works by "
                                  f"year; this study plans by {study.period}s (leave out --agent-based)")])
    naive = optimise_option(study, option_id, time_limit=time_limit, seed=seed, reproduce=False)
    if not naive.plan.has_solution:
        return AgentBasedResult(option_id, naive, naive.plan)
    problem, plan = naive.problem, naive.plan
    result = AgentBasedResult(option_id, naive, plan)
    seen = {_signature(plan)}
    for iteration in range(1, max_iterations + 1):
        buy = run_buyin(study, option_id, runs, seed, plan=plan, client=client, posterior=posterior,
                        with_money=False)
        delays = delay_summary(buy.results, study.years).drop_duplicates("vehicle_id").set_index("vehicle_id")
        vehicles = problem.vehicles.copy()
        earliest = dict(zip(vehicles["vehicle_id"], vehicles["earliest_year"]))
        for vid, row in delays.iterrows():
            first = row["earliest_year_index"]
            earliest[vid] = len(study.years) if np.isnan(first) else max(int(earliest[vid]), int(first))
        vehicles["earliest_year"] = vehicles["vehicle_id"].map(earliest)
        # a vehicle first agreed past the horizon cannot be used: it is forbidden outright
        blocked = tuple(v for v, y in earliest.items() if y >= len(study.years))
        vehicles["earliest_year"] = vehicles["earliest_year"].clip(upper=len(study.years) - 1)
        rules = problem.rules.replace(forbidden_vehicles=tuple(sorted(set(problem.rules.forbidden_vehicles) | set(blocked))))
        problem = dataclasses.replace(problem, vehicles=vehicles, rules=rules)
        new = solve(problem, time_limit=time_limit, seed=seed)
        result.iterations.append({"iteration": iteration, "earliest_years": {k: int(v) for k, v in earliest.items()},
                                  "blocked": list(blocked), "status": new.status, "npv_gbp": new.npv_gbp,
                                  "diagnosis": new.diagnosis})
        result.buyin = buy
        if not new.has_solution or _signature(new) in seen:
            if new.has_solution:
                plan = new
            break
        seen.add(_signature(new))
        plan = new
    result.aware_plan = plan
    final = run_buyin(study, option_id, runs, seed, plan=plan, client=client, posterior=posterior)
    naive_buy = run_buyin(study, option_id, runs, seed, plan=naive.plan, client=client, posterior=posterior)
    result.naive_money = npsv_under_buyin(study, option_id, naive.plan, naive_buy)
    result.aware_money = npsv_under_buyin(study, option_id, plan, final)
    result.naive_npv_under_buyin_gbp = result.naive_money["expected_npsv_under_buyin_gbp"]
    result.aware_npv_under_buyin_gbp = result.aware_money["expected_npsv_under_buyin_gbp"]
    result.buyin = final
    return result
