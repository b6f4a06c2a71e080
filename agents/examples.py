"""Example inputs: a Lancashire-like partner set (illustrative figures) and random small scenarios for tests.

The Lancashire set follows the partner list, boards and timetable of the Lancashire business case (ICA, five
Wellbeing Corporations on STP footprints, Combined Authority transfers; horizon from April 2017). Budgets,
benefit shares and dispositions are round illustrative numbers, not the study's data: appraisal builds the real
inputs from a study and a plan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .inputs import BuyInInputs

# footprint → (unitary, districts, acute trusts, CCGs)
FOOTPRINTS = {
    "FYL": ("Blackpool", ["Fylde", "Wyre"], ["Blackpool Teaching Hospitals"], ["Blackpool CCG", "Fylde & Wyre CCG"]),
    "MBY": (None, ["Lancaster"], ["Univ. Hospitals of Morecambe Bay"], ["Morecambe Bay CCG"]),
    "CEN": (None, ["Preston", "Chorley", "South Ribble"], ["Lancashire Teaching Hospitals"],
            ["Greater Preston CCG", "Chorley & South Ribble CCG"]),
    "PEN": ("Blackburn with Darwen", ["Burnley", "Hyndburn", "Pendle", "Rossendale", "Ribble Valley"],
            ["East Lancashire Hospitals", "Airedale"], ["East Lancashire CCG", "Blackburn with Darwen CCG"]),
    "WLA": (None, ["West Lancashire"], ["Southport & Ormskirk"], ["West Lancashire CCG"]),
}
ALL_OUT_2019 = {"Fylde", "Wyre", "Lancaster", "Ribble Valley", "South Ribble"}  # others elect by thirds


def lancashire_like(n_partners: int = 60, horizon_months: int = 60) -> BuyInInputs:
    """About 60 Lancashire partners, 7 vehicles (ICA, WBC_FYL/MBY/CEN/PEN/WLA, CA), months from April 2017."""
    P = []  # partner_id, type, budget, pressure, risk appetite, boards, elections, turnover

    def add(pid, typ, budget, pressure, ra, boards="monthly", elections="", turnover=0.5):
        P.append((pid, typ, budget, pressure, ra, boards, elections, turnover))

    add("Lancashire County Council", "county council", 750e6, 0.9, 0.6, "monthly", "1,49", 0.5)
    add("Blackpool", "unitary council", 130e6, 0.7, 0.4, "monthly", "25", 0.5)
    add("Blackburn with Darwen", "unitary council", 140e6, 0.7, 0.4, "monthly", "13,25,49", 0.3)
    for fp in FOOTPRINTS.values():
        for d in fp[1]:
            add(d, "district council", 15e6, 0.5, 0.4, "bimonthly",
                "25" if d in ALL_OUT_2019 else "13,25,49", 0.5 if d in ALL_OUT_2019 else 0.3)
    add("Lancashire Combined Authority (shadow)", "combined authority", 5e6, 0.3, 0.7, "quarterly")
    for fp in FOOTPRINTS.values():
        for c in fp[3]:
            add(c, "CCG", 280e6, 0.6, 0.5, "bimonthly")
    add("NHS England (North)", "NHS England", 1.5e9, 0.4, 0.5, "quarterly")
    for fp in FOOTPRINTS.values():
        for a in fp[2]:
            add(a, "acute trust", 400e6, 0.8, 0.3, "monthly")
    add("Lancashire Care (mental health)", "mental health trust", 330e6, 0.6, 0.4, "monthly")
    add("Community health provider", "community trust", 120e6, 0.6, 0.4, "monthly")
    for k in FOOTPRINTS:
        add(f"GP federation {k}", "primary care", 40e6, 0.5, 0.5, "bimonthly")
    add("Lancashire Constabulary", "police", 260e6, 0.6, 0.5, "quarterly")
    add("Police and Crime Commissioner", "police governance", 5e6, 0.3, 0.5, "quarterly", "49", 0.5)
    add("Lancashire Fire and Rescue", "fire", 55e6, 0.5, 0.5, "quarterly")
    for k in FOOTPRINTS:
        add(f"CVS {k}", "voluntary sector", 3e6, 0.7, 0.6, "quarterly")
    for o in ("Sefton", "Bradford", "South Lakeland", "Barrow-in-Furness"):
        add(o, "out-of-area council", 20e6, 0.5, 0.4, "bimonthly", "25", 0.5)
    add("Lancashire LEP", "enterprise partnership", 10e6, 0.2, 0.7, "quarterly")
    add("Health and Wellbeing Board", "statutory board", 1e6, 0.3, 0.6, "quarterly")
    k = 1
    while len(P) < n_partners:
        add(f"Housing association {k}", "voluntary sector", 30e6, 0.5, 0.5, "quarterly")
        k += 1
    partners = pd.DataFrame(P[:max(n_partners, 1)], columns=["partner_id", "type", "budget_gbp", "financial_pressure",
                                                        "risk_appetite", "board_meeting_months", "election_month",
                                                        "turnover_prob"])
    partners.insert(1, "name", partners["partner_id"])
    budget = dict(zip(partners["partner_id"], partners["budget_gbp"]))
    present = set(budget)

    G, V = [], []  # governance rows; partner_value rows (share of own budget)

    def seat(veh, pid, w, veto=False, funds=False, net=0.0, cost=0.0, unc=None):
        if pid in present:
            G.append((veh, pid, w, veto, funds))
            V.append((pid, veh, net * budget[pid], cost * budget[pid], unc))

    ccgs = [c for fp in FOOTPRINTS.values() for c in fp[3]]
    seat("ICA", "Lancashire County Council", 3, veto=True, funds=True, net=0.030, cost=0.10, unc=0.5)
    seat("ICA", "Blackpool", 1, funds=True, net=0.025, cost=0.10, unc=0.5)
    seat("ICA", "Blackburn with Darwen", 1, funds=True, net=0.025, cost=0.10, unc=0.5)
    for c in ccgs:
        seat("ICA", c, 1, funds=True, net=0.015, cost=0.10, unc=0.6)
    seat("ICA", "NHS England (North)", 1, funds=True, net=0.003, cost=0.02, unc=0.4)
    for key, (uni, dists, acutes, fccgs) in FOOTPRINTS.items():
        veh = f"WBC_{key}"
        seat(veh, "Lancashire County Council", 2, veto=True, funds=True, net=0.015, cost=0.04, unc=0.7)
        if uni:
            seat(veh, uni, 2, veto=True, funds=True, net=0.030, cost=0.15, unc=0.7)
        for d in dists:
            seat(veh, d, 0.5, net=0.010, cost=0.0, unc=0.5)
        for a in acutes:
            seat(veh, a, 1.5, funds=True, net=-0.002, cost=0.08, unc=0.8)
        for c in fccgs:
            seat(veh, c, 1.5, veto=True, funds=True, net=0.020, cost=0.12, unc=0.7)
        seat(veh, "Lancashire Care (mental health)", 1, net=0.010, cost=0.05, unc=0.7)
        seat(veh, "Community health provider", 1, net=0.012, cost=0.10, unc=0.7)
        seat(veh, f"GP federation {key}", 1, net=0.020, cost=0.05, unc=0.6)
    seat("CA", "Lancashire County Council", 1, funds=True, net=0.010, cost=0.03, unc=0.3)
    seat("CA", "Blackpool", 1, funds=True, net=0.012, cost=0.03, unc=0.3)
    seat("CA", "Blackburn with Darwen", 1, funds=True, net=0.012, cost=0.03, unc=0.3)
    for fp in FOOTPRINTS.values():
        for d in fp[1]:
            seat("CA", d, 1, funds=True, net=0.020, cost=0.10, unc=0.4)

    governance = pd.DataFrame(G, columns=["vehicle_id", "partner_id", "voting_weight", "veto", "funds"])
    value = pd.DataFrame(V, columns=["partner_id", "vehicle_id", "net_benefit_gbp", "cost_share_gbp", "uncertainty"])
    vehicles = ["ICA", *[f"WBC_{k}" for k in FOOTPRINTS], "CA"]
    rules = pd.DataFrame({
        "vehicle_id": vehicles,
        "rule": ["qualified_majority"] + ["majority"] * 5 + ["unanimity"],
        "threshold": [0.75] + [np.nan] * 6,
        "require_all_funders": [True] * 6 + [False],
    })
    # plan: CA constituted for delivery Dec 2017, ICA Apr 2018, formal WBCs Apr 2019 (months from Apr 2017)
    planned = {"CA": 8, "ICA": 12} | {f"WBC_{k}": 24 for k in FOOTPRINTS}
    return BuyInInputs(partners=partners, governance=governance, rules=rules, partner_value=value,
                       planned_month=planned, horizon_months=horizon_months)


def random_inputs(seed: int, n_partners: int = 6, n_vehicles: int = 2, horizon_months: int = 24,
                  rules: tuple[str, ...] = ("unanimity", "majority", "qualified_majority"),
                  evidence: bool = False) -> BuyInInputs:
    """A small random scenario (for property tests): random members, weights, vetoes, funders and money; with
    `evidence`, also the documents' evidence (stances, decision dates, elections, profiles, dependencies)."""
    rng = np.random.default_rng(seed)
    pids = [f"p{i}" for i in range(n_partners)]
    vids = [f"v{j}" for j in range(n_vehicles)]
    cal = ["monthly", "bimonthly", "quarterly", "1,7"]
    partners = pd.DataFrame({
        "partner_id": pids, "name": pids, "type": rng.choice(["council", "ccg", "trust"], n_partners),
        "budget_gbp": rng.uniform(10e6, 500e6, n_partners),
        "financial_pressure": rng.uniform(0, 1, n_partners), "risk_appetite": rng.uniform(0, 1, n_partners),
        "board_meeting_months": [cal[k] for k in rng.integers(0, len(cal), n_partners)],
        "election_month": [str(int(m)) if m < horizon_months else "" for m in
                           rng.integers(0, 2 * horizon_months, n_partners)],
    })
    G, PV = [], []
    for v in vids:
        k = int(rng.integers(1, n_partners + 1))
        for p in rng.choice(pids, k, replace=False):
            G.append((v, p, float(rng.integers(1, 4)), bool(rng.random() < 0.2), bool(rng.random() < 0.5)))
        for i, p in enumerate(pids):
            b = partners["budget_gbp"].iloc[i]
            PV.append((p, v, rng.normal(0.005, 0.02) * b, rng.uniform(0, 0.2) * b))
    edges = [(a, b, float(rng.uniform(0.1, 2))) for i, a in enumerate(pids) for b in pids[i + 1:]
             if rng.random() < 0.5]
    governance = pd.DataFrame(G, columns=["vehicle_id", "partner_id", "voting_weight", "veto", "funds"])
    rule_rows = pd.DataFrame({"vehicle_id": vids, "rule": rng.choice(list(rules), n_vehicles),
                              "threshold": rng.uniform(0.5, 0.9, n_vehicles),
                              "require_all_funders": rng.random(n_vehicles) < 0.5})
    inputs = BuyInInputs(
        partners=partners, governance=governance, rules=rule_rows,
        partner_value=pd.DataFrame(PV, columns=["partner_id", "vehicle_id", "net_benefit_gbp", "cost_share_gbp"]),
        network=pd.DataFrame(edges, columns=["source", "target", "weight"]),
        planned_month={v: int(rng.integers(0, horizon_months)) for v in vids},
        horizon_months=horizon_months,
    )
    return _with_modes(inputs, np.random.default_rng(seed + 1), evidence) if evidence or \
        {"executive", "opt_in"} & set(rules) else inputs


def _with_modes(inputs: BuyInInputs, rng: np.random.Generator, evidence: bool) -> BuyInInputs:
    """Deciding bodies and minimum memberships for executive / opt-in vehicles; with `evidence`, also stances,
    known decision dates, a second election per partner, yearly money profiles and a dependency chain."""
    g, rules = inputs.governance, inputs.rules.copy()
    H, Y = inputs.horizon_months, inputs.n_years
    rules["lead_partner_id"] = [rng.choice(g.loc[g["vehicle_id"] == v, "partner_id"].to_numpy())
                                for v in rules["vehicle_id"]]
    rules["min_members"] = [int(rng.integers(1, (g["vehicle_id"] == v).sum() + 1)) for v in rules["vehicle_id"]]
    out = inputs.with_(rules=rules)
    if not evidence:
        return out
    pids, vids = inputs.partner_ids, inputs.vehicle_ids
    stances = ["confirmed", "in_principle", "undecided", "opposed"]
    ev = [(p, v, stances[int(rng.integers(0, 4))]) for p in pids for v in vids if rng.random() < 0.5]
    dd = [(p, (v if rng.random() < 0.7 else None), int(rng.integers(0, H))) for p in pids for v in vids
          if rng.random() < 0.3]
    el = [(p, int(rng.integers(0, H)), float(rng.uniform(0, 1))) for p in pids if rng.random() < 0.6]
    budget = dict(zip(inputs.partners["partner_id"], inputs.partners["budget_gbp"]))
    prof = [(p, v, y, budget[p] * rng.uniform(0, 0.03), budget[p] * rng.uniform(0, 0.03))
            for p in pids for v in vids if rng.random() < 0.5 for y in range(Y)]
    prof = pd.DataFrame(prof, columns=["partner_id", "vehicle_id", "year_index", "benefit_gbp", "cost_gbp"])
    pv = inputs.partner_value.copy()
    profiled = set(zip(prof["partner_id"], prof["vehicle_id"]))
    blank = [k in profiled for k in zip(pv["partner_id"], pv["vehicle_id"])]
    pv.loc[blank, ["net_benefit_gbp", "cost_share_gbp"]] = np.nan
    deps = [(vids[j], vids[j - 1], int(rng.integers(0, 2))) for j in range(1, len(vids)) if rng.random() < 0.6]
    return out.with_(
        partner_value=pv, value_profile=prof,
        evidence=pd.DataFrame(ev, columns=["partner_id", "vehicle_id", "stance"]),
        decision_dates=pd.DataFrame(dd, columns=["partner_id", "vehicle_id", "month"]),
        elections=pd.DataFrame(el, columns=["partner_id", "month", "turnover_prob"]),
        dependencies=pd.DataFrame(deps, columns=["vehicle_id", "requires_vehicle_id", "min_lag_years"]))
