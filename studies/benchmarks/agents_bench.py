"""Benchmark of the buy-in agent model (not part of the unit suite).

10,000 replications of the Lancashire-like set (60 partners × 7 vehicles × 60 months) as one batch, serial and on
2 dask workers (goal on this 2-core machine: ≤ 5 s), checked identical; the plain one-object-per-agent Mesa
reference on a few runs (agent-steps per second, same outcomes); and the cheapest-route search on Lancashire's
preferred option (goal ≤ 60 s). Every figure is printed as wall-clock and CPU seconds with the load average
before and after, against its goal: the machine is shared, and wall-clock time on a loaded machine is the CPU
time stretched by the other processes (a wall/CPU ratio near the load average / cores is waiting for a core, not
overhead). Usage:
    .venv/bin/python studies/benchmarks/agents_bench.py [--runs 10000] [--ref-runs 10] [--workers 2] [--no-search]
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
SEARCH_GOAL_S = 60.0


def verdict(name: str, wall: float, cpu: float, goal: float, load: tuple[float, float]) -> str:
    ok = lambda t: "met" if t <= goal else "MISSED"  # noqa: E731
    return (f"goal {name} ≤ {goal:.0f} s: wall {wall:.2f} s ({ok(wall)}), CPU {cpu:.2f} s ({ok(cpu)}); "
            f"load average {load[0]:.1f} → {load[1]:.1f} on {os.cpu_count()} cores")


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
    ap.add_argument("--no-search", action="store_true", help="skip the Lancashire search")
    ap.add_argument("--search-runs", type=int, default=200)
    args = ap.parse_args()

    p = prepare(lancashire_like(n_partners=60, horizon_months=60))
    (P, V), H = p.shape, p.horizon
    print(f"Lancashire-like: {P} partners × {V} vehicles × {H} months, {args.runs:,} runs in blocks of {BLOCK}; "
          f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} (the machine is shared)")

    simulate(p, BLOCK, args.seed, record_runs=0)  # warm up imports and caches
    load0 = os.getloadavg()[0]
    serial, t_serial, cpu_serial = timed(simulate, p, args.runs, args.seed, record_runs=0)
    load_serial = (load0, os.getloadavg()[0])
    steps = args.runs * P * H
    print(f"serial batch: {t_serial:.2f} s wall, {cpu_serial:.2f} s CPU = {1e3 * cpu_serial / args.runs:.3f} ms CPU "
          f"per run, {steps / t_serial:,.0f} agent-steps/s")

    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=40) as cluster, Client(cluster) as client:
        simulate(p, 2 * BLOCK * args.workers, args.seed, client=client, record_runs=0)  # warm the workers
        before = client.run(time.process_time)
        load0 = os.getloadavg()[0]
        par, t_par, _ = timed(simulate, p, args.runs, args.seed, client=client, record_runs=0)
        load_par = (load0, os.getloadavg()[0])
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
    print(verdict(f"{args.runs:,} replications serial", t_serial, cpu_serial, GOAL_S, load_serial))
    print(verdict(f"{args.runs:,} replications on {args.workers} dask workers", t_par, max(cpu_workers.values()),
                  GOAL_S, load_par) + " (CPU: the busiest worker's)")
    row = {"runs": args.runs, "serial_s": t_serial, "serial_cpu_s": cpu_serial, f"dask{args.workers}_s": t_par,
           "dask_worker_cpu_max_s": max(cpu_workers.values()), "reference_agent_steps_per_s": rate_ref}
    if not args.no_search:
        route, t_search, cpu_search, load_search = search(args.search_runs, args.seed)
        print(verdict("search on Lancashire's preferred option", t_search, cpu_search, SEARCH_GOAL_S, load_search)
              + f"; package £{route.cost_gbp:,.0f} a year, "
              + ", ".join(f"{v.vehicle_id} {v.baseline_prob:.0%}→{v.prob:.0%} ({v.evaluated} evaluated)"
                          for v in route.vehicles))
        row |= {"search_s": t_search, "search_cpu_s": cpu_search}
    row["load_average"] = os.getloadavg()[0]
    print(pd.DataFrame([row]).round(2).to_string(index=False))


def search(runs: int, seed: int):
    """The cheapest-route search of studies/benchmarks/search_bench.py, timed (the optimised plan and the inputs
    are built first and not timed)."""
    from agents import cheapest_route, default_menu
    from appraisal.study import load_study
    from appraisal.workflows.buyin import buyin_inputs
    from appraisal.workflows.optimise import optimise_option

    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    study = load_study(os.path.join(root, "studies", "lancashire"))
    oid = study.config.preferred_option
    plan = optimise_option(study, oid, reproduce=False).plan
    inputs = buyin_inputs(study, oid, plan if plan.has_solution else None)
    load0 = os.getloadavg()[0]
    route, wall, cpu = timed(cheapest_route, inputs, default_menu(inputs), target_prob=0.8, runs=runs, seed=seed)
    return route, wall, cpu, (load0, os.getloadavg()[0])


if __name__ == "__main__":
    main()
