"""Replications: per-run seeds from a master seed, serial or on dask.distributed, identical either way."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .inputs import BuyInInputs
from .model import BuyInModel
from .prepare import Prepared, prepare
from .reference import ReferenceModel


def run_seeds(seed: int, runs: int) -> list[int]:
    """One independent 64-bit seed per run, spawned from the master seed (numpy SeedSequence)."""
    out = []
    for child in np.random.SeedSequence(seed).spawn(runs):
        hi, lo = child.generate_state(2, np.uint32)
        out.append((int(hi) << 32) | int(lo))
    return out


def run_one(p: Prepared, run_seed: int, impl: str = "fast", record_every: int = 0, own_path=None):
    """One replication → the finished model (fast `BuyInModel` or `ReferenceModel`)."""
    if impl == "fast":
        return BuyInModel(p, rng=run_seed, own_path=own_path, record_every=record_every).run()
    if impl == "reference":
        return ReferenceModel(p, rng=run_seed, record_every=record_every).run()
    raise ValueError(f"impl must be 'fast' or 'reference', not {impl!r}")


def run_chunk(p: Prepared, runs: list[int], seeds: list[int], record_runs: int = 0, record_every: int = 1,
              impl: str = "fast") -> dict:
    """Run a block of replications; returns compact arrays (cheap to send back from a dask worker)."""
    from .dynamics import own_drive_path

    own = own_drive_path(p) if impl == "fast" else None
    P, V = p.shape
    agreed = np.full((len(runs), V), np.nan)
    piv_yes = np.zeros((P, V), np.int64)
    piv_no = np.zeros((P, V), np.int64)
    traj = []
    for k, (r, s) in enumerate(zip(runs, seeds)):
        rec = record_every if r < record_runs else 0
        model = run_one(p, s, impl, rec, own)
        agreed[k] = model.agreed_month
        piv = model.pivotal_partners()
        ok = ~np.isnan(agreed[k])
        piv_yes += piv & ok[None, :]
        piv_no += piv & ~ok[None, :]
        if rec:
            if impl == "fast":
                traj.append((r, [m for m, _ in model.trajectory], np.stack([s_ for _, s_ in model.trajectory])))
            else:
                months = list(range(0, p.horizon, rec))
                hist = np.stack([np.array(a.history) for a in model.partners], axis=1)
                traj.append((r, months, hist))
    return {"runs": list(runs), "agreed": agreed, "pivotal_agreed": piv_yes, "pivotal_blocked": piv_no,
            "trajectories": traj}


@dataclass
class BuyInResults:
    """Tables of a set of replications.

    outcomes      run, run_seed, vehicle_id, agreed_month, planned_month, established_month, delay_months
    pivotal       vehicle_id, partner_id, pivotal_when_agreed, pivotal_when_blocked, pivotal_runs, pivotal_share
    trajectories  run, month, partner_id, vehicle_id, stance (sampled runs only)
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


def _chunks(n: int, size: int) -> list[range]:
    return [range(i, min(n, i + size)) for i in range(0, n, size)]


def _hash(p: Prepared) -> str:
    h = hashlib.sha256()
    for name in ("peer_weight", "net_share", "pressure", "risk_appetite", "sovereignty_loss", "uncertainty",
                 "head_start", "prior", "meets", "elects", "turnover", "member", "weight", "veto", "funds",
                 "rule_code", "threshold", "require_funders", "planned"):
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
    V = len(p.vehicle_ids)
    run_idx = np.concatenate([np.asarray(x["runs"], int) for x in parts]) if parts else np.zeros(0, int)
    agreed = np.concatenate([x["agreed"] for x in parts]) if parts else np.zeros((0, V))
    order = np.argsort(run_idx, kind="stable")
    run_idx, agreed = run_idx[order], agreed[order]
    planned = p.planned.astype(float)
    established = np.maximum(agreed, planned[None, :])  # NaN stays NaN: never agreed within the horizon
    outcomes = pd.DataFrame({
        "run": np.repeat(run_idx, V),
        "run_seed": np.repeat(np.array(seeds, dtype=np.uint64)[run_idx], V),
        "vehicle_id": np.tile(p.vehicle_ids, len(run_idx)),
        "agreed_month": agreed.ravel(),
        "planned_month": np.tile(p.planned, len(run_idx)),
        "established_month": established.ravel(),
    })
    outcomes["delay_months"] = outcomes["established_month"] - outcomes["planned_month"]
    P = len(p.partner_ids)
    py = sum((x["pivotal_agreed"] for x in parts), np.zeros((P, V), np.int64))
    pn = sum((x["pivotal_blocked"] for x in parts), np.zeros((P, V), np.int64))
    ii, jj = np.nonzero(p.member)
    pivotal = pd.DataFrame({
        "vehicle_id": np.array(p.vehicle_ids)[jj], "partner_id": np.array(p.partner_ids)[ii],
        "pivotal_when_agreed": py[ii, jj], "pivotal_when_blocked": pn[ii, jj],
    })
    pivotal["pivotal_runs"] = pivotal["pivotal_when_agreed"] + pivotal["pivotal_when_blocked"]
    pivotal["pivotal_share"] = pivotal["pivotal_runs"] / max(runs, 1)
    pivotal = pivotal.sort_values(["vehicle_id", "pivotal_runs", "partner_id"], ascending=[True, False, True],
                                  ignore_index=True)
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
                        planned_month=dict(zip(p.vehicle_ids, map(int, p.planned))))
