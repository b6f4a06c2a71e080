"""Run every benchmark script in studies/benchmarks/ and summarise (what `make benchmark` calls).

Each ``*_bench.py`` here is a standalone script; this runs them one after another as subprocesses with
the project's venv python, streams their output, and ends with a table of script, exit code, wall-clock
seconds and peak memory. Benchmarks print figures; nothing here asserts a timing. The exit code is 1
when a script fails (a non-zero exit), else 0.

    .venv/bin/python studies/benchmarks/run_all.py [--only pipeline optimise] [--skip sensitivity] [--list]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def venv_python() -> str:
    candidate = ROOT / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def scripts() -> list[Path]:
    return sorted(p for p in HERE.glob("*_bench.py") if p.is_file())


def run(script: Path, python: str, extra: list[str]) -> tuple[int, float, float]:
    """Run one script, streaming its output; return (exit code, seconds, peak RSS in MB)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    t0 = time.perf_counter()
    proc = subprocess.Popen([python, str(script), *extra], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, bufsize=1)
    assert proc.stdout is not None
    for line in proc.stdout:
        print(f"  {line}", end="", flush=True)
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)  # the child's own rusage: its peak memory
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.perf_counter() - t0, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run every studies/benchmarks/*_bench.py and print a summary table.")
    ap.add_argument("--only", nargs="+", default=None, metavar="NAME",
                    help="run only scripts whose name contains one of these (e.g. pipeline optimise)")
    ap.add_argument("--skip", nargs="+", default=[], metavar="NAME", help="skip scripts whose name contains one of these")
    ap.add_argument("--list", action="store_true", help="list the scripts and exit")
    ap.add_argument("--python", default=venv_python(), help="interpreter for the scripts (default: the project's .venv)")
    args = ap.parse_args(argv)

    chosen = [s for s in scripts()
              if (args.only is None or any(k in s.name for k in args.only)) and not any(k in s.name for k in args.skip)]
    if args.list:
        print("\n".join(s.name for s in chosen))
        return 0
    print(f"{len(chosen)} benchmark script(s) with {args.python}; cores: {os.cpu_count()}; "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    rows = []
    for script in chosen:
        print(f"\n=== {script.name} ===", flush=True)
        code, seconds, peak = run(script, args.python, [])
        print(f"=== {script.name}: exit {code} in {seconds:.1f} s, peak {peak:,.0f} MB ===", flush=True)
        rows.append((script.name, code, seconds, peak))

    width = max([len("script")] + [len(r[0]) for r in rows])
    print(f"\n{'script':<{width}}  {'exit':>4}  {'seconds':>9}  {'peak MB':>8}")
    for name, code, seconds, peak in rows:
        print(f"{name:<{width}}  {code:>4}  {seconds:>9.1f}  {peak:>8,.0f}")
    total = sum(r[2] for r in rows)
    print(f"{'total':<{width}}  {'':>4}  {total:>9.1f}")
    failed = [r[0] for r in rows if r[1] != 0]
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
