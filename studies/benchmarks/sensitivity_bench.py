"""Sweep throughput: runs/sec of a Sobol study on 1 vs 2 dask workers (not part of the unit suite).

    .venv/bin/python studies/benchmarks/sensitivity_bench.py [--n 1024] [--draws 300]

The model is a stand-in of the Lancashire pipeline with plans fixed: 8 uncertain parameters, a 10-year
discounted cash flow of five components with optimism bias and delay, and a small agent-style Monte
Carlo (partners approving a vehicle month by month; ``--draws`` sets its cost). Reported: in-process
serial rate (no dask, the ceiling per core), dask LocalCluster with 1 and 2 single-threaded process
workers (startup timed separately), the speed-up, and a multiprocessing.Pool(2) baseline of the kind EMA
Workbench's MultiprocessingEvaluator uses. Every sweep writes to its own DuckDB file.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import tempfile
import time

import numpy as np

from appraisal.uncertainty import PERT, Normal, Triangular, Uniform, sobol
from appraisal.uncertainty.executor import local_cluster, run_seed, run_sweep

PARAMS = [
    PERT("wbc_benefit_scale", 0.5, 1.0, 1.3), PERT("fo_benefit_scale", 0.4, 1.0, 1.2),
    Triangular("pss_benefit_scale", 0.5, 1.0, 1.1), Uniform("waste_benefit_scale", 0.6, 1.2),
    Normal("cost_overrun", 1.1, 0.15, low=0.7), Uniform("optimism_bias", 0.0, 0.4),
    Uniform("discount_rate", 0.015, 0.05), Uniform("partner_risk_appetite", 0.2, 0.8),
]
DRAWS = 300


def model(x: dict, seed: int) -> dict:
    t = np.arange(10)
    ramp = np.minimum(1.0, np.maximum(0.0, (t - 1) / 3))
    gross = (46e6 * x["wbc_benefit_scale"] + 4e6 * x["fo_benefit_scale"] + 2.5e6 * x["pss_benefit_scale"]
             + 4e6 * x["waste_benefit_scale"]) * ramp * (1 - x["optimism_bias"])
    cost = np.where(t < 2, 8e6, 2.5e6) * x["cost_overrun"]
    rng = np.random.default_rng(seed)  # agent-style approvals: 12 partners x 24 months x DRAWS runs
    p = 0.02 + 0.1 * x["partner_risk_appetite"]
    month = (rng.random((DRAWS, 12, 24)) < p).argmax(axis=2).max(axis=1)
    delay_years = month.mean() / 12.0
    shifted = np.interp(t - delay_years, t, gross, left=0.0)
    df = (1 + x["discount_rate"]) ** -t
    npv = float(((shifted - cost) * df).sum())
    return {"npv_gbp": npv, "p_on_time": float((month <= 12).mean()), "delay_years": delay_years}


def _set_draws(n):
    global DRAWS
    DRAWS = n


def _pool_eval(args):
    i, x = args
    return i, model(x, run_seed(0, i))


def main():
    global DRAWS
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1024, help="Sobol base sample (runs = n x 10)")
    ap.add_argument("--draws", type=int, default=DRAWS)
    a = ap.parse_args()
    DRAWS = a.draws
    d = sobol(PARAMS, a.n, seed=1)
    runs = len(d)
    tmp = tempfile.mkdtemp(prefix="rk-bench-")
    print(f"Sobol design: {len(PARAMS)} parameters, N = {a.n}, {runs} runs; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.1f} (other jobs on the machine distort the speed-up)")

    X = d.X.to_dict("records")
    k = min(runs, 500)
    t0 = time.perf_counter()
    for i in range(k):
        model(X[i], run_seed(0, i))
    serial_rate = k / (time.perf_counter() - t0)
    print(f"in-process serial (no dask, no store): {serial_rate:8.0f} runs/s ({1e3 / serial_rate:.2f} ms/run)")

    from distributed import Client
    rates, results = {}, {}
    for nw in (1, 2):
        t0 = time.perf_counter()
        cluster = local_cluster(nw)
        client = Client(cluster)
        start = time.perf_counter() - t0
        t0 = time.perf_counter()
        out = run_sweep(model, d, os.path.join(tmp, f"w{nw}.duckdb"), scheduler=client, seed=0, progress=False)
        el = time.perf_counter() - t0
        client.close()
        cluster.close()
        rates[nw], results[nw] = runs / el, out
        print(f"dask {nw} worker(s): {runs / el:8.0f} runs/s, sweep {el:6.1f} s (+ {start:.1f} s cluster start)")
    same = results[1].equals(results[2])
    print(f"speed-up 1 -> 2 workers: {rates[2] / rates[1]:.2f}x; results identical: {same}; "
          f"10,240-run total incl. start-up at 2 workers: {10240 / rates[2] + start:.0f} s")

    t0 = time.perf_counter()
    with mp.get_context("spawn").Pool(2, initializer=_set_draws, initargs=(DRAWS,)) as pool:
        t1 = time.perf_counter()
        list(pool.imap_unordered(_pool_eval, list(enumerate(X)), chunksize=max(1, runs // 64)))
        el = time.perf_counter() - t1
    print(f"multiprocessing.Pool(2) baseline (no store): {runs / el:8.0f} runs/s, {el:6.1f} s "
          f"(+ {t1 - t0:.1f} s pool start)")
    r = d.analyse(results[2][["npv_gbp"]])
    print("Sobol indices for npv_gbp (converged: %s, max change N/2->N %.3f):" % (r.converged, r.max_change))
    print(r.indices.round(3).to_string())


if __name__ == "__main__":
    main()
