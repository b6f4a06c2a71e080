"""Reduced-cost fixing on a ``highspy.Highs`` object that holds a MILP (docs/optimise.md, "Reduced-cost fixing").

Self-contained (numpy and highspy only): the child process of ``bounded.run_bounded`` imports it as a plain
module, the Pyomo path (``solver.run``) as part of the package.
"""

from __future__ import annotations

import time

RCF_MAX_FRACTIONAL = 0.05  # cheap test of reduced-cost fixing: at most this share of the LP's used binaries fractional


def reduced_cost_fixing(h, time_limit, rel_gap, on_bound=None, groups=None) -> tuple[dict, callable]:
    """LP relaxation, a restricted MIP for an incumbent, then fix binaries by reduced cost (exact).

    On the ``highspy.Highs`` object ``h`` (already holding the model):
    1. solve the LP relaxation (presolve off): bound ``z_lp``, reduced costs ``d``;
    2. restricted MIP: binaries at 0 in the LP whose reduced cost loses more than 1e-4·|z_lp| are held at
       0; its best solution (any feasible one will do) has value ``z_h``;
    3. LP duality bounds any plan that moves binary j off its LP bound by ``z_lp − loss_j``; if
       ``loss_j > z_lp − z_h`` (plus a margin) such a plan is worse than ``z_h``, so every optimal plan has
       j at its LP bound: fix it there. The restricted incumbent is passed on with ``setSolution``.
       If ``z_lp`` already proves ``z_h`` within ``rel_gap``, every integer column is fixed at the incumbent
       instead (the final run re-optimises only continuous columns) and ``z_lp`` is reported as the bound.
    The optimum is unchanged; the final MIP's dual bound is a valid bound for the whole problem (plans
    outside the fixed region are worse than the incumbent). Returns (info, restore) where restore() puts
    the original bounds back; does nothing (info["applied"] False) when a step yields nothing usable.

    ``groups`` (columns, group, option: three equal-length int arrays, e.g. each transfer column's service
    and its (service, vehicle, site)): when fixing is skipped, the start comes from ``guided_restriction``
    (one option per group, chosen by the LP) instead of plain LP rounding."""
    import highspy
    import numpy as np

    info = {"applied": False}
    lp = h.getLp()
    n = lp.num_col_
    integ = np.array([int(i) for i in lp.integrality_], dtype=int) if len(lp.integrality_) else np.zeros(n, int)
    lo0, hi0 = np.array(lp.col_lower_, dtype=float), np.array(lp.col_upper_, dtype=float)
    cand = np.flatnonzero((integ == 1) & (lo0 == 0) & (hi0 == 1))
    nothing = lambda: None  # noqa: E731
    if n == 0 or len(cand) == 0:
        return info, nothing
    sigma = 1.0 if lp.sense_ == highspy.ObjSense.kMaximize else -1.0
    cols = np.arange(n, dtype=np.int32)
    old = {k: option_value(h, k) for k in ("presolve", "time_limit", "mip_rel_gap")}
    t0 = time.perf_counter()

    def restore_options():
        for k, v in old.items():
            h.setOptionValue(k, v)

    # 1. LP relaxation
    h.changeColsIntegrality(n, cols, np.zeros(n, dtype=np.uint8))
    h.setOptionValue("presolve", "off")
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    h.run()
    lp_ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    sol = h.getSolution()
    xlp, d = np.array(sol.col_value), np.array(sol.col_dual)
    z_lp = h.getInfo().objective_function_value
    h.changeColsIntegrality(n, cols, integ.astype(np.uint8))
    restore_options()
    info["lp_seconds"] = time.perf_counter() - t0
    if not lp_ok:
        return info, nothing
    if on_bound is not None:  # the LP relaxation's optimum bounds every plan
        on_bound(float(z_lp))
    # cheap test (no MIP yet): fixing pays when the LP's plan is nearly integral (then the restricted MIP
    # finds a plan close to z_lp and most binaries get fixed). If more than RCF_MAX_FRACTIONAL of the binaries
    # the LP uses are fractional, the root gap is wide: go straight to the full MIP (docs/optimise.md)
    used = cand[xlp[cand] > 1e-6]
    fractional = int((xlp[used] < 1 - 1e-6).sum())
    info.update(lp_bound=z_lp, lp_binaries_used=int(len(used)), lp_binaries_fractional=fractional, binaries=int(len(cand)))
    if fractional > RCF_MAX_FRACTIONAL * max(len(used), 1):
        info["skipped"] = (f"{fractional} of the {len(used)} binaries the LP relaxation uses are fractional "
                           f"(more than {RCF_MAX_FRACTIONAL:.0%}): fixing skipped; "
                           + ("the LP's choice of option per group for a start" if groups is not None else "LP rounding for a start"))
        if groups is not None:
            info.update(guided_restriction(h, xlp, groups, time_limit, rel_gap, restore_options))
        else:
            info.update(_lp_rounding(h, cand, xlp, time_limit, rel_gap, restore_options))
        return info, nothing
    # 2. restricted MIP for an incumbent
    t1 = time.perf_counter()
    at0 = cand[xlp[cand] < 1e-9]
    hold = at0[-sigma * d[at0] > 1e-4 * max(abs(z_lp), 1.0)]
    if len(hold):
        h.changeColsBounds(len(hold), hold.astype(np.int32), np.zeros(len(hold)), np.zeros(len(hold)))
    if time_limit is not None:
        h.setOptionValue("time_limit", 0.25 * float(time_limit))
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    h.run()
    restore_options()
    has = h.getInfo().primal_solution_status == 2
    inc = h.getSolution() if has else None
    z_h = h.getInfo().objective_function_value if has else None
    if len(hold):
        h.changeColsBounds(len(hold), hold.astype(np.int32), lo0[hold], hi0[hold])
    info.update(restricted_seconds=time.perf_counter() - t1, lp_bound=z_lp, restricted_objective=z_h,
                restricted_held=int(len(hold)))
    if not has:
        return info, nothing
    if sigma * (z_lp - z_h) <= rel_gap * max(abs(z_lp), abs(z_h), 1.0):
        # the LP bound already proves the restricted incumbent within rel_gap: fix every integer column at the
        # incumbent (the final run only re-optimises continuous columns) and report z_lp as the bound
        ints = np.flatnonzero(integ != 0).astype(np.int32)
        val = np.round(np.array(inc.col_value)[ints])
        h.changeColsBounds(len(ints), ints, val, val)
        h.setSolution(inc)
        info.update(applied=True, closed_by_lp_bound=True, fixed_at_0=int((val == 0).sum()),
                    fixed_at_1=int((val != 0).sum()), binaries=int(len(cand)))

        def restore_all():
            h.changeColsBounds(len(ints), ints, lo0[ints], hi0[ints])

        return info, restore_all
    # 3. fix by reduced cost
    margin = sigma * (z_lp - z_h) + 1e-6 * max(abs(z_lp), 1.0) + 1.0
    at1 = cand[xlp[cand] > 1 - 1e-9]
    fix0 = at0[-sigma * d[at0] > margin]
    fix1 = at1[sigma * d[at1] > margin]
    if len(fix0):
        h.changeColsBounds(len(fix0), fix0.astype(np.int32), np.zeros(len(fix0)), np.zeros(len(fix0)))
    if len(fix1):
        h.changeColsBounds(len(fix1), fix1.astype(np.int32), np.ones(len(fix1)), np.ones(len(fix1)))
    h.setSolution(inc)
    fixed = np.concatenate([fix0, fix1]).astype(np.int32)
    info.update(applied=True, fixed_at_0=int(len(fix0)), fixed_at_1=int(len(fix1)), binaries=int(len(cand)))

    def restore():
        if len(fixed):
            h.changeColsBounds(len(fixed), fixed, lo0[fixed], hi0[fixed])

    return info, restore


def option_value(h, name):
    v = h.getOptionValue(name)
    return v[1] if isinstance(v, tuple) else v  # highspy returns (status, value)


LP_ROUNDING_SHARE = 0.15  # of the time limit (or LP_ROUNDING_SECONDS without one) for the rounding MIP
LP_ROUNDING_SECONDS = 30.0


def _lp_rounding(h, cand, xlp, time_limit, rel_gap, restore_options) -> dict:
    """A start from the LP relaxation: binaries the LP sets at 0 or 1 are held there and a short MIP decides
    the fractional ones (HiGHS' own sub-MIP on a user point); its plan, if any, is handed to HiGHS with
    ``setSolution`` (the caller keeps whichever start is better) and every bound is put back. Only a start:
    nothing is fixed for the final run, so the optimum is untouched."""
    import numpy as np

    t = time.perf_counter()
    held = cand[(xlp[cand] < 1e-6) | (xlp[cand] > 1 - 1e-6)].astype(np.int32)
    val = np.round(xlp[held])
    seconds = LP_ROUNDING_SHARE * float(time_limit) if time_limit is not None else LP_ROUNDING_SECONDS
    obj = _held_start(h, held, val, seconds, max(float(rel_gap), 1e-3), restore_options)
    out = {"lp_rounding_seconds": time.perf_counter() - t, "lp_rounding_held": int(len(held))}
    if obj is not None:
        out["restricted_objective"] = obj
    return out


def _held_start(h, held, values, seconds, gap, restore_options) -> float | None:
    """Columns ``held`` fixed at ``values``, a MIP for ``seconds``, every bound put back; its best plan (if
    any) handed to HiGHS with ``setSolution``. Returns that plan's objective, or None."""
    import numpy as np

    lp = h.getLp()
    lo, hi = np.array(lp.col_lower_, dtype=float)[held], np.array(lp.col_upper_, dtype=float)[held]
    h.changeColsBounds(len(held), held, values, values)
    h.setOptionValue("time_limit", float(seconds))
    h.setOptionValue("mip_rel_gap", float(gap))
    h.run()
    restore_options()
    has = h.getInfo().primal_solution_status == 2
    inc, obj = (h.getSolution(), h.getInfo().objective_function_value) if has else (None, None)
    h.changeColsBounds(len(held), held, lo, hi)
    if inc is not None:
        h.setSolution(inc)
    return obj


GUIDED_MIN_MASS = 0.1  # a group the LP moves by less than this stays where it is in the restricted MIP
GUIDED_SHARE = 0.3  # of the time limit (or LP_ROUNDING_SECONDS without one) for the restricted MIP


def guided_restriction(h, xlp, groups, time_limit, rel_gap, restore_options) -> dict:
    """A start from the LP relaxation's choices (a relaxation-induced neighbourhood): every group (a service)
    keeps only the option (vehicle and site) on which the LP puts most of its weight, and only if the LP
    moves it by at least GUIDED_MIN_MASS; its other columns are held at 0 and a MIP decides the rest (the
    years, the vehicles and sites to open, whether to move at all) within GUIDED_SHARE of the time limit.
    Any plan of this restriction is a plan of the full model; its best is handed to HiGHS with
    ``setSolution`` and every bound is put back, so the optimum is untouched. Where the LP is fractional
    because a budget row (a funding cap) shares money among many moves, the LP's choices are nearly all
    right and its fractions are timing: the restricted MIP, a third of the size, settles them quickly."""
    import numpy as np

    t = time.perf_counter()
    cols, group, option = (np.asarray(a) for a in groups)
    keep = guided_keep(xlp[cols], group, option)
    held = cols[~keep].astype(np.int32)
    seconds = GUIDED_SHARE * float(time_limit) if time_limit is not None else LP_ROUNDING_SECONDS
    obj = _held_start(h, held, np.zeros(len(held)), seconds, max(float(rel_gap), 1e-4), restore_options)
    out = {"guided_seconds": time.perf_counter() - t, "guided_held": int(len(held)),
           "guided_groups": int(len(np.unique(group[keep])))}
    if obj is not None:
        out["restricted_objective"] = obj
    return out


def guided_keep(x, group, option):
    """Which columns the guided restriction keeps: per group, the columns of the option with the largest
    total ``x`` (ties: the first option), if the group's total is at least GUIDED_MIN_MASS."""
    import numpy as np

    if len(x) == 0:
        return np.zeros(0, dtype=bool)
    mass = np.bincount(option, weights=x)
    gmass = np.bincount(group, weights=x)
    order = np.lexsort((option, -mass[option], group))  # per group: heaviest option first, then the lowest id
    first = order[np.r_[True, group[order][1:] != group[order][:-1]]]
    best = np.full(len(gmass), -1)
    best[group[first]] = option[first]
    return (option == best[group]) & (gmass[group] >= GUIDED_MIN_MASS)
