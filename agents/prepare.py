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
    """Dense arrays of one set of inputs. P partners, V vehicles, H months, Y = ceil(H / 12) years, K elections."""

    partner_ids: list[str]
    vehicle_ids: list[str]
    horizon: int
    params: BehaviourParams
    peer_weight: np.ndarray      # (P, P) row-normalised network weights
    benefit_share: np.ndarray    # (P, V, Y) the partner's own benefit in year y / its annual budget
    cost_share: np.ndarray       # (P, V, Y) the partner's own cost in year y / its annual budget
    pressure: np.ndarray         # (P,)
    risk_appetite: np.ndarray    # (P,)
    sovereignty_loss: np.ndarray # (P, V) 0–1
    uncertainty: np.ndarray      # (P, V) 0–1
    head_start: np.ndarray       # (P, V) months of earlier engagement
    prior: np.ndarray            # (P, V) starting stance (the documents' evidence, or prior_stance)
    reset: np.ndarray            # (P, V) stance after an election that changes the administration
    committed: np.ndarray        # (P, V) bool: the documents record a confirmed commitment
    leaning: np.ndarray          # (P, V) drive: the documents' stance as a lasting lean of the partner's politics
    decides: np.ndarray          # (H, P, V) bool: month m is a decision point of partner p on vehicle v
    election_month: np.ndarray   # (K,) month of each election (sorted by month, then partner)
    election_partner: np.ndarray # (K,) row of the electing partner
    election_turnover: np.ndarray  # (K,) chance that election changes the administration
    member: np.ndarray           # (P, V) bool
    weight: np.ndarray           # (P, V) voting weight (0 for non-members)
    veto: np.ndarray             # (P, V) bool
    funds: np.ndarray            # (P, V) bool
    rule_code: np.ndarray        # (V,) index into RULES
    threshold: np.ndarray        # (V,)
    require_funders: np.ndarray  # (V,) bool
    lead: np.ndarray             # (V,) row of the deciding body (executive), -1 otherwise
    min_members: np.ndarray      # (V,) members needed (opt_in)
    dep_vehicle: np.ndarray      # (D,) column of a dependent vehicle
    dep_requires: np.ndarray     # (D,) column of the vehicle it requires
    dep_lag_months: np.ndarray   # (D,) 12 × min_lag_years
    planned: np.ndarray          # (V,) planned establishment month

    def __post_init__(self) -> None:
        # governance in vectorised form (see governance.py): "rule weight of yes ≥ bound, and every blocker yes"
        tol = self.params.rule_tolerance
        code = self.rule_code
        P, V = self.member.shape
        executive, opt_in = code == RULES.index("executive"), code == RULES.index("opt_in")
        # a member with no voting weight is consulted, not a decider (under every rule but executive)
        voting = self.member & (self.weight > 0)
        self.rule_weight = np.where(executive[None, :], 0.0, np.where(opt_in[None, :], voting.astype(float),
                                                                    self.weight))
        total = self.rule_weight.sum(axis=0)
        self.rule_bound = np.select(
            [code == 0, code == 1, code == 2, executive, opt_in],
            [np.full(V, -np.inf), np.nextafter(0.5 * total + tol * total, np.inf), self.threshold * total - tol * total,
             np.full(V, -np.inf), self.min_members - 0.5])
        lead_mask = np.zeros((P, V), bool)
        lead_mask[self.lead[executive], np.flatnonzero(executive)] = True
        blocker = voting & (self.veto | (self.funds & self.require_funders[None, :]) | (code == 0)[None, :])
        self.blocker = np.where(executive[None, :], lead_mask, blocker)
        self.rule_stack = np.stack([self.rule_weight, self.blocker]).astype(float)
        self.blocker_count = self.blocker.sum(axis=0).astype(float)
        self.voter = np.where(executive[None, :], lead_mask, voting)  # whose decisions count
        self.vehicle_meets = (self.voter[None] & self.decides).any(axis=1)  # (H, V)
        self.decision_months = np.flatnonzero(self.vehicle_meets.any(axis=1))
        self.levels = dependency_levels(V, self.dep_vehicle, self.dep_requires)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.partner_ids), len(self.vehicle_ids)

    @property
    def n_years(self) -> int:
        return self.benefit_share.shape[2]


def dependency_levels(V: int, dep_vehicle: np.ndarray, dep_requires: np.ndarray) -> list[np.ndarray]:
    """Vehicle columns in dependency levels: level 0 requires nothing, level k requires only lower levels."""
    level = np.zeros(V, int)
    for _ in range(V):
        for v, r in zip(dep_vehicle, dep_requires):
            level[v] = max(level[v], level[r] + 1)
    return [np.flatnonzero(level == k) for k in range(level.max() + 1 if V else 0)]


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
    edges = nx.to_pandas_edgelist(g, "source", "target")
    return edges.reindex(columns=["source", "target", "weight"])  # no edges (one partner): an empty table


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


def _money(inputs: BuyInInputs, pidx, vidx, shape) -> tuple[np.ndarray, np.ndarray]:
    """(P, V, Y) benefit and cost in £ per year: value_profile where given, else partner_value's flat annual
    figures in every year (benefit = net_benefit_gbp + cost_share_gbp)."""
    P, V, Y = shape
    benefit, cost = np.zeros(shape), np.zeros(shape)
    pv = inputs.partner_value
    profiled: set[tuple[str, str]] = set()
    prof = inputs.value_profile
    if prof is not None and len(prof):
        for r in prof[["partner_id", "vehicle_id", "year_index", "benefit_gbp", "cost_gbp"]].itertuples(index=False):
            i, j, y = pidx[str(r.partner_id)], vidx[str(r.vehicle_id)], int(r.year_index)
            benefit[i, j, y] += 0.0 if pd.isna(r.benefit_gbp) else float(r.benefit_gbp)
            cost[i, j, y] += 0.0 if pd.isna(r.cost_gbp) else float(r.cost_gbp)
            profiled.add((str(r.partner_id), str(r.vehicle_id)))
    has_cost = "cost_share_gbp" in pv.columns
    for r in pv.itertuples(index=False):
        key = (str(r.partner_id), str(r.vehicle_id))
        if key in profiled:
            continue
        net = 0.0 if pd.isna(r.net_benefit_gbp) else float(r.net_benefit_gbp)
        c = float(r.cost_share_gbp) if has_cost and not pd.isna(r.cost_share_gbp) else 0.0
        benefit[pidx[key[0]], vidx[key[1]], :] = net + c
        cost[pidx[key[0]], vidx[key[1]], :] = c
    return benefit, cost


def _decision_points(inputs: BuyInInputs, pidx, vidx, H: int, elections: list[tuple[int, int, float]]) -> np.ndarray:
    """(H, P, V): regular meetings (less the pre-election months), replaced before a pair's first known decision
    date by that date; known dates always count."""
    prm = inputs.params
    part = inputs.partners
    P, V = len(pidx), len(vidx)
    cal = [(inputs.start_calendar_month - 1 + m) % 12 + 1 for m in range(H)]
    regular = np.zeros((H, P), bool)
    bcol = part["board_meeting_months"] if "board_meeting_months" in part else [None] * P
    for i, b in enumerate(bcol):
        every = parse_interval(b)
        if every:  # "every N": months N-1, 2N-1, … (the end of each N-month cycle from month 0)
            regular[:, i] = np.arange(H) % every == every - 1
        else:
            months = set(parse_calendar(b, prm.default_board_months))
            regular[:, i] = [c in months for c in cal]
    for m, i, _ in elections:
        regular[max(0, m - int(prm.purdah_months)):m, i] = False
    decides = np.repeat(regular[:, :, None], V, axis=2)
    dd = inputs.decision_dates
    if dd is not None and len(dd):
        known = np.zeros((H, P, V), bool)
        for r in dd.itertuples(index=False):
            m = int(r.month)
            if not 0 <= m < H:
                continue
            vid = getattr(r, "vehicle_id", None)
            cols = list(range(V)) if vid is None or pd.isna(vid) or str(vid) == "" else [vidx[str(vid)]]
            known[m, pidx[str(r.partner_id)], cols] = True
        has = known.any(axis=0)
        first = np.where(has, known.argmax(axis=0), 0)
        before = np.arange(H)[:, None, None] < first[None]
        decides = np.where(has[None] & before, False, decides) | known
    return decides


def _elections(inputs: BuyInInputs, pidx, H: int) -> list[tuple[int, int, float]]:
    """(month, partner row, turnover) for every election within the horizon, sorted, duplicates merged."""
    part = inputs.partners
    P = len(pidx)
    default = inputs.params.default_turnover_prob
    turnover = (part["turnover_prob"].fillna(default).to_numpy(float) if "turnover_prob" in part
                else np.full(P, default))
    events: dict[tuple[int, int], float] = {}
    ecol = part["election_month"] if "election_month" in part else [None] * P
    for i, e in enumerate(ecol):
        for m in parse_months(e):
            events[(m, i)] = float(turnover[i])
    el = inputs.elections
    if el is not None and len(el):
        for r in el.itertuples(index=False):
            i = pidx[str(r.partner_id)]
            t = getattr(r, "turnover_prob", None)
            events[(int(r.month), i)] = float(turnover[i]) if t is None or pd.isna(t) else float(t)
    return [(m, i, t) for (m, i), t in sorted(events.items()) if 0 <= m < H]


def prepare(inputs: BuyInInputs) -> Prepared:
    """Apply the declared interventions, validate, and build the dense arrays."""
    from .interventions import apply_interventions, stake_pairs

    inputs = apply_interventions(inputs)
    validate(inputs)
    prm = inputs.params
    pids, vids = inputs.partner_ids, inputs.vehicle_ids
    pidx = {p: i for i, p in enumerate(pids)}
    vidx = {v: j for j, v in enumerate(vids)}
    P, V, H, Y = len(pids), len(vids), int(inputs.horizon_months), inputs.n_years
    part = inputs.partners
    budget = part["budget_gbp"].to_numpy(float)
    col = lambda name, d: part[name].fillna(d).to_numpy(float) if name in part else np.full(P, d)  # noqa: E731

    pv = inputs.partner_value
    benefit, cost = _money(inputs, pidx, vidx, (P, V, Y))
    has_row = np.zeros((P, V), bool)  # stake: a partner_value row or a board seat; no stake → no doubt either
    for p_, v_ in stake_pairs(inputs):
        has_row[pidx[p_], vidx[v_]] = True
    unc = _pv_matrix(pv, "uncertainty", pidx, vidx, (P, V), prm.default_uncertainty)

    member = np.zeros((P, V), bool)
    weight = np.zeros((P, V))
    veto = np.zeros((P, V), bool)
    funds = np.zeros((P, V), bool)
    for r in inputs.governance.itertuples(index=False):
        i, j = pidx[str(r.partner_id)], vidx[str(r.vehicle_id)]
        member[i, j] = True
        weight[i, j] = float(getattr(r, "voting_weight", 1.0))
        veto[i, j] = bool(getattr(r, "veto", False))
        funds[i, j] = bool(getattr(r, "funds", False))

    tot = weight.sum(axis=0, keepdims=True)
    wshare = np.divide(weight, tot, out=np.zeros_like(weight), where=tot > 0)
    rules = inputs.rules
    code = np.array([RULES.index(r) for r in rules["rule"]])
    lead = np.full(V, -1)
    for j, r in enumerate(rules.itertuples(index=False)):
        if r.rule == "executive":
            name = getattr(r, "lead_partner_id", None)
            if name is None or pd.isna(name) or str(name) == "":
                lead[j] = int(np.flatnonzero(member[:, j] & (weight[:, j] > 0))[0])
            else:
                lead[j] = pidx[str(name)]
            wshare[:, j] = 0.0
            wshare[lead[j], j] = 1.0  # the deciding body keeps full control; the other members have no say
    annual_cost = cost.mean(axis=2)
    sov_default = np.minimum(1.0, annual_cost / budget[:, None]) * (1.0 - wshare) * np.where(veto, 0.5, 1.0)
    sov = _pv_matrix(pv, "sovereignty_loss", pidx, vidx, (P, V), np.nan)
    sov = np.where(np.isnan(sov), sov_default, sov)

    prior = np.clip(_pv_matrix(pv, "prior_stance", pidx, vidx, (P, V), 0.0), -1, 1)
    reset = prior.copy()
    committed = np.zeros((P, V), bool)
    leaning = np.zeros((P, V))
    ev = inputs.evidence
    if ev is not None and len(ev):
        start = {"confirmed": prm.stance_confirmed, "in_principle": prm.stance_in_principle, "undecided": 0.0,
                 "opposed": prm.stance_opposed}
        for r in ev.itertuples(index=False):
            i, j = pidx[str(r.partner_id)], vidx[str(r.vehicle_id)]
            prior[i, j] = start[str(r.stance)]
            reset[i, j] = 0.0  # a new administration is not bound by its predecessor's position
            committed[i, j] = str(r.stance) == "confirmed"
            leaning[i, j] = prm.lean_per_stance * start[str(r.stance)]

    elections = _elections(inputs, pidx, H)
    thr = rules["threshold"] if "threshold" in rules else pd.Series([np.nan] * V)
    req = rules["require_all_funders"] if "require_all_funders" in rules else pd.Series([False] * V)
    mins = rules["min_members"] if "min_members" in rules else pd.Series([np.nan] * V)
    dep = inputs.dependencies
    dv, dr, dl = [], [], []
    if dep is not None and len(dep):
        for r in dep.itertuples(index=False):
            if str(r.vehicle_id) in vidx and str(r.requires_vehicle_id) in vidx:
                dv.append(vidx[str(r.vehicle_id)])
                dr.append(vidx[str(r.requires_vehicle_id)])
                dl.append(12 * int(r.min_lag_years))
    planned = np.array([int(inputs.planned_month.get(v, 0)) if hasattr(inputs.planned_month, "get") else 0
                        for v in vids])
    return Prepared(
        partner_ids=pids, vehicle_ids=vids, horizon=H, params=prm,
        peer_weight=_peer_matrix(inputs, pids),
        benefit_share=benefit / budget[:, None, None], cost_share=cost / budget[:, None, None],
        pressure=col("financial_pressure", 0.5),
        risk_appetite=col("risk_appetite", 0.5),
        sovereignty_loss=np.clip(sov, 0.0, 1.0),
        uncertainty=np.clip(np.where(has_row, unc, 0.0), 0, 1),
        head_start=_pv_matrix(pv, "head_start_months", pidx, vidx, (P, V), 0.0),
        prior=prior, reset=reset, committed=committed, leaning=leaning,
        decides=_decision_points(inputs, pidx, vidx, H, elections),
        election_month=np.array([e[0] for e in elections], int),
        election_partner=np.array([e[1] for e in elections], int),
        election_turnover=np.array([e[2] for e in elections], float),
        member=member, weight=weight, veto=veto, funds=funds,
        rule_code=code,
        threshold=np.array([0.5 if pd.isna(x) else float(x) for x in thr]),
        require_funders=np.array([bool(x) if not pd.isna(x) else False for x in req]),
        lead=lead,
        min_members=np.array([1.0 if pd.isna(x) else float(x) for x in mins]),
        dep_vehicle=np.array(dv, int), dep_requires=np.array(dr, int), dep_lag_months=np.array(dl, int),
        planned=planned,
    )
