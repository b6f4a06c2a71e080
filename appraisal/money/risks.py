"""The risk register (study table `risks`): scores, expected cost of risk and its present value.

Expected cost of a quantified risk = probability × the mean of its cost distribution: uniform (a + b)/2,
triangular (a + m + b)/3, Beta-PERT (a + 4m + b)/6, normal μ. Its present value uses the study's discount
factor of `cost_year`. The NPSV the money engine reports is not risk-adjusted (risk costs are not lines);
`npsv_risk_adjusted_gbp` = NPSV − Σ PV of the expected costs of the risks that apply to the option, and the
Monte Carlo draws each risk's occurrence and cost (appraisal/uncertainty/risk.py). Risk costs are never
uplifted by optimism bias: quantifying a risk is the alternative to a blanket uplift, not an addition.

Rating of likelihood × impact (1–25): high ≥ 15, medium 8–12, low ≤ 6 (a reformkit convention of the
common 5 × 5 matrix; organisations differ).
"""
from __future__ import annotations

import numpy as np

from appraisal.study import Study

RISK_FIELDS = ["risk_id", "description", "category", "likelihood", "impact", "owner", "mitigation", "status",
               "probability", "cost_distribution", "cost_low_gbp", "cost_mode_gbp", "cost_high_gbp",
               "cost_mean_gbp", "cost_sd_gbp", "cost_year", "options", "source"]


def distribution_mean(dist: str, low=None, mode=None, high=None, mean=None) -> float:
    if dist == "uniform":
        return (low + high) / 2.0
    if dist == "triangular":
        return (low + mode + high) / 3.0
    if dist == "pert":
        return (low + 4.0 * mode + high) / 6.0
    if dist == "normal":
        return float(mean)
    raise ValueError(f"unknown distribution '{dist}'")


def rating(score: int) -> str:
    return "high" if score >= 15 else ("medium" if score >= 8 else "low")


def _clean(value):
    if isinstance(value, float) and value != value:
        return None
    return value


def risk_register(study: Study, discount_factor: np.ndarray, option_ids: list[str]) -> dict:
    """results.json `risks`: every register line with its score, rating and expected cost of risk, and per
    option the PV of expected risk costs that apply to it."""
    rows = []
    pv_by_option = {oid: 0.0 for oid in option_ids}
    for r in study.tables["risks"].to_dict(orient="records"):
        line = {k: _clean(r.get(k)) for k in RISK_FIELDS}
        line["score"] = int(r["likelihood"]) * int(r["impact"])
        line["rating"] = rating(line["score"])
        if _clean(r.get("probability")) is not None:
            expected = float(r["probability"]) * distribution_mean(r["cost_distribution"], _clean(r["cost_low_gbp"]),
                                                                   _clean(r["cost_mode_gbp"]), _clean(r["cost_high_gbp"]),
                                                                   _clean(r["cost_mean_gbp"]))
            pv = expected * float(discount_factor[study.year_index(r["cost_year"])])
            line |= {"expected_cost_gbp": expected, "pv_expected_cost_gbp": pv}
            for oid in option_ids:
                if not r["options"] or oid in r["options"]:
                    pv_by_option[oid] += pv
        rows.append(line)
    rows.sort(key=lambda x: (-x["score"], x["risk_id"]))
    return {"register": rows, "pv_expected_cost_by_option_gbp": pv_by_option}
