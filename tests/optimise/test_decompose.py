"""Independent blocks are found and solved separately; the merged plan equals the monolithic optimum."""

import dataclasses

import pandas as pd
import pytest

from optimise import check_plan, independent_blocks, solve, solve_decomposed
from opt_instances import random_problem


def prefixed(p, tag):
    ren = lambda df, cols: df.assign(**{c: tag + df[c].astype(str) for c in cols})  # noqa: E731
    P = p.normalised()
    veh = P.vehicles.copy()
    veh["vehicle_id"] = tag + veh["vehicle_id"]
    return dataclasses.replace(
        P, services=ren(P.services, ["service_id", "current_vehicle_id"]), vehicles=veh,
        placements=ren(P.placements, ["service_id", "vehicle_id"]),
        placement_streams=ren(P.placement_streams, ["service_id", "vehicle_id"]),
        vehicle_streams=ren(P.vehicle_streams, ["vehicle_id"]), sites=ren(P.sites, ["site_id", "vehicle_id"]))


def test_two_regions_solved_apart_match_the_whole():
    a, b = prefixed(random_problem(8, n_vehicles=2, T=3, seed=4), "N-"), prefixed(random_problem(8, n_vehicles=2, T=3, seed=5), "S-")
    both = dataclasses.replace(a, **{f: pd.concat([getattr(a, f), getattr(b, f)], ignore_index=True) for f in
                                     ("services", "vehicles", "placements", "placement_streams", "vehicle_streams", "sites")},
                               max_transfers_per_year=None)
    blocks = independent_blocks(both)
    assert len(blocks) == 2 and all(len(x) == 8 for x in blocks)
    whole = solve(both)
    parts = solve_decomposed(both)
    assert parts.status == "optimal" and parts.violations == [] and check_plan(both, parts) == []
    assert parts.objective_gbp == pytest.approx(whole.objective_gbp, abs=1e-3)
    assert parts.npv_gbp == pytest.approx(parts.objective_gbp, abs=1e-3)
    assert parts.provenance["decomposition"]["blocks"] == 2
    # a national limit couples the regions: one block
    assert len(independent_blocks(dataclasses.replace(both, funding_cap_cumulative_gbp=1e6))) == 1


def test_a_vehicle_without_placements_is_carried_by_one_block():
    """A vehicle established on its own merit (no placements) was dropped by every block: its NPV was lost."""
    from optimise.decompose import block_parts
    from test_standalone_vehicles import problem as standalone

    p = standalone(80.0).normalised()  # ica: no placements, worth (-100 + 80)/1.035 + 80/1.035^2 alone
    two = dataclasses.replace(
        p, services=pd.concat([p.services, p.services.assign(service_id="s2")], ignore_index=True),
        vehicles=pd.concat([p.vehicles, p.vehicles[p.vehicles["vehicle_id"] == "hub"].assign(vehicle_id="hub2")], ignore_index=True),
        placements=pd.concat([p.placements, p.placements.assign(service_id="s2", vehicle_id="hub2")], ignore_index=True),
        placement_streams=pd.concat([p.placement_streams, p.placement_streams.assign(service_id="s2", vehicle_id="hub2")],
                                    ignore_index=True))
    blocks, alone = block_parts(two.normalised())
    assert blocks == [["s1"], ["s2"]] and alone == [{"ica"}, set()]
    ica = (-100 + 80) / 1.035 + 80 / 1.035**2
    whole, split = solve(two), solve_decomposed(two)
    assert whole.objective_gbp == pytest.approx(ica + 10.0)  # hub2 has no set-up cost: s2 moves for 10
    assert split.objective_gbp == pytest.approx(whole.objective_gbp) and check_plan(two, split) == []
    assert split.vehicles.set_index("vehicle_id").at["ica", "established_year"] == 1
    # a vehicle that requires ica (lag 1) keeps ica in its block
    dep = dataclasses.replace(two, vehicle_dependencies=pd.DataFrame(
        {"vehicle_id": ["hub2"], "requires_vehicle_id": ["ica"], "min_lag_years": [1]}))
    blocks, alone = block_parts(dep.normalised())
    assert blocks == [["s1"], ["s2"]] and alone == [set(), {"ica"}]
    whole, split = solve(dep), solve_decomposed(dep)
    assert split.objective_gbp == pytest.approx(whole.objective_gbp) and check_plan(dep, split) == []
    assert whole.objective_gbp == pytest.approx(ica + 10.0 / 1.035**2)  # s2 can move only in 2026/27
    # the Lagrangian decomposition carries ica too (in the region of the vehicle that requires it): before,
    # its bound left ica out and fell below the optimum
    from optimise import solve_coupled

    capped = dataclasses.replace(dep, funding_cap_cumulative_gbp=1000.0)
    plan = solve_coupled(capped, regions=[["s1"], ["s2"]], time_limit=20)
    assert plan.provenance["decomposition"]["method"] == "lagrange" and check_plan(capped, plan) == []
    assert plan.npv_gbp == pytest.approx(whole.objective_gbp) and plan.bound_gbp >= whole.objective_gbp - 1e-6
    # a dependency between vehicles of two regions is a coupling row the decomposition does not relax
    crossed = dataclasses.replace(capped, vehicle_dependencies=pd.DataFrame(
        {"vehicle_id": ["hub2"], "requires_vehicle_id": ["hub"], "min_lag_years": [0]}))
    with pytest.raises(ValueError, match=r"vehicle dependency hub2 -> hub crosses regions \(hub2 in region 1, hub in region 0\)"):
        solve_coupled(crossed, regions=[["s1"], ["s2"]], time_limit=20)
    # found, not given, the regions keep a dependency inside one region: here one region, solved as one model
    from optimise import find_regions

    assert find_regions(crossed) == [["s1", "s2"]]
    assert solve_coupled(crossed, time_limit=20).provenance["decomposition"]["regions"] == 1


def test_a_current_vehicle_goes_only_with_its_own_placements():
    """s1 is in trust today and may move to hub; s2 may move into trust (worth 20 once established). The
    block of s1 carried trust (as s1's current vehicle) with no placements, so established it on its own
    merit as well: the merged objective said 50 against an NPV of 30."""
    import numpy as np

    from optimise import PlacementProblem

    p = PlacementProblem(
        years=["Y0", "Y1"], discount_factor=np.array([1.0, 1 / 1.035]),
        services=pd.DataFrame({"service_id": ["s1", "s2"], "fte": 1.0, "volume": 1.0,
                               "current_vehicle_id": ["trust", "sq"], "current_site_id": None}),
        vehicles=pd.DataFrame({"vehicle_id": ["sq", "trust", "hub"], "kind": ["council", "trust", "hub"],
                               "earliest_year": 0, "is_status_quo": [True, False, False]}),
        placements=pd.DataFrame({"service_id": ["s1", "s2"], "vehicle_id": ["hub", "trust"], "site_id": None}),
        placement_streams=pd.DataFrame({"service_id": ["s1", "s2"], "vehicle_id": ["hub", "trust"], "offset": 0,
                                        "benefit_gbp": [5.0, 5.0], "cost_gbp": 0.0}),
        vehicle_streams=pd.DataFrame({"vehicle_id": ["trust"], "offset": [0], "benefit_gbp": [20.0], "cost_gbp": [0.0]}))
    assert independent_blocks(p) == [["s1"], ["s2"]]
    whole, split = solve(p), solve_decomposed(p)
    assert whole.objective_gbp == pytest.approx(30.0) and split.objective_gbp == pytest.approx(30.0)
    assert split.npv_gbp == pytest.approx(split.objective_gbp) and check_plan(p, split) == []
    from optimise import solve_coupled

    capped = dataclasses.replace(p, funding_cap_cumulative_gbp=100.0)
    plan = solve_coupled(capped, regions=[["s1"], ["s2"]], time_limit=20)
    assert plan.npv_gbp == pytest.approx(30.0) and plan.bound_gbp == pytest.approx(30.0, abs=1e-6)
