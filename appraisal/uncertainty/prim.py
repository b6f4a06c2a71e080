"""PRIM scenario discovery (Friedman & Fisher 1999; Bryant & Lempert 2010), written with numpy.

Given inputs ``X`` (runs x numeric parameters) and a boolean ``y`` ("the case of interest", e.g. the
preferred option fails or NPV < 0), peel a hyper-box from the full data range: at each step try removing
the ``alpha`` share of in-box runs at the low or high end of each parameter, and keep the peel that leaves
the highest density of cases of interest. Stop when the box holds fewer than ``min_mass`` of all runs.

* coverage = cases of interest inside the box / all cases of interest,
* density  = cases of interest inside the box / runs inside the box,
* mass     = runs inside the box / all runs.

The peeling trajectory trades coverage for density; pick a box with :meth:`PrimResult.select`.
No pasting step and no quasi-p-values (see docs/sensitivity.md).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class PrimResult:
    trajectory: pd.DataFrame  # step, coverage, density, mass, n_restricted
    boxes: list  # per step: DataFrame param -> lo, hi, restricted
    names: list

    def box(self, step: int) -> pd.DataFrame:
        return self.boxes[step]

    def select(self, *, min_coverage: float | None = None, min_density: float | None = None) -> int:
        """Step of the densest box with coverage >= min_coverage (or the most covering box with
        density >= min_density). Default: densest box keeping at least half the cases."""
        t = self.trajectory
        if min_density is not None:
            ok = t[t.density >= min_density]
            if ok.empty:
                raise ValueError("no box reaches that density")
            return int(ok.sort_values(["coverage", "density"], ascending=False).index[0])
        ok = t[t.coverage >= (0.5 if min_coverage is None else min_coverage)]
        return int(ok.sort_values(["density", "coverage"], ascending=False).index[0])

    def as_dict(self, step: int | None = None) -> dict:
        """JSON-ready summary of one box (default: :meth:`select`) and the whole trajectory."""
        step = self.select() if step is None else step
        return {"step": int(step), **{k: float(v) for k, v in self.trajectory.loc[step].items()},
                "box": {str(p): [float(r.lo), float(r.hi)] for p, r in self.restricted(step).iterrows()},
                "trajectory": self.trajectory.reset_index().to_dict("records")}

    def restricted(self, step: int) -> pd.DataFrame:
        """Only the parameters the box restricts."""
        b = self.boxes[step]
        return b[b.restricted]


def prim(X: pd.DataFrame, y, *, alpha: float = 0.05, min_mass: float = 0.05) -> PrimResult:
    names = list(X.columns)
    x = X.to_numpy(dtype=float)
    y = np.asarray(y, dtype=bool)
    if y.shape[0] != x.shape[0]:
        raise ValueError("X and y must have the same number of rows")
    n, total = x.shape[0], y.sum()
    if total == 0:
        raise ValueError("no cases of interest in y")
    lo, hi = x.min(axis=0), x.max(axis=0)
    full_lo, full_hi = lo.copy(), hi.copy()
    inside = np.ones(n, dtype=bool)
    traj, boxes = [], []

    def record():
        k = inside.sum()
        restricted = (lo > full_lo) | (hi < full_hi)
        traj.append({"coverage": y[inside].sum() / total, "density": y[inside].mean() if k else np.nan,
                     "mass": k / n, "n_restricted": int(restricted.sum())})
        boxes.append(pd.DataFrame({"lo": lo.copy(), "hi": hi.copy(), "restricted": restricted},
                                  index=pd.Index(names, name="param")))

    record()
    while True:
        best = None
        xi, yi = x[inside], y[inside]
        for j in range(x.shape[1]):
            col = xi[:, j]
            for side in ("lo", "hi"):
                if side == "lo":
                    cut = np.quantile(col, alpha, method="lower")
                    keep = col > cut if cut == col.min() else col >= cut
                else:
                    cut = np.quantile(col, 1 - alpha, method="higher")
                    keep = col < cut if cut == col.max() else col <= cut
                k = keep.sum()
                if k == len(col) or k / n < min_mass or k == 0:
                    continue
                dens = yi[keep].mean()
                if best is None or (dens, k) > (best[0], best[1]):
                    best = (dens, k, j, side, keep)
        if best is None:
            break
        _, _, j, side, keep = best
        idx = np.flatnonzero(inside)
        inside[idx[~keep]] = False
        vals = x[inside, j]
        if side == "lo":
            lo[j] = vals.min()
        else:
            hi[j] = vals.max()
        record()
    t = pd.DataFrame(traj)
    t.index.name = "step"
    return PrimResult(t, boxes, names)
