"""Partner buy-in agent model (Mesa 3.5): will partners agree each delivery vehicle, when, and who is pivotal.

    from agents import BuyInInputs, simulate, delay_summary
    res = simulate(inputs, runs=1000, seed=1)          # or client=agents.connect() / distributed.Client(...)
    res.outcomes, res.pivotal, res.trajectories         # DataFrames
    prob_by_year(res), median_establishment(res), delay_summary(res, years)
    compare_interventions(inputs, {"cap": [RiskShare("Trust A", 1e6)]}, runs=500, seed=1)

See docs/agents.md for the rules, parameters and their defaults.
"""

from .calibrate import Posterior, calibrate, model_fingerprint, predictive_shares, reference_inputs, simulate_posterior
from .cluster import connect
from .compare import compare_interventions
from .governance import rule_holds
from .inputs import BuyInInputs, validate
from .interventions import EarlyEngagement, GovernanceChange, RiskShare, SidePayment, apply_interventions
from .engine import BLOCK, run_block
from .params import BehaviourParams
from .power import board_power, power_indices, weighted_game
from .prepare import Prepared, default_network, prepare
from .reference import ReferenceModel
from .search import LeaveOut, Route, cheapest_route, default_menu, on_time
from .simulate import BuyInResults, Run, run_one, run_seeds, simulate
from .summary import (chosen_option, delay_summary, establishment_distribution, expected_profile,
                      median_establishment, prob_by_year)

__all__ = [
    "BLOCK", "BehaviourParams", "BuyInInputs", "BuyInResults", "EarlyEngagement", "GovernanceChange",
    "LeaveOut", "Posterior", "Prepared", "ReferenceModel", "RiskShare", "Route", "Run", "SidePayment",
    "apply_interventions", "board_power", "calibrate", "cheapest_route", "default_menu", "reference_inputs",
    "predictive_shares", "run_block", "simulate_posterior",
    "chosen_option", "compare_interventions", "connect", "default_network", "delay_summary",
    "establishment_distribution", "expected_profile", "median_establishment", "model_fingerprint", "on_time", "power_indices", "prepare", "prob_by_year",
    "rule_holds", "run_one", "run_seeds", "simulate", "validate", "weighted_game",
]
