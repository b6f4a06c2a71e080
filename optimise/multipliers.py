"""The Lagrangian dual: the national options of shared vehicles, the cut of one solution, and the
box-stabilised cutting-plane master that proposes the next multipliers π."""

from __future__ import annotations

import numpy as np

from .prepare import shifted, stream_profiles
from .problem import PlacementProblem
from .regions import Coupling

INF = 1e30


def national_options(P: PlacementProblem, coupling: Coupling) -> list[tuple[str, list]]:
    """Per shared vehicle, its options [(year or None, npv, net per year)]: never, or established in u."""
    T = coupling.T
    veh = P.vehicles.set_index("vehicle_id")
    pos, b, c = stream_profiles(P.vehicle_streams[P.vehicle_streams["vehicle_id"].isin(coupling.shared)], ["vehicle_id"], T)
    out = []
    for v in coupling.shared:
        lo, hi = int(veh.at[v, "earliest_year"]), min(int(veh.at[v, "latest_year"]), T - 1)
        if v in P.rules.forced_vehicle_years:
            lo = hi = int(P.rules.forced_vehicle_years[v])
        opts = [(None, 0.0, np.zeros(T))]
        for u in range(lo, hi + 1):
            r = np.array([pos.get((v,), len(pos))])
            net = (shifted(b, r, np.array([u]), T) - shifted(c, r, np.array([u]), T))[0]
            opts.append((u, float(net @ P.discount_factor), net))
        out.append((v, opts))
    return out


def cut(coupling: Coupling, region: int | None, npv: float, net: np.ndarray, count: np.ndarray | None,
         E: dict, sign_E: float) -> tuple[float, np.ndarray]:
    """value(π) = a + g·π of one solution (a region's, or a national option's with sign_E = +1)."""
    lay = coupling.layout()
    g = np.zeros(lay["size"])
    if "lam_cum" in lay:
        g[lay["lam_cum"]] = np.cumsum(net)
    if "lam_year" in lay:
        g[lay["lam_year"]] = net
    if "nu" in lay and count is not None:
        g[lay["nu"]] = -count
    for key, e in E.items():
        g[lay[key]] += sign_E * e
    return float(npv), g


class Master:
    """Box-stabilised cutting planes for min_π L(π), π >= 0: L is a sum of pieces (regions and national
    vehicles), each the maximum of linear functions (one per known solution)."""

    def __init__(self, n_pieces: int, g0: np.ndarray, scale: np.ndarray, fixed_zero: np.ndarray, threads: int = 1):
        self.threads = threads  # every HiGHS object in a process must use the same threads value (libraries.md)
        self.cuts = [[] for _ in range(n_pieces)]
        self.g0, self.scale, self.fixed_zero = g0, scale, fixed_zero
        self.center = np.zeros(len(g0))
        self.delta = 1.0
        self.best = INF

    def add(self, piece: int, a: float, g: np.ndarray) -> None:
        self.cuts[piece].append((a, g))

    def next_point(self) -> tuple[np.ndarray, float]:
        import highspy

        D, K = len(self.g0), len(self.cuts)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", int(self.threads))
        lo = np.maximum(0.0, self.center - self.delta * self.scale)
        hi = self.center + self.delta * self.scale
        lo[self.fixed_zero], hi[self.fixed_zero] = 0.0, 0.0
        inf = highspy.kHighsInf
        # columns: π (D), θ (K); minimise g0·π + Σθ
        h.addVars(D + K, np.r_[lo, np.full(K, -inf)], np.r_[hi, np.full(K, inf)])
        h.changeColsCost(D + K, np.arange(D + K, dtype=np.int32), np.r_[self.g0, np.ones(K)])
        for k, cuts in enumerate(self.cuts):
            for a, g in cuts:  # θ_k - g·π >= a
                nz = np.flatnonzero(g)
                idx = np.r_[nz, D + k].astype(np.int32)
                h.addRow(a, inf, len(idx), idx, np.r_[-g[nz], 1.0])
        h.run()
        x = np.array(h.getSolution().col_value)
        return np.clip(x[:D], lo, hi), float(h.getInfo().objective_function_value)

    def update(self, pi: np.ndarray, value: float, predicted: float) -> str:
        """Serious step (move the centre) when L fell by at least a tenth of what the model predicted."""
        if self.best >= INF or value < self.best - 0.1 * max(self.best - predicted, 0.0):
            step = "serious"
            self.best, self.center = min(value, self.best), pi.copy() if value < self.best else self.center
            self.delta = min(self.delta * 2.0, 64.0)
        else:
            step = "null"
            self.delta = max(self.delta * 0.5, 1e-4)
        return step


def set_scale(scale: np.ndarray, lay: dict, coupling: Coupling, z: float, R: int) -> None:
    """Typical size of each multiplier: λ is £ per £ (1); ν £ per transfer; μ £ per region-year."""
    if "nu" in lay:
        n = coupling.transfers_cap[np.isfinite(coupling.transfers_cap)].sum()
        scale[lay["nu"]] = z / max(float(n), 1.0)
    for key, sl in lay.items():
        if isinstance(key, tuple):
            scale[sl] = z / (R * coupling.T * 10.0)
