"""HiGHS at work on a model given as arrays: what the child process of ``bounded.run_bounded`` runs
(or the parent, when there is no deadline). Imports only the standard library, numpy, highspy and rcfix,
so that the child starts fast; run as ``python -P highs_child.py FD`` it reads its job from stdin and
streams length-prefixed pickles to the file descriptor FD.
"""

from __future__ import annotations

import os
import sys
import time

if __package__:
    from .rcfix import reduced_cost_fixing
else:  # the child process runs this file as a script: rcfix sits beside it
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from rcfix import reduced_cost_fixing


def highs_work(mm: dict, opts: dict, get_start, send) -> None:
    """Solve the arrays ``mm`` with highspy; ``get_start()`` gives (indices, values, objective) of a start or
    None, and is called only when the start is first needed (after the LP relaxation and the restricted MIP
    of reduced-cost fixing), so the parent can build it while HiGHS works; report through ``send(kind, payload)``:
    ("bound", value) — a valid bound on the whole problem; ("solution", (objective, values)) — a feasible
    incumbent; ("done", summary). Runs in the child process, or in the parent when there is no deadline."""
    import highspy
    import numpy as np

    h = quiet_highs()
    n = len(mm["cost"])
    h.passModel(n, len(mm["row_lower"]), len(mm["a_value"]), 1, int(mm["sense"]), float(mm["offset"]),
                mm["cost"], mm["col_lower"], mm["col_upper"], mm["row_lower"], mm["row_upper"],
                mm["a_start"], mm["a_index"], mm["a_value"], mm["integrality"])
    for k, v in opts["raw"].items():
        h.setOptionValue(k, v)
    h.setOptionValue("threads", int(opts["threads"]))
    h.setOptionValue("mip_rel_gap", float(opts["rel_gap"]))
    budget = opts.get("time_limit")
    t0 = time.perf_counter()
    if budget is not None:
        h.setOptionValue("time_limit", float(budget))
    state = {"phase": "restricted", "last_bound": 0.0}

    def improving(e):
        sol = np.array(e.data_out.mip_solution, dtype=float)
        if len(sol) == n:
            send("solution", (float(e.data_out.objective_function_value), sol))

    def interrupt(e):
        if state["phase"] == "final" and time.perf_counter() - state["last_bound"] > 0.5:
            state["last_bound"] = time.perf_counter()
            send("bound", float(e.data_out.mip_dual_bound))
        if budget is not None and time.perf_counter() - t0 > 1.05 * budget + 1.0:
            e.interrupt()  # HiGHS#2226: its own limit is not always honoured

    h.cbMipImprovingSolution += improving
    h.cbMipInterrupt += interrupt
    info = {}
    if opts.get("reduced_cost_fixing"):
        info, restore = reduced_cost_fixing(h, budget, opts["rel_gap"], on_bound=lambda b: send("bound", b),
                                            groups=opts.get("groups"))
    start = get_start()
    if start is not None:
        idx, val, obj = start
        restricted = info.get("restricted_objective")
        if restricted is None or obj is None or -mm["sense"] * (obj - restricted) > 0:  # the start is better
            h.setSolution(len(idx), np.asarray(idx, dtype=np.int32), np.asarray(val, dtype=float))
    if opts.get("reduced_cost_fixing"):
        if budget is not None:
            h.setOptionValue("time_limit", max(float(budget) - (time.perf_counter() - t0), 0.1 * float(budget)))
    state["phase"] = "final_fixed" if info.get("closed_by_lp_bound") else "final"
    h.run()
    ms = h.getModelStatus()
    inf = h.getInfo()
    has = inf.primal_solution_status == 2
    summary = {"model_status": h.modelStatusToString(ms), "optimal": ms == highspy.HighsModelStatus.kOptimal,
               "infeasible": ms == highspy.HighsModelStatus.kInfeasible,
               "unbounded": ms in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible),
               "objective": float(inf.objective_function_value) if has else None,
               "bound": float(inf.mip_dual_bound) if state["phase"] == "final" and mm["integrality"].any() else None,
               "values": np.array(h.getSolution().col_value, dtype=float) if has else None,
               "highs_seconds": float(h.getRunTime()), "reduced_cost_fixing": info}
    if state["phase"] == "final" and not mm["integrality"].any() and summary["optimal"]:
        summary["bound"] = summary["objective"]  # a pure LP solved to optimality
    send("done", summary)


def quiet_highs():
    """A ``highspy.Highs`` without its banner on stdout (printed by the constructor, before any option)."""
    import os

    import highspy

    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)
    return h


def child_main(fd: int) -> None:  # pragma: no cover - runs in the child process
    import os
    import pickle
    import struct

    job = pickle.load(sys.stdin.buffer)
    out = os.fdopen(fd, "wb", buffering=0)
    later = {}

    def get_start():  # the parent sends the start once it has built it (None: no start)
        if "start" not in later:
            try:
                later["start"] = pickle.load(sys.stdin.buffer)
            except EOFError:
                later["start"] = None
        return later["start"]

    def send(kind, payload):
        data = pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL)
        out.write(struct.pack("<Q", len(data)) + data)

    highs_work(job["model"], job["options"], get_start, send)
    out.close()


if __name__ == "__main__":  # pragma: no cover - the child process of run_bounded
    child_main(int(sys.argv[1]))
