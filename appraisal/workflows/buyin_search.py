"""Search wiring: the study's intervention packages as agent-model measures, their comparison, and the cheapest
package that gets each vehicle an option needs agreed by its planned year (agents `cheapest_route`)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from appraisal.adapters.agent_model import (EarlyEngagement, GovernanceChange, RiskShare, SidePayment,
                                           cheapest_route, compare_interventions, on_time, simulate,
                                           simulate_posterior)
from appraisal.adapters.optimiser import Plan
from appraisal.adapters.to_optimise import from_engine
from appraisal.study import Study
from appraisal.workflows.buyin_inputs import buyin_inputs
from appraisal.workflows.buyin_money import expected_npsv, opt_in_boards
from appraisal.workflows.optimise import optimise_option
#: parameter sets drawn from a posterior for the search (its runs split among them; fewer than a plain buy-in
#: run's 50 so each candidate's blocks stay large enough to batch)
SEARCH_DRAWS = 10


@dataclass
class Cheapest:
    option_id: str
    route: object  # agents.Route
    table: pd.DataFrame
    joint_prob_before: dict
    joint_prob_after: dict
    npsv_before_gbp: float | None
    npsv_after_gbp: float | None
    package_pv_gbp: float | None
    money_before: dict | None = None  # expected_npsv without the package (buyin_money)
    money_after: dict | None = None

    def summary(self) -> dict:
        net = None if self.npsv_after_gbp is None else self.npsv_after_gbp - self.package_pv_gbp
        return {"option_id": self.option_id, "target_prob": self.route.target_prob, "runs": self.route.runs,
                "seed": self.route.seed, "reached": self.route.reached,
                "annual_cost_gbp": self.route.cost_gbp, "package_pv_gbp": self.package_pv_gbp,
                "expected_npsv_without_gbp": self.npsv_before_gbp, "expected_npsv_with_gbp": self.npsv_after_gbp,
                "expected_npsv_net_of_package_gbp": net,
                "prob_on_time_before": self.joint_prob_before, "prob_on_time_after": self.joint_prob_after,
                "search_seconds": self.route.seconds, "param_draws": self.route.param_draws,
                "calibrated": self.route.param_draws > 0,
                "money_without": self.money_before, "money_with": self.money_after,
                "elements": self.table.to_dict(orient="records"),
                "cost_basis": "annual cost of each element priced alone on the option's inputs, paid in every year "
                              "of the appraisal period (assumption); early engagement and governance changes are "
                              "unpriced in the model (£0)"}


def cheapest_package(study: Study, option_id: str, runs: int, seed: int, target_prob: float = 0.8,
                     posterior=None, client=None, time_limit: float | None = None) -> Cheapest:
    """The cheapest package getting each vehicle agreed by its planned year with P ≥ target_prob (agents
    `cheapest_route`, per vehicle on common random numbers), checked on the whole option (all vehicles
    together, same seed), and the plan's expected NPSV under buy-in with and without it, net of its cost."""
    from appraisal.money.metrics import study_discount_factors

    option = optimise_option(study, option_id, time_limit=time_limit, seed=seed, reproduce=False)
    plan = option.plan if option.plan.has_solution else None
    inputs = buyin_inputs(study, option_id, plan)
    if posterior is None:
        route = cheapest_route(inputs, target_prob=target_prob, runs=runs, seed=seed)
        before = simulate(inputs, runs=runs, seed=seed, client=client, record_runs=0)
        after = simulate(inputs.with_(interventions=route.interventions), runs=runs, seed=seed, client=client,
                         record_runs=0)
    else:  # every candidate on the same posterior draws and run seeds as the check below (common random numbers)
        inputs = inputs.with_(params=posterior.base)
        draws = min(runs, SEARCH_DRAWS)
        route = cheapest_route(inputs, target_prob=target_prob, runs=runs, seed=seed,
                               param_sets=posterior.draw(draws, seed))
        before = simulate_posterior(inputs, posterior, runs=runs, seed=seed, draws=draws, client=client)
        after = simulate_posterior(inputs.with_(interventions=route.interventions), posterior, runs=runs, seed=seed,
                                   draws=draws, client=client)
    npsv_before = npsv_after = pv = None
    money_before = money_after = None
    if plan is not None:
        ledger_plan, opt_in = from_engine(option_id, plan, "optimised"), opt_in_boards(study, inputs.vehicle_ids)
        money_before = expected_npsv(study, ledger_plan, before.outcomes, before.membership, opt_in)
        money_after = expected_npsv(study, ledger_plan, after.outcomes, after.membership, opt_in)
        npsv_before = money_before["expected_npsv_under_buyin_gbp"]
        npsv_after = money_after["expected_npsv_under_buyin_gbp"]
        pv = float(route.cost_gbp * study_discount_factors(study).sum())
    return Cheapest(option_id, route, route.table(), on_time(before.outcomes), on_time(after.outcomes),
                    npsv_before, npsv_after, pv, money_before, money_after)


def intervention_packages(study: Study) -> dict[str, list]:
    """The study's intervention packages as agent-model measures, by package id."""
    packages: dict[str, list] = {}
    for r in study.tables["interventions"].itertuples(index=False):
        if r.kind == "risk_share":
            measure = RiskShare(r.partner_id, float(r.amount_gbp), vehicle_id=r.vehicle_id)
        elif r.kind == "side_payment":
            measure = SidePayment(r.partner_id, float(r.amount_gbp), r.vehicle_id)
        elif r.kind == "early_engagement":
            measure = EarlyEngagement(float(r.months), partner_id=r.partner_id, vehicle_id=r.vehicle_id)
        else:
            measure = GovernanceChange(r.vehicle_id, rule=r.rule,
                                       threshold=None if r.threshold_pct is None else r.threshold_pct / 100.0)
        packages.setdefault(r.package, []).append(measure)
    return packages


def compare_study_interventions(study: Study, option_id: str, runs: int, seed: int, plan: Plan | None = None,
                                client=None, posterior=None) -> pd.DataFrame:
    """Each declared package against doing nothing: probability agreed, delay and annual cost, per vehicle."""
    packages = intervention_packages(study)
    if not packages:
        raise ValueError(f"study '{study.name}' declares no interventions (interventions.csv)")
    return compare_interventions(buyin_inputs(study, option_id, plan), packages, runs=runs, seed=seed, client=client,
                                 years=study.years, posterior=posterior)
