"""LLR-like case: eight services leave eight sites for at most two hubs, phased over three phases with
per-phase budgets. Figures from the business case: phase costs £703,600 / £1,171,200 / £398,300, savings
run rates £664,531 / £254,347 / £240,877 (each split here over the phase's services)."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from optimise import OptionRules, PlacementProblem, check_plan, compare_plans, evaluate_plan, solve

YEARS = ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]  # phases 1-3, then two run-on years
DF = 1 / 1.035 ** np.arange(len(YEARS))
# service: (document phase, one-off cost, savings run rate from the year after transfer, FTE)
SERVICES = {
    "S1": (0, 250_000, 300_000, 20), "S2": (0, 253_600, 214_531, 15), "S3": (0, 200_000, 150_000, 10),
    "S4": (1, 500_000, 120_000, 15), "S5": (1, 371_200, 84_347, 10), "S6": (1, 300_000, 50_000, 10),
    "S7": (2, 198_300, 140_877, 10), "S8": (2, 200_000, 100_000, 10),
}
HUBS = {"H1": 60, "H2": 50, "H3": 30, "H4": 20}  # FTE capacity; only H1 + H2 can hold all 100 FTE
BUDGET = [800_000, 700_000, 1_200_000, 0, 0]  # funding partners can find per phase (net of savings)


def llr_problem(rules=None) -> PlacementProblem:
    sv = pd.DataFrame({"service_id": list(SERVICES), "fte": [v[3] for v in SERVICES.values()],
                       "volume": 1.0, "current_vehicle_id": "LLR-sites", "current_site_id": [f"old-{s}" for s in SERVICES]})
    streams = []
    for s, (_, cost, save, _) in SERVICES.items():
        streams.append((s, "LLR-hubs", 0, 0.0, float(cost)))
        streams += [(s, "LLR-hubs", k, float(save), 0.0) for k in range(1, len(YEARS))]
    return PlacementProblem(
        name="LLR", years=YEARS, discount_factor=DF, services=sv,
        vehicles=pd.DataFrame({"vehicle_id": ["LLR-sites", "LLR-hubs"], "kind": ["status_quo", "shared_front_office"],
                               "earliest_year": [0, 0], "latest_year": [np.nan, 2], "max_sites": [np.nan, 2],
                               "is_status_quo": [True, False]}),
        placements=pd.DataFrame({"service_id": list(SERVICES), "vehicle_id": "LLR-hubs", "site_id": None}),
        placement_streams=pd.DataFrame(streams, columns=["service_id", "vehicle_id", "offset", "benefit_gbp", "cost_gbp"]),
        sites=pd.DataFrame({"site_id": list(HUBS), "vehicle_id": "LLR-hubs", "capacity_fte": list(HUBS.values()),
                            "fixed_cost_gbp_per_year": 0.0, "open_cost_gbp": 0.0, "must_open": False}),
        max_transfers_per_year=pd.Series([8, 8, 8, 0, 0]),
        funding_cap_yearly_gbp=pd.Series(BUDGET, dtype=float),
        rules=rules or OptionRules(name="hubs", status_quo_allowed=False),  # all eight old sites close
    )


def document_assignment() -> pd.DataFrame:
    hub = {"S1": "H1", "S2": "H1", "S3": "H1", "S4": "H1", "S5": "H2", "S6": "H2", "S7": "H2", "S8": "H2"}
    return pd.DataFrame({"service_id": list(SERVICES), "vehicle_id": "LLR-hubs", "site_id": [hub[s] for s in SERVICES],
                         "transfer_year": [v[0] for v in SERVICES.values()]})


def best_by_enumeration() -> float:
    """Optimal phasing by enumerating 3^8 phase choices (hubs do not change money here)."""
    cost = np.array([v[1] for v in SERVICES.values()], float)
    save = np.array([v[2] for v in SERVICES.values()], float)
    best = -math.inf
    for phases in itertools.product(range(3), repeat=8):
        net = np.zeros(len(YEARS))
        for c, s, t in zip(cost, save, phases):
            net[t] -= c
            net[t + 1:] += s
        if np.all(-net <= np.array(BUDGET) + 1e-6):
            best = max(best, float(net @ DF))
    return best


def test_reproduce_document_phases_gives_the_document_split():
    problem = llr_problem()
    plan = solve(problem, mode="reproduce", assignment=document_assignment())
    assert plan.status == "optimal" and plan.violations == []
    cost = plan.profile["cost_gbp"].round(2).tolist()
    benefit = plan.profile["benefit_gbp"].round(2).tolist()
    assert cost[:3] == [703_600.0, 1_171_200.0, 398_300.0]
    assert benefit[:4] == [0.0, 664_531.0, 664_531.0 + 254_347.0, 664_531.0 + 254_347.0 + 240_877.0]
    assert sorted(plan.sites.loc[plan.sites["open"], "site_id"]) == ["H1", "H2"]
    assert math.isclose(plan.objective_gbp, evaluate_plan(problem, plan).npv_gbp, abs_tol=1e-4)
    assert math.isclose(plan.objective_gbp, plan.profile["discounted_net_gbp"].sum(), abs_tol=1e-4)


def test_optimised_phasing_at_most_two_hubs_within_budgets():
    problem = llr_problem()
    plan = solve(problem)
    assert plan.status == "optimal" and plan.violations == [] and check_plan(problem, plan) == []
    assert sorted(plan.sites.loc[plan.sites["open"], "site_id"]) == ["H1", "H2"]  # only pair with capacity
    assert plan.assignment["moves"].all()
    need = -plan.profile["net_gbp"].to_numpy()
    assert np.all(need <= np.array(BUDGET) + 1e-6)
    assert plan.objective_gbp == pytest.approx(best_by_enumeration(), abs=1e-3)
    doc = solve(problem, mode="reproduce", assignment=document_assignment())
    assert plan.objective_gbp >= doc.objective_gbp - 1e-6
    cmp = compare_plans(problem, doc, plan)
    assert cmp["npv_gain_gbp"] == pytest.approx(plan.npv_gbp - doc.npv_gbp, abs=1e-6)
    assert cmp["npv_gain_gbp"] > 0
    assert len(cmp["changes"]) > 0 and "NPV gained" in cmp["summary"]


def test_tighter_first_phase_budget_is_diagnosed_in_words():
    budget = list(BUDGET)
    budget[0] = 600_000  # the document's phase 1 needs £703,600 and nothing earns in phase 1
    problem = llr_problem()
    problem.funding_cap_yearly_gbp = pd.Series(budget, dtype=float)
    plan = solve(problem, mode="reproduce", assignment=document_assignment())
    assert plan.status == "infeasible"
    assert "Funding cap in 2019/20 is £0.10m short" in plan.diagnosis  # 703,600 - 600,000 = 103,600
    assert "transfers into LLR-hubs £0.70m" in plan.diagnosis
    f = plan.provenance["findings"][0]
    assert f["family"] == "funding_yearly" and f["key"] == 0 and f["shortfall"] == pytest.approx(103_600, abs=1)
