"""`BuyInModel`: the Mesa model. Agents hold identity and state; the stance maths runs once a month in numpy.

Timing (Mesa time m + 1 is the end of month m, m = 0 … H-1), in this order within a month:
1. step (Priority.HIGH): every stance moves (dynamics.step_stance);
2. elections (Priority.DEFAULT): an electing partner's stance resets to its prior with chance `turnover`,
   and its disposition is redrawn (a new administration);
3. board meetings (Priority.LOW): partners whose board meets record vote = stance > vote_threshold;
   each vehicle not yet agreed with a member meeting this month checks its governance rule.
"""

from __future__ import annotations

import mesa
import numpy as np
from mesa.time import Priority

from .dynamics import initial_stance, own_drive_path, step_stance
from .governance import pivotal, rules_hold
from .prepare import Prepared


class PartnerAgent(mesa.Agent):
    """A partner organisation: identity, row in the model's matrices, views of its stance and votes."""

    def __init__(self, model: "BuyInModel", row: int, partner_id: str):
        super().__init__(model)
        self.row = row
        self.partner_id = partner_id

    @property
    def stance(self) -> np.ndarray:
        return self.model.stance[self.row]

    @property
    def votes(self) -> np.ndarray:
        return self.model.votes[self.row]


class BuyInModel(mesa.Model):
    def __init__(self, prepared: Prepared, rng=None, own_path: np.ndarray | None = None,
                 record_every: int = 0):
        super().__init__(rng=rng)
        p = self.p = prepared
        P, V = p.shape
        self.own = own_drive_path(p) if own_path is None else own_path
        prm = p.params
        self.disposition = prm.disposition_sd * self.rng.standard_normal((P, V))
        self.stance = initial_stance(p, self.own[0])
        self.votes = np.zeros((P, V), bool)
        self.agreed_month = np.full(V, np.nan)
        self.decisive_votes = np.zeros((P, V), bool)
        self.record_every = record_every
        self.trajectory: list[tuple[int, np.ndarray]] = []
        PartnerAgent.create_agents(self, P, row=list(range(P)), partner_id=p.partner_ids)
        for m in np.flatnonzero(p.elects.any(axis=1)):
            self.schedule_event(self.election, at=float(m + 1), priority=Priority.DEFAULT)
        for m in np.flatnonzero(p.meets.any(axis=1)):
            self.schedule_event(self.board_meeting, at=float(m + 1), priority=Priority.LOW)

    @property
    def month(self) -> int:
        return int(self.time) - 1

    def step(self) -> None:
        m = self.month
        noise = self.rng.standard_normal(self.stance.shape)
        self.stance = step_stance(self.stance, self.own[m], self.disposition, self.p.peer_weight, noise,
                                  self.p.params)
        if self.record_every and m % self.record_every == 0:
            self.trajectory.append((m, self.stance.copy()))

    def election(self) -> None:
        p, V = self.p, self.stance.shape[1]
        for i in np.flatnonzero(p.elects[self.month]):
            u = self.rng.random()
            fresh = self.rng.standard_normal(V)
            if u < p.turnover[i]:
                self.stance[i] = p.prior[i]
                self.disposition[i] = p.params.disposition_sd * fresh

    def board_meeting(self) -> None:
        p, m = self.p, self.month
        new = self.stance > p.params.vote_threshold
        changed = (new != self.votes) & p.meets[m][:, None]
        if not changed.any():
            return  # no vote changed: every rule gives what it gave at the last check (no agreement)
        np.copyto(self.votes, new, where=changed)
        open_ = p.vehicle_meets[m] & np.isnan(self.agreed_month)
        if open_.any():
            now = rules_hold(self.votes, p) & open_
            self.agreed_month[now] = m
            self.decisive_votes[:, now] = self.votes[:, now]

    def run(self) -> "BuyInModel":
        self.run_until(self.p.horizon)
        return self

    def pivotal_partners(self) -> np.ndarray:
        """(P, V): whose vote flipped alone changes the outcome — at the agreeing meeting, else at the end."""
        agreed = ~np.isnan(self.agreed_month)
        votes = np.where(agreed[None, :], self.decisive_votes, self.votes)
        return pivotal(votes, self.p)
