"""The batch engine: many replications at once, numpy over run × partner × vehicle.

Each run draws from its own generator, seeded by its run seed, in a fixed order (documented in docs/agents.md):
dispositions (P·V normals), election uniforms (K), new dispositions for each election (K·V normals), then the
monthly noise (H·P normals: one shock per partner per month, shared by its stances on every vehicle). The peer term is one (P × P) @ (P × V) product per run (numpy's stacked
matmul), so a run's arithmetic never depends on which other runs share its block: results do not depend on the
block size, the chunking or the dask worker a run lands on (tested).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .dynamics import executive_case, initial_stance, own_drive_path
from .governance import pivotal
from .inputs import RULES
from .prepare import Prepared

BLOCK = 256  # runs per block: a block's state is a few (256, P, V) arrays and its noise (256, H, P)


@dataclass
class Block:
    """Outcome of a block of runs (arrays over the block's B runs)."""

    agreed: np.ndarray        # (B, V) month of the agreement that held (NaN: none within the horizon)
    first_agreed: np.ndarray  # (B, V) month of the first agreement (NaN: none), withdrawn or not
    established: np.ndarray   # (B, V) go-live month (NaN: never)
    withdrawals: np.ndarray   # (B, V) agreements withdrawn before go-live
    stance: np.ndarray        # (B, P, V) final stances
    votes: np.ndarray         # (B, P, V) final decisions
    decisive: np.ndarray      # (B, P, V) decisions at the agreeing meeting (final decisions where none)
    membership: np.ndarray    # (B, P, V) members at go-live (final decisions if never live)
    trajectory: dict = field(default_factory=dict)  # block position → list of (month, (P, V) stance)

    def pivotal(self, p: Prepared) -> np.ndarray:
        """(B, P, V): whose decision flipped alone changes the outcome — at the agreeing meeting, else at the end."""
        return pivotal(self.decisive, p)


def draw(p: Prepared, seeds: list[int]) -> tuple[np.ndarray, ...]:
    """Per-run random numbers of a block: dispositions (B, P, V), election uniforms (B, K), fresh dispositions
    (B, K, V) and noise (B, H, P), each run from its own generator in the documented order."""
    P, V = p.shape
    H, K, B = p.horizon, len(p.election_month), len(seeds)
    disp = np.empty((B, P, V))
    u = np.empty((B, K))
    fresh = np.empty((B, K, V))
    noise = np.empty((B, H, P))
    for b, s in enumerate(seeds):
        g = np.random.default_rng(s)
        disp[b] = g.standard_normal((P, V))
        u[b] = g.random(K)
        fresh[b] = g.standard_normal((K, V))
        noise[b] = g.standard_normal((H, P))
    return disp, u, fresh, noise


@dataclass
class Pairs:
    """The deciding (partner, vehicle) pairs — voters — flattened: decisions are recorded for these only."""

    row: np.ndarray        # (n,) partner row of each voter pair
    col: np.ndarray        # (n,) vehicle column
    flat: np.ndarray       # (n,) index into a flattened (P·V) matrix
    weight: np.ndarray     # (n, V) rule weight of the pair in its vehicle's column
    blocker: np.ndarray    # (n, V) 1 where the pair is a blocker of its vehicle
    executive: np.ndarray  # (n,) bool: the pair is an executive vehicle's deciding body
    decides: np.ndarray    # (H, n) bool
    level_deps: list       # per dependency level: [(column within level, required vehicle, lag months)]

    @classmethod
    def of(cls, p: Prepared) -> "Pairs":
        P, V = p.shape
        row, col = np.nonzero(p.voter)
        n = len(row)
        weight, blocker = np.zeros((n, V)), np.zeros((n, V))
        weight[np.arange(n), col] = p.rule_weight[row, col]
        blocker[np.arange(n), col] = p.blocker[row, col]
        executive = (p.lead[col] == row) & (p.rule_code[col] == RULES.index("executive"))
        level_deps = [[(int(np.searchsorted(level, p.dep_vehicle[d])), int(p.dep_requires[d]), int(p.dep_lag_months[d]))
                       for d in np.flatnonzero(np.isin(p.dep_vehicle, level))] for level in p.levels]
        return cls(row, col, row * V + col, weight, blocker, executive, p.decides[:, row, col], level_deps)

    def holds(self, yes: np.ndarray, p: Prepared) -> np.ndarray:
        """(B, V) bool from (B, n) decisions."""
        y = yes.view(np.uint8)  # 0/1 counts; the products are exact in float64
        return (y @ self.weight >= p.rule_bound) & (y @ self.blocker >= p.blocker_count - 0.5)


def run_block(p: Prepared, seeds: list[int], own: np.ndarray | None = None, exec_ok: np.ndarray | None = None,
              record: dict[int, int] | None = None, pairs: Pairs | None = None) -> Block:
    """Run the replications with these seeds together. `record`: block position → record every n months."""
    prm = p.params
    P, V = p.shape
    H, B = p.horizon, len(seeds)
    own = own_drive_path(p) if own is None else own
    exec_ok = executive_case(p) if exec_ok is None else exec_ok
    pairs = Pairs.of(p) if pairs is None else pairs
    n = len(pairs.row)
    disp, u, fresh, noise = draw(p, seeds)
    disp *= prm.disposition_sd
    disp += p.leaning  # the documents' evidence leans the partner's politics
    fresh *= prm.disposition_sd
    noise *= prm.noise_sd
    peer = prm.peer_sensitivity * p.peer_weight
    a = prm.adjustment_rate
    stance = np.repeat(initial_stance(p, own[0])[None], B, axis=0)
    committed = np.repeat(p.committed[None], B, axis=0)
    admin = np.zeros((B, P), np.int16)  # elections that changed each partner's administration
    st = _State(admin_at=np.zeros((B, V), np.int16), votes=np.zeros((B, n), bool), agreed=np.full((B, V), np.nan), first=np.full((B, V), np.nan),
                est=np.full((B, V), np.nan),
                withdrawals=np.zeros((B, V), np.int64), decisive=np.zeros((B, n), bool),
                membership=np.zeros((B, n), bool))
    record = record or {}
    traj = {k: [] for k in record}
    elections_by_month: dict[int, list[int]] = {}
    for k, m in enumerate(p.election_month):
        elections_by_month.setdefault(int(m), []).append(k)
    decision_months = set(int(m) for m in p.decision_months)
    drive = np.empty_like(stance)  # buffers reused every month: no large allocation in the loop
    voter_stance = np.empty((B, n))
    for m in range(H):
        # 1. every stance moves toward tanh(peers + disposition + own view), plus noise
        np.matmul(peer, stance, out=drive)
        drive += disp
        drive += own[m]
        np.tanh(drive, out=drive)
        drive *= a
        stance *= 1.0 - a
        stance += drive
        stance += noise[:, m, :, None]
        np.clip(stance, -1.0, 1.0, out=stance)
        for b, every in record.items():
            if m % every == 0:
                traj[b].append((m, stance[b].copy()))
        # 2. elections: a new administration (chance = turnover) resets the stance and redraws the disposition
        for k in elections_by_month.get(m, ()):
            i = p.election_partner[k]
            new = u[:, k] < p.election_turnover[k]
            stance[new, i, :] = p.reset[i]
            disp[new, i, :] = fresh[new, k, :]
            committed[new, i, :] = False
            admin[new, i] += 1
        # 3. decision points
        if m in decision_months:
            np.take(stance.reshape(B, P * V), pairs.flat, axis=1, out=voter_stance)
            _decide(p, pairs, m, voter_stance, committed.reshape(B, P * V)[:, pairs.flat], admin[:, pairs.row], st,
                    exec_ok)
    never = np.isnan(st.agreed)[:, pairs.col]
    decisive = np.where(never, st.votes, st.decisive)
    membership = np.where(np.isnan(st.est)[:, pairs.col], st.votes, st.membership)
    return Block(agreed=st.agreed, first_agreed=st.first, established=st.est, withdrawals=st.withdrawals, stance=stance,
                 votes=_unflatten(st.votes, pairs, P, V), decisive=_unflatten(decisive, pairs, P, V),
                 membership=_unflatten(membership, pairs, P, V) & p.member, trajectory=traj)


def _unflatten(x: np.ndarray, pairs: Pairs, P: int, V: int) -> np.ndarray:
    out = np.zeros((len(x), P, V), bool)
    out[:, pairs.row, pairs.col] = x
    return out


@dataclass
class _State:
    admin_at: np.ndarray     # (B, V) the deciding body's administration count when an executive vehicle was agreed
    votes: np.ndarray        # (B, n) recorded decisions of the voter pairs
    agreed: np.ndarray       # (B, V)
    first: np.ndarray        # (B, V)
    est: np.ndarray          # (B, V)
    withdrawals: np.ndarray  # (B, V)
    decisive: np.ndarray     # (B, n)
    membership: np.ndarray   # (B, n)


def _decide(p: Prepared, pairs: Pairs, m: int, stance: np.ndarray, committed: np.ndarray, admin: np.ndarray,
            st: _State, exec_ok: np.ndarray) -> None:
    """Month m's decision points: record decisions, then agree, withdraw or cascade, vehicle by dependency level.
    `stance`, `committed`, `admin`: (B, n) for the voter pairs."""
    prm = p.params
    dm = pairs.decides[m]  # (n,) pairs deciding this month
    live = st.est <= m  # NaN compares False: not live
    live_n = live[:, pairs.col]
    open_n = np.isnan(st.agreed)[:, pairs.col]
    collapsed = (stance < prm.withdrawal_threshold) & ~committed
    # a member votes yes on a clear stance; an executive body when the case clears its own tests (unless its stance
    # has collapsed); a confirmed commitment is a yes
    yes = np.where(pairs.executive, exec_ok[m, pairs.col] & ~collapsed, stance > prm.vote_threshold) | committed
    # before go-live an agreed vehicle keeps a member's yes unless that member's stance collapses; a formal executive
    # decision is reopened only by a new administration
    collapsed &= ~pairs.executive | (admin != st.admin_at[:, pairs.col])
    new = np.where(open_n, yes, (st.votes & ~collapsed) | yes)
    np.copyto(st.votes, new, where=dm[None, :] & ~live_n)
    holds = pairs.holds(st.votes, p)
    meets = p.vehicle_meets[m]
    for level, deps in zip(p.levels, pairs.level_deps):
        ok = holds[:, level].copy()
        lost = np.zeros_like(ok)
        start = np.zeros(ok.shape)
        for col, r, lag in deps:
            have = ~np.isnan(st.agreed[:, r])
            ok[:, col] &= have
            lost[:, col] |= ~have
            start[:, col] = np.fmax(start[:, col], st.est[:, r] + lag)
        a_lvl, e_lvl, w_lvl = st.agreed[:, level], st.est[:, level], st.withdrawals[:, level]
        now = np.isnan(a_lvl) & ok & meets[level][None, :]
        # withdrawn: agreed, not live, and the rule fails at a decision point or a required vehicle fell away
        fell = ~np.isnan(a_lvl) & ~live[:, level] & ((meets[level][None, :] & ~holds[:, level]) | lost)
        if now.any():
            a_lvl[now] = m
            e_lvl[now] = np.fmax(np.fmax(float(m), p.planned[level][None, :].astype(float)), start)[now]
            f_lvl = st.first[:, level]
            f_lvl[now & np.isnan(f_lvl)] = m
            st.first[:, level] = f_lvl
            now_v = np.zeros(st.agreed.shape, bool)
            now_v[:, level] = now
            now_n = now_v[:, pairs.col]
            np.copyto(st.decisive, st.votes, where=now_n)  # the decisions at the agreeing meeting
            ex = np.flatnonzero(pairs.executive & now_n.any(axis=0))
            if len(ex):
                cols = pairs.col[ex]
                st.admin_at[:, cols] = np.where(now_n[:, ex], admin[:, ex], st.admin_at[:, cols])
        if fell.any():
            a_lvl[fell] = np.nan
            e_lvl[fell] = np.nan
            w_lvl[fell] += 1
        st.agreed[:, level], st.est[:, level], st.withdrawals[:, level] = a_lvl, e_lvl, w_lvl
    # membership at go-live: follow the decisions until the vehicle is live
    np.copyto(st.membership, st.votes, where=~live_n)
