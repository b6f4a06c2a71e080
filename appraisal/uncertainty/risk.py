"""Quantified risks as sampled parameters: a point mass at £0 (the risk does not occur) plus a cost draw.

For probability p and a cost marginal F, the inverse CDF of the mixture is
    G⁻¹(u) = 0                              for u < 1 − p
           = F⁻¹((u − (1 − p)) / p)          otherwise,
so one unit-interval column per risk works with every design (Monte Carlo, Sobol, Morris). The parameter is
named `risk:<risk_id>`, its target `risk:<risk_id>`: a cost of that many £ in the risk's `cost_year`,
unadjusted, in every option the risk applies to. Its base value is 0 (the financial case is not
risk-adjusted); its range for tornado and switching values is 0 to the cost's 95th percentile (or high).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from appraisal.study import Study
from appraisal.uncertainty.params import Param, from_spec


@dataclass(frozen=True)
class RiskCost(Param):
    probability: float
    cost: Param

    def __post_init__(self):
        if not 0 < self.probability <= 1:
            raise ValueError(f"{self.name}: need 0 < probability <= 1")

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        q = (u - (1.0 - self.probability)) / self.probability
        return np.where(u < 1.0 - self.probability, 0.0, self.cost.ppf(np.clip(q, 0.0, 1.0)))


def risk_params(study: Study) -> list[RiskCost]:
    out = []
    for r in study.tables["risks"].itertuples(index=False):
        if r.probability is None or r.probability != r.probability or r.probability == 0:
            continue
        spec = {"name": f"risk:{r.risk_id}", "dist": r.cost_distribution}
        keys = {"uniform": ("low", "high"), "triangular": ("low", "mode", "high"), "pert": ("low", "mode", "high"),
                "normal": ("mean", "sd")}[r.cost_distribution]
        for key in keys:
            spec[key] = float(getattr(r, f"cost_{key}_gbp"))
        out.append(RiskCost(f"risk:{r.risk_id}", float(r.probability), from_spec(spec)))
    return out


def risk_timing(study: Study) -> dict[str, tuple[int, set[str] | None]]:
    """parameter -> (year index of the cost, the options it applies to or None for all)."""
    return {f"risk:{r.risk_id}": (study.year_index(r.cost_year), set(r.options) or None)
            for r in study.tables["risks"].itertuples(index=False)
            if r.probability is not None and r.probability == r.probability and r.probability > 0}


def risk_range(p: RiskCost) -> tuple[float, float, float]:
    hi = getattr(p.cost, "high", None)
    if hi is None:
        hi = float(p.cost.ppf(np.array([0.95]))[0])
    return 0.0, 0.0, float(hi)
