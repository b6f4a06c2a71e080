"""Replications: per-run seeds from a master seed, serial or on dask.distributed, identical either way."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .inputs import RULES, BuyInInputs
from .engine import BLOCK, run_block
from .prepare import Prepared, prepare
from .reference import ReferenceModel


def run_seeds(seed: int, runs: int) -> list[int]:
    """One independent 64-bit seed per run, spawned from the master seed (numpy SeedSequence)."""
    out = []
    for child in np.random.SeedSequence(seed).spawn(runs):
        hi, lo = child.generate_state(2, np.uint32)
        out.append((int(hi) << 32) | int(lo))
    return out


@dataclass
class Run:
    """One replication of the batch engine (what `run_one` returns for impl="fast")."""

    agreed_month: np.ndarray       # (V,)
    first_agreed_month: np.ndarray  # (V,)
    established_month: np.ndarray  # (V,)
    withdrawals: np.ndarray        # (V,)
    stance: np.ndarray             # (P, V) final stances
    votes: np.ndarray              # (P, V) final decisions
    membership: np.ndarray         # (P, V) members at go-live
    trajectory: list               # (month, (P, V) stance) every `record_every` months
    _pivotal: np.ndarray

    def pivotal_partners(self) -> np.ndarray:
        return self._pivotal


def run_one(p: Prepared, run_seed: int, impl: str = "fast", record_every: int = 0, own_path=None):
    """One replication → a `Run` (batch engine, impl="fast") or the finished Mesa `ReferenceModel`."""
    if impl == "fast":
        blk = run_block(p, [run_seed], own=own_path, record={0: record_every} if record_every else None)
        return Run(blk.agreed[0], blk.first_agreed[0], blk.established[0], blk.withdrawals[0], blk.stance[0], blk.votes[0],
                   blk.membership[0], blk.trajectory.get(0, []), blk.pivotal(p)[0])
    if impl == "reference":
        return ReferenceModel(p, rng=run_seed, record_every=record_every).run()
    raise ValueError(f"impl must be 'fast' or 'reference', not {impl!r}")


def run_chunk(p: Prepared, runs: list[int], seeds: list[int], record_runs: int = 0, record_every: int = 1,
              impl: str = "fast") -> dict:
    """Run a chunk of replications (in blocks of `engine.BLOCK` runs); returns compact arrays (cheap to send back
    from a dask worker)."""
    from .dynamics import executive_case, own_drive_path

    P, V = p.shape
    n = len(runs)
    out = {"runs": list(runs), "agreed": np.full((n, V), np.nan), "first_agreed": np.full((n, V), np.nan),
           "established": np.full((n, V), np.nan),
           "withdrawals": np.zeros((n, V), np.int64), "pivotal_agreed": np.zeros((P, V), np.int64),
           "pivotal_blocked": np.zeros((P, V), np.int64), "membership": np.zeros((n, P, V), bool),
           "trajectories": []}
    if impl == "fast":
        own, exec_ok = own_drive_path(p), executive_case(p)
        for lo in range(0, n, BLOCK):
            idx = list(range(lo, min(n, lo + BLOCK)))
            record = {k - lo: record_every for k in idx if runs[k] < record_runs}
            blk = run_block(p, [seeds[k] for k in idx], own=own, exec_ok=exec_ok, record=record)
            sl = slice(lo, lo + len(idx))
            out["agreed"][sl], out["established"][sl] = blk.agreed, blk.established
            out["first_agreed"][sl] = blk.first_agreed
            out["withdrawals"][sl], out["membership"][sl] = blk.withdrawals, blk.membership
            piv = blk.pivotal(p)
            ok = ~np.isnan(blk.agreed)[:, None, :]
            out["pivotal_agreed"] += (piv & ok).sum(axis=0)
            out["pivotal_blocked"] += (piv & ~ok).sum(axis=0)
            for b, t in blk.trajectory.items():
                out["trajectories"].append((runs[lo + b], [mm for mm, _ in t], np.stack([x for _, x in t])))
        return out
    for k, (r, s) in enumerate(zip(runs, seeds)):
        rec = record_every if r < record_runs else 0
        model = run_one(p, s, impl, rec)
        out["agreed"][k], out["established"][k] = model.agreed_month, model.established_month
        out["first_agreed"][k] = model.first_agreed_month
        out["withdrawals"][k], out["membership"][k] = model.withdrawals, model.membership
        piv = model.pivotal_partners()
        ok = ~np.isnan(model.agreed_month)[None, :]
        out["pivotal_agreed"] += piv & ok
        out["pivotal_blocked"] += piv & ~ok
        if rec:
            hist = np.stack([np.array(a.history) for a in model.partners], axis=1)
            out["trajectories"].append((r, list(range(0, p.horizon, rec)), hist))
    return out


@dataclass
class BuyInResults:
    """Tables of a set of replications.

    outcomes      run, run_seed, vehicle_id, agreed_month (the agreement that held), planned_month,
                  established_month, delay_months, withdrawals (agreements withdrawn before go-live in that run),
                  first_agreed_month (the first agreement, withdrawn or not)
    pivotal       vehicle_id, partner_id, pivotal_when_agreed, pivotal_when_blocked, pivotal_runs, pivotal_share
    trajectories  run, month, partner_id, vehicle_id, stance (sampled runs only)
    membership    run, vehicle_id, partner_id: the members of each opt-in vehicle at go-live, in runs where it
                  goes live within the horizon (appraisal recomputes the vehicle's money for that membership)
    """

    outcomes: pd.DataFrame
    pivotal: pd.DataFrame
    trajectories: pd.DataFrame
    runs: int
    seed: int
    horizon_months: int
    vehicle_ids: list[str]
    planned_month: dict[str, int]
    provenance: dict = field(default_factory=dict)
    membership: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["run", "vehicle_id",
                                                                                    "partner_id"]))


def _chunks(n: int, size: int) -> list[range]:
    return [range(i, min(n, i + size)) for i in range(0, n, size)]


def _hash(p: Prepared) -> str:
    h = hashlib.sha256()
    for name in ("peer_weight", "benefit_share", "cost_share", "pressure", "risk_appetite", "sovereignty_loss",
                 "uncertainty", "head_start", "prior", "reset", "committed", "leaning", "decides", "election_month",
                 "election_partner", "election_turnover", "member", "weight", "veto", "funds", "rule_code",
                 "threshold", "require_funders", "lead", "min_members", "dep_vehicle", "dep_requires",
                 "dep_lag_months", "planned"):
        h.update(np.ascontiguousarray(getattr(p, name)).tobytes())
    h.update(repr((p.partner_ids, p.vehicle_ids, p.horizon, p.params)).encode())
    return h.hexdigest()[:16]


def simulate(inputs: BuyInInputs | Prepared, runs: int, seed: int, client=None, *, chunk_size: int | None = None,
             record_runs: int = 3, record_every: int = 1, impl: str = "fast") -> BuyInResults:
    """Run `runs` replications from master `seed`; with a dask `client`, chunks of runs go to its workers.

    Results depend only on (inputs, runs, seed): not on serial vs dask, nor on chunking.
    Stance trajectories are kept for the first `record_runs` runs, every `record_every` months.
    """
    import mesa

    t0 = time.perf_counter()
    if isinstance(seed, np.random.Generator):  # architecture convention: an int seed or a Generator
        seed = int(seed.integers(2**63))
    p = inputs if isinstance(inputs, Prepared) else prepare(inputs)
    seeds = run_seeds(seed, runs)
    if client is None:
        chunks = _chunks(runs, chunk_size or max(runs, 1))
        parts = [run_chunk(p, list(c), [seeds[i] for i in c], record_runs, record_every, impl) for c in chunks]
    else:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        size = chunk_size or max(1, -(-runs // (2 * n_workers)))
        [pf] = client.scatter([p], broadcast=True)
        futures = [client.submit(run_chunk, pf, list(c), [seeds[i] for i in c], record_runs, record_every, impl,
                                 pure=False) for c in _chunks(runs, size)]
        parts = client.gather(futures)
    res = _assemble(p, seeds, parts, runs, seed)
    res.provenance.update({"inputs_hash": _hash(p), "seed": seed, "runs": runs, "impl": impl,
                           "mesa": mesa.__version__, "numpy": np.__version__, "parallel": client is not None,
                           "seconds": time.perf_counter() - t0})
    return res


def _assemble(p: Prepared, seeds: list[int], parts: list[dict], runs: int, seed: int) -> BuyInResults:
    P, V = p.shape
    cat = lambda key, shape: (np.concatenate([x[key] for x in parts]) if parts else np.zeros(shape))  # noqa: E731
    run_idx = cat("runs", (0,)).astype(int)
    order = np.argsort(run_idx, kind="stable")
    run_idx = run_idx[order]
    agreed, established = cat("agreed", (0, V))[order], cat("established", (0, V))[order]
    first = cat("first_agreed", (0, V))[order]
    withdrawals, members = cat("withdrawals", (0, V))[order], cat("membership", (0, P, V))[order]
    outcomes = pd.DataFrame({
        "run": np.repeat(run_idx, V),
        "run_seed": np.repeat(np.array(seeds, dtype=np.uint64)[run_idx], V),
        "vehicle_id": np.tile(p.vehicle_ids, len(run_idx)),
        "agreed_month": agreed.ravel(),
        "planned_month": np.tile(p.planned, len(run_idx)),
        "established_month": established.ravel(),  # NaN: never live within the horizon
    })
    outcomes["delay_months"] = outcomes["established_month"] - outcomes["planned_month"]
    outcomes["withdrawals"] = withdrawals.ravel().astype(np.int64)
    outcomes["first_agreed_month"] = first.ravel()
    py = sum((x["pivotal_agreed"] for x in parts), np.zeros((P, V), np.int64))
    pn = sum((x["pivotal_blocked"] for x in parts), np.zeros((P, V), np.int64))
    ii, jj = np.nonzero(p.voter)
    pivotal = pd.DataFrame({
        "vehicle_id": np.array(p.vehicle_ids)[jj], "partner_id": np.array(p.partner_ids)[ii],
        "pivotal_when_agreed": py[ii, jj], "pivotal_when_blocked": pn[ii, jj],
    })
    pivotal["pivotal_runs"] = pivotal["pivotal_when_agreed"] + pivotal["pivotal_when_blocked"]
    pivotal["pivotal_share"] = pivotal["pivotal_runs"] / max(runs, 1)
    pivotal = pivotal.sort_values(["vehicle_id", "pivotal_runs", "partner_id"], ascending=[True, False, True],
                                  ignore_index=True)
    opt_in = np.flatnonzero(p.rule_code == RULES.index("opt_in"))
    live = ~np.isnan(established)
    rr, pp, vv = np.nonzero(members[:, :, opt_in] & live[:, None, opt_in])
    membership = pd.DataFrame({"run": run_idx[rr], "vehicle_id": np.array(p.vehicle_ids)[opt_in][vv],
                               "partner_id": np.array(p.partner_ids)[pp]})
    membership = membership.sort_values(["run", "vehicle_id", "partner_id"], ignore_index=True)
    frames = []
    for x in parts:
        for r, months, arr in x["trajectories"]:
            k = len(months)
            frames.append(pd.DataFrame({
                "run": r, "month": np.repeat(months, P * V),
                "partner_id": np.tile(np.repeat(p.partner_ids, V), k),
                "vehicle_id": np.tile(p.vehicle_ids, k * P), "stance": arr.ravel()}))
    traj = (pd.concat(frames, ignore_index=True).sort_values(["run", "month"], kind="stable", ignore_index=True)
            if frames else pd.DataFrame(columns=["run", "month", "partner_id", "vehicle_id", "stance"]))
    return BuyInResults(outcomes=outcomes, pivotal=pivotal, trajectories=traj, runs=runs, seed=seed,
                        horizon_months=p.horizon, vehicle_ids=list(p.vehicle_ids),
                        planned_month=dict(zip(p.vehicle_ids, map(int, p.planned))), membership=membership)
