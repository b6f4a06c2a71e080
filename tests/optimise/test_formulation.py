"""Formulation choices that must leave the optimum unchanged: the multiple-choice cost curve, reduced-cost fixing."""

import sys
from pathlib import Path

import numpy as np
import pytest
from opt_instances import random_problem

from optimise import check_plan, solve
from optimise.model import _merge_collinear, build_model
from optimise.prepare import prepare
from optimise.solver import run

sys.path.insert(0, str(Path(__file__).parents[2]))  # the repository root, for studies.synthetic
from studies.synthetic.generate import generate  # noqa: E402


def test_merge_collinear_keeps_the_function():
    bv = np.array([0.0, 10.0, 20.0, 40.0, 50.0])
    bc = np.array([5.0, 25.0, 35.0, 55.0, 65.0])  # slopes 2, 1, 1, 1: 20 and 40 are not corners
    v2, c2 = _merge_collinear(bv, bc)
    assert v2.tolist() == [0.0, 10.0, 50.0]
    grid = np.linspace(0, 50, 101)
    assert np.allclose(np.interp(grid, v2, c2), np.interp(grid, bv, bc))


def test_multiple_choice_curve_lp_is_tighter_on_synthetic():
    # the market vehicle's concave curve: the LP relaxation may no longer mix zero volume with the far end
    import pyomo.environ as pyo

    prep = prepare(generate(200, seed=0))
    assert prep.curves
    mip = run(build_model(prep), rel_gap=1e-9)
    m = build_model(prep)
    pyo.TransformationFactory("core.relax_integer_vars").apply_to(m)
    lp = run(m)
    assert mip.status == lp.status == "optimal"
    assert lp.objective >= mip.objective - 1e-6
    assert (lp.objective - mip.objective) / abs(mip.objective) < 2e-3  # was 1 to 2 % with the lambda form


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_reduced_cost_fixing_keeps_the_optimum(seed):
    problem = random_problem(30, seed=seed, funding_cap=2e6 if seed % 2 else None)
    prep = prepare(problem)
    plain = run(build_model(prep), rel_gap=1e-9)
    fixed = run(build_model(prep), rel_gap=1e-9, reduced_cost_fixing=True)
    assert plain.status == fixed.status
    if plain.status == "optimal":
        assert fixed.objective == pytest.approx(plain.objective, rel=1e-7, abs=1e-3)
        assert fixed.bound >= plain.objective - 1e-3


def test_reduced_cost_fixing_on_synthetic_fixes_most_binaries_and_matches():
    problem = generate(200, seed=0)
    prep = prepare(problem)
    plain = run(build_model(prep), rel_gap=1e-9)
    fixed = run(build_model(prep), rel_gap=1e-9, reduced_cost_fixing=True)
    info = fixed.options["reduced_cost_fixing"]
    assert info["applied"] and info["fixed_at_0"] + info["fixed_at_1"] > 0.5 * info["binaries"]
    assert fixed.status == plain.status == "optimal"
    assert fixed.objective == pytest.approx(plain.objective, rel=1e-7)
    plan = solve(problem, rel_gap=1e-9)
    assert plan.status == "optimal" and check_plan(problem, plan) == []
    assert plan.objective_gbp == pytest.approx(plain.objective, rel=1e-7)


def test_lp_bound_closing_the_gap_reports_the_lp_bound():
    # with a loose gap the restricted incumbent is already proven by the LP bound: integers are fixed there
    problem = generate(200, seed=0)
    prep = prepare(problem)
    best = run(build_model(prep), rel_gap=1e-9)
    m = build_model(prep)
    loose = run(m, rel_gap=0.05, reduced_cost_fixing=True)
    info = loose.options["reduced_cost_fixing"]
    assert info.get("closed_by_lp_bound")
    assert loose.status == "optimal" and loose.bound == pytest.approx(info["lp_bound"])
    assert loose.objective <= best.objective + 1e-3 <= loose.bound + 2e-3
    assert loose.gap <= 0.05
    from optimise.plan import extract
    plan = extract(m, problem, loose.status, objective_gbp=loose.objective, bound_gbp=loose.bound, gap=loose.gap)
    assert check_plan(problem, plan) == []


def test_funding_rows_hold_the_curve_cost_as_one_column_per_year():
    # the cumulative cap rows hold each decision once and the curves' running cost through run_t, never the
    # share columns q of the curves (which made them ~57k entries long at 2,000 independent services)
    from pyomo.repn import generate_standard_repn

    sys.path.insert(0, str(Path(__file__).parents[2]))
    from studies.benchmarks.independent_generator import generate as independent

    prep = prepare(independent(200, seed=0))
    assert prep.curves and prep.problem.funding_cap_cumulative_gbp is not None
    m = build_model(prep)
    rows = m.c_funding_cumulative
    assert len(rows) == prep.T
    decisions = len(prep.X) + len(prep.Y) + len(prep.W)
    for t in rows:
        names = [v.parent_component().name for v in generate_standard_repn(rows[t].body).linear_vars]
        assert not any(n.startswith("curve.q_") or n.startswith("curve.seg_") for n in names)
        assert sum(n == "curve.running" for n in names) == len([u for u in range(t + 1) if u in m.curve.running])
        assert len(names) <= decisions + t + 1


def test_lp_rounding_start_when_fixing_is_skipped_keeps_the_optimum():
    # a knapsack whose LP is fractional: fixing is skipped, the LP is rounded for a start, the MIP is exact
    import itertools

    import highspy

    from optimise.rcfix import reduced_cost_fixing

    rng = np.random.default_rng(3)
    n = 12
    value, weight = rng.uniform(5, 20, n).round(1), rng.uniform(3, 9, n).round(1)
    cap = float(weight.sum() * 0.4)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(n, 1, n, 1, -1, 0.0, value, np.zeros(n), np.ones(n), np.array([-np.inf]), np.array([cap]),
                np.arange(n + 1, dtype=np.int32), np.zeros(n, dtype=np.int32), weight, np.ones(n, dtype=np.uint8))
    info, restore = reduced_cost_fixing(h, 10.0, 1e-9)
    assert "skipped" in info and info["lp_rounding_held"] > 0
    best = max(value @ np.array(c) for c in itertools.product([0, 1], repeat=n) if weight @ np.array(c) <= cap)
    assert info["restricted_objective"] <= best + 1e-6  # a plan of the full model, held binaries or not
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.run()
    restore()
    assert abs(h.getInfo().objective_function_value - best) < 1e-6
    lp = h.getLp()  # every bound put back
    assert np.array_equal(np.array(lp.col_lower_), np.zeros(n)) and np.array_equal(np.array(lp.col_upper_), np.ones(n))


def test_guided_start_keeps_one_option_per_group_and_the_optimum():
    # two options per group (service) under one budget row: the LP splits groups across options and
    # fractions; the guided restriction keeps each group's heaviest option, and the final MIP is exact
    import itertools

    import highspy

    from optimise.rcfix import guided_restriction, option_value

    rng = np.random.default_rng(11)
    g = 7
    n = 2 * g
    value, weight = rng.uniform(5, 20, n).round(1), rng.uniform(3, 9, n).round(1)
    cap = float(weight.sum() * 0.3)
    # rows: one budget row, then "at most one option per group"
    starts, index, vals = [0], [], []
    for j in range(n):
        index += [0, 1 + j // 2]
        vals += [weight[j], 1.0]
        starts.append(len(index))
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    lo_r, hi_r = np.full(1 + g, -np.inf), np.r_[cap, np.ones(g)]
    h.passModel(n, 1 + g, len(index), 1, -1, 0.0, value, np.zeros(n), np.ones(n), lo_r, hi_r,
                np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32), np.array(vals), np.ones(n, dtype=np.uint8))
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
    h.run()
    xlp = np.array(h.getSolution().col_value)
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.ones(n, dtype=np.uint8))
    groups = (np.arange(n), np.arange(n) // 2, np.arange(n))
    saved = {k: option_value(h, k) for k in ("time_limit", "mip_rel_gap")}
    info = guided_restriction(h, xlp, groups, 10.0, 1e-9, lambda: [h.setOptionValue(k, v) for k, v in saved.items()])
    heaviest = {j // 2: j for j in np.argsort(xlp, kind="stable")}  # per group its heaviest column (last wins)
    kept = {j for grp, j in heaviest.items() if xlp[2 * grp] + xlp[2 * grp + 1] >= 0.1}
    assert info["guided_held"] == n - len(kept)
    feasible = [c for c in itertools.product([0, 1], repeat=n)
                if weight @ np.array(c) <= cap and all(c[2 * k] + c[2 * k + 1] <= 1 for k in range(g))]
    best = max(value @ np.array(c) for c in feasible)
    best_kept = max(value @ np.array(c) for c in feasible if all(c[j] == 0 for j in range(n) if j not in kept))
    assert abs(info["restricted_objective"] - best_kept) < 1e-6  # the restriction's own optimum
    lp = h.getLp()  # every bound put back, then the full MIP (from the restricted start) is exact
    assert np.array_equal(np.array(lp.col_upper_), np.ones(n))
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.run()
    assert abs(h.getInfo().objective_function_value - best) < 1e-6
