"""Benchmark of the buy-in agent model (not part of the unit suite).

10,000 replications of the Lancashire-like set (60 partners × 7 vehicles × 60 months) as one batch, serial and on
2 dask workers (goal on this 2-core machine: ≤ 5 s), checked identical; and the plain one-object-per-agent Mesa
reference on a few runs (agent-steps per second, same outcomes).
Usage: .venv/bin/python studies/benchmarks/agents_bench.py [--runs 10000] [--ref-runs 10] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

import pandas as pd  # noqa: E402

from agents import BLOCK, prepare, simulate  # noqa: E402
from agents.examples import lancashire_like  # noqa: E402

GOAL_S = 5.0


def timed(fn, *a, **k):
    t, c = time.perf_counter(), time.process_time()
    out = fn(*a, **k)
    return out, time.perf_counter() - t, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--ref-runs", type=int, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    p = prepare(lancashire_like(n_partners=60, horizon_months=60))
    (P, V), H = p.shape, p.horizon
    print(f"Lancashire-like: {P} partners × {V} vehicles × {H} months, {args.runs:,} runs in blocks of {BLOCK}; "
          f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} (the machine is shared)")

    simulate(p, BLOCK, args.seed, record_runs=0)  # warm up imports and caches
    serial, t_serial, cpu_serial = timed(simulate, p, args.runs, args.seed, record_runs=0)
    steps = args.runs * P * H
    print(f"serial batch: {t_serial:.2f} s wall, {cpu_serial:.2f} s CPU = {1e3 * cpu_serial / args.runs:.3f} ms CPU "
          f"per run, {steps / t_serial:,.0f} agent-steps/s")

    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=40) as cluster, Client(cluster) as client:
        simulate(p, 2 * BLOCK * args.workers, args.seed, client=client, record_runs=0)  # warm the workers
        before = client.run(time.process_time)
        par, t_par, _ = timed(simulate, p, args.runs, args.seed, client=client, record_runs=0)
        after = client.run(time.process_time)
        cpu_workers = {w: after[w] - before[w] for w in after}
        same = par.outcomes.equals(serial.outcomes) and par.pivotal.equals(serial.pivotal)
        print(f"dask, {args.workers} workers: {t_par:.2f} s wall, worker CPU "
              f"{' + '.join(f'{c:.2f}' for c in cpu_workers.values())} s (identical to serial: {same})")

    ref, t_ref, _ = timed(simulate, p, args.ref_runs, args.seed, record_runs=0, impl="reference")
    fast_small = simulate(p, args.ref_runs, args.seed, record_runs=0)
    same_ref = fast_small.outcomes.equals(ref.outcomes) and fast_small.pivotal.equals(ref.pivotal)
    rate_ref = args.ref_runs * P * H / t_ref
    print(f"Mesa reference (one object per agent): {args.ref_runs} runs in {t_ref:.2f} s = {rate_ref:,.0f} "
          f"agent-steps/s; batch engine ×{(steps / t_serial) / rate_ref:,.0f}; same outcomes: {same_ref}")
    best = min(t_serial, t_par)
    print(f"goal {args.runs:,} replications ≤ {GOAL_S:.0f} s on 2 cores: {'met' if best <= GOAL_S else 'MISSED'} "
          f"(best {best:.2f} s)")
    print(pd.DataFrame({"runs": [args.runs], "serial_s": [t_serial], "serial_cpu_s": [cpu_serial],
                        f"dask{args.workers}_s": [t_par], "dask_worker_cpu_max_s": [max(cpu_workers.values())],
                        "reference_agent_steps_per_s": [rate_ref],
                        "load_average": [os.getloadavg()[0]]}).round(2).to_string(index=False))


if __name__ == "__main__":
    main()
