"""Benchmark of the buy-in agent model (not part of the unit suite).

Prints agent-steps per second for the vectorised Mesa model against the plain one-object-per-agent Mesa
reference, the time for Lancashire-like 60 partners × 60 months × 1,000 replications, and the speed-up from 1 to
2 dask workers. Usage: .venv/bin/python studies/benchmarks/agents_bench.py [--runs 1000] [--ref-runs 20]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

import pandas as pd  # noqa: E402

from agents import prepare, simulate  # noqa: E402
from agents.examples import lancashire_like  # noqa: E402


def timed(fn, *a, **k):
    t = time.perf_counter()
    out = fn(*a, **k)
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--ref-runs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    p = prepare(lancashire_like(n_partners=60, horizon_months=60))
    P, V = p.shape
    H = p.horizon
    print(f"Lancashire-like: {P} partners × {V} vehicles, {H} monthly steps; cores: {os.cpu_count()}")

    simulate(p, 5, args.seed, record_runs=0)  # warm up imports and caches
    c0 = time.process_time()
    ref, t_ref = timed(simulate, p, args.ref_runs, args.seed, record_runs=0, impl="reference")
    cpu_ref = time.process_time() - c0
    fast_small, t_fast_small = timed(simulate, p, args.ref_runs, args.seed, record_runs=0)
    same = fast_small.outcomes.equals(ref.outcomes) and fast_small.pivotal.equals(ref.pivotal)
    rate_ref = args.ref_runs * P * H / t_ref
    print(f"reference (one object per agent): {args.ref_runs} runs in {t_ref:.2f} s = {rate_ref:,.0f} agent-steps/s")

    cpu0 = time.process_time()
    serial, t_serial = timed(simulate, p, args.runs, args.seed, record_runs=0)
    cpu = time.process_time() - cpu0
    rate_fast = args.runs * P * H / t_serial
    print(f"fast (vectorised in the Mesa model): {args.runs} runs in {t_serial:.2f} s = {rate_fast:,.0f} "
          f"agent-steps/s  → ×{rate_fast / rate_ref:.1f} the reference; same outcomes as reference: {same}")
    print(f"  CPU time {cpu:.2f} s = {1e3 * cpu / args.runs:.2f} ms per run (robust to other load: "
          f"load average {os.getloadavg()[0]:.1f}); reference {1e3 * cpu_ref / args.ref_runs:.1f} ms per run "
          f"→ CPU speed-up ×{(cpu_ref / args.ref_runs) / (cpu / args.runs):.1f}")

    from distributed import Client, LocalCluster

    times = {}
    for n in (1, 2):
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                          silence_logs=40) as cluster, Client(cluster) as client:
            simulate(p, 2 * n, args.seed, client=client, record_runs=0)  # warm the workers
            par, times[n] = timed(simulate, p, args.runs, args.seed, client=client, record_runs=0)
            ok = par.outcomes.equals(serial.outcomes) and par.pivotal.equals(serial.pivotal)
            print(f"dask, {n} worker(s): {args.runs} runs in {times[n]:.2f} s (identical to serial: {ok})")
    print(f"speed-up 1 → 2 dask workers: ×{times[1] / times[2]:.2f}")
    best = min(t_serial, times[2])
    print(f"target {P}×{H}×{args.runs} under 10 s on 2 cores: {'met' if best < 10 else 'MISSED'} ({best:.2f} s)")
    print(pd.DataFrame({"fast_agent_steps_per_s": [rate_fast], "reference_agent_steps_per_s": [rate_ref],
                        "serial_s": [t_serial], "dask1_s": [times[1]], "dask2_s": [times[2]]}).round(2).to_string())


if __name__ == "__main__":
    main()
