"""Benchmark of the cheapest-route search (not part of the unit suite): Lancashire's preferred option.

Builds the option's buy-in inputs from the study and its optimised plan, then searches, per vehicle, the
cheapest package of the default menu (risk shares, side payments, early engagement, governance changes, leaving
partners out) that gets it agreed by the end of its planned year with P ≥ --target-prob, on common random
numbers. Prints the package, its annual cost, what each element buys, evaluations per vehicle and seconds
(goal: ≤ 60 s on the 2-core machine). Usage:
    .venv/bin/python studies/benchmarks/search_bench.py [--runs 200] [--target-prob 0.8] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

from agents import cheapest_route, default_menu  # noqa: E402
from appraisal.study import load_study  # noqa: E402
from appraisal.workflows.buyin import buyin_inputs  # noqa: E402
from appraisal.workflows.optimise import optimise_option  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--target-prob", type=float, default=0.8)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    study = load_study(os.path.join(ROOT, "studies", "lancashire"))
    oid = study.config.preferred_option
    plan = optimise_option(study, oid, reproduce=False).plan
    inputs = buyin_inputs(study, oid, plan if plan.has_solution else None)
    menu = default_menu(inputs)
    print(f"Lancashire option {oid}: {len(inputs.partners)} partners, vehicles {inputs.vehicle_ids}; "
          f"{len(menu)} menu elements; {args.runs} runs per candidate; target P ≥ {args.target_prob:.0%}; "
          f"cores: {os.cpu_count()} (machine shared with other sessions: wall-clock figures are pessimistic)")
    t0, c0 = time.perf_counter(), time.process_time()
    route = cheapest_route(inputs, menu, target_prob=args.target_prob, runs=args.runs, seed=args.seed)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    for v in route.vehicles:
        what = ", ".join(f"{k}: {lbl}" for k, lbl in v.choice.items()) or "nothing"
        print(f"  {v.vehicle_id}: {v.baseline_prob:.0%} → {v.prob:.0%} {'reached' if v.reached else 'NOT reached'}; "
              f"£{v.cost_gbp:,.0f} a year; {what}; {v.evaluated} of {v.candidates} candidates evaluated")
        for k, lbl in v.choice.items():
            print(f"      {k}: buys {v.buys.get(k, float('nan')):+.0%} for £{v.buys.get(k + ':cost', 0):,.0f} a year")
    print(f"package: £{route.cost_gbp:,.0f} a year; search {wall:.1f} s wall, {cpu:.1f} s CPU (goal ≤ 60 s)")


if __name__ == "__main__":
    main()
