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
