"""Issue 5's benchmark: a Lancashire Sobol study, 8 parameters, N = 1,024 (10,240 runs), plans fixed,
agent model included (one simulated buy-in run per sample). Not part of the unit suite; prints figures.

    .venv/bin/python studies/benchmarks/lancashire_sobol_bench.py [--n 1024] [--skip-ema]

Reported: runs/s in-process, on a dask LocalCluster with 1 and 2 single-threaded workers, the speed-up,
the total time, and EMA Workbench's MultiprocessingEvaluator (2 processes) on the same function.
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from distributed import Client

from appraisal.uncertainty.scenario import scenario_model
from appraisal.uncertainty import make
from appraisal.uncertainty.executor import local_cluster, run_sweep
from appraisal.study import load_study
from appraisal.workflows.sensitivity import study_params

ROOT = Path(__file__).resolve().parents[2]
EXTRA = """\
benefit_scale,benefits,triangular,0.7,1.0,1.1,,,benchmark: all benefits
cost_scale,costs,pert,0.9,1.0,1.5,,,benchmark: all costs
waste_scale,component:transferred_services,uniform,0.5,,1.2,,,benchmark: waste benchmark gap
pss_scale,component:professional_support_services,triangular,0.5,1.0,1.2,,,benchmark: P&SS case
"""

_MODEL = None


def _ema_function(**kw):
    seed = int(kw.pop("seed"))
    return {"npsv": _MODEL(kw, seed=seed)["opt3.npsv_gbp"]}


def _init_ema(model):
    global _MODEL
    _MODEL = model


def study_copy(folder: Path) -> Path:
    target = folder / "lancashire"
    shutil.copytree(ROOT / "studies" / "lancashire", target)
    with open(target / "uncertainties.csv", "a") as fh:
        fh.write(EXTRA)
    return target


def timed_sweep(model, design, store, scheduler, n_workers=None):
    t0 = time.perf_counter()
    out = run_sweep(model, design, store, scheduler=scheduler, n_workers=n_workers, seed=1, progress=False)
    return time.perf_counter() - t0, len(out)


def run_ema(model, design, processes: int = 2) -> float | None:
    try:
        from ema_workbench import Model, MultiprocessingEvaluator, RealParameter, Sample, ScalarOutcome
    except ImportError:
        print("EMA Workbench not installed (pip install ema_workbench, or `make benchmark`): skipped")
        return None
    _init_ema(model)
    X = design.X.copy()
    X["seed"] = range(len(X))
    ema_model = Model("lancashire", function=_ema_function)
    ema_model.uncertainties = [RealParameter(c, float(X[c].min()), float(X[c].max()) + 1e-9) for c in X.columns]
    ema_model.outcomes = [ScalarOutcome("npsv")]
    scenarios = [Sample(name=str(i), **row) for i, row in enumerate(X.to_dict(orient="records"))]
    t0 = time.perf_counter()
    with MultiprocessingEvaluator(ema_model, n_processes=processes) as evaluator:
        evaluator.perform_experiments(scenarios=scenarios)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1024, help="Sobol base sample N (runs = N × (k + 2))")
    ap.add_argument("--skip-ema", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        study = load_study(study_copy(tmp))
        model = scenario_model(study, buyin_option="opt3")
        design = make("sobol", study_params(study), args.n, seed=0)
        runs = len(design)
        print(f"Lancashire Sobol: {len(design.names)} parameters, N = {args.n}, {runs:,} runs, agent model included")
        rows = []
        secs, _ = timed_sweep(model, design, tmp / "serial.duckdb", "serial")
        rows.append(("in-process (no dask)", secs))
        for workers in (1, 2):
            t0 = time.perf_counter()
            cluster = local_cluster(n_workers=workers)
            client = Client(cluster)
            client.wait_for_workers(workers)
            start = time.perf_counter() - t0
            try:
                secs, _ = timed_sweep(model, design, tmp / f"dask{workers}.duckdb", client)
            finally:
                client.close()
                cluster.close()
            rows.append((f"dask, {workers} worker(s) (+{start:.1f} s start-up)", secs))
        if not args.skip_ema:
            ema = run_ema(model, design)
            if ema is not None:
                rows.append(("EMA Workbench MultiprocessingEvaluator, 2 processes", ema))
        print(f"{'mode':58s} {'seconds':>8s} {'runs/s':>9s}")
        for name, secs in rows:
            print(f"{name:58s} {secs:8.1f} {runs / secs:9.0f}")
        one = dict(rows)[next(n for n, _ in rows if n.startswith("dask, 1"))]
        two = dict(rows)[next(n for n, _ in rows if n.startswith("dask, 2"))]
        print(f"speed-up 1 -> 2 workers: {one / two:.2f}x; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
