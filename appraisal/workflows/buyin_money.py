"""Expected NPSV under buy-in: each simulated run's plan through THE money function.

A run of the buy-in model says, per vehicle, when it went live (or that it never did) and, for an opt-in
vehicle, which partners joined. That run's plan is the plan as given with

- each vehicle later by its run's delay (`Plan.with_vehicle_delays`: whole years, the go-live month's year
  minus the plan's year, never earlier; a vehicle never agreed within the horizon is not established and its
  services do not move), and
- each opt-in vehicle's membership (`Plan.with_non_members`: the partners on its board that did not join;
  their services stay where they are and the vehicle's lines they pay or receive drop out — the rule is in
  docs/money.md, "Opt-in membership"),

appraised by `plan_money` and the metrics' discounting, so a delayed plan written to a plan table and appraised
by `reformkit appraise --plan FILE` gives the same NPSV (tested). Runs with the same relevant delays and
membership share one appraisal (cached).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from appraisal.money.ledger import plan_money
from appraisal.money.membership import relevant_partners
from appraisal.money.metrics import adjust, study_discount_factors
from appraisal.money.plans import Plan
from appraisal.study import Study


def plan_npsv(study: Study, plan: Plan) -> float:
    """NPSV of a plan: the ledger's adjusted money, discounted (the `npsv_gbp` of `appraise_plan`, tested)."""
    streams = adjust(plan_money(study, plan.option_id, plan).streams, study)
    if streams.empty:
        return 0.0
    df = study_discount_factors(study)
    sign = np.where(streams["kind"] == "benefit", 1.0, np.where(streams["kind"] == "cost", -1.0, 0.0))
    return float(np.sum(sign * df[streams["t"].to_numpy(int)] * streams["adj_amount_gbp"].to_numpy(float)))


def run_plans(study: Study, plan: Plan, outcomes: pd.DataFrame, membership: pd.DataFrame,
              opt_in: dict[str, list[str]]) -> list[tuple[dict, dict]]:
    """Per run (in run order): (delays by vehicle, non-members by opt-in vehicle) of the plan's vehicles.

    `opt_in`: opt-in vehicle → its board's partners. Only vehicles the plan establishes count; a delay is in
    whole periods of the plan's axis (years in a yearly study: go-live year − planned year, at least 0; None = never established within the horizon)."""
    planned, k = plan.vehicles, study.periods_per_year
    joined: dict[tuple[int, str], set] = {}
    for r in membership.itertuples(index=False):
        joined.setdefault((int(r.run), r.vehicle_id), set()).add(r.partner_id)
    out = []
    for run, group in outcomes.groupby("run", sort=True):  # a plan using none of the vehicles: every run is the plan
        delays, non_members = {}, {}
        for r in group[group["vehicle_id"].isin(planned)].itertuples(index=False):
            m = r.established_month
            # the go-live month's period (its year in a yearly study) − the planned period, at least 0
            delays[r.vehicle_id] = None if np.isnan(m) else max(0, int(m) * k // 12 - planned[r.vehicle_id])
            if r.vehicle_id in opt_in and delays[r.vehicle_id] is not None:
                members = joined.get((int(run), r.vehicle_id), set())
                non_members[r.vehicle_id] = tuple(sorted(set(opt_in[r.vehicle_id]) - members))
        out.append((delays, non_members))
    return out


def buyin_plan(study: Study, plan: Plan, delays: dict, non_members: dict) -> Plan:
    """The plan one run realises: its delays, then the opt-in vehicles' non-members."""
    return plan.with_vehicle_delays(delays).with_non_members(study, non_members)


def expected_npsv(study: Study, plan: Plan, outcomes: pd.DataFrame, membership: pd.DataFrame,
                  opt_in: dict[str, list[str]]) -> dict:
    """Expected NPSV under buy-in (the mean over runs of each run's plan's NPSV), the NPSV as planned, and how
    much of the spread opt-in membership carries."""
    relevant = {v: relevant_partners(study, plan, v) for v in opt_in}
    cache: dict[tuple, float] = {}
    values, partial = [], 0
    for delays, non_members in run_plans(study, plan, outcomes, membership, opt_in):
        kept = {v: tuple(p for p in ps if p in relevant[v]) for v, ps in non_members.items()}
        kept = {v: ps for v, ps in kept.items() if ps}
        partial += bool(kept)
        key = (tuple(sorted(delays.items(), key=lambda kv: kv[0])), tuple(sorted(kept.items())))
        if key not in cache:
            cache[key] = plan_npsv(study, buyin_plan(study, plan, delays, kept))
        values.append(cache[key])
    return {"npsv_as_planned_gbp": plan_npsv(study, plan),
            "expected_npsv_under_buyin_gbp": float(np.mean(values)) if values else None,
            "runs": len(values), "plans_appraised": len(cache),
            "runs_with_partial_membership": partial,
            "opt_in_vehicles": sorted(opt_in),
            "basis": "mean over runs of the NPSV of each run's plan (its vehicles' delays in whole years; for "
                     "opt-in vehicles only the partners that joined: see docs/money.md, opt-in membership), "
                     "appraised by plan_money"}


def opt_in_boards(study: Study, vehicles: list[str]) -> dict[str, list[str]]:
    """Opt-in vehicles among `vehicles` → the partners on their boards."""
    v = study.tables["vehicles"]
    ids = v.loc[v["vehicle_id"].isin(vehicles) & (v["governance_rule"] == "opt_in"), "vehicle_id"]
    g = study.tables["governance"]
    return {vid: sorted(g.loc[g["vehicle_id"] == vid, "partner_id"]) for vid in ids}
