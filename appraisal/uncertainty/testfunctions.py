"""Reference functions for tests and benchmarks (importable by dask workers)."""
from __future__ import annotations

import math
import time

A, B = 7.0, 0.1
#: analytic first-order Sobol indices of Ishigami(a=7, b=0.1)
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}


def ishigami(x: dict) -> dict:
    s1 = math.sin(x["x1"])
    return {"y": s1 + A * math.sin(x["x2"]) ** 2 + B * x["x3"] ** 4 * s1}


def slow_ishigami(x: dict, delay: float = 0.01) -> dict:
    """Ishigami with a fixed sleep, to make a sweep long enough to interrupt."""
    time.sleep(delay)
    return ishigami(x)


def linear(x: dict) -> dict:
    return {"y": sum((i + 1) * v for i, v in enumerate(x.values()))}
