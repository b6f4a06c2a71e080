"""The agent model's public names that appraisal uses: the one place `appraisal` imports `agents`."""
from agents import (BuyInInputs, BuyInResults, EarlyEngagement, GovernanceChange, RiskShare, SidePayment,
                    board_power, calibrate, cheapest_route, compare_interventions, default_menu, delay_summary,
                    median_establishment, prepare, prob_by_year, reference_inputs, run_one, simulate,
                    simulate_posterior)

__all__ = ["BuyInInputs", "BuyInResults", "EarlyEngagement", "GovernanceChange", "RiskShare", "SidePayment",
           "board_power", "calibrate", "cheapest_route", "compare_interventions", "default_menu", "delay_summary",
           "median_establishment", "prepare", "prob_by_year", "reference_inputs", "run_one", "simulate",
           "simulate_posterior"]
