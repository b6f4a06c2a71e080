"""The money engine: yearly profiles, adjustments, discounting and the Green Book headline figures.

Plain functions on DataFrames. Definitions (all on adjusted amounts unless the name says otherwise):

* net_t = benefits_t − costs_t; cumulative net C_t = Σ_{u≤t} net_u.
* PV = Σ_t DF_t · amount_t with the study's discount factors (DF_0 = 1).
* NPSV = PV(all benefits: cashable, non-cashable, societal) − PV(costs);
  NPV (financial) = PV(cashable benefits) − PV(costs).
* BCR = PV(all benefits) / PV(costs); shown, never judged pass/fail. None when there are no costs.
* Payback year: first year from which C_t ≥ 0 holds to the end of the horizon (None if never).
* In-year breakeven year: first year from which net_t ≥ 0 holds to the end of the horizon.
* Cumulative funding requirement: max(0, −min_t C_t), the money partners must find before savings
  arrive, and the year it peaks.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from appraisal.money.adjustments import stream_factors
from appraisal.money.discounting import discount_factors
from appraisal.money.ledger import plan_money
from appraisal.money.plans import Plan
from appraisal.study import Study


@dataclass
class OptionAppraisal:
    option_id: str
    yearly: pd.DataFrame
    by_component: pd.DataFrame
    by_party: pd.DataFrame
    by_recipient: pd.DataFrame
    metrics: dict
    streams: pd.DataFrame = field(repr=False)
    plan: Plan | None = field(default=None, repr=False)
    warnings: list[str] = field(default_factory=list)


def study_discount_factors(study: Study, schedule: str | None = None) -> np.ndarray:
    d = study.config.discounting
    name = schedule or d.schedule
    return discount_factors(name, len(study.years), d.rate_pct if name == "constant" else None)


def adjust(streams: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Add adjusted columns: amount, low and high × the compound adjustment factor of each stream (the
    ledger's streams already carry them)."""
    if "factor" in streams.columns:
        return streams
    out = streams.copy()
    factor = stream_factors(out, study.config.adjustments) if len(out) else np.ones(0)
    out["factor"] = factor
    for col in ("amount_gbp", "low_gbp", "high_gbp"):
        out[f"adj_{col}"] = out[col].astype(float) * factor
    return out


def _by_year(streams: pd.DataFrame, n: int, kind: str, column: str, mask: np.ndarray | None = None) -> np.ndarray:
    sel = (streams["kind"] == kind).to_numpy().copy()
    if mask is not None:
        sel &= mask
    out = np.zeros(n)
    np.add.at(out, streams.loc[sel, "t"].to_numpy(dtype=int), streams.loc[sel, column].to_numpy(dtype=float))
    return out


def _first_year_holding(flags: np.ndarray, years: list[str]) -> str | None:
    """First year from which `flags` stays true to the end of the horizon."""
    if not flags.size or not flags[-1]:
        return None
    idx = len(flags) - 1
    while idx > 0 and flags[idx - 1]:
        idx -= 1
    return years[idx]


def headline(benefits: np.ndarray, cashable: np.ndarray, costs: np.ndarray, df: np.ndarray,
             years: list[str]) -> dict:
    net = benefits - costs
    cumulative = np.cumsum(net)
    moves_money = bool(np.any(benefits) or np.any(costs))
    pv_b, pv_c, pv_cash = float(df @ benefits), float(df @ costs), float(df @ cashable)
    trough = int(np.argmin(cumulative))
    need = max(0.0, -float(cumulative[trough]))
    return {
        "benefits_adjusted_total_gbp": float(benefits.sum()),
        "costs_adjusted_total_gbp": float(costs.sum()),
        "net_total_gbp": float(net.sum()),
        "pv_benefits_gbp": pv_b,
        "pv_cashable_benefits_gbp": pv_cash,
        "pv_costs_gbp": pv_c,
        "npsv_gbp": pv_b - pv_c,
        "npv_gbp": pv_cash - pv_c,
        "bcr": pv_b / pv_c if pv_c > 0 else None,
        # an option that moves no money has no payback or breakeven to speak of
        "payback_year": _first_year_holding(cumulative >= -1e-6, years) if moves_money else None,
        "discounted_payback_year": _first_year_holding(np.cumsum(df * net) >= -1e-6, years) if moves_money else None,
        "in_year_breakeven_year": _first_year_holding(net >= -1e-6, years) if moves_money else None,
        "funding_requirement_gbp": need,
        "funding_peak_year": years[trough] if need > 0 else None,
        "steady_state_net_gbp": float(net[-1]),
    }


def appraise_streams(study: Study, option_id: str, streams: pd.DataFrame) -> OptionAppraisal:
    years, n = study.years, len(study.years)
    df = study_discount_factors(study)
    s = adjust(streams, study)
    cashable = (s["category"] == "cashable").to_numpy()
    benefits = _by_year(s, n, "benefit", "adj_amount_gbp")
    benefits_cash = _by_year(s, n, "benefit", "adj_amount_gbp", cashable)
    costs = _by_year(s, n, "cost", "adj_amount_gbp")
    raw_benefits = _by_year(s, n, "benefit", "amount_gbp")
    raw_costs = _by_year(s, n, "cost", "amount_gbp")
    net = benefits - costs
    yearly = pd.DataFrame({
        "year": years, "discount_factor": df,
        "benefits_gbp": raw_benefits, "benefits_adjusted_gbp": benefits,
        "costs_gbp": raw_costs, "costs_adjusted_gbp": costs,
        "net_gbp": net, "cumulative_net_gbp": np.cumsum(net),
        "pv_net_gbp": df * net, "cumulative_pv_net_gbp": np.cumsum(df * net),
    })
    metrics = headline(benefits, benefits_cash, costs, df, years)
    low, high = _by_year(s, n, "benefit", "adj_low_gbp"), _by_year(s, n, "benefit", "adj_high_gbp")
    metrics |= {
        "option_id": option_id,
        "benefits_total_gbp": float(raw_benefits.sum()),
        "costs_total_gbp": float(raw_costs.sum()),
        "run_rate_benefits_gbp": float(raw_benefits.max()) if n else 0.0,
        "run_rate_benefits_adjusted_gbp": float(benefits.max()) if n else 0.0,
        "npsv_low_gbp": float(df @ low) - metrics["pv_costs_gbp"],
        "npsv_high_gbp": float(df @ high) - metrics["pv_costs_gbp"],
        "benefits_adjusted_low_total_gbp": float(low.sum()),
        "benefits_adjusted_high_total_gbp": float(high.sum()),
    }
    for schedule in study.config.discounting.sensitivities:
        alt = study_discount_factors(study, schedule)
        metrics[f"npsv_{schedule}_gbp"] = float(alt @ benefits - alt @ costs)
    by_component = (s.groupby(["kind", "component", "year"], sort=False)["adj_amount_gbp"].sum()
                    .unstack("year", fill_value=0.0).reindex(columns=years, fill_value=0.0).reset_index())
    by_component.columns.name = None
    recipients = split_by_party(s, study)
    by_recipient = _pivot_parties(recipients, "recipient_id")
    by_party = _pivot_parties(recipients, "partner_id")
    return OptionAppraisal(option_id, yearly, by_component, by_party, by_recipient, metrics, s)


def _pivot_parties(split: pd.DataFrame, key: str) -> pd.DataFrame:
    if split.empty:
        return pd.DataFrame(columns=[key, "benefits_gbp", "costs_gbp", "net_gbp"])
    table = split.pivot_table(index=key, columns="kind", values="share_gbp", aggfunc="sum", fill_value=0.0)
    table = table.reindex(columns=["benefit", "cost"], fill_value=0.0).rename(
        columns={"benefit": "benefits_gbp", "cost": "costs_gbp"})
    table["net_gbp"] = table["benefits_gbp"] - table["costs_gbp"]
    table.columns.name = None
    return table.reset_index().sort_values(key, kind="stable").reset_index(drop=True)


def split_by_party(streams: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Who pays and who benefits: each adjusted stream amount split over its party.

    A party is a partner, or an allocation whose weights split the amount pro rata (a service recipient
    passes its share to the service's current provider). Streams with no party go to 'unallocated'.
    """
    alloc = study.tables["allocations"]
    services = study.tables["services"].set_index("service_id")["current_provider"].to_dict()
    partners = set(study.tables["partners"]["partner_id"])
    weights: dict[str, list[tuple[str, float]]] = {}
    for aid, group in alloc.groupby("allocation_id", sort=False):
        total = group["weight"].sum()
        weights[aid] = [(r, w / total) for r, w in zip(group["recipient_id"], group["weight"])]
    rows = []
    for rec in streams[["kind", "year", "party", "adj_amount_gbp"]].itertuples(index=False):
        shares = weights.get(rec.party) or [(rec.party if rec.party else "unallocated", 1.0)]
        for recipient, share in shares:
            partner = recipient if recipient in partners else services.get(recipient) or recipient
            rows.append((rec.kind, rec.year, recipient, partner, rec.adj_amount_gbp * share))
    return pd.DataFrame(rows, columns=["kind", "year", "recipient_id", "partner_id", "share_gbp"])


def appraise_plan(study: Study, plan: Plan, scenario: dict | None = None) -> OptionAppraisal:
    """The financial case of one plan of an option: the ledger's money (`plan_money`) through the metrics."""
    money = plan_money(study, plan.option_id, plan, scenario)
    result = appraise_streams(study, plan.option_id, money.streams)
    result.plan, result.warnings = plan, money.warnings
    return result


def appraise_option(study: Study, option_id: str, plan: Plan | None = None) -> OptionAppraisal:
    """An option's financial case under a plan; without one, under the document's plan of the option."""
    from appraisal.money.document import document_plan

    return appraise_plan(study, plan if plan is not None else document_plan(study, option_id))


def appraise_study(study: Study, plans: dict[str, Plan] | None = None) -> dict[str, OptionAppraisal]:
    """Every option's financial case, under the given plans (else each option's document plan)."""
    plans = plans or {}
    return {oid: appraise_option(study, oid, plans.get(oid)) for oid in study.option_ids}


def position_summary(study: Study) -> pd.DataFrame:
    """Budget position by partner, scenario and year: in-year net, cumulative, reserves and the gap.

    Lines named `reserves_opening` seed the reserves balance and are not part of the in-year position;
    every other line adds to it (income positive, spending negative).
    """
    pos = study.tables["positions"]
    if pos.empty:
        return pd.DataFrame(columns=["partner_id", "scenario", "year", "in_year_gbp", "cumulative_gbp",
                                     "reserves_closing_gbp"])
    out = []
    for (partner, scenario), group in pos.groupby(["partner_id", "scenario"], sort=True):
        opening = group.loc[group["line"] == "reserves_opening", "amount_gbp"].sum()
        flows = group[group["line"] != "reserves_opening"].groupby("year")["amount_gbp"].sum()
        flows = flows.reindex([y for y in study.years if y in set(group["year"])], fill_value=0.0)
        cumulative = flows.cumsum()
        for year, value in flows.items():
            out.append({"partner_id": partner, "scenario": scenario, "year": year, "in_year_gbp": float(value),
                        "cumulative_gbp": float(cumulative[year]),
                        "reserves_closing_gbp": float(opening + cumulative[year])})
    return pd.DataFrame(out)


def preferred_option(study: Study, npsv_by_option: dict[str, float] | None = None) -> str:
    """The one rule for "the preferred option": the study's `preferred_option`; when it names none, the option
    with the highest NPSV under its document plan among the options that are choices (not views); a tie
    goes to the option listed first."""
    if study.config.preferred_option:
        return study.config.preferred_option
    if npsv_by_option is None:
        npsv_by_option = {o: r.metrics["npsv_gbp"] for o, r in appraise_study(study).items()}
    choices = [o for o in study.choice_ids if o in npsv_by_option] or list(npsv_by_option)
    return max(choices, key=lambda o: (npsv_by_option[o], -choices.index(o)))
