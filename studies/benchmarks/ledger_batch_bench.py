"""Issue 9's benchmark: Lancashire Sobol, 8 parameters, N = 1,024 (10,240 runs), fixed plans (each option's
document plan), no agent model. Not part of the unit suite; prints figures.

    .venv/bin/python studies/benchmarks/ledger_batch_bench.py [--n 1024] [--skip-ema]

Measured in one run, on the same `ScenarioModel` and the same design:

* batched   — `run_sweep` in-process, each chunk of 1,024 runs evaluated as one batch (`evaluate_batch`:
  scenarios × groups @ groups × years), results stored in DuckDB as a sensitivity run stores them;
* per-sample — the same sweep calling the model once per run (the path before batching);
* the batched model alone — one call on all runs, nothing stored (the arithmetic's ceiling);
* EMA Workbench — `MultiprocessingEvaluator` (2 processes) calling the per-sample model once per experiment.

Goal: the batched path at least 10x EMA Workbench's throughput. The machine has 2 cores and is shared with
other jobs, so figures vary from run to run; the load average is printed.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from appraisal.study import load_study
from appraisal.uncertainty import make
from appraisal.uncertainty.executor import run_sweep
from appraisal.uncertainty.scenario import scenario_model
from appraisal.workflows.sensitivity import study_params
from lancashire_sobol_bench import study_copy  # the same Lancashire copy with the 8 benchmark parameters

ROOT = Path(__file__).resolve().parents[2]
GOAL = 10.0
_MODEL = None


class PerSample:
    """The model called once per run (no `batchable`, so the executor does not batch it)."""

    def __init__(self, model):
        self.model = model

    def __call__(self, x: dict) -> dict:
        return self.model(x)


def _ema_function(**kw):
    return {"npsv": _MODEL(kw)["opt3.npsv_gbp"]}


def _init_ema(model):
    global _MODEL
    _MODEL = model


def timed_sweep(fn, design, store, chunk_size):
    t0 = time.perf_counter()
    out = run_sweep(fn, design, store, scheduler="serial", chunk_size=chunk_size, progress=False)
    return time.perf_counter() - t0, out


def run_ema(model, design, processes: int = 2) -> float | None:
    try:
        from ema_workbench import Model, MultiprocessingEvaluator, RealParameter, Sample, ScalarOutcome
    except ImportError:
        print("EMA Workbench not installed (pip install -e '.[bench]'): skipped")
        return None
    _init_ema(model)
    X = design.X
    ema_model = Model("lancashire", function=_ema_function)
    ema_model.uncertainties = [RealParameter(c, float(X[c].min()), float(X[c].max()) + 1e-9) for c in X.columns]
    ema_model.outcomes = [ScalarOutcome("npsv")]
    scenarios = [Sample(name=str(i), **row) for i, row in enumerate(X.to_dict(orient="records"))]
    t0 = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):  # EMA's progress bar, 10,240 times
        with MultiprocessingEvaluator(ema_model, n_processes=processes) as evaluator:
            _, outcomes = evaluator.perform_experiments(scenarios=scenarios)
    return time.perf_counter() - t0, np.asarray(outcomes["npsv"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1024, help="Sobol base sample N (runs = N × (k + 2))")
    ap.add_argument("--skip-ema", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        study = load_study(study_copy(tmp))
        t0 = time.perf_counter()
        model = scenario_model(study)
        build = time.perf_counter() - t0
        design = make("sobol", study_params(study), args.n, seed=0)
        runs = len(design)
        print(f"Lancashire Sobol: {len(design.names)} parameters, N = {args.n}, {runs:,} runs, fixed (document) "
              f"plans, no agent model; model frozen in {build:.1f} s (not timed below)")
        rows = []
        secs, batched = timed_sweep(model, design, tmp / "batched.duckdb", 1024)
        rows.append(("batched (evaluate_batch, chunks of 1,024), in-process", secs))
        secs, single = timed_sweep(PerSample(model), design, tmp / "single.duckdb", 64)
        rows.append(("per-sample (one call per run), in-process", secs))
        t0 = time.perf_counter()
        model.evaluate_batch(design.X)
        rows.append(("batched model alone (one batch, no store)", time.perf_counter() - t0))
        diff = float(np.max(np.abs(batched["opt3.npsv_gbp"].to_numpy() - single["opt3.npsv_gbp"].to_numpy())))
        ema = None if args.skip_ema else run_ema(model, design)
        if ema is not None:
            rows.append(("EMA Workbench MultiprocessingEvaluator, 2 processes (per-sample model)", ema[0]))
            diff = max(diff, float(np.max(np.abs(np.sort(ema[1]) - np.sort(single["opt3.npsv_gbp"].to_numpy())))))
        print(f"{'path':58s} {'seconds':>8s} {'runs/s':>9s}")
        for name, secs in rows:
            print(f"{name:58s} {secs:8.2f} {runs / secs:9,.0f}")
        rate = {name: runs / secs for name, secs in rows}
        b, p = rate[rows[0][0]], rate[rows[1][0]]
        print(f"batched / per-sample: {b / p:.1f}x")
        if ema is not None:
            e = rate[rows[3][0]]
            print(f"batched / EMA Workbench: {b / e:.1f}x (goal >= {GOAL:.0f}x: {'met' if b / e >= GOAL else 'NOT met'})")
        print(f"largest difference in opt3 NPSV between the paths: £{diff:.6f}")
        print(f"machine: {os.cpu_count()} cores, shared with other jobs; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
