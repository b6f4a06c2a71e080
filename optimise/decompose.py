"""Decomposition into independent blocks (e.g. regions whose authorities share no vehicle).

Two services are in the same block when they can move into a common vehicle, are linked by a
precedence rule, by a dependency between their vehicles, or by an estate site (a building, a shared site or
a site with a capacity and occupants today: ``estates.estate_links``) — connected components of that graph.
National limits (transfers per year, funding caps, floors and targets) and joint money couple everything,
so a problem with any of them is one block. Blocks are solved
separately (optionally on dask workers: pass ``client``) and merged into one Plan whose objective and
bound are the sums of the blocks'; the merged plan is re-evaluated and re-checked on the whole problem.
One block that still splits into regions (``find_regions``: regions tied only by national rows and national
vehicles) goes to the Lagrangian decomposition (lagrange.py) when it prices every coupling row.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .check import check_plan
from .engine import reproduce_problem, solve
from .lagrange import coupled_obstacles, solve_coupled
from .plan import Plan, plan_from_decisions, empty_plan
from .estates import estate_links, estate_part
from .problem import PlacementProblem
from .regions import find_regions_normalised, status_quo_of


# Below this many services a problem coupled by national rows is solved whole by solve_decomposed: the
# Lagrangian decomposition pays only where one model no longer solves its root LP in the time (measured on
# studies/national/generate.py cases, docs/optimise.md "Decomposition": at 3,600 and 8,000 services one
# model was better at 60 s, 0.19 % / 0.40 % against 0.53 % / 1.91 %; at 19,500 it was 51.5 % against 0.65 % at 120 s).
REGIONS_FROM_SERVICES = 12_000


def _coupled(P: PlacementProblem) -> bool:
    if P.floors is not None and len(P.floors):  # a floor sums money or moves over every service
        return True
    if P.joint_streams is not None and len(P.joint_streams):  # joint money ties its vehicles' decisions together
        return True
    caps = [P.max_transfers_per_year, P.funding_cap_yearly_gbp]
    if any(c is not None and np.isfinite(np.asarray(c, dtype=float)).any() for c in caps):
        return True
    return P.funding_cap_cumulative_gbp is not None and np.isfinite(P.funding_cap_cumulative_gbp)


def independent_blocks(problem: PlacementProblem) -> list[list[str]]:
    """Lists of service ids, one per independent block (sorted; one block if the problem is coupled)."""
    return block_parts(problem.normalised())[0]


def block_parts(P: PlacementProblem) -> tuple[list[list[str]], list[set]]:
    """The blocks' service ids (sorted) and, per block, the vehicles with no placements it carries (a vehicle
    established on its own merit goes with the vehicles its dependencies name, else with the first block)."""
    services = sorted(P.services["service_id"])
    if _coupled(P):
        return [services], [set(P.vehicles["vehicle_id"])]
    sidx = {s: i for i, s in enumerate(services)}
    placed = set(P.placements["vehicle_id"])
    alone = set(P.vehicles.loc[~P.vehicles["is_status_quo"], "vehicle_id"]) - placed
    vehicles = sorted(placed | alone)
    vidx = {v: len(services) + i for i, v in enumerate(vehicles)}
    pl = P.placements[P.placements["service_id"].isin(sidx)]
    pr = P.precedence[P.precedence["before_service_id"].isin(sidx) & P.precedence["after_service_id"].isin(sidx)]
    vd = P.vehicle_dependencies
    vd = vd[vd["vehicle_id"].isin(vidx) & vd["requires_vehicle_id"].isin(vidx)]
    # estates: a building, a shared site or a site with a capacity and occupants today ties its occupants, the
    # services that may move there and (a vehicle's site) its vehicle
    links, owned = estate_links(P)
    links = links[links["service_id"].isin(sidx)]
    owned = owned[owned["vehicle_id"].isin(vidx)]
    st = P.sites
    locked = st["must_open"] | st["site_id"].isin(P.rules.locked_sites)
    if (locked & st["vehicle_id"].isna() & ~st["site_id"].isin(links["site_id"])).any():
        return [services], [set(P.vehicles["vehicle_id"])]  # a shared site that must open and no block uses: as one
    kidx = {k: len(services) + len(vehicles) + i for i, k in enumerate(sorted(set(links["site_id"]) | set(owned["site_id"])))}
    rows = [sidx[s] for s in pl["service_id"]] + [sidx[b] for b in pr["before_service_id"]] + \
        [vidx[v] for v in vd["vehicle_id"]] + [sidx[s] for s in links["service_id"]] + [vidx[v] for v in owned["vehicle_id"]]
    cols = [vidx[v] for v in pl["vehicle_id"]] + [sidx[a] for a in pr["after_service_id"]] + \
        [vidx[r] for r in vd["requires_vehicle_id"]] + [kidx[k] for k in links["site_id"]] + [kidx[k] for k in owned["site_id"]]
    n = len(services) + len(vehicles) + len(kidx)
    g = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, label = connected_components(g, directed=False)
    blocks: dict[int, list[str]] = {}
    for s, i in sidx.items():
        blocks.setdefault(int(label[i]), []).append(s)
    order = sorted(blocks, key=lambda k: blocks[k][0])
    pos = {k: i for i, k in enumerate(order)}
    extra = [set() for _ in order]
    for v in sorted(alone):
        extra[pos.get(int(label[vidx[v]]), 0)].add(v)
    return [blocks[k] for k in order], extra


def subproblem(problem: PlacementProblem, service_ids, vehicles=()) -> PlacementProblem:
    """The block of ``service_ids`` with its vehicles, sites and estate; ``vehicles``: vehicles with no
    placements it also carries (``block_parts``)."""
    P = problem.normalised()
    keep = set(service_ids)
    pl = P.placements[P.placements["service_id"].isin(keep)]
    veh_ids = set(pl["vehicle_id"]) | status_quo_of(P, P.services[P.services["service_id"].isin(keep)]) | set(vehicles)
    estate = estate_part(P, keep, pl, veh_ids)  # sites, buildings, release streams, rules (adds sites' owners)
    return dataclasses.replace(
        P, name=f"{P.name} [{min(keep)}..]", services=P.services[P.services["service_id"].isin(keep)],
        vehicles=P.vehicles[P.vehicles["vehicle_id"].isin(veh_ids)], placements=pl,
        vehicle_streams=P.vehicle_streams[P.vehicle_streams["vehicle_id"].isin(veh_ids)],
        placement_streams=P.placement_streams[P.placement_streams["service_id"].isin(keep)],
        precedence=P.precedence[P.precedence["after_service_id"].isin(keep)],
        cost_curves=P.cost_curves[P.cost_curves["vehicle_id"].isin(veh_ids)], **estate,
        vehicle_dependencies=P.vehicle_dependencies[P.vehicle_dependencies["vehicle_id"].isin(veh_ids)])


def _one_block(problem: PlacementProblem, client, kw: dict, from_services: int) -> Plan:
    """A problem that does not fall apart into independent blocks: by region when national rows couple
    regions the Lagrangian decomposition can price, else the whole model."""
    P = problem.normalised()
    note = None
    regions = find_regions_normalised(P) if len(P.services) >= from_services else []
    if len(P.services) < from_services and _coupled(P):
        note = (f"solved as one model, not by region: {len(P.services):,} services, fewer than "
                f"{from_services:,} (a model this size is solved whole faster, and to the gap asked)")
    elif len(regions) > 1:  # regions that national rows or national vehicles tie together
        why = coupled_obstacles(P, regions)
        if not why:
            return solve_coupled(problem, regions=regions, client=client, time_limit=kw.get("time_limit"),
                                 rel_gap=kw.get("rel_gap", 1e-6), threads=kw.get("threads", 1), seed=kw.get("seed", 0))
        note = "solved as one model, not by region: " + "; ".join(why)
    plan = solve(problem, **kw)
    if note:
        plan.provenance.setdefault("notes", []).append(note)
        plan.provenance["decomposition"] = {"method": "whole model", "reason": note}
    return plan


def _solve_block(sub: PlacementProblem, kw: dict) -> Plan:
    return solve(sub, **kw)


def solve_decomposed(problem: PlacementProblem, *, client=None, regions_from_services: int = REGIONS_FROM_SERVICES,
                     **kw) -> Plan:
    """Solve block by block; same options as ``solve`` (time_limit applies per block). A problem that
    national rows (funding caps, transfers a year) or national vehicles couple into one block is solved by
    region with the Lagrangian decomposition (``solve_coupled``: time_limit is then the whole run's, and
    the plan's bound and gap are proven) when it splits into regions and every coupling row is one the
    decomposition prices and it has at least ``regions_from_services`` services; otherwise whole, with a
    note saying why."""
    t0 = time.perf_counter()
    mode = kw.get("mode", "optimise")
    if mode == "reproduce":  # fix the plan on the whole problem, then split it (the rules are filtered per block)
        if kw.get("assignment") is None:
            raise ValueError("mode='reproduce' needs an assignment table")
        kw = dict(kw)
        problem = reproduce_problem(problem, kw.pop("assignment"), kw.pop("vehicles", None), kw.pop("releases", None))
        kw["mode"] = "optimise"
    problem = problem.normalised()  # once: every engine call below takes it as it is
    blocks, alone = block_parts(problem)
    if len(blocks) <= 1:
        return _one_block(problem, client, kw, regions_from_services)
    subs = [subproblem(problem, b, v) for b, v in zip(blocks, alone)]
    if client is not None:
        plans = client.gather(client.map(_solve_block, subs, [kw] * len(subs), pure=False))
    else:
        plans = [_solve_block(s, kw) for s in subs]
    statuses = [p.status for p in plans]
    prov = {"mode": mode, "decomposition": {"blocks": len(blocks), "block_sizes": [len(b) for b in blocks],
                              "statuses": statuses,
                              "solve_seconds": [p.solve_seconds for p in plans],
                              "build_seconds": [p.provenance.get("timings", {}).get("build_seconds") for p in plans],
                              "handoff_seconds": [p.provenance.get("timings", {}).get("handoff_seconds") for p in plans]},
            **{k: v for k, v in plans[0].provenance.items() if k in ("solver", "highs", "highspy", "pyomo", "options", "seed")}}
    if any(not p.has_solution for p in plans):
        bad = [p for p in plans if not p.has_solution]
        status = "infeasible" if any(p.status == "infeasible" for p in bad) else bad[0].status
        text = "\n".join(p.diagnosis or p.status for p in bad)
        return empty_plan(problem, status, diagnosis=text, provenance=prov)
    moves = pd.concat([p.assignment[p.assignment["moves"]] for p in plans], ignore_index=True)
    moves = moves.assign(t=moves["transfer_year"].astype(int))
    est = {v: int(t) for p in plans for v, t in zip(p.vehicles["vehicle_id"], p.vehicles["established_year"]) if pd.notna(t)}
    opened = {s: int(t) for p in plans for s, t in zip(p.sites["site_id"], p.sites["opened_year"]) if pd.notna(t)}
    released = {b: int(t) for p in plans for b, t in zip(p.releases["site_id"], p.releases["released_year"])}
    obj = float(sum(p.objective_gbp for p in plans))
    bound = float(sum(p.bound_gbp if p.bound_gbp is not None else p.objective_gbp for p in plans))
    gap = abs(bound - obj) / max(abs(obj), 1e-9) if abs(bound - obj) > 1e-9 else 0.0
    status = "optimal" if all(s == "optimal" for s in statuses) else "feasible"
    plan = plan_from_decisions(problem, moves, est, opened, status, released=released, objective_gbp=obj, bound_gbp=bound, gap=gap,
                               solve_seconds=float(sum(p.solve_seconds or 0 for p in plans)), provenance=prov)
    plan.violations = check_plan(problem, plan)
    prov["timings"] = {"wall_seconds": time.perf_counter() - t0}
    return plan
