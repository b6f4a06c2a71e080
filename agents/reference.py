"""Plain one-object-per-agent Mesa implementation of the same rules as the batch engine (engine.py).

Each partner computes its own stance with scalar Python from its own attributes and its neighbours' stances,
holds its own election events and decides at its own decision points; vehicles are checked one by one with the
scalar `governance.rule_holds`, in dependency order. Random numbers are drawn from the run's generator in the
engine's order (dispositions, election uniforms, fresh dispositions at init; then each month's noise), so for the
same seed both give the same outcomes. Used by the tests (cross-check) and the benchmark (agent-steps per second).
"""

from __future__ import annotations

import math

import mesa
import numpy as np
from mesa.time import Priority

from .governance import rule_holds
from .inputs import RULES
from .prepare import Prepared


def _felt(net: list[float], prm) -> float:
    weights = [prm.time_discount ** y for y in range(len(net))]
    total = sum(weights)
    return sum(w / total * (max(x, 0.0) - prm.loss_aversion * max(-x, 0.0)) for w, x in zip(weights, net))


class RefPartner(mesa.Agent):
    def __init__(self, model: "ReferenceModel", row: int, disposition: list[float]):
        super().__init__(model)
        p = model.p
        V = len(p.vehicle_ids)
        self.row = row
        self.partner_id = p.partner_ids[row]
        self.benefit = [[float(x) for x in p.benefit_share[row, v]] for v in range(V)]
        self.cost = [[float(x) for x in p.cost_share[row, v]] for v in range(V)]
        # an enabling vehicle is valued with the money of the vehicles that need it (dependents first)
        for level in reversed(p.levels):
            for d, r, _ in model.requirements:
                if d in set(int(x) for x in level):
                    self.benefit[r] = [x + y for x, y in zip(self.benefit[r], self.benefit[d])]
                    self.cost[r] = [x + y for x, y in zip(self.cost[r], self.cost[d])]
        self.pressure = float(p.pressure[row])
        self.risk_appetite = float(p.risk_appetite[row])
        self.sovereignty_loss = [float(x) for x in p.sovereignty_loss[row]]
        self.uncertainty = [float(x) for x in p.uncertainty[row]]
        self.head_start = [float(x) for x in p.head_start[row]]
        self.prior = [float(x) for x in p.prior[row]]
        self.reset = [float(x) for x in p.reset[row]]
        self.committed = [bool(x) for x in p.committed[row]]
        self.administration = 0  # counts elections that changed the administration
        self.disposition = disposition
        self.votes = [False] * V
        self.stance = [self._initial(v) for v in range(V)]
        self.next_stance = list(self.stance)
        self.history: list[list[float]] = []

    def doubt(self, v: int, month: int) -> float:
        prm = self.model.p.params
        decay = 0.5 ** ((month + self.head_start[v]) / prm.uncertainty_halflife_months)
        return (1.0 - self.risk_appetite) * self.uncertainty[v] * decay

    def own_drive(self, v: int, month: int) -> float:
        prm = self.model.p.params
        felt = _felt([b - c for b, c in zip(self.benefit[v], self.cost[v])], prm)
        econ = prm.benefit_sensitivity * (1.0 + prm.pressure_sensitivity * self.pressure) * felt
        return (econ - prm.sovereignty_sensitivity * self.sovereignty_loss[v]
                - prm.uncertainty_sensitivity * self.doubt(v, month))

    def case_clears(self, v: int, month: int) -> bool:
        """The executive tests: a net gain over the horizon, affordable in every year, doubt within tolerance."""
        prm = self.model.p.params
        net = [b - c for b, c in zip(self.benefit[v], self.cost[v])]
        return (sum(net) > 0 and max(-x for x in net) <= prm.affordability_share
                and self.doubt(v, month) <= prm.risk_tolerance)

    def _initial(self, v: int) -> float:
        keep = (1.0 - self.model.p.params.adjustment_rate) ** self.head_start[v]
        return keep * self.prior[v] + (1.0 - keep) * math.tanh(self.own_drive(v, 0))

    def compute(self) -> None:
        prm = self.model.p.params
        month = self.model.month
        noise = float(self.model.rng.standard_normal())  # one shock per partner per month, on every vehicle
        for v in range(len(self.stance)):
            peer = sum(w * nb.stance[v] for nb, w in self.neighbours)
            drive = prm.peer_sensitivity * peer + self.disposition[v] + self.own_drive(v, month)
            new = ((1.0 - prm.adjustment_rate) * self.stance[v] + prm.adjustment_rate * math.tanh(drive)
                   + prm.noise_sd * noise)
            self.next_stance[v] = min(1.0, max(-1.0, new))

    def commit(self) -> None:
        self.stance, self.next_stance = self.next_stance, self.stance
        if self.model.record_every and self.model.month % self.model.record_every == 0:
            self.history.append(list(self.stance))

    def election(self) -> None:
        """This partner's next election: with chance `turnover` a new administration resets its stance."""
        u, fresh, turnover = self.elections.pop(0)
        if u < turnover:
            self.administration += 1
            self.stance = list(self.reset)
            self.disposition = fresh
            self.committed = [False] * len(self.stance)

    def decide(self, v: int, vehicle: dict) -> None:
        """Record this partner's decision on vehicle v at one of its decision points (not after go-live)."""
        prm = self.model.p.params
        s, month = self.stance[v], self.model.month
        collapsed = s < prm.withdrawal_threshold and not self.committed[v]
        if vehicle["rule"] == "executive":
            yes = self.committed[v] or (self.case_clears(v, month) and not collapsed)
            # a formal decision is reopened only by a new administration
            collapsed = collapsed and self.administration != vehicle["administration"]
        else:
            yes = self.committed[v] or s > prm.vote_threshold
        if math.isnan(vehicle["agreed_month"]):
            self.votes[v] = yes
        else:  # agreed, not yet live: a yes stands unless the stance collapses
            self.votes[v] = (self.votes[v] and not collapsed) or yes


class ReferenceModel(mesa.Model):
    def __init__(self, prepared: Prepared, rng=None, record_every: int = 0):
        super().__init__(rng=rng)
        p = self.p = prepared
        P, V = p.shape
        sd = p.params.disposition_sd
        self.record_every = record_every
        dispositions = [[sd * float(x) + float(lean) for x, lean in zip(self.rng.standard_normal(V), p.leaning[i])]
                        for i in range(P)]
        K = len(p.election_month)
        self.election_u = [float(self.rng.random()) for _ in range(K)]
        self.election_fresh = [[sd * float(x) for x in self.rng.standard_normal(V)] for _ in range(K)]
        self.requirements = [(int(d), int(r), int(lag)) for d, r, lag in
                             zip(p.dep_vehicle, p.dep_requires, p.dep_lag_months)]
        self.partners = [RefPartner(self, i, dispositions[i]) for i in range(P)]
        for a in self.partners:
            a.neighbours = [(self.partners[j], float(w)) for j, w in enumerate(p.peer_weight[a.row]) if w > 0]
        self.vehicles = []
        for v, vid in enumerate(p.vehicle_ids):
            members = [(self.partners[i], float(p.weight[i, v]), bool(p.veto[i, v]), bool(p.funds[i, v]))
                       for i in range(P) if p.member[i, v]]
            rule = RULES[p.rule_code[v]]
            lead = next((k for k, (a, *_) in enumerate(members) if a.row == p.lead[v]), None)
            self.vehicles.append({"id": vid, "index": v, "members": members, "rule": rule, "lead": lead,
                                  "threshold": float(p.threshold[v]), "min_members": int(p.min_members[v]),
                                  "require_all_funders": bool(p.require_funders[v]), "planned": int(p.planned[v]),
                                  "requires": [(int(r), int(lag)) for d, r, lag in
                                               zip(p.dep_vehicle, p.dep_requires, p.dep_lag_months) if d == v],
                                  "agreed_month": math.nan, "first": math.nan, "established": math.nan,
                                  "withdrawals": 0, "administration": 0,
                                  "decisive": None, "membership": None})
        order = [int(v) for level in p.levels for v in level]
        self.vehicles_in_order = [self.vehicles[v] for v in order]
        for a in self.partners:
            a.elections = []
        for k, (m, i, t) in enumerate(zip(p.election_month, p.election_partner, p.election_turnover)):
            a = self.partners[int(i)]
            a.elections.append((self.election_u[k], self.election_fresh[k], float(t)))
            self.schedule_event(a.election, at=float(m + 1), priority=Priority.DEFAULT)
        for m in range(p.horizon):
            if p.decides[m].any():
                self.schedule_event(self.decision_points, at=float(m + 1), priority=Priority.LOW)

    @property
    def month(self) -> int:
        return int(self.time) - 1

    def step(self) -> None:
        for a in self.partners:
            a.compute()
        for a in self.partners:
            a.commit()

    def _voters(self, veh) -> list:
        if veh["rule"] == "executive":
            return [veh["members"][veh["lead"]][0]]
        return [a for a, w, *_ in veh["members"] if w > 0]

    def _holds(self, veh, votes=None, flip=None) -> bool:
        v = veh["index"]
        yes = list(votes) if votes is not None else [a.votes[v] for a, *_ in veh["members"]]
        if flip is not None:
            yes[flip] = not yes[flip]
        return rule_holds(yes, [m[1] for m in veh["members"]], [m[2] for m in veh["members"]],
                          [m[3] for m in veh["members"]], veh["rule"], veh["threshold"],
                          veh["require_all_funders"], self.p.params.rule_tolerance, lead=veh["lead"],
                          min_members=veh["min_members"])

    def _live(self, veh) -> bool:
        return not math.isnan(veh["established"]) and veh["established"] <= self.month

    def decision_points(self) -> None:
        m, p = self.month, self.p
        live = {veh["id"]: self._live(veh) for veh in self.vehicles}
        meets = {}
        for veh in self.vehicles:
            v = veh["index"]
            deciders = [a for a in self._voters(veh) if p.decides[m, a.row, v]]
            meets[veh["id"]] = bool(deciders)
            if not live[veh["id"]]:
                for a in deciders:
                    a.decide(v, veh)
        for veh in self.vehicles_in_order:
            v = veh["index"]
            required = [(self.vehicles[r], lag) for r, lag in veh["requires"]]
            holds = self._holds(veh)
            if math.isnan(veh["agreed_month"]):
                if meets[veh["id"]] and holds and all(not math.isnan(r["agreed_month"]) for r, _ in required):
                    veh["agreed_month"] = m
                    if math.isnan(veh["first"]):
                        veh["first"] = m
                    if veh["lead"] is not None:
                        veh["administration"] = veh["members"][veh["lead"]][0].administration
                    start = max([m, veh["planned"]] + [r["established"] + lag for r, lag in required])
                    veh["established"] = float(start)
                    veh["decisive"] = [a.votes[v] for a, *_ in veh["members"]]
            elif not live[veh["id"]]:
                lost = any(math.isnan(r["agreed_month"]) for r, _ in required)
                if (meets[veh["id"]] and not holds) or lost:
                    veh["agreed_month"] = math.nan
                    veh["established"] = math.nan
                    veh["withdrawals"] += 1
            if not live[veh["id"]]:
                veh["membership"] = [a.votes[v] for a, *_ in veh["members"]]

    def run(self) -> "ReferenceModel":
        self.run_until(self.p.horizon)
        return self

    def _by_vehicle(self, key) -> np.ndarray:
        return np.array([veh[key] for veh in self.vehicles], dtype=float)

    @property
    def agreed_month(self) -> np.ndarray:
        return self._by_vehicle("agreed_month")

    @property
    def first_agreed_month(self) -> np.ndarray:
        return self._by_vehicle("first")

    @property
    def established_month(self) -> np.ndarray:
        return self._by_vehicle("established")

    @property
    def withdrawals(self) -> np.ndarray:
        return self._by_vehicle("withdrawals").astype(np.int64)

    @property
    def stance(self) -> np.ndarray:
        return np.array([a.stance for a in self.partners])

    @property
    def votes(self) -> np.ndarray:
        return np.array([a.votes for a in self.partners])

    @property
    def membership(self) -> np.ndarray:
        out = np.zeros(self.p.shape, bool)
        for veh in self.vehicles:
            got = veh["membership"] if not math.isnan(veh["established"]) else None
            got = got if got is not None else [a.votes[veh["index"]] for a, *_ in veh["members"]]
            for (a, *_), x in zip(veh["members"], got):
                out[a.row, veh["index"]] = x
        return out

    def pivotal_partners(self) -> np.ndarray:
        out = np.zeros(self.p.shape, bool)
        for v, veh in enumerate(self.vehicles):
            votes = veh["decisive"] if not math.isnan(veh["agreed_month"]) else None
            base = self._holds(veh, votes)
            voters = {a.row for a in self._voters(veh)}
            for k, (a, *_) in enumerate(veh["members"]):
                if a.row in voters:
                    out[a.row, v] = self._holds(veh, votes, flip=k) != base
        return out
