"""The wall-clock guard in optimise/solver.py stops a HiGHS run that overruns, and keeps its incumbent."""

import time

from opt_instances import random_problem

from optimise import check_plan
from optimise.model import build_model
from optimise.plan import extract
from optimise.prepare import prepare
from optimise.solver import guard_seconds, new_solver, run


def test_guard_stops_a_long_solve_and_returns_the_incumbent():
    # HiGHS gets no time limit of its own here (as when it ignores one, ERGO-Code/HiGHS#2226): only the guard
    # can stop it. rel_gap=0 makes the solve long enough to need stopping.
    problem = random_problem(400, seed=3, funding_cap=2e6)
    prep = prepare(problem)
    model = build_model(prep)
    tick = time.perf_counter()
    out = run(model, time_limit=None, wall_limit=8.0, rel_gap=0.0)  # found an incumbent by ~6 s here
    elapsed = time.perf_counter() - tick
    assert elapsed < 40  # stopped at ~9 s on the 2-core machine (presolve polls the callback rarely)
    if out.termination != "interrupted by the wall-clock guard":  # the machine was fast enough to finish
        assert out.status == "optimal"
        return
    assert "wall_clock_guard" in out.options
    assert out.status in {"feasible", "no_solution"}
    if out.has_solution:
        assert out.bound is not None and out.bound >= out.objective - 1e-6
        plan = extract(model, problem, out.status, objective_gbp=out.objective, bound_gbp=out.bound, gap=out.gap)
        assert check_plan(problem, plan) == []


def test_guard_detaches_so_a_reused_solver_runs_to_optimality():
    problem = random_problem(12, seed=1)
    model = build_model(prepare(problem))
    opt = new_solver()
    first = run(model, time_limit=30, solver=opt)
    second = run(model, time_limit=30, solver=opt)
    assert first.status == second.status == "optimal"
    assert abs(first.objective - second.objective) < 1e-6


def test_guard_allowance_is_the_limit_plus_grace():
    assert guard_seconds(None) is None
    assert guard_seconds(120) == 120 * 1.05 + 2.0
