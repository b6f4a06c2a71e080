"""Benchmark of the calibration (not part of the unit suite): does ABC-SMC recover known parameters?

Repeats the recovery check of tests/agents/test_agents_calibrate.py with more trials (and optionally a larger
population): true parameters drawn from the priors, data simulated by the model at them, calibrated, and the
90 % interval checked against the truth. Prints coverage per parameter, mean interval width as a share of
the prior's, and seconds per trial. Then the calibration to England's base rates (data/base_rates/).
Usage: .venv/bin/python studies/benchmarks/calibration_bench.py [--trials 40] [--population 40]
       [--generations 2] [--seed 11] [--skip-base-rates]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

import pandas as pd  # noqa: E402

from agents.calibrate import calibrate, coverage_trials, recovery_case, reference_inputs  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=40)
    ap.add_argument("--population", type=int, default=40)
    ap.add_argument("--generations", type=int, default=2)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--central", type=float, default=0.6,
                    help="truths drawn from this central share of each prior (1.0 = the whole prior)")
    ap.add_argument("--skip-base-rates", action="store_true")
    args = ap.parse_args()

    inputs, design, priors = recovery_case()
    print(f"recovery check: {args.trials} trials, population {args.population}, {args.generations} generations, "
          f"parameters {list(priors)}, truths from the central {args.central:.0%} of the priors; cores: {os.cpu_count()} (machine shared with other sessions)")
    t0 = time.perf_counter()
    cov = coverage_trials(inputs, design, priors, trials=args.trials, seed=args.seed, central=args.central,
                          population_size=args.population, generations=args.generations)
    cov["relative_width"] = (cov["high"] - cov["low"]) / cov["prior_width"]
    table = cov.groupby("parameter").agg(coverage=("covered", "mean"), mean_relative_width=("relative_width", "mean"))
    print(table.to_string(float_format=lambda x: f"{x:.3f}"))
    print(f"overall 90% interval coverage: {cov['covered'].mean():.3f} over {len(cov)} (trial, parameter) pairs; "
          f"{cov.groupby('trial')['seconds'].first().mean():.1f} s per trial; total {time.perf_counter() - t0:.0f} s")

    if not args.skip_base_rates:
        classes = pd.read_csv(os.path.join(ROOT, "data", "base_rates", "reference_classes.csv"))
        targets = pd.read_csv(os.path.join(ROOT, "data", "base_rates", "calibration_targets.csv"))
        horizon = int(targets["by_month"].max()) + 1
        t1 = time.perf_counter()
        post = calibrate(reference_inputs(classes, horizon), targets, seed=args.seed, population_size=100,
                         generations=4)
        print(f"\nbase rates of England ({len(targets)} reference classes), {time.perf_counter() - t1:.0f} s:")
        for name, s in post.summary()["parameters"].items():
            lo, hi = s["interval_90"]
            print(f"  {name}: mean {s['mean']:.3f}, 90% interval {lo:.3f}–{hi:.3f} (prior {s['prior']}, "
                  f"default {s['default']})")
        print(post.history.to_string(index=False))


if __name__ == "__main__":
    main()
