"""The bounded run: the model as arrays, HiGHS through highspy (warm start, streamed incumbents and bounds),
in a child process that the parent stops hard at its deadline (HiGHS does not always honour its own time
limit: HiGHS#2226)."""

from __future__ import annotations

import math
import sys
import time

from . import highs_child
from .matrix import MatrixModel, TriviallyInfeasible, compile_model
from .solver import MIP_FEASIBILITY_TOLERANCE, SolveOutcome, versions


class _Frames:
    """Length-prefixed pickles read from a pipe without ever blocking past a deadline."""

    def __init__(self, fd):
        self.fd, self.buf, self.eof = fd, bytearray(), False

    def read(self, timeout: float) -> list:
        import os
        import pickle
        import select
        import struct

        if self.eof:
            return []
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0.0))
        if ready:
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                self.eof = True
            self.buf += chunk
        msgs = []
        while len(self.buf) >= 8:
            (size,) = struct.unpack("<Q", self.buf[:8])
            if len(self.buf) < 8 + size:
                break
            msgs.append(pickle.loads(bytes(self.buf[8:8 + size])))
            del self.buf[:8 + size]
        return msgs


def run_bounded(model, *, time_limit=None, deadline=None, rel_gap=1e-6, threads=1, seed=0, presolve=None,
                extra_options: dict | None = None, reduced_cost_fixing: bool = False, start=None,
                start_objective: float | None = None, start_later=None, in_process: bool | None = None,
                compiled: MatrixModel | None = None, known_bound: float | None = None, groups=None) -> SolveOutcome:
    """Solve ``model`` through highspy with a start and a hard deadline.

    ``start``: (variable, value) pairs (a partial assignment is fine: HiGHS completes it) passed with
    ``setSolution``; ``start_objective`` its objective. ``start_later``: instead, a function returning
    (start, start_objective, deadline) that is called once HiGHS is at work in the child (so a start can be
    built in parallel; the deadline it returns replaces ``deadline``). ``deadline`` (``time.monotonic()`` seconds): the HiGHS
    run happens in a child process that is killed then, whatever HiGHS is doing (HiGHS#2226); the best
    incumbent streamed back until then is loaded into the model's variables, and the bound is the best
    valid one seen (the columns' box bound, the LP relaxation, the MIP's dual bound). ``groups``: for the
    start of a MIP whose LP is fractional, (variables, group ids, option ids) — see ``rcfix.guided_restriction``.
    Without a deadline
    (and unless ``in_process`` is False) the same work runs in this process. Never raises on a solver
    outcome; a constraint with no variables that cannot hold gives status "infeasible"."""
    import os
    import pickle
    import subprocess
    import tempfile
    import threading

    import numpy as np

    tick = time.perf_counter()
    raw = {"random_seed": int(seed), "mip_feasibility_tolerance": MIP_FEASIBILITY_TOLERANCE}
    if presolve is not None:
        raw["presolve"] = presolve
    raw.update(extra_options or {})
    budget = None if deadline is None else max(deadline - time.monotonic(), 0.0)
    if time_limit is not None:
        budget = float(time_limit) if budget is None else min(budget, float(time_limit))
    options = {"time_limit": time_limit, "rel_gap": rel_gap, "threads": threads, "solver_options": raw,
               "reduced_cost_fixing": reduced_cost_fixing,
               "process": "in process" if (in_process if in_process is not None else deadline is None) else "child"}
    try:
        mm = compiled if compiled is not None else compile_model(model)
    except TriviallyInfeasible as exc:
        return SolveOutcome("infeasible", f"trivially infeasible: {exc}", False, None, None, None,
                            time.perf_counter() - tick, 0.0, time.perf_counter() - tick, options, dict(versions()))
    maximise = mm.sense == -1
    better = (lambda a, b: a > b) if maximise else (lambda a, b: a < b)
    col = {id(v): i for i, v in enumerate(mm.columns)}

    def as_columns(pairs, objective):
        if pairs is None:
            return None
        pairs = [(col[id(v)], float(x)) for v, x in pairs if id(v) in col]
        return (np.array([p[0] for p in pairs], dtype=np.int32), np.array([p[1] for p in pairs], dtype=float),
                objective)

    opts = {"raw": raw, "threads": threads, "rel_gap": rel_gap, "time_limit": budget,
            "reduced_cost_fixing": reduced_cost_fixing}
    if groups is not None:
        gvars, gid, oid = groups
        keep = [k for k, v in enumerate(gvars) if id(v) in col]
        opts["groups"] = (np.array([col[id(gvars[k])] for k in keep], dtype=np.int32),
                          np.asarray(gid)[keep].astype(np.int64), np.asarray(oid)[keep].astype(np.int64))
    best = {"objective": None, "values": None, "bound": mm.box_bound(), "done": None, "incumbents": []}
    if known_bound is not None and better(best["bound"], known_bound):  # a valid bound the caller knows
        best["bound"] = float(known_bound)

    def receive(kind, payload):
        if kind == "solution":
            obj, vals = payload
            if best["objective"] is None or better(obj, best["objective"]):
                best["objective"], best["values"] = obj, vals
                best["incumbents"].append((round(time.perf_counter() - tick, 3), obj))
        elif kind == "bound":
            if payload is not None and math.isfinite(payload) and better(best["bound"], payload):
                best["bound"] = payload
        elif kind == "done":
            best["done"] = payload
            if payload["objective"] is not None and payload["values"] is not None:
                receive("solution", (payload["objective"], payload["values"]))
            if payload["bound"] is not None:
                receive("bound", payload["bound"])

    handoff = time.perf_counter() - tick
    killed = False
    err_text = ""
    child_mode = options["process"] == "child"
    if deadline is not None and time.monotonic() > deadline - 0.1:  # no time left to start HiGHS at all
        return SolveOutcome("no_solution", "no time left for the solver", False, None,
                            None if not math.isfinite(best["bound"]) else best["bound"], None, handoff, 0.0,
                            time.perf_counter() - tick, options, dict(versions()))
    try:
        if not child_mode:
            if start_later is not None:
                start, start_objective, _ = start_later()
            st = as_columns(start, start_objective)
            highs_child.highs_work(mm.arrays(), opts, lambda: st, receive)
        else:
            rfd, wfd = os.pipe()
            with tempfile.TemporaryFile() as errf:
                proc = subprocess.Popen([sys.executable, "-P", os.path.abspath(highs_child.__file__), str(wfd)],
                                        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errf,
                                        pass_fds=[wfd], close_fds=True)
                os.close(wfd)
                # a writer thread feeds the child (model first, the start when it is ready), so the parent never
                # blocks on the pipe: it builds the start meanwhile and watches the deadline
                job = pickle.dumps({"model": mm.arrays(), "options": opts}, protocol=pickle.HIGHEST_PROTOCOL)
                ready = {"start": None, "event": threading.Event()}

                def feed():
                    try:
                        proc.stdin.write(job)
                        proc.stdin.flush()
                        ready["event"].wait()
                        proc.stdin.write(ready["start"])
                        proc.stdin.close()
                    except (BrokenPipeError, OSError, ValueError):
                        pass

                writer = threading.Thread(target=feed, daemon=True)
                writer.start()
                handoff = time.perf_counter() - tick
                try:
                    if start_later is not None:  # built while HiGHS starts on the LP relaxation
                        start, start_objective, new_deadline = start_later()
                        deadline = new_deadline if new_deadline is not None else deadline
                finally:
                    ready["start"] = pickle.dumps(as_columns(start, start_objective), protocol=pickle.HIGHEST_PROTOCOL)
                    ready["event"].set()
                frames = _Frames(rfd)
                while best["done"] is None and not frames.eof:
                    left = (deadline - time.monotonic()) if deadline is not None else 1.0
                    if left <= 0:
                        killed = True
                        break
                    for kind, payload in frames.read(min(left, 0.25)):
                        receive(kind, payload)
                proc.kill() if killed else None
                proc.wait()
                os.close(rfd)
                errf.seek(0)
                err_text = errf.read().decode(errors="replace").strip()
    except Exception as exc:  # a solver crash is reported, never propagated
        return SolveOutcome("error", repr(exc), False, None, None, None, handoff, 0.0, time.perf_counter() - tick,
                            options, dict(versions()))
    wall = time.perf_counter() - tick
    options["warm_start"] = start is not None
    done = best["done"]
    has = best["values"] is not None
    if has:
        vals = best["values"]
        for i, v in enumerate(mm.columns):
            v.set_value(float(vals[i]), skip_validation=True)
    if done is not None and done["optimal"]:
        status, term = "optimal", done["model_status"]
    elif done is not None and done["infeasible"] and not has:
        status, term = "infeasible", done["model_status"]
    elif done is not None and done["unbounded"] and not has:
        status, term = "unbounded", done["model_status"]
    elif done is None and not killed:
        status, term = "error", f"the HiGHS process ended without a result: {err_text[-500:] or 'no message'}"
    else:
        status = "feasible" if has else "no_solution"
        term = f"stopped at the deadline ({budget:.1f} s)" if killed else (done["model_status"] if done else "unknown")
    obj = best["objective"] if has else None
    bound = best["bound"] if best["bound"] is not None and math.isfinite(best["bound"]) else None
    if status == "optimal" and obj is not None and bound is None:
        bound = obj
    gap = None
    if obj is not None and bound is not None:
        gap = abs(bound - obj) / max(abs(obj), abs(bound), 1.0) if abs(bound - obj) > 1e-9 else 0.0
    if done is not None:
        options["reduced_cost_fixing"] = done.get("reduced_cost_fixing") or {}
    options["incumbents"] = best["incumbents"]
    if killed:
        options["deadline"] = f"the HiGHS process was stopped at the deadline after {wall:.1f} s"
    solve_s = done["highs_seconds"] if done is not None else wall - handoff
    return SolveOutcome(status, term, has, obj, bound, gap, handoff, solve_s, wall, options, dict(versions()))
