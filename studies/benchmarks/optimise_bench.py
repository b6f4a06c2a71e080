"""Benchmark of the placement optimiser on synthetic national-scale instances (not part of the tests).

    .venv/bin/python studies/benchmarks/optimise_bench.py                      # 200, 2,000, 20,000 services
    .venv/bin/python studies/benchmarks/optimise_bench.py --sizes 200 2000 --linking aggregated

For each size it prints: build time (prepare + Pyomo model), hand-off time (Pyomo -> HiGHS), HiGHS
time, gap, peak memory (max RSS of a fresh process per case) and the ratio of our end-to-end time to
HiGHS alone solving the same model exported as MPS (read + solve in a fresh highspy, same options).
With --decompose (default for 20,000) it also solves region by region (independent blocks).
Goals (issue 3, 2-core machine): 2,000 services optimal < 10 s; 20,000 to a 0.5 % gap < 120 s; our
overhead <= 1x HiGHS' own time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def one_case(n: int, mode: str, time_limit: float, rel_gap: float, linking: str, seed: int, workers: int = 0,
             rcf: bool = True) -> dict:
    import highspy

    from optimise import check_plan, solve_decomposed
    from optimise.model import build_model
    from optimise.plan import extract
    from optimise.prepare import prepare
    from optimise.solver import new_solver, run
    from studies.synthetic.generate import generate

    t = time.perf_counter()
    problem = generate(n, seed=seed)
    gen_s = time.perf_counter() - t
    out = {"services": n, "mode": mode, "linking": linking, "rel_gap_target": rel_gap, "time_limit": time_limit,
           "generate_s": gen_s, "reduced_cost_fixing": rcf}
    if mode == "decomposed":
        client = None
        if workers:  # one-thread worker processes (every HiGHS in a process must use the same threads value)
            from distributed import Client, LocalCluster
            client = Client(LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None))
        t = time.perf_counter()
        plan = solve_decomposed(problem, time_limit=time_limit, rel_gap=rel_gap, linking=linking, seed=seed, client=client,
                                reduced_cost_fixing=rcf)
        out["dask_workers"] = workers
        d = plan.provenance.get("decomposition") or {  # a single block: solve() ran it directly
            "blocks": 1, "build_seconds": [plan.provenance["timings"]["build_seconds"]],
            "handoff_seconds": [plan.provenance["timings"].get("handoff_seconds", 0.0)], "solve_seconds": [plan.solve_seconds]}
        out.update(total_s=time.perf_counter() - t, blocks=d["blocks"], status=plan.status, gap=plan.gap,
                   build_s=sum(d["build_seconds"]), handoff_s=sum(d["handoff_seconds"]),
                   highs_s=sum(x or 0 for x in d["solve_seconds"]), max_block_highs_s=max(x or 0 for x in d["solve_seconds"]),
                   npv_gbp=plan.npv_gbp, violations=len(plan.violations))
    else:
        t = time.perf_counter()
        prep = prepare(problem)
        m = build_model(prep, linking=linking)
        build_s = time.perf_counter() - t
        opt = new_solver()
        res = run(m, time_limit=time_limit, rel_gap=rel_gap, threads=1, seed=seed, solver=opt, reduced_cost_fixing=rcf)
        t = time.perf_counter()
        plan = extract(m, problem, res.status, objective_gbp=res.objective, bound_gbp=res.bound, gap=res.gap) \
            if res.has_solution else None
        viol = len(check_plan(problem, plan)) if plan is not None else None
        load_check_s = time.perf_counter() - t
        ours = build_s + res.handoff_seconds + res.solve_seconds + load_check_s
        out.update(build_s=build_s, handoff_s=res.handoff_seconds, highs_s=res.solve_seconds, load_check_s=load_check_s,
                   total_s=ours, status=res.status, gap=res.gap, objective_gbp=res.objective, violations=viol,
                   x=len(prep.X), variables=m.nvariables(), constraints=m.nconstraints())
        # HiGHS alone on the same model: export (private handle of Pyomo's persistent HiGHS), re-read, solve
        with tempfile.TemporaryDirectory() as tmp:
            mps = os.path.join(tmp, "model.mps")
            opt._solver_model.writeModel(mps)
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            for k, v in {"threads": 1, "random_seed": seed, "mip_rel_gap": rel_gap, "time_limit": time_limit,
                         "mip_feasibility_tolerance": 1e-7}.items():
                h.setOptionValue(k, v)
            t = time.perf_counter()
            h.readModel(mps)
            h.run()
            alone = time.perf_counter() - t
            info = h.getInfo()
            out.update(highs_alone_s=alone, highs_alone_gap=info.mip_gap, ratio_ours_to_highs_alone=ours / alone)
    out["peak_mem_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[200, 2000, 20000])
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--linking", default="disaggregated", choices=["disaggregated", "aggregated", "per_x"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=0, help="dask workers for decomposed cases (0 = in process)")
    ap.add_argument("--monolithic-20k", action="store_true", help="also solve 20,000 services as one model")
    ap.add_argument("--no-reduced-cost-fixing", dest="rcf", action="store_false",
                    help="solve the full MIP directly (no LP / restricted-MIP / reduced-cost fixing phases)")
    ap.add_argument("--one", nargs=3, metavar=("N", "MODE", "GAP"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        n, mode, gap = int(a.one[0]), a.one[1], float(a.one[2])
        print(json.dumps(one_case(n, mode, a.time_limit, gap, a.linking, a.seed, a.workers, a.rcf)))
        return
    cases = []
    for n in a.sizes:
        gap = 1e-4 if n <= 2000 else 5e-3
        modes = ["monolithic"] if n < 20000 else (["decomposed"] + (["monolithic"] if a.monolithic_20k else []))
        if n == 2000:
            modes.append("decomposed")
        cases += [(n, m, gap) for m in modes]
    head = f"{'services':>8} {'mode':>11} {'build s':>8} {'handoff s':>9} {'HiGHS s':>8} {'total s':>8} {'status':>9} " \
           f"{'gap':>8} {'peak MB':>8} {'alone s':>8} {'ratio':>6}"
    print(head, flush=True)
    for n, mode, gap in cases:
        cmd = [sys.executable, __file__, "--one", str(n), mode, str(gap), "--time-limit", str(a.time_limit),
               "--linking", a.linking, "--seed", str(a.seed), "--workers", str(a.workers)] + ([] if a.rcf else ["--no-reduced-cost-fixing"])
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            print(f"{n:>8} {mode:>11} failed: {p.stderr.strip().splitlines()[-1] if p.stderr else p.returncode}")
            continue
        r = json.loads(p.stdout.strip().splitlines()[-1])
        f = lambda k, w=8, d=2: (f"{r[k]:>{w}.{d}f}" if isinstance(r.get(k), (int, float)) else f"{'-':>{w}}")  # noqa: E731
        gap_s = f"{r['gap']:>8.2e}" if r.get("gap") is not None else f"{'-':>8}"
        print(f"{n:>8} {mode:>11} {f('build_s')} {f('handoff_s', 9)} {f('highs_s')} {f('total_s')} {r['status']:>9} "
              f"{gap_s} {f('peak_mem_mb', 8, 0)} {f('highs_alone_s')} {f('ratio_ours_to_highs_alone', 6)}", flush=True)
        print("         " + json.dumps({k: v for k, v in r.items() if k in ("x", "variables", "constraints", "blocks",
                                                                          "max_block_highs_s", "violations", "linking", "dask_workers",
                                                                          "reduced_cost_fixing")}),
              flush=True)


if __name__ == "__main__":
    main()
