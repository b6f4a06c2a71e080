"""Compare intervention packages on common random numbers (same master seed for every package)."""

from __future__ import annotations

import pandas as pd

from .inputs import BuyInInputs
from .interventions import intervention_cost_gbp
from .simulate import simulate
from .summary import delay_summary, median_establishment


def compare_interventions(inputs: BuyInInputs, packages: dict[str, list], runs: int, seed: int, client=None,
                          years=None, posterior=None, draws: int | None = None) -> pd.DataFrame:
    """One row per (package, vehicle): scenario, vehicle_id, prob_agreed, median_established_month,
    expected_delay_years, prob_never, cost_gbp (annual cost of the package), and the change in
    prob_agreed and expected_delay_years against the baseline (the inputs as given). With a `posterior`
    (agents.Posterior), every package runs on the same parameter draws and run seeds (`simulate_posterior`)."""
    from .calibrate import simulate_posterior

    scenarios = {"baseline": []} | dict(packages)
    rows = []
    for name, package in scenarios.items():
        with_package = inputs.with_(interventions=list(inputs.interventions) + list(package))
        res = (simulate(with_package, runs, seed, client=client, record_runs=0) if posterior is None else
               simulate_posterior(with_package.with_(params=posterior.base), posterior, runs, seed, draws=draws,
                                  client=client))
        med = median_establishment(res).set_index("vehicle_id")
        ds = delay_summary(res, years).groupby("vehicle_id", sort=False).first()
        agreed = res.outcomes.groupby("vehicle_id", sort=False)["agreed_month"].apply(lambda s: s.notna().mean())
        cost = intervention_cost_gbp(inputs, package)
        for vid in res.vehicle_ids:
            rows.append({"scenario": name, "vehicle_id": vid, "prob_agreed": float(agreed[vid]),
                         "median_established_month": med.loc[vid, "median_established_month"],
                         "expected_delay_years": ds.loc[vid, "expected_delay_years"],
                         "prob_never": med.loc[vid, "prob_never"], "cost_gbp": cost})
    df = pd.DataFrame(rows)
    base = df[df["scenario"] == "baseline"].set_index("vehicle_id")
    df["delta_prob_agreed"] = df["prob_agreed"] - df["vehicle_id"].map(base["prob_agreed"])
    df["delta_delay_years"] = df["expected_delay_years"] - df["vehicle_id"].map(base["expected_delay_years"])
    return df
