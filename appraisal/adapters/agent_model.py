"""The agent model's public names that appraisal uses: the one place `appraisal` imports `agents`."""
from agents import (BehaviourParams, BuyInInputs, BuyInResults, EarlyEngagement, GovernanceChange, RiskShare, SidePayment,
                    board_power, calibrate, cheapest_route, compare_interventions, default_menu, delay_summary,
                    median_establishment, model_fingerprint, on_time, Posterior, predictive_shares, prepare, prob_by_year, reference_inputs, rule_holds,
                    run_one, simulate, simulate_posterior)

__all__ = ["BehaviourParams", "BuyInInputs", "BuyInResults", "EarlyEngagement", "GovernanceChange", "RiskShare", "SidePayment",
           "board_power", "calibrate", "cheapest_route", "compare_interventions", "default_menu", "delay_summary",
           "median_establishment", "model_fingerprint", "on_time", "Posterior", "predictive_shares", "prepare", "prob_by_year", "reference_inputs",
           "rule_holds", "run_one", "simulate",
           "simulate_posterior"]
