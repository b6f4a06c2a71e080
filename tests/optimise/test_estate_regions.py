"""Estates split by region: independent blocks and the Lagrangian decomposition carry buildings, their
release money, shared sites and the option rules on them, and agree with the monolithic model.

Regions are random estate instances (estate_instances.estate_problem) with every id prefixed, side by
side in one problem (one status-quo vehicle for all); the coupled cases add a national shared vehicle and
a national cumulative funding cap.
"""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from optimise import OptionRules, PlacementProblem, check_plan, evaluate_plan, independent_blocks, solve, solve_coupled, \
    solve_decomposed
from optimise.decompose import subproblem
from optimise.estates import release_money
from estate_instances import estate_problem


def prefixed(p: PlacementProblem, tag: str) -> PlacementProblem:
    P = p.normalised()

    def ren(df, cols):
        return df.assign(**{c: [None if x is None else ("" if x == "" else tag + x) for x in df[c]] for c in cols})

    veh = P.vehicles.assign(vehicle_id=[v if q else tag + v for v, q in zip(P.vehicles["vehicle_id"], P.vehicles["is_status_quo"])])
    return dataclasses.replace(
        P, services=ren(P.services, ["service_id", "current_site_id"]), vehicles=veh,
        placements=ren(P.placements, ["service_id", "vehicle_id", "site_id"]),
        placement_streams=ren(P.placement_streams, ["service_id", "vehicle_id", "site_id"]),
        vehicle_streams=ren(P.vehicle_streams, ["vehicle_id"]), sites=ren(P.sites, ["site_id", "vehicle_id"]),
        buildings=ren(P.buildings, ["site_id"]), release_streams=ren(P.release_streams, ["site_id"]),
        rules=P.rules.replace(kept_buildings=tuple(tag + b for b in P.rules.kept_buildings)))


TABLES = ("services", "placements", "placement_streams", "vehicle_streams", "sites", "buildings", "release_streams")


def side_by_side(parts: list, **changes) -> PlacementProblem:
    first = parts[0]
    veh = pd.concat([p.vehicles for p in parts], ignore_index=True).drop_duplicates("vehicle_id")
    return dataclasses.replace(
        first, vehicles=veh, name="regions", funding_cap_yearly_gbp=None,
        rules=first.rules.replace(kept_buildings=tuple(b for p in parts for b in p.rules.kept_buildings)),
        **{f: pd.concat([getattr(p, f) for p in parts], ignore_index=True) for f in TABLES}, **changes)


def regions_of(seeds, T):
    return [prefixed(estate_problem(s, T=T), f"R{k}-") for k, s in enumerate(seeds)]


def release_value(P, plan) -> float:
    b, c = release_money(P.normalised(), dict(zip(plan.releases["site_id"], plan.releases["released_year"])))
    return float((b - c) @ P.normalised().discount_factor)


CASES = [((0, 2), 3), ((6, 8, 9), 3), ((14, 16, 17), 2), ((21, 23, 5), 2), ((10, 11, 12), 3), ((26, 29, 31), 3), ((1, 3), 2)]


@pytest.mark.parametrize("seeds,T", CASES)
def test_decomposed_estates_match_the_whole(seeds, T):
    parts = regions_of(seeds, T)
    problem = side_by_side(parts)
    blocks = independent_blocks(problem)
    # estates no longer force one block: every region is at least one block, and no block crosses regions
    assert len(blocks) >= len(seeds)
    assert all(len({s.split("-")[0] for s in b}) == 1 for b in blocks), blocks
    whole = solve(problem, rel_gap=1e-9)
    split = solve_decomposed(problem, rel_gap=1e-9)
    assert whole.status == "optimal" and split.status == "optimal"
    assert split.violations == [] and check_plan(problem, split) == []
    assert math.isclose(split.objective_gbp, whole.objective_gbp, rel_tol=1e-6, abs_tol=1e-6)
    assert math.isclose(evaluate_plan(problem, split).npv_gbp, split.objective_gbp, rel_tol=1e-9, abs_tol=1e-6)
    # each region alone has the optimum of its own instance (the merge loses nothing, adds nothing)
    alone = sum(solve(dataclasses.replace(p, funding_cap_yearly_gbp=None), rel_gap=1e-9).objective_gbp for p in parts)
    assert math.isclose(split.objective_gbp, alone, rel_tol=1e-6, abs_tol=1e-6)
    # the releases are carried into the merged plan and are an optimal choice for the whole problem: the whole
    # model with exactly these releases (every other building kept) has the same optimum (optima may tie: seeds
    # 26, 29, 31 give two optimal plans whose releases are worth 74.11 and 64.77)
    rel = dict(zip(split.releases["site_id"], split.releases["released_year"]))
    P = problem.normalised()
    assert set(rel) <= set(P.buildings["site_id"]) and len(split.releases) == len(rel)
    fixed = problem.with_rules(problem.rules.replace(
        forced_releases=rel, kept_buildings=tuple(sorted(set(P.buildings["site_id"]) - set(rel)))))
    again = solve(fixed, rel_gap=1e-9)
    assert math.isclose(again.objective_gbp, whole.objective_gbp, rel_tol=1e-6, abs_tol=1e-6)
    assert dict(zip(again.releases["site_id"], again.releases["released_year"])) == rel
    assert math.isclose(release_value(problem, again), release_value(problem, split), rel_tol=1e-9, abs_tol=1e-9)
    if set(rel.items()) == set(zip(whole.releases["site_id"], whole.releases["released_year"])):
        assert math.isclose(release_value(problem, split), release_value(problem, whole), rel_tol=1e-9, abs_tol=1e-9)


def test_the_decomposed_instances_release_and_colocate():
    """The cases above exercise the families: releases and moves into the shared buildings occur."""
    released = colocated = blocks = 0
    for seeds, T in CASES:
        problem = side_by_side(regions_of(seeds, T))
        blocks += len(independent_blocks(problem))
        plan = solve_decomposed(problem, rel_gap=1e-9)
        released += len(plan.releases)
        mv = plan.assignment[plan.assignment["moves"]]
        colocated += int(mv["site_id"].str.endswith("-B0").sum() + mv["site_id"].str.endswith("-B1").sum())
    assert blocks == 19  # 19 regions, one block each
    assert released >= 10 and colocated >= 20, (released, colocated)  # 13 and 27 measured


def test_subproblem_carries_the_estate_and_its_rules():
    parts = regions_of((2, 3), 3)
    problem = side_by_side(parts)
    problem = problem.with_rules(problem.rules.replace(kept_buildings=("R0-B0",), forced_releases={"R1-B1": 2},
                                                       closed_sites=("R0-V0s0",)))
    P = problem.normalised()
    r1 = sorted(s for s in P.services["service_id"] if s.startswith("R1-"))
    sub = subproblem(problem, r1)
    assert sorted(sub.buildings["site_id"]) == sorted(b for b in P.buildings["site_id"] if b.startswith("R1-"))
    assert set(sub.release_streams["site_id"]) == set(sub.buildings["site_id"])
    assert len(sub.release_streams) == int(P.release_streams["site_id"].str.startswith("R1-").sum())
    assert {"R1-B0", "R1-B1"} <= set(sub.sites["site_id"]) and not any(k.startswith("R0-") for k in sub.sites["site_id"])
    assert sub.rules.kept_buildings == () and sub.rules.forced_releases == {"R1-B1": 2}
    assert sub.rules.closed_sites == ()


def _release_pays(T=3, cap=None):
    """Two regions; in each, service S sits in building B today and may move to vehicle V (no sites) at a
    loss; releasing B (lease break in year 0) pays a capital receipt and saves its running cost. Only the
    release makes the move worth it, and only the receipt makes it fit a cumulative funding cap."""
    rows = {k: [] for k in ("services", "placements", "ps", "vs", "sites", "buildings", "rs")}
    vehicles = [("SQ", "council", 0, True)]
    for r in ("N", "S"):
        rows["services"].append((f"{r}-S", 5.0, 1.0, "SQ", f"{r}-B"))
        vehicles.append((f"{r}-V", "ca", 0, False))
        rows["placements"].append((f"{r}-S", f"{r}-V", None))
        rows["ps"] += [(f"{r}-S", f"{r}-V", 0, 0.0, 60.0)] + [(f"{r}-S", f"{r}-V", k, 10.0, 0.0) for k in (1, 2)]
        rows["vs"].append((f"{r}-V", 0, 0.0, 5.0))
        rows["sites"].append((f"{r}-B", None, 5.0, 0.0, 0.0, False))
        rows["buildings"].append((f"{r}-B", 0))
        rows["rs"] += [(f"{r}-B", 0, 50.0, 0.0)] + [(f"{r}-B", k, 20.0, 0.0) for k in range(T)]
    return PlacementProblem(
        years=[f"20{20 + t}/{21 + t}" for t in range(T)], discount_factor=1 / 1.035 ** np.arange(T),
        services=pd.DataFrame(rows["services"], columns=["service_id", "fte", "volume", "current_vehicle_id", "current_site_id"]),
        vehicles=pd.DataFrame(vehicles, columns=["vehicle_id", "kind", "earliest_year", "is_status_quo"]),
        placements=pd.DataFrame(rows["placements"], columns=["service_id", "vehicle_id", "site_id"]),
        placement_streams=pd.DataFrame(rows["ps"], columns=["service_id", "vehicle_id", "offset", "benefit_gbp", "cost_gbp"]),
        vehicle_streams=pd.DataFrame(rows["vs"], columns=["vehicle_id", "offset", "benefit_gbp", "cost_gbp"]),
        sites=pd.DataFrame(rows["sites"], columns=["site_id", "vehicle_id", "capacity_fte", "fixed_cost_gbp_per_year",
                                                   "open_cost_gbp", "must_open"]),
        buildings=pd.DataFrame(rows["buildings"], columns=["site_id", "release_from"]),
        release_streams=pd.DataFrame(rows["rs"], columns=["site_id", "offset", "benefit_gbp", "cost_gbp"]),
        funding_cap_cumulative_gbp=cap, rules=OptionRules(name="estate"), name="release pays")


def _hand_npv(T=3):
    df = 1 / 1.035 ** np.arange(T)
    move = -65.0 + 10.0 * (df[1] + df[2])  # transfer cost 60 and set-up 5 in year 0, benefit 10 in years 1, 2
    release = 50.0 + 20.0 * df.sum()  # receipt in year 0, running cost saved every year from year 0
    return move, release


def test_release_money_is_carried_into_each_block():
    problem = _release_pays()
    move, release = _hand_npv()
    assert move < 0 < move + release  # moving alone loses money: only the release makes it pay
    assert independent_blocks(problem) == [["N-S"], ["S-S"]]
    whole, split = solve(problem), solve_decomposed(problem)
    assert whole.objective_gbp == pytest.approx(2 * (move + release), abs=1e-6)
    assert split.objective_gbp == pytest.approx(2 * (move + release), abs=1e-6)  # dropped release money: 0
    assert dict(zip(split.releases["site_id"], split.releases["released_year"])) == {"N-B": 0, "S-B": 0}
    assert check_plan(problem, split) == [] and split.provenance["decomposition"]["blocks"] == 2


def test_coupled_release_receipts_fund_the_cap():
    """Cumulative cap £25 nationally: moving costs £65 in year 0, so a region can move only if its release
    receipt (£50) and saving (£20) count in its net position (then year 0 nets +£5 per region)."""
    problem = _release_pays(cap=25.0)
    move, release = _hand_npv()
    whole = solve(problem, rel_gap=1e-9)
    assert whole.objective_gbp == pytest.approx(2 * (move + release), abs=1e-6)
    plan = solve_coupled(problem, regions=[["N-S"], ["S-S"]], time_limit=60, rel_gap=1e-6)
    assert plan.provenance["decomposition"]["method"] == "lagrange" and plan.provenance["decomposition"]["regions"] == 2
    assert plan.violations == [] and check_plan(problem, plan) == []
    assert plan.npv_gbp == pytest.approx(2 * (move + release), abs=1e-6)  # dropped release money: status quo, 0
    assert plan.bound_gbp >= whole.objective_gbp - 1e-6 and plan.bound_gbp >= plan.npv_gbp - 1e-6
    assert dict(zip(plan.releases["site_id"], plan.releases["released_year"])) == {"N-B": 0, "S-B": 0}
    # the funding figures of the plan are the whole problem's
    ev = evaluate_plan(problem, plan)
    assert plan.profile["net_gbp"].tolist() == pytest.approx(ev.profile["net_gbp"].tolist())
    assert plan.profile["net_gbp"].tolist() == pytest.approx([2 * (70 - 65), 2 * (10 + 20), 2 * (10 + 20)])
    assert plan.peak_funding_gbp == pytest.approx(ev.peak_funding_gbp)


COUPLED = [((6, 8, 9), 3, 0.0), ((14, 16, 17), 3, 14.0), ((10, 11), 2, 14.0)]  # the last two caps bind (uncapped optimum 290.75, 98.98)


def _coupled_estates(seeds, T, cap):
    """Estate regions side by side, a national shared vehicle NAT (no sites of its own; some of its placements
    name the region's shared building) open to half the services of every region, and a national cumulative
    funding cap."""
    problem = side_by_side(regions_of(seeds, T))
    P = problem.normalised()
    svc = sorted(P.services["service_id"])[::2]
    # every other NAT placement co-locates into its region's shared building B0 (NAT has no sites of its own)
    nat_pl = pd.DataFrame({"service_id": svc, "vehicle_id": "NAT",
                           "site_id": [s.split("-")[0] + "-B0" if i % 2 else None for i, s in enumerate(svc)]})
    # NAT pays back a year after the transfer: a cap on the money found up front binds
    nat_ps = pd.DataFrame({"service_id": svc * 2, "vehicle_id": "NAT", "site_id": None, "offset": [0] * len(svc) + [1] * len(svc),
                           "benefit_gbp": [0.0] * len(svc) + [25.0 + 7 * (i % 3) for i in range(len(svc))],
                           "cost_gbp": [12.0] * len(svc) + [0.0] * len(svc), "from_year": 0})
    veh = pd.concat([P.vehicles, pd.DataFrame([{"vehicle_id": "NAT", "kind": "national", "earliest_year": 0,
                                                "latest_year": T - 1, "max_sites": np.nan, "is_status_quo": False}])],
                    ignore_index=True)
    vs = pd.concat([P.vehicle_streams, pd.DataFrame([{"vehicle_id": "NAT", "offset": 0, "benefit_gbp": 0.0,
                                                      "cost_gbp": 4.0, "from_year": 0}])], ignore_index=True)
    return dataclasses.replace(P, vehicles=veh, vehicle_streams=vs,
                               placements=pd.concat([P.placements, nat_pl], ignore_index=True),
                               placement_streams=pd.concat([P.placement_streams, nat_ps], ignore_index=True),
                               funding_cap_cumulative_gbp=cap)


@pytest.mark.parametrize("seeds,T,cap", COUPLED)
def test_coupled_estates_plan_and_bound(seeds, T, cap):
    problem = _coupled_estates(seeds, T, cap)
    regions = [sorted(s for s in problem.services["service_id"] if s.startswith(f"R{k}-")) for k in range(len(seeds))]
    whole = solve(problem, rel_gap=1e-9)
    assert whole.status == "optimal"
    plan = solve_coupled(problem, regions=regions, time_limit=60, rel_gap=1e-6)
    d = plan.provenance["decomposition"]
    assert d["method"] == "lagrange" and d["regions"] == len(seeds) and d["shared_vehicles"] == ["NAT"]
    assert plan.violations == [] and check_plan(problem, plan) == []
    assert plan.bound_gbp >= whole.objective_gbp - 1e-6 * max(abs(whole.objective_gbp), 1.0)
    assert plan.bound_gbp >= plan.npv_gbp - 1e-6
    assert plan.npv_gbp <= whole.objective_gbp + 1e-6
    ev = evaluate_plan(problem, plan)
    assert plan.npv_gbp == pytest.approx(ev.npv_gbp, abs=1e-6)
    assert plan.peak_funding_gbp == pytest.approx(ev.peak_funding_gbp, abs=1e-6) and ev.peak_funding_gbp <= cap + 1e-6
    assert plan.npv_gbp >= 0.99 * whole.objective_gbp, (plan.npv_gbp, plan.bound_gbp, whole.objective_gbp)  # equal, measured
    if seeds == (6, 8, 9):  # the national vehicle co-locates into a region's shared building
        mv = plan.assignment[plan.assignment["moves"] & (plan.assignment["vehicle_id"] == "NAT")]
        assert ("R1-S3", "R1-B0") in set(zip(mv["service_id"], mv["site_id"]))
        assert plan.npv_gbp == pytest.approx(202.16432122103203, abs=1e-6)


def test_a_building_across_regions_is_refused_by_name():
    problem = _release_pays(cap=25.0)
    # a service of region 1 may move into region 0's building: the building ties the two regions
    extra = pd.DataFrame([{"service_id": "S-S", "vehicle_id": "N-V", "site_id": "N-B"}])
    crossed = dataclasses.replace(problem, placements=pd.concat([problem.placements, extra], ignore_index=True))
    with pytest.raises(ValueError) as err:
        solve_coupled(crossed, regions=[["N-S"], ["S-S"]], time_limit=10)
    msg = str(err.value)
    assert "building N-B is used by services of regions 0, 1" in msg and "region 0: N-S; region 1: S-S" in msg
    # found, not given, the regions keep the building whole: one region, solved as one model
    assert independent_blocks(dataclasses.replace(crossed, funding_cap_cumulative_gbp=None)) == [["N-S", "S-S"]]
    plan = solve_coupled(crossed, time_limit=10)
    assert plan.provenance["decomposition"]["regions"] == 1 and check_plan(crossed, plan) == []


def test_buildings_and_shared_sites_join_their_services_into_one_block():
    """A (in building B today) may move to VA; C may move into B with VC: B ties them (vacate, no_move_in).
    D and E may move into the shared site K with VD and VE: K's one opening and capacity tie them. F is alone."""
    T = 3
    services = pd.DataFrame({"service_id": list("ACDEF"), "fte": [2.0, 1.0, 2.0, 2.0, 1.0], "volume": 1.0,
                             "current_vehicle_id": "SQ", "current_site_id": ["B", None, None, None, None]})
    vehicles = pd.DataFrame({"vehicle_id": ["SQ", "VA", "VC", "VD", "VE", "VF"], "kind": ["council"] + ["ca"] * 5,
                             "earliest_year": 0, "is_status_quo": [True] + [False] * 5})
    placements = pd.DataFrame({"service_id": list("ACDEF"), "vehicle_id": ["VA", "VC", "VD", "VE", "VF"],
                               "site_id": [None, "B", "K", "K", None]})
    ps = pd.DataFrame({"service_id": list("ACDEF"), "vehicle_id": ["VA", "VC", "VD", "VE", "VF"], "offset": 0,
                       "benefit_gbp": [30.0, 25.0, 20.0, 18.0, 9.0], "cost_gbp": [10.0, 5.0, 4.0, 4.0, 3.0]})
    sites = pd.DataFrame({"site_id": ["B", "K"], "vehicle_id": [None, None], "capacity_fte": [3.0, 3.0],
                          "fixed_cost_gbp_per_year": [0.0, 1.0], "open_cost_gbp": [0.0, 6.0], "must_open": False})
    problem = PlacementProblem(
        years=[f"Y{t}" for t in range(T)], discount_factor=1 / 1.035 ** np.arange(T), services=services,
        vehicles=vehicles, placements=placements, placement_streams=ps, sites=sites,
        buildings=pd.DataFrame({"site_id": ["B"], "release_from": [1]}),
        release_streams=pd.DataFrame({"site_id": ["B"] * 2, "offset": [0, 1], "benefit_gbp": [12.0, 12.0], "cost_gbp": 0.0}))
    from optimise import find_regions

    assert independent_blocks(problem) == [["A", "C"], ["D", "E"], ["F"]]
    assert find_regions(problem) == [["A", "C"], ["D", "E"], ["F"]]
    whole, split = solve(problem, rel_gap=1e-9), solve_decomposed(problem, rel_gap=1e-9)
    assert split.provenance["decomposition"]["blocks"] == 3 and check_plan(problem, split) == []
    assert split.objective_gbp == pytest.approx(whole.objective_gbp, abs=1e-6)
    # K holds 3 FTE: only one of D and E moves there (D: it nets 16 against E's 14)
    mv = split.assignment[split.assignment["moves"]]
    assert "D" in set(mv["service_id"]) and "E" not in set(mv["service_id"])
    # releasing B (12 a year for two years, from year 1) beats moving C into it (20 once): C stays
    assert "C" not in set(mv["service_id"]) and split.objective_gbp == pytest.approx(57.19792760624519, abs=1e-6)
    assert dict(zip(split.releases["site_id"], split.releases["released_year"])) == {"B": 1} == dict(
        zip(whole.releases["site_id"], whole.releases["released_year"]))


def test_reproduce_mode_splits_the_fixed_plan_and_its_releases():
    """A document's plan with its releases, appraised block by block: each block keeps only its own
    buildings' forced releases (a block forced to release another block's building was infeasible)."""
    problem = _release_pays()
    move, release = _hand_npv()
    best = solve(problem)
    for releases, npv in (({"N-B": 0, "S-B": 0}, 2 * (move + release)), ({"N-B": 0}, 2 * move + release)):
        whole = solve(problem, mode="reproduce", assignment=best.assignment, releases=releases)
        split = solve_decomposed(problem, mode="reproduce", assignment=best.assignment, releases=releases)
        assert whole.status == split.status == "optimal" and split.provenance["decomposition"]["blocks"] == 2
        assert split.objective_gbp == pytest.approx(npv, abs=1e-6) == whole.objective_gbp
        assert dict(zip(split.releases["site_id"], split.releases["released_year"])) == releases
        assert split.provenance["mode"] == "reproduce" and split.violations == []


def test_a_shared_site_that_must_open_and_nobody_uses_is_not_dropped():
    """No block or region would carry it: solve_decomposed keeps the problem whole (infeasible, diagnosed, as
    solve says) and solve_coupled refuses it by name."""
    problem = _release_pays()
    hq = pd.DataFrame([{"site_id": "HQ", "vehicle_id": None, "capacity_fte": 10.0, "fixed_cost_gbp_per_year": 0.0,
                        "open_cost_gbp": 0.0, "must_open": True}])
    q = dataclasses.replace(problem, sites=pd.concat([problem.sites, hq], ignore_index=True))
    assert independent_blocks(q) == [["N-S", "S-S"]]
    assert solve(q).status == "infeasible" and solve_decomposed(q).status == "infeasible"
    with pytest.raises(ValueError, match="shared site HQ must open but no service is there today or may move there"):
        solve_coupled(dataclasses.replace(q, funding_cap_cumulative_gbp=25.0), regions=[["N-S"], ["S-S"]], time_limit=10)
