"""Coupled national problems: Lagrangian relaxation of the coupling rows, regions solved apart, repair.

A national problem is regions (blocks of services that share regional vehicles) coupled by
* national limits: the cumulative and yearly transition-funding caps and the transfers per year;
* shared vehicles: a vehicle (without sites or cost curve) that services of several regions may join.
Each region gets its own copy ``y^r`` of a shared vehicle's establishment with the coupling row
``E^r_t <= E_t`` (the region may use it only once the nation has set it up). Relaxing all coupling rows
with multipliers ``π >= 0`` splits the problem into regional MILPs (solved apart: in this process or
on dask workers, as actors that keep their HiGHS model between iterations) plus, per shared vehicle, a
choice of its establishment year. ``L(π)`` = sum of the regional maxima (their proven bounds) + the
national choices + the relaxed right-hand sides is an upper bound on the national optimum for every
``π >= 0``. The multipliers are found by a box-stabilised cutting-plane method (disaggregated cuts, one
per regional solution): first on the regions' LP relaxations (cheap, warm-started), then on their MILPs.
The repair turns the regional plans into a national one: each shared vehicle is set up in the earliest
year a region used it, and the national caps are shared out among the regions in proportion to what
their relaxed plans needed; each region re-solves under its share, so the union is feasible by
construction (and is checked with ``check_plan``). Maths: docs/optimise.md, "Coupled national scale".

Modules: regions (regions, shared vehicles, coupling rows, regional problems), region_solver (one region's
HiGHS model), multipliers (national options, cuts, the cutting-plane master), repair (national years,
shares, feasibility of a union); this module drives them.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd

from .check import check_plan
from .multipliers import Master, cut, national_options, set_scale
from .plan import Plan, plan_from_decisions
from .problem import PlacementProblem
from .region_solver import RegionSolver
from .regions import coupling_of, find_regions_normalised, region_problem, shared_vehicles_normalised, split_by_region, \
    unplaced_vehicles
from .repair import combine, do_nothing, national_years, residual, shares_of
from .solver import versions

INF = 1e30
MIP_ROUND_LP_ROUNDS = 4  # a MIP round is started only with at least this many cold LP rounds' time left
log = logging.getLogger(__name__)  # progress at INFO: phases, iterations, repair


class Local:
    """The same calls as a dask actor's, run in this process."""

    def __init__(self, obj):
        self.obj = obj

    def call(self, name, *args, **kw):
        return getattr(self.obj, name)(*args, **kw)


def call_all(solvers, client, name, args_list):
    if client is None:
        return [s.call(name, *a) for s, a in zip(solvers, args_list)]
    futures = [getattr(s, name)(*a) for s, a in zip(solvers, args_list)]
    return [f.result() for f in futures]


def solve_coupled(problem: PlacementProblem, *, regions: list | None = None, client=None, time_limit: float = 120.0,
                  rel_gap: float = 5e-3, sub_rel_gap: float | None = None, lp_iterations: int = 40, mip_iterations: int = 6,
                  threads: int = 1, seed: int = 0) -> Plan:
    """Best national plan found by Lagrangian decomposition, with a proven bound (``bound_gbp``) and gap.

    ``regions``: lists of service ids (default ``find_regions``). ``client``: a dask.distributed Client;
    each region then lives on a worker as an actor. ``time_limit`` is the whole run's budget (seconds, soft:
    a regional solve in progress is given its share of it; None: no limit, the phases stop on their
    iteration counts and the gap). Floors, joint money and timing rules are refused (``unpriced_rows``). Status "optimal" when the proven gap is
    at most ``rel_gap``, "feasible" otherwise; the plan always passes ``check_plan`` (doing nothing is
    feasible whenever the caps are non-negative, and the repair falls back to it)."""
    t_start = time.perf_counter()
    deadline = t_start + (float(time_limit) if time_limit is not None else float("inf"))
    if sub_rel_gap is None:  # each region within a fifth of the national target: its bound loosens L by at most that
        sub_rel_gap = max(rel_gap / 5.0, 1e-6)
    P = problem.normalised()
    unpriced = unpriced_rows(P)
    if unpriced:
        raise ValueError(f"solve_coupled does not price {' or '.join(unpriced)} yet: use solve")
    regions = [sorted(r) for r in (regions if regions is not None else find_regions_normalised(P))]
    if len(regions) == 1:  # nothing to decompose: the model as it is, with its own bound and gap
        from .engine import solve

        plan = solve(problem, time_limit=time_limit, rel_gap=rel_gap, threads=threads, seed=seed)
        plan.provenance["decomposition"] = {"method": "none (one region)", "regions": 1, "shared_vehicles": []}
        return plan
    shared = shared_vehicles_normalised(P, regions)
    coupling = coupling_of(P, regions, shared)
    lay = coupling.layout()
    alone = unplaced_vehicles(P, regions, shared)  # established on their own merit: carried by one region each
    subs = [region_problem(P, ids, shared, r, alone[r]) for r, ids in enumerate(regions)]
    t_build = time.perf_counter()
    if client is None:
        solvers = [Local(RegionSolver(s, r, coupling, threads, seed)) for r, s in enumerate(subs)]
    else:
        futs = [client.submit(RegionSolver, s, r, coupling, threads, seed, actor=True, pure=False) for r, s in enumerate(subs)]
        solvers = [f.result() for f in futs]
    infos = call_all(solvers, client, "info", [()] * len(solvers))
    build_wall = time.perf_counter() - t_build
    log.info("%d regions built in %.1f s (%s shared vehicles)", len(regions), build_wall, len(shared))
    t_built = time.perf_counter()
    nat = national_options(P, coupling)
    R = len(regions)

    scale = np.ones(lay["size"])  # set from the first L value (see _set_scale)
    hist: list[dict] = []
    g0 = coupling.rhs()

    def evaluate(pi, integer, master, tl=None, key=None):
        res = call_all(solvers, client, "solve", [(pi, integer, tl, sub_rel_gap, key)] * R)
        total = float(g0 @ pi)
        for r, out in enumerate(res):
            total += out["bound"]
            if out["has"]:
                E = {(r, v): e for v, e in out["E"].items()}
                master.add(r, *cut(coupling, r, out["npv"], out["net"], out["count"], E, -1.0))
        for k, (v, opts) in enumerate(nat):
            best = -INF
            for u, npv, net in opts:
                E = {(r, v): (np.arange(coupling.T) >= u).astype(float) if u is not None else np.zeros(coupling.T)
                     for (r, vv) in coupling.copies if vv == v}
                a, g = cut(coupling, None, npv, net, None, E, +1.0)
                best = max(best, a + g @ pi)
            total += best
        return total, res

    def national_cuts(master):
        for k, (v, opts) in enumerate(nat):
            for u, npv, net in opts:
                E = {(r, v): (np.arange(coupling.T) >= u).astype(float) if u is not None else np.zeros(coupling.T)
                     for (r, vv) in coupling.copies if vv == v}
                master.add(R + k, *cut(coupling, None, npv, net, None, E, +1.0))

    repair_info = []

    def repair_pass(years, needs, guide_keys, tl, label):
        """Every region re-solves under its share of the national rows (shared out by ``needs``), each shared
        vehicle only in its national year; the union if it meets the national rows, else None."""
        nat_net = sum((net for v, opts in nat for u, _, net in opts if u is not None and u == years[v]), np.zeros(coupling.T))
        shares = shares_of(coupling, needs, nat_net)
        rep = call_all(solvers, client, "repair", [(shares[r], {v: years[v] for (rr, v) in coupling.copies if rr == r}, tl,
                                                sub_rel_gap, None, guide_keys) for r in range(R)])
        log.info("%s repair done at %.1f s", label, time.perf_counter() - t_start)
        repair_info.append({"pass": label, "national_years": years, "guided_by": guide_keys,
                            "statuses": [r["status"] for r in rep], "seconds": [r["seconds"] for r in rep]})
        cand = combine(coupling, nat, rep, years) if all(r["has"] for r in rep) else None
        repair_info[-1]["npv"] = None if cand is None else cand[0]
        return cand

    best_bound, best_pi, last, best_mip = INF, np.zeros(lay["size"]), None, INF
    guide = {"lp": None, "mip": None}  # keys of the solves the repair is guided by (best LP and best MIP round)
    primal, primal_at, rounds, lp_best = (-INF, None, None), [], [], None  # (value, regional results, national years) of a feasible union
    phases = []
    lp_round_seconds = None
    if coupling_limits(coupling):  # national caps to price
        # first multipliers: each region's LP under its share of the caps (in proportion to its services),
        # the caps' shadow prices averaged (π = 0 ignores the caps: its bound was 50 % above the LP optimum
        # on 20,000 services, and the multipliers took rounds to come down); any π >= 0 gives a valid bound
        t_round = time.perf_counter()
        sizes = np.array([len(ids) for ids in regions], dtype=float)
        shares = [dict() for _ in range(R)]
        for kind, t, total in coupling_limits(coupling):
            for r in range(R):
                shares[r][kind, t] = total * sizes[r] / sizes.sum()
        tl = max(0.6 * (deadline - time.perf_counter()) / max(1.0, R / n_workers(client)), 1.0)
        got = call_all(solvers, client, "share_prices", [(shares[r], tl) for r in range(R)])
        for kind, name in (("cum", "lam_cum"), ("year", "lam_year"), ("transfers", "nu")):
            if name in lay:
                for t in range(coupling.T):
                    vals = [g["prices"].get((kind, t)) for g in got]
                    vals = [v for v in vals if v is not None]
                    if vals:
                        best_pi[lay[name].start + t] = float(np.mean(vals))
        best_pi[coupling.fixed_zero()] = 0.0
        lp_round_seconds = time.perf_counter() - t_round
        hist.append({"phase": "share prices", "value": None, "seconds": time.perf_counter() - t_start,
                     "pi": best_pi.round(6).tolist()})
        log.info("starting multipliers from the regions' LPs under their shares at %.1f s", time.perf_counter() - t_start)
    for integer, iters, share in ((False, lp_iterations, 0.4), (True, mip_iterations, 0.7)):
        phase_end = t_built + share * max(deadline - t_built, 0.0)  # phases share what the build left
        if integer and lp_round_seconds is not None and deadline - time.perf_counter() < MIP_ROUND_LP_ROUNDS * lp_round_seconds:
            # a round of regional MILPs takes several LP rounds: without the time for one and the repair after
            # it, go to the repair (guided by the best LP round) and keep the LP phase's bound
            phases.append({"phase": "mip", "iterations": 0, "skipped": (
                f"{deadline - time.perf_counter():.1f} s left, less than {MIP_ROUND_LP_ROUNDS} LP rounds "
                f"({lp_round_seconds:.1f} s each)")})
            break
        master = Master(R + len(nat), g0, scale, coupling.fixed_zero(), threads)
        national_cuts(master)
        pi, pred = best_pi.copy(), -INF
        master.center = pi.copy()
        n_it = 0
        for it in range(iters):
            if integer or it > 0:
                left = max((deadline if integer else phase_end) - time.perf_counter(), 1.0)
                tl = max((0.3 if integer else 1.0) * left / max(1.0, R / n_workers(client)), 1.0)
                if not integer and lp_round_seconds is not None:  # a warm LP may take as long as the cold one
                    tl = max(tl, lp_round_seconds / max(1.0, R / n_workers(client)))
            else:  # the first (cold) LP round gives the first bound: it may use 60 % of what is left
                tl = max(0.6 * (deadline - time.perf_counter()) / max(1.0, R / n_workers(client)), 1.0)
            key = ("mip" if integer else "lp", it)
            t_round = time.perf_counter()
            value, res = evaluate(pi, integer, master, tl, key)
            if value >= INF:
                log.info("round %s: regions without a bound: %s", key, sorted({r["status"] for r in res if r["bound"] >= INF}))
            if not integer and it == 0 and lp_round_seconds is None:
                lp_round_seconds = time.perf_counter() - t_round
            n_it += 1
            if value >= INF and it == 0:  # a region's first solve ran out of time: no bound from this phase
                hist.append({"phase": "mip" if integer else "lp", "value": None, "seconds": time.perf_counter() - t_start})
                break
            if it == 0 and not integer:
                z_scale = max(abs(value), 1.0)
                set_scale(scale, lay, coupling, z_scale, R)
            if value < best_bound:
                best_bound, best_pi = value, pi.copy()
                if not integer:
                    lp_best, guide["lp"] = res, key
            if integer and all(r["has"] for r in res):
                rounds.append(res)
                if value < best_mip:
                    best_mip, last, guide["mip"] = value, (pi.copy(), res), key
            if integer and all(r["has"] for r in res):
                cand = combine(coupling, nat, res)
                if cand is not None and cand[0] > primal[0]:
                    primal = cand
                    primal_at.append(len(hist))
                if best_bound - primal[0] <= rel_gap * max(abs(best_bound), 1.0):
                    hist.append({"phase": "mip", "value": value, "seconds": time.perf_counter() - t_start})
                    break
            master.update(pi, value, pred)
            hist.append({"phase": "mip" if integer else "lp", "value": value, "seconds": time.perf_counter() - t_start})
            log.info("%s iteration %d: L = %.6g (best %.6g, primal %.6g) at %.1f s", "mip" if integer else "lp", it,
                     value, best_bound, primal[0], time.perf_counter() - t_start)
            nxt, pred = master.next_point()
            if (master.best - pred) / max(abs(master.best), 1.0) < 0.1 * rel_gap or time.perf_counter() > phase_end:
                break
            pi = nxt
        phases.append({"phase": "mip" if integer else "lp", "iterations": n_it, "best_bound": best_bound})
        if not integer and lp_best is not None and all(r["has"] for r in lp_best) and time.perf_counter() < deadline:
            # a plan early: each service only where the best LP round put it (a third of the columns: fast),
            # with up to 40 % of what is left, and the MIP phase then tightens the bound if there is time; or
            # 70 % when the MIP phase will be skipped anyway (fewer than MIP_ROUND_LP_ROUNDS LP rounds left)
            left = deadline - time.perf_counter()
            no_mip = lp_round_seconds is not None and left < MIP_ROUND_LP_ROUNDS * lp_round_seconds
            tl = max((0.7 if no_mip else 0.4) * left / max(1.0, R / n_workers(client)), 1.0)
            cand = repair_pass(national_years(nat, lp_best), lp_best, [guide["lp"]], tl, "after LP, guided")
            if cand is not None and cand[0] > primal[0]:
                primal = cand
                primal_at.append(len(hist))
            if best_bound - primal[0] <= rel_gap * max(abs(best_bound), 1.0):
                break

    # --- repair at the best MIP point: national years, caps shared out, regions re-solve ----------------
    if best_bound - primal[0] > rel_gap * max(abs(best_bound), 1.0):
        if not rounds and lp_best is not None and all(r["has"] for r in lp_best):
            rounds = [lp_best]  # no MIP round gave every region a plan in its time: the repair follows the best LP
        elif not rounds:  # not even an LP round: price the best point once more
            tl = max(0.5 * (deadline - time.perf_counter()) / max(1.0, R / n_workers(client)), 1.0)
            rounds = [call_all(solvers, client, "solve", [(best_pi, True, tl, sub_rel_gap, ("mip", "again"))] * R)]
            guide["mip"] = ("mip", "again")
        # first pass guided (each service only where the best LP and MIP rounds put it: fast), then unguided
        guided = [k for k in (guide["lp"], guide["mip"]) if k is not None]
        # candidates: the national years of the best-bound round, and the earliest use in any round; the caps
        # are shared out by what the best-bound round needed
        best_round = last[1] if last is not None else rounds[0]
        union = {v: min([u for u in (national_years(nat, rs)[v] for rs in rounds) if u is not None], default=None)
                 for v, _ in nat}
        candidates = [national_years(nat, best_round)]
        if union != candidates[0]:
            candidates.append(union)
        passes = [(years, g) for g in ([guided, None] if guided else [None]) for years in candidates]
        for k, (years, guide_keys) in enumerate(passes):
            # (a do-nothing round says nothing about who needs the caps: then use the LP's split)
            needs = best_round if any(r["has"] and (r["net"] < 0).any() for r in best_round) or lp_best is None else lp_best
            left = deadline - time.perf_counter()
            if k > 0 and left < 2.0:  # no time left for another pass
                break
            tl = max(0.9 * max(left, 2.0) / max(1.0, (len(passes) - k) * R / n_workers(client)), 1.0)
            cand = repair_pass(years, needs, guide_keys, tl, f"final {k}" + (", guided" if guide_keys else ""))
            if cand is not None and cand[0] > primal[0]:
                primal = cand
        if best_bound - primal[0] > rel_gap * max(abs(best_bound), 1.0) and time.perf_counter() < deadline and R > 1:
            # sequential repair: regions in order of ambition, each maximising its NPV under what the earlier
            # ones left over (unpriced: the first regions may take the whole budget if it is worth it to them)
            years = candidates[0]
            nat_net = sum((net for v, opts in nat for u, _, net in opts if u is not None and u == years[v]), np.zeros(coupling.T))
            order = sorted(range(R), key=lambda r: (-(lp_best or best_round)[r].get("npv", 0.0), r))
            used_net, used_count, rep = np.zeros(coupling.T), np.zeros(coupling.T), [None] * R
            for k, r in enumerate(order):
                share = residual(coupling, nat_net + used_net, used_count)
                left = max(deadline - time.perf_counter(), 1.0)
                out = call_all([solvers[r]], client, "repair", [(share, {v: years[v] for (rr, v) in coupling.copies if rr == r},
                                                             max(left / (R - k), 1.0), sub_rel_gap, None, None)])[0]
                if not out["has"]:
                    break
                rep[r] = out
                used_net, used_count = used_net + out["net"], used_count + out["count"]
            repair_info.append({"sequential": True, "national_years": years,
                                "statuses": [r["status"] if r else None for r in rep],
                                "seconds": [r["seconds"] if r else None for r in rep]})
            if all(r is not None for r in rep):
                cand = combine(coupling, nat, rep, years)
                repair_info[-1]["npv"] = None if cand is None else cand[0]
                if cand is not None and cand[0] > primal[0]:
                    primal = cand
    call_all(solvers, client, "forget", [()] * R)
    prov = {"decomposition": {"method": "lagrange", "regions": R, "region_sizes": [len(r) for r in regions],
                              "shared_vehicles": list(shared), "phases": phases, "history": hist,
                              "regions_info": infos, "build_wall_seconds": build_wall, "repair": repair_info,
                              "primal_found_at_iteration": primal_at, "national_years": primal[2]},
            "seed": seed, **versions()}
    if primal[1] is None:
        plan = do_nothing(problem, prov, best_bound)
        prov["notes"] = ["no region plan union met the national rows: returned the status quo"]
    else:
        rs, years = primal[1], primal[2]
        moves = pd.concat([r["moves"] for r in rs], ignore_index=True)
        est = {v: t for r in rs for v, t in r["est"].items() if v not in years}
        est.update({v: u for v, u in years.items() if u is not None})
        opened = {s: t for r in rs for s, t in r["opened"].items()}
        released = {b: t for r in rs for b, t in r["released"].items()}  # each building lies inside one region
        plan = plan_from_decisions(problem, moves, est, opened, "feasible", released=released, objective_gbp=primal[0], bound_gbp=best_bound,
                                   provenance=prov)
        plan.violations = check_plan(problem, plan)
        if plan.violations:
            bad = plan.violations
            plan = do_nothing(problem, prov, best_bound)
            prov["notes"] = ["the combined plan failed check_plan: returned the status quo"]
            prov["repair_violations"] = bad[:20]
    npv = plan.npv_gbp if plan.npv_gbp is not None else 0.0
    plan.objective_gbp = npv
    if best_bound >= INF:  # no regional round finished in time: a plan, but nothing proven
        plan.bound_gbp, plan.gap, plan.status = None, None, "feasible"
        prov.setdefault("notes", []).append("no bound: no round of regional solves finished within the time limit")
    else:
        plan.bound_gbp = best_bound
        plan.gap = max(best_bound - npv, 0.0) / max(abs(best_bound), abs(npv), 1.0)
        plan.status = "optimal" if plan.gap <= rel_gap else "feasible"
    plan.solve_seconds = time.perf_counter() - t_start
    prov["timings"] = {"wall_seconds": plan.solve_seconds, "build_wall_seconds": build_wall}
    return plan


def unpriced_rows(P: PlacementProblem) -> list[str]:
    """What couples the regions of the normalised problem P that the decomposition cannot price (empty: none)."""
    out = []
    if len(P.joint_streams):
        out.append("joint money (money realised by one vehicle and enabled by others)")
    if any((P.__dict__[n]["from_year"] > 0).any() for n in ("vehicle_streams", "placement_streams")):
        out.append("timing rules (from_year)")
    if P.floors is not None and len(P.floors):
        out.append("floors and targets")
    return out


def coupled_obstacles(P: PlacementProblem, regions: list) -> list[str]:
    """Why ``solve_coupled`` cannot take the normalised problem P split into ``regions`` (empty: it can)."""
    return unpriced_rows(P) + split_by_region(P, regions)[1]


def coupling_limits(coupling) -> list[tuple[str, int, float]]:
    """The national rows' right-hand sides as (kind, year, limit): cumulative and yearly funding, transfers."""
    out = []
    for t in range(coupling.T):
        if coupling.cum_cap is not None:
            out.append(("cum", t, float(coupling.cum_cap)))
        if coupling.yearly_cap is not None and np.isfinite(coupling.yearly_cap[t]):
            out.append(("year", t, float(coupling.yearly_cap[t])))
        if coupling.transfers_cap is not None and np.isfinite(coupling.transfers_cap[t]):
            out.append(("transfers", t, float(coupling.transfers_cap[t])))
    return out


def n_workers(client) -> int:
    return 1 if client is None else max(1, len(client.scheduler_info()["workers"]))
