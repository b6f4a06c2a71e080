"""`BuyInInputs`: the data contract of the agent model (docs/architecture.md), with validation."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from .params import BehaviourParams

RULES = ("unanimity", "majority", "qualified_majority")

PARTNER_COLS = ("partner_id", "name", "type", "budget_gbp", "financial_pressure", "risk_appetite",
                "board_meeting_months", "election_month")
GOVERNANCE_COLS = ("vehicle_id", "partner_id", "voting_weight", "veto", "funds")
RULE_COLS = ("vehicle_id", "rule", "threshold", "require_all_funders")
VALUE_COLS = ("partner_id", "vehicle_id", "net_benefit_gbp", "cost_share_gbp")
NETWORK_COLS = ("source", "target", "weight")


@dataclass
class BuyInInputs:
    """Everything one buy-in simulation needs.

    partners       partner_id, name, type, budget_gbp (annual), financial_pressure 0–1, risk_appetite 0–1,
                   board_meeting_months ("monthly", "bimonthly", "quarterly", "annual", calendar months
                   "1,4,7,10", or "every N" for a cycle of N months from month 0),
                   election_month (model month indices "1,49", int, or empty); optional turnover_prob 0–1.
    governance     vehicle_id, partner_id, voting_weight, veto (bool), funds (bool) — members of each vehicle's board.
    rules          vehicle_id, rule (unanimity | majority | qualified_majority), threshold (share of voting
                   weight for qualified_majority), require_all_funders (bool).
    partner_value  partner_id, vehicle_id, net_benefit_gbp (annual, steady state), cost_share_gbp (annual
                   contribution); optional uncertainty 0–1, sovereignty_loss 0–1, prior_stance -1–1,
                   head_start_months. Missing (partner, vehicle) pairs count as zero.
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

    def with_(self, **changes: Any) -> "BuyInInputs":
        return replace(self, **changes)

    @property
    def vehicle_ids(self) -> list[str]:
        return [str(v) for v in self.rules["vehicle_id"]]

    @property
    def partner_ids(self) -> list[str]:
        return [str(p) for p in self.partners["partner_id"]]


def _need(df: pd.DataFrame | None, cols: tuple[str, ...], name: str) -> list[str]:
    if df is None:
        return [f"{name}: missing"]
    return [f"{name}: missing column {c!r}" for c in cols if c not in df.columns]


def validate(inputs: BuyInInputs) -> None:
    """Raise ValueError listing every problem found in plain words."""
    errs: list[str] = []
    errs += _need(inputs.partners, ("partner_id", "budget_gbp"), "partners")
    errs += _need(inputs.governance, ("vehicle_id", "partner_id"), "governance")
    errs += _need(inputs.rules, ("vehicle_id", "rule"), "rules")
    errs += _need(inputs.partner_value, ("partner_id", "vehicle_id", "net_benefit_gbp"), "partner_value")
    if inputs.network is not None:
        errs += _need(inputs.network, NETWORK_COLS, "network")
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
    for i, r in inputs.rules.iterrows():
        if r["rule"] not in RULES:
            errs.append(f"rules row {i}: unknown rule {r['rule']!r} (use one of {', '.join(RULES)})")
        if r["rule"] == "qualified_majority":
            thr = r.get("threshold")
            if thr is None or pd.isna(thr) or not 0 < float(thr) <= 1:
                errs.append(f"rules row {i}: qualified_majority needs a threshold in (0, 1]")
    g = inputs.governance
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
        zero = sorted(set(map(str, g["vehicle_id"])) - set(map(str, g.loc[w > 0, "vehicle_id"])))
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
    if inputs.horizon_months < 1:
        errs.append("horizon_months must be at least 1")
    if not 1 <= inputs.start_calendar_month <= 12:
        errs.append("start_calendar_month must be 1–12")
    if errs:
        raise ValueError("; ".join(errs))
