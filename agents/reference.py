"""Plain one-object-per-agent Mesa implementation of the same rules as `BuyInModel`.

Each partner computes its own stance with scalar Python from its own attributes and its neighbours'
stances, schedules its own board meetings and elections, and votes; vehicles are checked with the scalar
`governance.rule_holds`. Random draws happen in the same order as in the fast model, so for the same seed both
give the same outcomes. Used by the tests (cross-check) and the benchmark (agent-steps per second).
"""

from __future__ import annotations

import math

import mesa
import numpy as np
from mesa.time import Priority

from .governance import rule_holds
from .inputs import RULES
from .prepare import Prepared


class RefPartner(mesa.Agent):
    def __init__(self, model: "ReferenceModel", row: int):
        super().__init__(model)
        p = model.p
        V = len(p.vehicle_ids)
        self.row = row
        self.partner_id = p.partner_ids[row]
        self.net_share = [float(x) for x in p.net_share[row]]
        self.pressure = float(p.pressure[row])
        self.risk_appetite = float(p.risk_appetite[row])
        self.sovereignty_loss = [float(x) for x in p.sovereignty_loss[row]]
        self.uncertainty = [float(x) for x in p.uncertainty[row]]
        self.head_start = [float(x) for x in p.head_start[row]]
        self.prior = [float(x) for x in p.prior[row]]
        self.turnover = float(p.turnover[row])
        sd = p.params.disposition_sd
        self.disposition = [sd * float(x) for x in model.rng.standard_normal(V)]
        self.votes = [False] * V
        self.stance = [self._initial(v) for v in range(V)]
        self.next_stance = list(self.stance)
        self.history: list[list[float]] = []

    def own_drive(self, v: int, month: int) -> float:
        prm = self.model.p.params
        s = self.net_share[v]
        felt = max(s, 0.0) - prm.loss_aversion * max(-s, 0.0)
        econ = prm.benefit_sensitivity * (1.0 + prm.pressure_sensitivity * self.pressure) * felt
        decay = 0.5 ** ((month + self.head_start[v]) / prm.uncertainty_halflife_months)
        unc = prm.uncertainty_sensitivity * (1.0 - self.risk_appetite) * self.uncertainty[v] * decay
        return econ - prm.sovereignty_sensitivity * self.sovereignty_loss[v] - unc

    def _initial(self, v: int) -> float:
        keep = (1.0 - self.model.p.params.adjustment_rate) ** self.head_start[v]
        return keep * self.prior[v] + (1.0 - keep) * math.tanh(self.own_drive(v, 0))

    def compute(self) -> None:
        prm = self.model.p.params
        month = self.model.month
        noise = self.model.rng.standard_normal(len(self.stance))
        for v in range(len(self.stance)):
            peer = sum(w * nb.stance[v] for nb, w in self.neighbours)
            drive = self.own_drive(v, month) + self.disposition[v] + prm.peer_sensitivity * peer
            new = ((1.0 - prm.adjustment_rate) * self.stance[v] + prm.adjustment_rate * math.tanh(drive)
                   + prm.noise_sd * float(noise[v]))
            self.next_stance[v] = min(1.0, max(-1.0, new))

    def commit(self) -> None:
        self.stance, self.next_stance = self.next_stance, self.stance
        if self.model.record_every and self.model.month % self.model.record_every == 0:
            self.history.append(list(self.stance))

    def election(self) -> None:
        u = self.model.rng.random()
        fresh = self.model.rng.standard_normal(len(self.stance))
        if u < self.turnover:
            self.stance = list(self.prior)
            self.disposition = [self.model.p.params.disposition_sd * float(x) for x in fresh]

    def board_meeting(self) -> None:
        thr = self.model.p.params.vote_threshold
        self.votes = [s > thr for s in self.stance]


class ReferenceModel(mesa.Model):
    def __init__(self, prepared: Prepared, rng=None, record_every: int = 0):
        super().__init__(rng=rng)
        p = self.p = prepared
        self.record_every = record_every
        self.partners = [RefPartner(self, i) for i in range(len(p.partner_ids))]
        for a in self.partners:
            a.neighbours = [(self.partners[j], float(w)) for j, w in enumerate(p.peer_weight[a.row]) if w > 0]
        self.vehicles = []
        for v, vid in enumerate(p.vehicle_ids):
            members = [(self.partners[i], float(p.weight[i, v]), bool(p.veto[i, v]), bool(p.funds[i, v]))
                       for i in range(len(self.partners)) if p.member[i, v]]
            self.vehicles.append({"id": vid, "index": v, "members": members, "rule": RULES[p.rule_code[v]],
                                  "threshold": float(p.threshold[v]),
                                  "require_all_funders": bool(p.require_funders[v]),
                                  "agreed_month": math.nan, "decisive": None})
        for a in self.partners:
            for m in range(p.horizon):
                if p.elects[m, a.row]:
                    self.schedule_event(a.election, at=float(m + 1), priority=Priority.DEFAULT)
                if p.meets[m, a.row]:
                    self.schedule_event(a.board_meeting, at=float(m + 1), priority=Priority.LOW)
        for m in range(p.horizon):
            if p.meets[m].any():
                self.schedule_event(self.check_vehicles, at=float(m + 1), priority=Priority.LOW)

    @property
    def month(self) -> int:
        return int(self.time) - 1

    def step(self) -> None:
        for a in self.partners:
            a.compute()
        for a in self.partners:
            a.commit()

    def _holds(self, veh, flip=None) -> bool:
        v = veh["index"]
        yes = [veh["decisive"][a.row] if veh["decisive"] else a.votes[v] for a, *_ in veh["members"]]
        if flip is not None:
            yes[flip] = not yes[flip]
        return rule_holds(yes, [m[1] for m in veh["members"]], [m[2] for m in veh["members"]],
                          [m[3] for m in veh["members"]], veh["rule"], veh["threshold"],
                          veh["require_all_funders"], self.p.params.rule_tolerance)

    def check_vehicles(self) -> None:
        m = self.month
        for veh in self.vehicles:
            if not math.isnan(veh["agreed_month"]):
                continue
            if not any(self.p.meets[m, a.row] for a, *_ in veh["members"]):
                continue
            if self._holds(veh):
                veh["agreed_month"] = m
                veh["decisive"] = {a.row: a.votes[veh["index"]] for a, *_ in veh["members"]}

    def run(self) -> "ReferenceModel":
        self.run_until(self.p.horizon)
        return self

    @property
    def agreed_month(self) -> np.ndarray:
        return np.array([veh["agreed_month"] for veh in self.vehicles], dtype=float)

    @property
    def stance(self) -> np.ndarray:
        return np.array([a.stance for a in self.partners])

    def pivotal_partners(self) -> np.ndarray:
        out = np.zeros((len(self.partners), len(self.vehicles)), bool)
        for v, veh in enumerate(self.vehicles):
            base = self._holds(veh)
            for k, (a, *_) in enumerate(veh["members"]):
                out[a.row, v] = self._holds(veh, flip=k) != base
        return out
