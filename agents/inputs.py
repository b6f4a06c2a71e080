"""`BuyInInputs`: the data contract of the agent model (docs/architecture.md, docs/agents.md), with validation."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from .params import BehaviourParams

# decision modes: partnership votes (the first three), an executive decision of one body, opt-in membership
RULES = ("unanimity", "majority", "qualified_majority", "executive", "opt_in")
PARTNERSHIP_RULES = RULES[:3]
STANCES = ("confirmed", "in_principle", "undecided", "opposed")

PARTNER_COLS = ("partner_id", "name", "type", "budget_gbp", "financial_pressure", "risk_appetite",
                "board_meeting_months", "election_month")
GOVERNANCE_COLS = ("vehicle_id", "partner_id", "voting_weight", "veto", "funds")
RULE_COLS = ("vehicle_id", "rule", "threshold", "require_all_funders", "lead_partner_id", "min_members")
VALUE_COLS = ("partner_id", "vehicle_id", "net_benefit_gbp", "cost_share_gbp")
PROFILE_COLS = ("partner_id", "vehicle_id", "year_index", "benefit_gbp", "cost_gbp")
NETWORK_COLS = ("source", "target", "weight")
EVIDENCE_COLS = ("partner_id", "vehicle_id", "stance")
DECISION_COLS = ("partner_id", "vehicle_id", "month")
ELECTION_COLS = ("partner_id", "month")
DEPENDENCY_COLS = ("vehicle_id", "requires_vehicle_id", "min_lag_years")


@dataclass
class BuyInInputs:
    """Everything one buy-in simulation needs.

    partners       partner_id, name, type, budget_gbp (annual), financial_pressure 0–1, risk_appetite 0–1,
                   board_meeting_months ("monthly", "bimonthly", "quarterly", "annual", calendar months
                   "1,4,7,10", or "every N" for a cycle of N months from month 0),
                   election_month (model month indices "1,49", int, or empty); optional turnover_prob 0–1.
    governance     vehicle_id, partner_id, voting_weight, veto (bool), funds (bool) — members of each vehicle's board.
    rules          vehicle_id, rule (unanimity | majority | qualified_majority: a partnership vote; executive: one
                   body decides; opt_in: each member joins separately), threshold (share of voting weight for
                   qualified_majority), require_all_funders (bool), lead_partner_id (executive: the deciding body;
                   blank = the only member with voting weight), min_members (opt_in: members needed, default 1).
    partner_value  partner_id, vehicle_id, net_benefit_gbp (annual, steady state), cost_share_gbp (annual
                   contribution); optional uncertainty 0–1, sovereignty_loss 0–1, prior_stance -1–1,
                   head_start_months. Missing (partner, vehicle) pairs count as zero.
    value_profile  optional partner_id, vehicle_id, year_index (0 = first year of the horizon), benefit_gbp,
                   cost_gbp: the partner's own money year by year (from the ledger). Where given it is the pair's
                   money (years not listed are 0); partner_value's net_benefit_gbp / cost_share_gbp for the pair
                   must then be blank or the profile's means over the horizon years.
    evidence       optional partner_id, vehicle_id, stance (confirmed | in_principle | undecided | opposed): what
                   the documents record; sets the starting stance (a pair cannot have both evidence and a
                   prior_stance) and, for confirmed, a commitment that holds until an election changes the
                   administration.
    decision_dates optional partner_id, vehicle_id (blank = every vehicle), month: known meetings that take the
                   decision (cabinet, governing body). Regular meetings before the first known date are not
                   decision points for that vehicle.
    elections      optional partner_id, month, turnover_prob (blank = the partner's): several per partner.
    dependencies   optional vehicle_id, requires_vehicle_id, min_lag_years: a vehicle is agreed only once the one it
                   requires is agreed, and goes live at least min_lag_years after it.
    network        source, target, weight (undirected); None → `default_network` (shared boards, same type).
    planned_month  vehicle_id → month index (0-based from the first month of the horizon) the plan establishes it.
    horizon_months number of monthly steps.
    interventions  list of `agents.interventions` objects applied before simulating.
    start_calendar_month  calendar month of month index 0 (4 = April: month 12·t starts financial year t).
    params         behavioural parameters (`BehaviourParams`).
    """

    partners: pd.DataFrame
    governance: pd.DataFrame
    rules: pd.DataFrame
    partner_value: pd.DataFrame
    network: pd.DataFrame | None = None
    planned_month: dict[str, int] | pd.Series = field(default_factory=dict)
    horizon_months: int = 60
    interventions: list[Any] = field(default_factory=list)
    start_calendar_month: int = 4
    params: BehaviourParams = field(default_factory=BehaviourParams)
    value_profile: pd.DataFrame | None = None
    evidence: pd.DataFrame | None = None
    decision_dates: pd.DataFrame | None = None
    elections: pd.DataFrame | None = None
    dependencies: pd.DataFrame | None = None

    def with_(self, **changes: Any) -> "BuyInInputs":
        return replace(self, **changes)

    @property
    def vehicle_ids(self) -> list[str]:
        return [str(v) for v in self.rules["vehicle_id"]]

    @property
    def partner_ids(self) -> list[str]:
        return [str(p) for p in self.partners["partner_id"]]

    @property
    def n_years(self) -> int:
        return -(-int(self.horizon_months) // 12)


def _need(df: pd.DataFrame | None, cols: tuple[str, ...], name: str) -> list[str]:
    if df is None:
        return [f"{name}: missing"]
    return [f"{name}: missing column {c!r}" for c in cols if c not in df.columns]


def _blank(x) -> bool:
    return x is None or (isinstance(x, float) and np.isnan(x)) or (isinstance(x, str) and not x.strip())


def _ids(df: pd.DataFrame, col: str) -> set[str]:
    return {str(x) for x in df[col] if not _blank(x)}


def dependency_order(vids: list[str], deps: pd.DataFrame | None) -> list[str]:
    """Vehicles ordered so that each comes after those it requires; ValueError on a cycle."""
    need = {v: set() for v in vids}
    if deps is not None:
        for v, r in deps[["vehicle_id", "requires_vehicle_id"]].itertuples(index=False):
            need[str(v)].add(str(r))
    order, done = [], set()
    while len(order) < len(vids):
        ready = [v for v in vids if v not in done and need[v] <= done]
        if not ready:
            raise ValueError(f"dependencies: a cycle among vehicles {sorted(set(vids) - done)}")
        order += ready
        done |= set(ready)
    return order


def validate(inputs: BuyInInputs) -> None:
    """Raise ValueError listing every problem found in plain words."""
    errs: list[str] = []
    errs += _need(inputs.partners, ("partner_id", "budget_gbp"), "partners")
    errs += _need(inputs.governance, ("vehicle_id", "partner_id"), "governance")
    errs += _need(inputs.rules, ("vehicle_id", "rule"), "rules")
    errs += _need(inputs.partner_value, ("partner_id", "vehicle_id", "net_benefit_gbp"), "partner_value")
    optional = (("network", NETWORK_COLS), ("value_profile", PROFILE_COLS), ("evidence", EVIDENCE_COLS),
                ("decision_dates", ("partner_id", "month")), ("elections", ELECTION_COLS),
                ("dependencies", DEPENDENCY_COLS))
    for name, cols in optional:
        if getattr(inputs, name) is not None:
            errs += _need(getattr(inputs, name), cols, name)
    if errs:
        raise ValueError("; ".join(errs))
    pids = set(inputs.partner_ids)
    vids = inputs.vehicle_ids
    if len(pids) != len(inputs.partners):
        errs.append("partners: duplicate partner_id")
    if len(set(vids)) != len(vids):
        errs.append("rules: duplicate vehicle_id")
    if (inputs.partners["budget_gbp"].astype(float) <= 0).any():
        errs.append("partners: budget_gbp must be positive")
    for col in ("financial_pressure", "risk_appetite"):
        if col in inputs.partners and not inputs.partners[col].astype(float).between(0, 1).all():
            errs.append(f"partners: {col} must lie in 0–1")
    g = inputs.governance
    members = {str(v): grp for v, grp in g.groupby(g["vehicle_id"].astype(str), sort=False)}
    for i, r in inputs.rules.iterrows():
        vid = str(r["vehicle_id"])
        if r["rule"] not in RULES:
            errs.append(f"rules row {i}: unknown rule {r['rule']!r} (use one of {', '.join(RULES)})")
        if r["rule"] == "qualified_majority":
            thr = r.get("threshold")
            if thr is None or pd.isna(thr) or not 0 < float(thr) <= 1:
                errs.append(f"rules row {i}: qualified_majority needs a threshold in (0, 1]")
        if r["rule"] == "executive" and vid in members:
            grp = members[vid]
            lead = r.get("lead_partner_id")
            voters = set(grp.loc[grp.get("voting_weight", pd.Series(1.0, index=grp.index)).astype(float) > 0,
                                 "partner_id"].astype(str))
            if _blank(lead) and len(voters) != 1:
                errs.append(f"rules row {i}: executive vehicle {vid!r} has {len(voters)} voting members; name the "
                            "deciding body in lead_partner_id")
            elif not _blank(lead) and str(lead) not in set(grp["partner_id"].astype(str)):
                errs.append(f"rules row {i}: lead_partner_id {lead!r} is not a member of {vid!r}'s board")
        if r["rule"] == "opt_in":
            k = r.get("min_members")
            n = len(members.get(vid, ()))
            if not _blank(k) and not 1 <= int(k) <= max(n, 1):
                errs.append(f"rules row {i}: min_members must be 1–{n} (the board's members), got {k}")
    for col, known, name in ((g["partner_id"], pids, "partner"), (g["vehicle_id"], set(vids), "vehicle")):
        bad = sorted(set(map(str, col)) - known)
        if bad:
            errs.append(f"governance: unknown {name} ids {bad[:5]}")
    missing = sorted(set(vids) - set(map(str, g["vehicle_id"])))
    if missing:
        errs.append(f"governance: vehicles with no board members {missing}")
    if "voting_weight" in g:
        w = g["voting_weight"].astype(float)
        if (w < 0).any():
            errs.append("governance: voting_weight must be non-negative")
        weighted = [str(v) for v, r in zip(inputs.rules["vehicle_id"], inputs.rules["rule"])
                    if r in PARTNERSHIP_RULES]
        zero = sorted(set(weighted) & (set(map(str, g["vehicle_id"])) - set(map(str, g.loc[w > 0, "vehicle_id"]))))
        if zero:
            errs.append(f"governance: vehicles whose board has no voting weight {zero}")
    if g.duplicated(["vehicle_id", "partner_id"]).any():
        errs.append("governance: duplicate (vehicle_id, partner_id)")
    pv = inputs.partner_value
    bad = sorted(set(map(str, pv["partner_id"])) - pids) + sorted(set(map(str, pv["vehicle_id"])) - set(vids))
    if bad:
        errs.append(f"partner_value: unknown ids {bad[:5]}")
    if pv.duplicated(["partner_id", "vehicle_id"]).any():
        errs.append("partner_value: duplicate (partner_id, vehicle_id)")
    errs += _optional_problems(inputs, pids, set(vids))
    if inputs.horizon_months < 1:
        errs.append("horizon_months must be at least 1")
    if not 1 <= inputs.start_calendar_month <= 12:
        errs.append("start_calendar_month must be 1–12")
    if errs:
        raise ValueError("; ".join(errs))


def _optional_problems(inputs: BuyInInputs, pids: set[str], vids: set[str]) -> list[str]:
    errs: list[str] = []
    for name, pcol, vcols in (("value_profile", "partner_id", ("vehicle_id",)), ("evidence", "partner_id", ("vehicle_id",)),
                              ("decision_dates", "partner_id", ("vehicle_id",)), ("elections", "partner_id", ()),
                              ("dependencies", None, ("vehicle_id", "requires_vehicle_id"))):
        df = getattr(inputs, name)
        if df is None:
            continue
        if pcol and (bad := sorted(_ids(df, pcol) - pids)):
            errs.append(f"{name}: unknown partner ids {bad[:5]}")
        for vc in vcols:
            if vc in df and (bad := sorted(_ids(df, vc) - vids)):
                errs.append(f"{name}: unknown vehicle ids {bad[:5]} in {vc}")
    prof = inputs.value_profile
    if prof is not None and len(prof):
        y = prof["year_index"].astype(int)
        if ((y < 0) | (y >= inputs.n_years)).any():
            errs.append(f"value_profile: year_index must be 0–{inputs.n_years - 1} (the horizon's years)")
        if prof.duplicated(["partner_id", "vehicle_id", "year_index"]).any():
            errs.append("value_profile: duplicate (partner_id, vehicle_id, year_index)")
        means = prof.groupby(["partner_id", "vehicle_id"])[["benefit_gbp", "cost_gbp"]].sum() / inputs.n_years
        pv = inputs.partner_value.set_index(["partner_id", "vehicle_id"])
        for (p, v), row in means.iterrows():
            if (p, v) not in pv.index:
                continue
            flat = pv.loc[(p, v)]
            for col, want in (("net_benefit_gbp", row["benefit_gbp"] - row["cost_gbp"]),
                              ("cost_share_gbp", row["cost_gbp"])):
                got = flat.get(col, np.nan)
                if not pd.isna(got) and abs(float(got) - want) > 1.0:
                    errs.append(f"partner_value ({p}, {v}): {col} {float(got):,.0f} disagrees with value_profile's "
                                f"mean over the horizon {want:,.0f} (leave it blank or give the mean)")
    ev = inputs.evidence
    if ev is not None and len(ev):
        bad = sorted(set(map(str, ev["stance"])) - set(STANCES))
        if bad:
            errs.append(f"evidence: unknown stance {bad} (use one of {', '.join(STANCES)})")
        if ev.duplicated(["partner_id", "vehicle_id"]).any():
            errs.append("evidence: duplicate (partner_id, vehicle_id)")
        pv = inputs.partner_value
        if "prior_stance" in pv:
            both = set(zip(pv.loc[pv["prior_stance"].notna(), "partner_id"].astype(str),
                           pv.loc[pv["prior_stance"].notna(), "vehicle_id"].astype(str)))
            both &= set(zip(ev["partner_id"].astype(str), ev["vehicle_id"].astype(str)))
            if both:
                errs.append(f"evidence and partner_value.prior_stance both set a starting stance for {sorted(both)[:3]}")
    H = int(inputs.horizon_months)
    for name in ("decision_dates", "elections"):
        df = getattr(inputs, name)
        if df is not None and len(df):
            months = df["month"].astype(int)
            if ((months < 0) | (months >= H)).any():
                errs.append(f"{name}: month must be 0–{H - 1} (inside the horizon), got "
                            f"{sorted(set(months[(months < 0) | (months >= H)]))[:5]}")
    el = inputs.elections
    if el is not None and "turnover_prob" in el and not el["turnover_prob"].dropna().astype(float).between(0, 1).all():
        errs.append("elections: turnover_prob must lie in 0–1")
    dep = inputs.dependencies
    if dep is not None and len(dep):
        if (dep["min_lag_years"].astype(int) < 0).any():
            errs.append("dependencies: min_lag_years must be 0 or more")
        if (dep["vehicle_id"].astype(str) == dep["requires_vehicle_id"].astype(str)).any():
            errs.append("dependencies: a vehicle cannot require itself")
        try:
            dependency_order(sorted(vids), dep[dep["vehicle_id"].astype(str).isin(vids)
                                               & dep["requires_vehicle_id"].astype(str).isin(vids)])
        except ValueError as exc:
            errs.append(str(exc))
    return errs
