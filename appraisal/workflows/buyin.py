"""Partner buy-in for a study's option, and agent-based optimisation — the public face of these modules:

- `buyin_inputs`: a study's option (and plan) as the agent model's plain inputs;
- `buyin_runs`: `run_buyin` and its `BuyIn` summary;
- `buyin_money`: expected NPSV under buy-in — each run's plan (delays, opt-in membership) through `plan_money`;
- `buyin_calibration`: base rates, the study's evidence as targets, the stored posterior, the calibration statement;
- `buyin_search`: intervention packages and the cheapest route to agreement;
- `buyin_loop`: agent-based optimisation (optimise ⇄ simulate).
"""
from appraisal.workflows.buyin_calibration import (BASE_RATE_FILES, BASE_RATES, base_rates_hash, calibration_statement,
                                                   fit_base_rates, load_base_rates, load_posterior, write_posterior)
from appraisal.workflows.buyin_inputs import (MEETINGS, RULE_OF, as_plan, buyin_inputs, evidence_tables, month_index,
                                              partner_profile, partner_value, usable_vehicles)
from appraisal.workflows.buyin_loop import AgentBasedResult, agent_based_optimise, delayed_npv
from appraisal.workflows.buyin_runs import BuyIn, run_buyin
from appraisal.workflows.buyin_search import (Cheapest, cheapest_package, compare_study_interventions,
                                              intervention_packages)

__all__ = ["AgentBasedResult", "BASE_RATE_FILES", "BASE_RATES", "BuyIn", "Cheapest", "MEETINGS", "RULE_OF",
           "agent_based_optimise", "as_plan", "base_rates_hash", "buyin_inputs", "calibration_statement",
           "cheapest_package", "compare_study_interventions", "delayed_npv", "evidence_tables", "fit_base_rates",
           "intervention_packages", "load_base_rates", "load_posterior", "month_index", "partner_profile",
           "partner_value", "run_buyin", "usable_vehicles", "write_posterior"]
