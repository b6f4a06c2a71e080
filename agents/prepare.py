"""Turn `BuyInInputs` DataFrames into the dense (partner × vehicle) arrays both model implementations use."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from .inputs import RULES, BuyInInputs, validate
from .params import BehaviourParams

NAMED_CALENDARS = {
    "monthly": tuple(range(1, 13)),
    "bimonthly": (2, 4, 6, 8, 10, 12),
    "quarterly": (3, 6, 9, 12),
    "annual": (3,),
}


@dataclass
class Prepared:
    partner_ids: list[str]
    vehicle_ids: list[str]
    horizon: int
    params: BehaviourParams
    peer_weight: np.ndarray      # (P, P) row-normalised network weights
    net_share: np.ndarray        # (P, V) annual net benefit / annual budget
    pressure: np.ndarray         # (P,)
    risk_appetite: np.ndarray    # (P,)
    sovereignty_loss: np.ndarray # (P, V) 0–1
    uncertainty: np.ndarray      # (P, V) 0–1
    head_start: np.ndarray       # (P, V) months of earlier engagement
    prior: np.ndarray            # (P, V) stance before engagement and after an election reset
    meets: np.ndarray            # (H, P) bool: partner's board meets in month m
    elects: np.ndarray           # (H, P) bool: partner holds an election in month m
    turnover: np.ndarray         # (P,) chance an election resets the stance
    member: np.ndarray           # (P, V) bool
    weight: np.ndarray           # (P, V) voting weight (0 for non-members)
    veto: np.ndarray             # (P, V) bool
    funds: np.ndarray            # (P, V) bool
    rule_code: np.ndarray        # (V,) index into RULES
    threshold: np.ndarray        # (V,)
    require_funders: np.ndarray  # (V,) bool
    planned: np.ndarray          # (V,) planned establishment month

    def __post_init__(self) -> None:
        # governance in vectorised form (see governance.py)
        tol = self.params.rule_tolerance
        total = self.weight.sum(axis=0)
        code = self.rule_code
        self.rule_bound = np.where(code == 0, -np.inf,
                                   np.where(code == 1, np.nextafter(0.5 * total + tol * total, np.inf),
                                            self.threshold * total - tol * total))
        blocker = self.member & (self.veto | (self.funds & self.require_funders[None, :]) | (code == 0)[None, :])
        self.rule_stack = np.stack([self.weight, blocker]).astype(float)
        self.blocker_count = blocker.sum(axis=0).astype(float)
        self.vehicle_meets = (self.member[None] & self.meets[:, :, None]).any(axis=1)  # (H, V)
        self.meeting_rows = [np.flatnonzero(r) for r in self.meets]

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.partner_ids), len(self.vehicle_ids)


def parse_interval(value) -> int | None:
    """"every N" (or "every:N") → N months between meetings, whatever the calendar; else None."""
    if isinstance(value, str) and value.strip().lower().startswith("every"):
        n = int(float(value.strip()[5:].strip(" :")))
        if n < 1:
            raise ValueError(f"board_meeting_months {value!r}: the interval must be at least 1 month")
        return n
    return None


def parse_calendar(value, default: str) -> tuple[int, ...]:
    """Board meeting calendar → calendar months 1–12."""
    if value is None or (not isinstance(value, (list, tuple, np.ndarray)) and pd.isna(value)) or value == "":
        value = default
    if isinstance(value, str):
        key = value.strip().lower()
        if key in NAMED_CALENDARS:
            return NAMED_CALENDARS[key]
        months = [int(float(x)) for x in key.replace(";", ",").split(",") if x.strip()]
    elif isinstance(value, (list, tuple, np.ndarray)):
        months = [int(x) for x in value]
    else:
        months = [int(value)]
    if not months or any(not 1 <= m <= 12 for m in months):
        raise ValueError(f"board_meeting_months {value!r}: calendar months must be 1–12")
    return tuple(sorted(set(months)))


def parse_months(value) -> list[int]:
    """Election months → model month indices."""
    if value is None or (not isinstance(value, (list, tuple, np.ndarray)) and pd.isna(value)) or value == "":
        return []
    if isinstance(value, str):
        return [int(float(x)) for x in value.replace(";", ",").split(",") if x.strip()]
    if isinstance(value, (list, tuple, np.ndarray)):
        return [int(x) for x in value]
    return [int(value)]


def _link_all(g: nx.Graph, ids: list[str], weight: float) -> None:
    """Add `weight` to the edge between every pair of `ids`."""
    for a in range(len(ids)):
        for b in range(a + 1, len(ids)):
            w = g.get_edge_data(ids[a], ids[b], {"weight": 0.0})["weight"]
            g.add_edge(ids[a], ids[b], weight=w + weight)


def default_network(partners: pd.DataFrame, governance: pd.DataFrame) -> pd.DataFrame:
    """Relationships when a study gives none: +1 per board two partners share, +0.5 for the same type."""
    g = nx.Graph()
    g.add_nodes_from(map(str, partners["partner_id"]))
    for _, grp in governance.groupby("vehicle_id", sort=False):
        _link_all(g, [str(p) for p in grp["partner_id"]], 1.0)
    if "type" in partners:
        for _, grp in partners.groupby("type", sort=False):
            _link_all(g, [str(p) for p in grp["partner_id"]], 0.5)
    return nx.to_pandas_edgelist(g, "source", "target")[["source", "target", "weight"]]


def _peer_matrix(inputs: BuyInInputs, pids: list[str]) -> np.ndarray:
    net = inputs.network if inputs.network is not None else default_network(inputs.partners, inputs.governance)
    g = nx.Graph()
    g.add_nodes_from(pids)
    for s, t, w in net[["source", "target", "weight"]].itertuples(index=False):
        if str(s) != str(t):
            old = g.get_edge_data(str(s), str(t), {"weight": 0.0})["weight"]
            g.add_edge(str(s), str(t), weight=old + float(w))
    w = nx.to_numpy_array(g, nodelist=pids, weight="weight")
    if (w < 0).any():
        raise ValueError("network: weights must be non-negative")
    rows = w.sum(axis=1, keepdims=True)
    return np.divide(w, rows, out=np.zeros_like(w), where=rows > 0)


def _pv_matrix(pv: pd.DataFrame, col: str, pidx, vidx, shape, fill: float) -> np.ndarray:
    out = np.full(shape, fill, dtype=float)
    if col in pv.columns:
        for p, v, x in pv[["partner_id", "vehicle_id", col]].itertuples(index=False):
            if not pd.isna(x):
                out[pidx[str(p)], vidx[str(v)]] = float(x)
    return out


def prepare(inputs: BuyInInputs) -> Prepared:
    """Apply the declared interventions, validate, and build the dense arrays."""
    from .interventions import apply_interventions, stake_pairs

    inputs = apply_interventions(inputs)
    validate(inputs)
    prm = inputs.params
    pids, vids = inputs.partner_ids, inputs.vehicle_ids
    pidx = {p: i for i, p in enumerate(pids)}
    vidx = {v: j for j, v in enumerate(vids)}
    P, V, H = len(pids), len(vids), int(inputs.horizon_months)
    part = inputs.partners
    budget = part["budget_gbp"].to_numpy(float)
    col = lambda name, d: part[name].fillna(d).to_numpy(float) if name in part else np.full(P, d)  # noqa: E731

    pv = inputs.partner_value
    net = _pv_matrix(pv, "net_benefit_gbp", pidx, vidx, (P, V), 0.0)
    cost = _pv_matrix(pv, "cost_share_gbp", pidx, vidx, (P, V), 0.0)
    has_row = np.zeros((P, V), bool)  # stake: a partner_value row or a board seat; no stake → no doubt either
    for p_, v_ in stake_pairs(inputs):
        has_row[pidx[p_], vidx[v_]] = True
    unc = _pv_matrix(pv, "uncertainty", pidx, vidx, (P, V), prm.default_uncertainty)

    member = np.zeros((P, V), bool)
    weight = np.zeros((P, V))
    veto = np.zeros((P, V), bool)
    funds = np.zeros((P, V), bool)
    g = inputs.governance
    for r in g.itertuples(index=False):
        i, j = pidx[str(r.partner_id)], vidx[str(r.vehicle_id)]
        member[i, j] = True
        weight[i, j] = float(getattr(r, "voting_weight", 1.0))
        veto[i, j] = bool(getattr(r, "veto", False))
        funds[i, j] = bool(getattr(r, "funds", False))

    tot = weight.sum(axis=0, keepdims=True)
    wshare = np.divide(weight, tot, out=np.zeros_like(weight), where=tot > 0)
    sov_default = np.minimum(1.0, cost / budget[:, None]) * (1.0 - wshare) * np.where(veto, 0.5, 1.0)
    sov = _pv_matrix(pv, "sovereignty_loss", pidx, vidx, (P, V), np.nan)
    sov = np.where(np.isnan(sov), sov_default, sov)

    cal = [(inputs.start_calendar_month - 1 + m) % 12 + 1 for m in range(H)]
    meets = np.zeros((H, P), bool)
    elects = np.zeros((H, P), bool)
    bcol = part["board_meeting_months"] if "board_meeting_months" in part else [None] * P
    ecol = part["election_month"] if "election_month" in part else [None] * P
    for i, (b, e) in enumerate(zip(bcol, ecol)):
        every = parse_interval(b)
        if every:  # "every N": months N-1, 2N-1, … (the end of each N-month cycle from month 0)
            meets[:, i] = np.arange(H) % every == every - 1
        else:
            months = set(parse_calendar(b, prm.default_board_months))
            meets[:, i] = [c in months for c in cal]
        for m in parse_months(e):
            if 0 <= m < H:
                elects[m, i] = True

    rules = inputs.rules
    thr = rules["threshold"] if "threshold" in rules else pd.Series([np.nan] * V)
    req = rules["require_all_funders"] if "require_all_funders" in rules else pd.Series([False] * V)
    planned = np.array([int(inputs.planned_month.get(v, 0)) if hasattr(inputs.planned_month, "get") else 0
                        for v in vids])
    return Prepared(
        partner_ids=pids, vehicle_ids=vids, horizon=H, params=prm,
        peer_weight=_peer_matrix(inputs, pids),
        net_share=net / budget[:, None],
        pressure=col("financial_pressure", 0.5),
        risk_appetite=col("risk_appetite", 0.5),
        sovereignty_loss=np.clip(sov, 0.0, 1.0),
        uncertainty=np.clip(np.where(has_row, unc, 0.0), 0, 1),
        head_start=_pv_matrix(pv, "head_start_months", pidx, vidx, (P, V), 0.0),
        prior=np.clip(_pv_matrix(pv, "prior_stance", pidx, vidx, (P, V), 0.0), -1, 1),
        meets=meets, elects=elects,
        turnover=col("turnover_prob", prm.default_turnover_prob),
        member=member, weight=weight, veto=veto, funds=funds,
        rule_code=np.array([RULES.index(r) for r in rules["rule"]]),
        threshold=np.array([0.5 if pd.isna(x) else float(x) for x in thr]),
        require_funders=np.array([bool(x) if not pd.isna(x) else False for x in req]),
        planned=planned,
    )
