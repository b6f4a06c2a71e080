"""The agent model's public names that appraisal uses: the one place `appraisal` imports `agents`."""
from agents import (BuyInInputs, BuyInResults, EarlyEngagement, GovernanceChange, RiskShare, SidePayment,
                    compare_interventions, delay_summary, median_establishment, prepare, prob_by_year, run_one,
                    simulate)

__all__ = ["BuyInInputs", "BuyInResults", "EarlyEngagement", "GovernanceChange", "RiskShare", "SidePayment",
           "compare_interventions", "delay_summary", "median_establishment", "prepare", "prob_by_year", "run_one",
           "simulate"]
