"""Buy-in runs for a study's option: the agent model on the study's inputs (optionally drawing its behavioural
parameters from a fitted posterior), summarised by vehicle, with board power and the calibration statement."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from appraisal.adapters.agent_model import (BuyInInputs, BuyInResults, board_power, median_establishment, on_time,
                                           prob_by_year, simulate, simulate_posterior)
from appraisal.adapters.optimiser import Plan
from appraisal.study import Study
from appraisal.study.schema import fy_start
from appraisal.workflows.buyin_calibration import calibration_statement
from appraisal.workflows.buyin_inputs import as_plan, buyin_inputs
from appraisal.workflows.buyin_money import expected_npsv, opt_in_boards

@dataclass
class BuyIn:
    option_id: str
    inputs: BuyInInputs
    results: BuyInResults
    prob_by_year: pd.DataFrame
    median: pd.DataFrame
    pivotal: pd.DataFrame
    power: pd.DataFrame = field(default_factory=pd.DataFrame)
    calibration: dict = field(default_factory=lambda: calibration_statement(None))
    money: dict | None = None  # expected NPSV under buy-in of the plan simulated (buyin_money.expected_npsv)

    def summary(self, study: Study) -> dict:
        names = study.tables["vehicles"].set_index("vehicle_id")["name"].to_dict()
        partner_names = study.tables["partners"].set_index("partner_id")["name"].to_dict()
        start = fy_start(study.years[0])

        def month_label(m):
            if m is None or (isinstance(m, float) and np.isnan(m)):
                return None
            m = int(m) + 3  # month 0 is April
            return f"{start + m // 12}-{m % 12 + 1:02d}"

        o = self.results.outcomes
        mem = self.results.membership
        vehicles = {}
        for row in self.median.itertuples(index=False):
            probs = self.prob_by_year[self.prob_by_year["vehicle_id"] == row.vehicle_id]
            mine = o[o["vehicle_id"] == row.vehicle_id]
            vehicles[row.vehicle_id] = {
                "name": names.get(row.vehicle_id, row.vehicle_id),
                "prob_by_year": dict(zip(probs["year"], probs["prob_established"])),
                "median_establishment": month_label(row.median_established_month),
                "planned": month_label(row.planned_month), "prob_never": row.prob_never,
                "prob_withdrawn_before_go_live": float((mine["withdrawals"] > 0).mean())}
            live = int(mine["established_month"].notna().sum())
            if (mem["vehicle_id"] == row.vehicle_id).any() and live:
                share = mem[mem["vehicle_id"] == row.vehicle_id]["partner_id"].value_counts() / live
                vehicles[row.vehicle_id]["membership_share_when_live"] = {k: float(v) for k, v in share.items()}
        pivotal = [{"partner_id": r.partner_id, "partner_name": partner_names.get(r.partner_id, r.partner_id),
                    "vehicle_id": r.vehicle_id, "pivotal_share": r.pivotal_share}
                   for r in self.pivotal.itertuples(index=False) if r.pivotal_share > 0]
        power = [{"vehicle_id": r.vehicle_id, "partner_id": r.partner_id,
                  "partner_name": partner_names.get(r.partner_id, r.partner_id), "voting_weight": r.voting_weight,
                  "veto": bool(r.veto), "funds": bool(r.funds), "banzhaf": r.banzhaf,
                  "shapley_shubik": r.shapley_shubik} for r in self.power.itertuples(index=False)]
        return {"option_id": self.option_id, "runs": self.results.runs, "seed": self.results.seed,
                "vehicles": vehicles, "pivotal": pivotal, "power": power, "calibration": self.calibration,
                "money_under_buyin": self.money,
                "provenance": self.results.provenance}


def run_buyin(study: Study, option_id: str, runs: int, seed: int, plan: Plan | None = None, client=None,
              posterior=None, with_money: bool = True) -> BuyIn:
    """Buy-in for an option; with a `posterior` (see `load_posterior`) the runs draw their behavioural
    parameters from it, so the spread carries parameter uncertainty. `money`: the plan's expected NPSV under
    these runs (delays and opt-in membership through `plan_money`)."""
    inputs = buyin_inputs(study, option_id, plan)
    if posterior is None:
        results = simulate(inputs, runs=runs, seed=seed, client=client)
    else:
        results = simulate_posterior(inputs.with_(params=posterior.base), posterior, runs=runs, seed=seed,
                                     client=client)
    pivotal = results.pivotal.sort_values(["vehicle_id", "pivotal_share", "partner_id"], ascending=[True, False, True])
    statement = calibration_statement(posterior)
    if posterior is not None:  # the calibration's effect: the same runs on the judgement defaults
        default = simulate(inputs, runs=runs, seed=seed, client=client, record_runs=0)
        before, after = on_time(default.outcomes), on_time(results.outcomes)
        statement["effect"] = {v: {"prob_on_time_defaults": before[v], "prob_on_time_calibrated": after[v]}
                               for v in after}
    money = expected_npsv(study, as_plan(study, option_id, plan), results.outcomes, results.membership,
                          opt_in_boards(study, inputs.vehicle_ids)) if with_money else None
    return BuyIn(option_id, inputs, results, prob_by_year(results, study.years), median_establishment(results),
                 pivotal.reset_index(drop=True), board_power(inputs), statement, money)
