"""The optimiser's public names that appraisal uses: the one place `appraisal` imports `optimise`."""
from optimise import (NO_SITE, OptionRules, PlacementProblem, Plan, alternatives, check_plan, compare_plans, curve_cost,
                      distance_table, evaluate_plan, floor_values, pareto, price_floors, solve, solve_decomposed)

__all__ = ["NO_SITE", "OptionRules", "PlacementProblem", "Plan", "alternatives", "check_plan", "compare_plans", "curve_cost",
           "distance_table", "evaluate_plan", "floor_values", "pareto", "price_floors", "solve", "solve_decomposed"]
