"""Evaluate a picklable function over a design on dask.distributed, streaming results into DuckDB.

``run_sweep(fn, design, store_path)``: ``fn(params: dict) -> dict | float`` (a float becomes
``{"y": value}``). Runs are grouped into chunks; each chunk is one dask task. The client (this process)
is the only writer: it commits every finished chunk with ``INSERT OR IGNORE`` keyed by
(study_hash, sample_index). Hence:

* re-running the same call resumes: only indices missing from the store are computed;
* an interrupted run, resumed, ends identical to an uninterrupted one (each run depends only on its row
  and, with ``seed=``, a per-run seed derived from (seed, sample_index) - never on scheduling);
* a lost worker's tasks are recomputed by dask (or resubmitted here) and a run delivered twice is
  stored once.
"""
from __future__ import annotations

import hashlib
import os
import sys
import time
from typing import Callable

import cloudpickle
import numpy as np
import pandas as pd

from appraisal.uncertainty.store import RunStore

_FN_CACHE: dict[str, Callable] = {}
RETRYABLE = ("KilledWorker", "CancelledError", "FutureCancelledError", "CommClosedError")


def run_seed(seed: int, index: int) -> int:
    """Per-run seed from (seed, sample_index), independent of chunking and scheduling."""
    return int(np.random.SeedSequence([int(seed), int(index)]).generate_state(1)[0])


def _plain(v):
    if isinstance(v, (np.floating, np.integer, np.bool_)):
        return v.item()
    return v


def _warm() -> None:
    return None


def _worker_name() -> str:
    if "distributed" in sys.modules:  # never import dask just to learn we are not on a worker
        try:
            return str(sys.modules["distributed"].get_worker().address)
        except Exception:
            pass
    return f"local:{os.getpid()}"


def eval_chunk(fn_bytes: bytes, fn_key: str, indices: list[int], rows: list[dict], seed) -> list[tuple]:
    """Worker side: evaluate ``fn`` on each row (as one batch when ``fn.batchable``, through
    ``fn.evaluate_batch(rows)``); returns ``(index, outputs, seconds, worker)`` tuples."""
    fn = _FN_CACHE.get(fn_key)
    if fn is None:
        fn = _FN_CACHE[fn_key] = cloudpickle.loads(fn_bytes)
    who = _worker_name()
    out = []
    if seed is None and getattr(fn, "batchable", False):
        # a model that evaluates many scenarios as arrays (ScenarioModel with fixed plans): the chunk is one
        # batch, each run charged an equal share of its time
        t0 = time.perf_counter()
        results = fn.evaluate_batch(rows)
        each = (time.perf_counter() - t0) / max(len(rows), 1)
        return [(int(i), r, each, who) for i, r in zip(indices, results)]  # plain floats already
    for i, x in zip(indices, rows):
        t0 = time.perf_counter()
        r = fn(x) if seed is None else fn(x, seed=run_seed(seed, i))
        r = {k: _plain(v) for k, v in r.items()} if isinstance(r, dict) else {"y": _plain(r)}
        out.append((int(i), r, time.perf_counter() - t0, who))
    return out


def design_frame(design) -> tuple[pd.DataFrame, str, str]:
    """(X, design_hash, method) for a SensitivityDesign or a plain DataFrame of runs."""
    if isinstance(design, pd.DataFrame):
        X = design.reset_index(drop=True)
        h = hashlib.sha256(pd.util.hash_pandas_object(X, index=True).to_numpy().tobytes()
                           + ",".join(map(str, X.columns)).encode()).hexdigest()
        return X, h, "table"
    return design.X, design.hash(), design.method


class _Progress:
    def __init__(self, enabled: bool, total: int, done: int, label: str):
        self.p = None
        if enabled:
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)
            self.p = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                              TextColumn("{task.fields[rate]} runs/s"), TimeElapsedColumn(), TextColumn("ETA"),
                              TimeRemainingColumn())
            self.p.start()
            self.task = self.p.add_task(label, total=total, completed=done, rate="-")
        self.t0, self.new = time.perf_counter(), 0

    def advance(self, k: int):
        self.new += k
        if self.p is not None:
            rate = self.new / max(time.perf_counter() - self.t0, 1e-9)
            self.p.update(self.task, advance=k, rate=f"{rate:,.0f}")

    def close(self):
        if self.p is not None:
            self.p.stop()


def local_cluster(n_workers: int | None = None):
    """LocalCluster of ``n_workers`` process workers with one thread each, without dask's default
    ``MALLOC_TRIM_THRESHOLD_=65536`` for worker processes: setting it switches off glibc's adaptive mmap
    threshold, so every numpy temporary above 128 KiB is mmapped and unmapped again, which measured
    ~1.7x slower per run for the appraisal-style benchmark model."""
    import dask
    from distributed import LocalCluster
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        return LocalCluster(n_workers=n_workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                            dashboard_address=":0")


CONNECT_TIMEOUT_S = 4  # an unreachable scheduler is reported within 5 s
HANDSHAKE_TIMEOUT_S = 15  # greeting a live scheduler on a busy machine; also how long a lost one is awaited


def connect(address: str):
    """A client of the dask scheduler at `address`; SchedulerUnreachable within 5 s when nothing listens there.

    A plain TCP connection is tried first (4 s): distributed itself retries a refused address until its
    timeout, and a short timeout for the whole handshake would fail a live scheduler on a busy machine."""
    import socket

    from distributed import Client
    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port

    from appraisal.exit_codes import SchedulerUnreachable

    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location) if scheme in ("tcp", "tls") else (None, None)
    except ValueError as exc:
        raise SchedulerUnreachable(f"'{address}' is not a scheduler address ({exc}); give tcp://HOST:PORT") from None
    try:
        if host is not None:
            socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S).close()
    except (OSError, TimeoutError) as exc:  # refused, timed out, or no such host
        raise SchedulerUnreachable(f"cannot reach the dask scheduler at '{address}' within {CONNECT_TIMEOUT_S} s "
                                   f"({type(exc).__name__}: {exc}); start it with `dask scheduler` or drop "
                                   "--scheduler") from None
    try:
        return Client(address, timeout=f"{HANDSHAKE_TIMEOUT_S}s")
    except ValueError as exc:
        raise SchedulerUnreachable(f"'{address}' is not a scheduler address ({exc}); give tcp://HOST:PORT") from None
    except Exception as exc:  # noqa: BLE001 - something listens there, but it does not speak dask
        raise SchedulerUnreachable(f"'{address}' answers but is not a dask scheduler that greets within "
                                   f"{HANDSHAKE_TIMEOUT_S} s ({type(exc).__name__}: {str(exc)[:120]})") from None


def _open_client(scheduler, n_workers):
    """Returns (client, owned). None -> :func:`local_cluster`."""
    from distributed import Client
    if scheduler is None or scheduler == "local":
        return Client(local_cluster(n_workers)), True
    if isinstance(scheduler, str):
        return connect(scheduler), True
    return scheduler, False  # an existing Client


def run_sweep(fn: Callable, design, store: str | os.PathLike | RunStore, *, study_hash: str | None = None,
              scheduler=None, n_workers: int | None = None, chunk_size: int | None = None,
              seed: int | None = None, progress: bool = True, on_commit: Callable[[int], None] | None = None,
              flush_every: float = 1.0, max_retries: int = 3) -> pd.DataFrame:
    """Evaluate ``fn`` on every row of ``design`` not yet in ``store``; return all outputs by sample_index.

    ``design``: a :class:`SensitivityDesign` or a DataFrame of runs (row i = sample index i).
    ``study_hash``: key of this sweep in the store (default: the design's hash). A caller-supplied key
    must change whenever the model or its inputs change. ``scheduler``: None/"local" (LocalCluster,
    ``n_workers`` processes x 1 thread), "serial" (in-process, no dask), an address
    ``"tcp://HOST:PORT"``, or a ``distributed.Client``. ``seed``: if given, ``fn(x, seed=...)`` receives a
    per-run seed from :func:`run_seed`. Finished chunks are buffered and committed at most every
    ``flush_every`` seconds (a DuckDB commit costs ~10 ms; 0 commits every chunk): a kill loses at most
    that much work, which the next run recomputes. ``on_commit(n_stored)`` is called after each commit.
    The returned DataFrame's ``attrs`` hold ``study_hash``, ``computed`` (runs evaluated by this call)
    and ``resumed_from`` (runs already in the store)."""
    X, design_hash, method = design_frame(design)
    key = study_hash or design_hash
    own_store = not isinstance(store, RunStore)
    st = RunStore(store) if own_store else store
    try:
        st.register(key, design_hash, len(X), method)
        done = set(st.done(key).tolist())
        missing = [i for i in range(len(X)) if i not in done]
        if missing:
            _compute(fn, X, missing, st, key, scheduler, n_workers, chunk_size, seed, progress, on_commit,
                     flush_every, max_retries, len(X), len(done))
        if st.count(key) != len(X):
            raise RuntimeError(f"sweep incomplete: {st.count(key)} of {len(X)} runs stored")
        out = st.load(key)
        out.attrs.update(study_hash=key, computed=len(missing), resumed_from=len(done))
        return out
    finally:
        if own_store:
            st.close()


def _compute(fn, X, missing, st, key, scheduler, n_workers, chunk_size, seed, progress, on_commit,
             flush_every, max_retries, total, n_done):
    fn_bytes = cloudpickle.dumps(fn)
    fn_key = hashlib.sha256(fn_bytes).hexdigest()
    records = X.to_dict("records")
    bar = _Progress(progress, total, n_done, f"sweep {key[:8]}")
    stored, buffer, last = n_done, [], time.perf_counter()

    def flush():
        nonlocal stored, buffer, last
        if buffer:
            added = st.write(key, buffer)
            stored += added
            buffer, last = [], time.perf_counter()
            bar.advance(added)
            if on_commit:
                on_commit(stored)

    def commit(rows):
        buffer.extend(rows)
        if time.perf_counter() - last >= flush_every:
            flush()

    try:
        if scheduler == "serial":
            cs = chunk_size or (1024 if seed is None and getattr(fn, "batchable", False) else 64)
            for s in range(0, len(missing), cs):
                idx = missing[s:s + cs]
                commit(eval_chunk(fn_bytes, fn_key, idx, [records[i] for i in idx], seed))
            return
        client, owned = _open_client(scheduler, n_workers)
        try:
            _compute_dask(client, fn_bytes, fn_key, records, missing, chunk_size, seed, commit, max_retries)
        finally:
            if owned:
                cluster = getattr(client, "cluster", None)
                client.close()
                if cluster is not None:
                    cluster.close()
    finally:
        flush()  # keep every finished run, also when stopping on an error
        bar.close()


def _compute_dask(client, fn_bytes, fn_key, records, missing, chunk_size, seed, commit, max_retries):
    from distributed import as_completed
    nw = max(1, len(client.scheduler_info().get("workers", {})) or 1)
    client.run(_warm)  # import this module (pandas, numpy, cloudpickle) on every worker up front
    cs = chunk_size or int(max(1, min(256, np.ceil(len(missing) / (nw * 16)))))
    chunks = {}
    for s in range(0, len(missing), cs):
        idx = missing[s:s + cs]
        chunks[idx[0]] = idx

    def submit(first, attempt):
        idx = chunks[first]
        return client.submit(eval_chunk, fn_bytes, fn_key, idx, [records[i] for i in idx], seed,
                             pure=False, key=f"reformkit-run-{first}-{attempt}-{os.urandom(4).hex()}")

    futs = {}  # key -> (future, first index of chunk, attempt)
    for first in chunks:
        f = submit(first, 0)
        futs[f.key] = (f, first, 0)
    ac = as_completed([v[0] for v in futs.values()])
    try:
        for fut in ac:
            _, first, attempt = futs.pop(fut.key)
            try:
                rows = fut.result()
            except Exception as e:  # infrastructure failure: resubmit; model error: propagate at once
                if type(e).__name__ in RETRYABLE and attempt < max_retries:
                    nf = submit(first, attempt + 1)
                    futs[nf.key] = (nf, first, attempt + 1)
                    ac.add(nf)
                    continue
                raise
            commit(rows)
            fut.release()
    finally:
        ac.clear()
        if futs:  # stopped early (error or interrupt): drop what is still queued
            client.cancel([v[0] for v in futs.values()])
