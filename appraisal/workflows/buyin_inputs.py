"""The agent model's inputs for a study's option: partners, boards, rules, the documents' evidence and each
partner's yearly money from the ledger (`plan_money` split by party)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from appraisal.adapters.agent_model import BuyInInputs
from appraisal.adapters.optimiser import Plan
from appraisal.adapters.to_optimise import from_engine, option_rules
from appraisal.money.document import document_plan
from appraisal.money.ledger import plan_money
from appraisal.money.metrics import split_by_party
from appraisal.money.plans import Plan as LedgerPlan
from appraisal.study import Study
from appraisal.study.schema import fy_start

MEETINGS = {1: "monthly", 2: "bimonthly", 3: "quarterly"}
RULE_OF = {"lead_partner": "executive"}  # the study's words → the agent model's decision modes


def month_index(study: Study, yyyy_mm: str | None) -> int | None:
    """'2021-05' as a model month index (month 0 = April of the first financial year); None if blank."""
    if not yyyy_mm:
        return None
    year, month = (int(x) for x in yyyy_mm.split("-"))
    return (year - fy_start(study.years[0])) * 12 + (month - 4)


def as_plan(study: Study, option_id: str, plan) -> LedgerPlan:
    """appraisal's Plan of a given plan: an engine plan, a Plan, or None (the option's document plan)."""
    if isinstance(plan, LedgerPlan):
        return plan
    if plan is not None and plan.has_solution:
        return from_engine(option_id, plan, "optimised")
    return document_plan(study, option_id)


def usable_vehicles(study: Study, option_id: str) -> list[str]:
    """The new vehicles an option can use (its allow/forbid rules), with a board in governance: the ones whose
    buy-in is simulated for it."""
    rules = option_rules(study, option_id)
    v = study.tables["vehicles"]
    v = v[(v["kind"] != "status_quo") & v["vehicle_id"].isin(set(study.tables["governance"]["vehicle_id"]))]
    if rules.allowed_vehicles is not None:
        v = v[v["vehicle_id"].isin(rules.allowed_vehicles)]
    v = v[~v["vehicle_id"].isin(rules.forbidden_vehicles) & ~v["kind"].isin(rules.forbidden_kinds)]
    return v["vehicle_id"].tolist()


def with_enabled_money(study: Study, streams: pd.DataFrame) -> pd.DataFrame:
    """The streams, plus a copy of each benefit that needs other vehicles (its realiser and enablers:
    money.ownership) under each of those vehicles: a partner deciding on an enabling workstream weighs what
    agreeing to it unlocks, as the realiser's partners do (docs/agents.md, partner value)."""
    b = study.tables["benefits"]
    vehicles = study.tables["vehicles"]
    status_quo = set(vehicles.loc[vehicles["kind"] == "status_quo", "vehicle_id"])
    needs = {row.benefit_id: [v for v in dict.fromkeys([row.realised_by, *(row.enabled_by or [])])
                              if v and v not in status_quo]
             for row in b.itertuples(index=False) if row.realised_by or row.enabled_by}
    if not needs or streams.empty:
        return streams
    copies = []
    for line, gates in needs.items():
        mine = streams[(streams["stream_id"] == line) & (streams["kind"] == "benefit")]
        for v in gates:
            part = mine[mine["vehicle_id"] != v]
            if len(part):
                copies.append(part.assign(vehicle_id=v))
    return pd.concat([streams, *copies], ignore_index=True) if copies else streams


def partner_profile(study: Study, option_id: str, plan=None) -> pd.DataFrame:
    """partner_id, vehicle_id, year_index, benefit_gbp, cost_gbp: each partner's own money from each vehicle, year
    by year — the ledger's split by party of the plan's money (`plan_money`; the document's plan when none is
    given, an engine plan or a Plan otherwise)."""
    streams = with_enabled_money(study, plan_money(study, option_id, as_plan(study, option_id, plan)).streams)
    streams = streams[streams["vehicle_id"].notna()]
    cols = ["partner_id", "vehicle_id", "year_index", "benefit_gbp", "cost_gbp"]
    if streams.empty:
        return pd.DataFrame(columns=cols)
    partners = set(study.tables["partners"]["partner_id"])
    frames = []
    for vehicle, group in streams.groupby("vehicle_id", sort=True):
        split = split_by_party(group, study)
        split = split[split["partner_id"].isin(partners)]
        split = split.assign(vehicle_id=vehicle, year_index=split["year"].map(study.years.index),
                             benefit_gbp=np.where(split["kind"] == "benefit", split["share_gbp"], 0.0),
                             cost_gbp=np.where(split["kind"] == "cost", split["share_gbp"], 0.0))
        frames.append(split.groupby(["partner_id", "vehicle_id", "year_index"], as_index=False)[
            ["benefit_gbp", "cost_gbp"]].sum())
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def partner_value(study: Study, option_id: str, plan: Plan | None = None,
                  profile: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each partner's mean yearly net benefit and cost of each vehicle over the horizon's years (the means of
    `partner_profile`, which is what the buy-in model weighs year by year)."""
    profile = partner_profile(study, option_id, plan) if profile is None else profile
    cols = ["partner_id", "vehicle_id", "net_benefit_gbp", "cost_share_gbp"]
    if profile.empty:
        return pd.DataFrame(columns=cols)
    n = len(study.years)
    out = profile.groupby(["partner_id", "vehicle_id"], as_index=False)[["benefit_gbp", "cost_gbp"]].sum()
    out["net_benefit_gbp"] = (out["benefit_gbp"] - out["cost_gbp"]) / n
    out["cost_share_gbp"] = out["cost_gbp"] / n
    return out[cols]


def evidence_tables(study: Study, vehicles: list[str]) -> dict[str, pd.DataFrame | None]:
    """The documents' evidence as agent-model tables, for the vehicles simulated."""
    t = study.tables
    stances = t["stances"][t["stances"]["vehicle_id"].isin(vehicles)]
    dd = t["decision_dates"]
    dd = dd[dd["vehicle_id"].isna() | dd["vehicle_id"].isin(vehicles)]
    el = t["elections"]
    old = t["partners"][t["partners"]["election_month"].notna()]  # partners.election_month: one more election
    elections = pd.DataFrame({
        "partner_id": list(el["partner_id"]) + list(old["partner_id"]),
        "month": [month_index(study, d) for d in el["date"]] + [month_index(study, d) for d in old["election_month"]],
        "turnover_prob": list(el["turnover_prob"]) + [None] * len(old)})
    elections = elections[elections["month"] >= 0]  # partners.election_month before the horizon: already held
    deps = t["vehicle_dependencies"]
    deps = deps[deps["vehicle_id"].isin(vehicles)]
    missing = sorted(set(deps["requires_vehicle_id"]) - set(vehicles))
    if missing:
        raise ValueError(f"{study.sources['vehicle_dependencies']}: {sorted(set(deps['vehicle_id']))} need "
                         f"{missing}, which this option cannot use")
    return {
        "evidence": stances[["partner_id", "vehicle_id", "stance"]].reset_index(drop=True) if len(stances) else None,
        "decision_dates": pd.DataFrame({"partner_id": dd["partner_id"], "vehicle_id": dd["vehicle_id"],
                                        "month": [month_index(study, d) for d in dd["date"]]}) if len(dd) else None,
        "elections": elections.astype({"turnover_prob": float}).reset_index(drop=True) if len(elections) else None,
        "dependencies": deps[["vehicle_id", "requires_vehicle_id", "min_lag_years"]].reset_index(drop=True)
        if len(deps) else None,
    }


def buyin_inputs(study: Study, option_id: str, plan: Plan | None = None) -> BuyInInputs:
    partners, governance, vehicles = (study.tables[n] for n in ("partners", "governance", "vehicles"))
    usable = usable_vehicles(study, option_id)
    if not usable:
        raise ValueError(f"option '{option_id}' of study '{study.name}' can use no new vehicle with governance rows: "
                         "nothing to agree")
    voted = vehicles.set_index("vehicle_id").loc[usable].reset_index()
    planned = {}
    established = as_plan(study, option_id, plan).vehicles
    for row in voted.itertuples(index=False):
        start = established.get(row.vehicle_id)  # a period index (a year index in a yearly study)
        if start is None:
            start = study.period_index(row.planned_year or row.earliest_year)
        planned[row.vehicle_id] = 12 * int(start) // study.periods_per_year  # the month its period starts
    rules = pd.DataFrame({
        "vehicle_id": voted["vehicle_id"],
        "rule": [RULE_OF.get(r, r) for r in voted["governance_rule"]],
        "threshold": [(t or 50.0) / 100.0 for t in voted["threshold_pct"]],
        "require_all_funders": voted["require_all_funders"].astype(bool),
        "lead_partner_id": voted["lead_partner_id"],
        "min_members": [float(m) if m is not None and m == m else np.nan for m in voted["min_members"]]})
    members = governance[governance["vehicle_id"].isin(planned)]
    budgets = partners.set_index("partner_id")["budget_gbp"]
    missing = sorted(p for p in set(members["partner_id"]) if budgets.get(p) is None or pd.isna(budgets.get(p)))
    if missing:
        raise ValueError(f"{study.sources['partners']}: partner(s) {', '.join(missing)} have no budget_gbp; the buy-in "
                         "model weighs each board member's net benefit against its annual budget")
    profile = partner_profile(study, option_id, plan)
    profile = profile[profile["vehicle_id"].isin(planned)].reset_index(drop=True)
    value = partner_value(study, option_id, plan, profile)
    return BuyInInputs(
        partners=pd.DataFrame({
            "partner_id": partners["partner_id"], "name": partners["name"], "type": partners["type"],
            "budget_gbp": partners["budget_gbp"].astype(float), "financial_pressure": partners["financial_pressure"],
            "risk_appetite": partners["risk_appetite"],
            "board_meeting_months": [MEETINGS.get(int(m), f"every {int(m)}")
                                     for m in partners["board_meeting_interval_months"]],
            "election_month": ""}),  # elections come through evidence_tables (several per partner)
        governance=members[["vehicle_id", "partner_id", "voting_weight", "veto", "funds"]].reset_index(drop=True),
        rules=rules.reset_index(drop=True),
        partner_value=value.reset_index(drop=True),
        value_profile=profile,
        planned_month=planned,
        horizon_months=12 * len(study.years),
        **evidence_tables(study, list(planned)),
    )
