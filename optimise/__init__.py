"""optimise — the placement MILP engine (Pyomo + HiGHS).

    from optimise import PlacementProblem, OptionRules, Plan, solve

The maths is in docs/optimise.md. Modules: problem (input dataclasses), prepare (sparse index sets and
coefficients), model (Pyomo model), solver (the one HiGHS wrapper), engine (solve), plan (Plan),
evaluate (NPV of any plan, compare), check (constraint checker), diagnose (infeasibility in words),
alternatives (near-optimal MGA plans), pareto (epsilon-constraint trade-offs), decompose (independent
blocks), lagrange (coupled regions: Lagrangian relaxation, regional solves, repair).
"""

from .alternatives import alternatives, distance_table
from .check import check_plan
from .decompose import independent_blocks, solve_decomposed
from .engine import reproduce_problem, solve
from .lagrange import solve_coupled
from .regions import find_regions
from .pareto import ParetoFront, pareto
from .floors import floor_values, price_floors
from .evaluate import Evaluation, compare_plans, evaluate_plan
from .plan import Plan
from .prepare import curve_cost
from .problem import NO_SITE, OptionRules, PlacementProblem

__all__ = ["PlacementProblem", "OptionRules", "Plan", "solve", "evaluate_plan", "compare_plans", "check_plan",
           "reproduce_problem", "Evaluation", "NO_SITE", "curve_cost",
           "alternatives", "distance_table", "pareto", "ParetoFront", "independent_blocks", "solve_decomposed",
           "solve_coupled", "find_regions", "floor_values", "price_floors"]
