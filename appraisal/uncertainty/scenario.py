"""A fast, picklable model of a study's options for sensitivity sweeps and switching values.

Each option's plan (its document plan, or a given plan such as the optimised one) is valued once by the
ledger (`appraisal.money.ledger`) and frozen as arrays of money by entry and year (on an extended time axis,
so a delay moves money exactly). A scenario is a dict of parameter values, each acting as its
`uncertainties` row says (`appraisal.money.scenarios`: multipliers select lines by line, component,
category, trigger, vehicle or tag; `delay_years` moves every date of the plan later, `Plan.delayed`;
`discount_rate_pct` replaces the discount factors). The frozen model is the ledger's `plan_money` under
that scenario, only faster (tested equal).

Care pathway (cohort) models are not frozen: each sample re-runs them with its `cohort:` values
(appraisal/uncertainty/cohort_terms.py), and each quantified risk of the register is a cost parameter
`risk:<id>` (appraisal/uncertainty/risk.py); both are added beside the frozen money (`extra_flows`).

Outcomes per option: NPSV, NPV (cashable), PV of costs, cumulative funding requirement; and across
options the preferred option (highest NPSV) and its NPSV.

With the agent model included (`scenario_model(..., buyin=...)`), each sample also simulates one run of
partner buy-in, seeded per sample: partners see the benefit and cost multipliers of the sample, and every
line tied to a vehicle moves by that vehicle's realised delay (or vanishes when it is never agreed
within the horizon).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from appraisal.money.document import document_plan
from appraisal.money.ledger import option_ledger
from appraisal.money.metrics import study_discount_factors
from appraisal.money.plans import Plan
from appraisal.money.scenarios import (SPECIAL, base_scenario, entry_scale, scenario_delay, scenario_discount, select,
                                       target_problem, targets_of)
from appraisal.study import Study
from appraisal.uncertainty.cohort_terms import CohortTerms, cohort_target_problem, cohort_terms
from appraisal.uncertainty.risk import risk_timing


@dataclass
class FrozenOption:
    """An option's plan valued by the ledger: one element per non-zero (entry, year) cell, in plan time."""

    entries: pd.DataFrame  # the option's ledger entries (for the scenario selectors)
    entry: np.ndarray  # entry index of each cell
    kind: np.ndarray  # +1 benefit, -1 cost
    cashable: np.ndarray  # bool
    t: np.ndarray  # year index in plan time (may lie outside the horizon; a delay can bring it in)
    amount: np.ndarray  # adjusted £
    tied: np.ndarray  # bool: the plan moves it (every trigger but the option)
    vehicle: np.ndarray


def freeze(study: Study, option_id: str, plan: Plan, drop_cohorts: bool = False) -> FrozenOption:
    """drop_cohorts: leave out the care pathway entries (the sample model re-runs them per sample)."""
    ledger = option_ledger(study, option_id)
    central, _, _, _ = ledger.matrices(plan)
    central = central * ledger.factor[:, None]
    if drop_cohorts:
        central[ledger.entries["line_id"].astype(str).str.startswith("cohort:").to_numpy()] = 0.0
    e, j = np.nonzero(central)
    ent = ledger.entries
    return FrozenOption(ent, e, np.where(ent["kind"].to_numpy()[e] == "benefit", 1.0, -1.0),
                        (ent["category"].to_numpy() == "cashable")[e], j - ledger.pad, central[e, j],
                        (ent["anchor"].to_numpy() != "option")[e], ent["vehicle_id"].to_numpy(dtype=object)[e])


@dataclass
class BuyInCoupling:
    """One simulated buy-in run per sample: the agent model's prepared arrays (each partner's yearly benefit and
    cost of each vehicle as shares of its budget) and each vehicle's planned year."""

    prepared: object  # agents.Prepared
    planned_year: dict[str, int]

    def delays(self, scenario: dict, targets: dict[str, str], seed: int) -> dict[str, int | None]:
        import dataclasses

        from appraisal.adapters.agent_model import run_one

        bm = np.prod([scenario[p] for p, t in targets.items() if t == "benefits"] or [1.0])
        cm = np.prod([scenario[p] for p, t in targets.items() if t == "costs"] or [1.0])
        p = self.prepared
        model = run_one(dataclasses.replace(p, benefit_share=p.benefit_share * bm, cost_share=p.cost_share * cm), seed)
        out = {}
        for vehicle, est in zip(p.vehicle_ids, model.established_month):
            planned = self.planned_year.get(vehicle, 0)
            out[vehicle] = None if np.isnan(est) else max(0, int(est) // 12 - planned)
        return out


@dataclass
class ScenarioModel:
    """Options' frozen streams plus the parameter → stream mapping. Call it with a scenario dict."""

    years: list[str]
    discount_factor: np.ndarray
    options: dict[str, FrozenOption]
    targets: dict[str, str]  # parameter -> target
    base: dict[str, float] = field(default_factory=dict)  # parameter -> base value
    buyin: BuyInCoupling | None = None
    choices: list[str] | None = None  # options that compete for "preferred" (views excluded)
    cohorts: CohortTerms | None = None  # care pathway models re-run per sample (their lines are not frozen)
    risks: dict[str, tuple[int, set | None]] = field(default_factory=dict)  # risk parameter -> (year, options)

    def outcomes(self, scenario: dict | None = None, seed: int | None = None) -> dict[str, dict[str, float]]:
        scenario = {**self.base, **(scenario or {})}
        vehicle_delay = self.buyin.delays(scenario, self.targets, seed) if self.buyin and seed is not None else {}
        n = len(self.years)
        df = scenario_discount(self.discount_factor, scenario, self.targets)
        delay = scenario_delay(scenario, self.targets)
        out = {}
        for oid, o in self.options.items():
            factor = entry_scale(o.entries, scenario, self.targets)[o.entry]
            extra = np.array([n if vehicle_delay.get(v, 0) is None else vehicle_delay.get(v, 0)
                              for v in o.vehicle], dtype=int) if vehicle_delay else 0
            t = o.t + np.where(o.tied, delay + extra, 0)
            keep = (t >= 0) & (t < n)
            signed = (o.kind * o.amount * factor)[keep]
            t = t[keep]
            net = np.zeros(n)
            np.add.at(net, t, signed)
            cash = np.zeros(n)
            np.add.at(cash, t, np.where(o.cashable[keep] | (o.kind[keep] < 0), signed, 0.0))
            costs = np.zeros(n)
            np.add.at(costs, t, np.where(o.kind[keep] < 0, -signed, 0.0))
            for a, b in zip((net, cash, costs), self.extra_flows(oid, scenario, delay)):
                a += b
            out[oid] = {"npsv_gbp": float(df @ net), "npv_gbp": float(df @ cash), "pv_costs_gbp": float(df @ costs),
                        "funding_requirement_gbp": float(max(0.0, -np.cumsum(net).min()))}
        return out

    def extra_flows(self, option_id: str, scenario: dict, delay: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(net, cashable net, costs) by year of what is not frozen: the care pathway lines, re-run with the
        sample's rates (and scaled by the multiplier targets like any line), and the quantified risks' costs
        (unadjusted, never scaled)."""
        n = len(self.years)
        net, cash, costs = np.zeros(n), np.zeros(n), np.zeros(n)
        values = {t: float(scenario[p]) for p, t in self.targets.items() if t.startswith("cohort:") and p in scenario}
        lines = self.cohorts.arrays(option_id, values, delay, scenario, self.targets) if self.cohorts else None
        if lines is not None:
            kind, cashable, t, signed = lines
            keep = (t >= 0) & (t < n)
            np.add.at(net, t[keep], signed[keep])
            np.add.at(cash, t[keep], np.where(cashable | (kind < 0), signed, 0.0)[keep])
            np.add.at(costs, t[keep], np.where(kind < 0, -signed, 0.0)[keep])
        for param, (t, options) in self.risks.items():
            if options is None or option_id in options:
                value = float(scenario[param])
                net[t] -= value
                cash[t] -= value
                costs[t] += value
        return net, cash, costs

    @property
    def batchable(self) -> bool:
        """Whether `evaluate_batch` applies: fixed plans with no agent model (the buy-in run is per sample), no
        care pathway to re-run and no quantified risk (both are added per sample by `extra_flows`)."""
        return self.buyin is None and self.cohorts is None and not self.risks

    def outcomes_batch(self, scenarios: pd.DataFrame) -> dict[str, dict[str, np.ndarray]]:
        """`outcomes` of many scenarios at once, as arrays. The cells of an option's frozen money fall into
        groups that every multiplier target selects alike; per delay, each group's money by year is summed
        once (groups × years), so a batch's yearly money is (scenarios × groups) multipliers @ (groups × years).
        The same money as the per-sample path, summed in another order (tested equal to the penny)."""
        if not self.batchable:
            raise ValueError("a scenario model with the agent model, a care pathway or quantified risks is "
                             "evaluated one sample at a time")
        S, n = len(scenarios), len(self.years)
        full = {p: np.full(S, float(v)) for p, v in self.base.items()}
        full |= {p: scenarios[p].to_numpy(dtype=float) for p in scenarios.columns if p in self.targets}
        delay = np.zeros(S, dtype=int)
        for p, target in self.targets.items():
            if target == "delay_years" and p in full:
                delay = delay + np.round(full[p]).astype(int)
        delay = np.maximum(delay, 0)
        df = np.tile(self.discount_factor, (S, 1))
        rates = [p for p, target in self.targets.items() if target == "discount_rate_pct" and p in full]
        if rates:
            for rate in np.unique(full[rates[0]]):
                df[full[rates[0]] == rate] = scenario_discount(self.discount_factor, {rates[0]: rate},
                                                               {rates[0]: "discount_rate_pct"})
        multipliers = [p for p, target in self.targets.items() if target not in SPECIAL and p in full]
        out = {}
        for oid, o in self.options.items():
            groups, signature = self._groups(oid, o, multipliers)
            factor = np.ones((S, len(signature)))
            for j, p in enumerate(multipliers):
                factor *= np.where(signature[:, j][None, :], full[p][:, None], 1.0)
            net, cash, costs = np.zeros((S, n)), np.zeros((S, n)), np.zeros((S, n))
            for d in np.unique(delay):
                rows = delay == d
                for total, money in zip((net, cash, costs), self._group_money(o, groups, len(signature), int(d))):
                    total[rows] = factor[rows] @ money
            out[oid] = {"npsv_gbp": np.einsum("st,st->s", df, net), "npv_gbp": np.einsum("st,st->s", df, cash),
                        "pv_costs_gbp": np.einsum("st,st->s", df, costs),
                        "funding_requirement_gbp": np.maximum(0.0, -np.cumsum(net, axis=1).min(axis=1))}
        return out

    def _groups(self, oid: str, o: FrozenOption, multipliers: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Each cell's group (cells that every multiplier selects alike) and each group's selection by multiplier."""
        sel = np.column_stack([select(o.entries, self.targets[p])[o.entry] for p in multipliers]) if multipliers \
            else np.zeros((len(o.entry), 0), dtype=bool)
        signature, groups = np.unique(sel, axis=0, return_inverse=True)
        return groups.reshape(-1), signature

    def _group_money(self, o: FrozenOption, groups: np.ndarray, G: int, d: int) -> list[np.ndarray]:
        """(net, cashable net, costs) by group and year of an option's plan delayed d years."""
        n = len(self.years)
        t = o.t + np.where(o.tied, d, 0)
        keep = (t >= 0) & (t < n)
        index = groups[keep] * n + t[keep]
        signed = (o.kind * o.amount)[keep]
        cost = o.kind[keep] < 0
        cash = o.cashable[keep] | cost
        return [np.bincount(index, weights=w, minlength=G * n).reshape(G, n)
                for w in (signed, np.where(cash, signed, 0.0), np.where(cost, -signed, 0.0))]

    def evaluate_batch(self, scenarios: list[dict] | pd.DataFrame) -> list[dict[str, float]]:
        """`__call__` of many scenarios at once (the inner loop of a fixed-plan sensitivity sweep: the
        executor evaluates each chunk as one batch): one flat outcome dict per scenario, in order."""
        frame = scenarios if isinstance(scenarios, pd.DataFrame) else pd.DataFrame(list(scenarios))
        res = self.outcomes_batch(frame)
        names = list(res)
        flat = {f"{oid}.{k}": v for oid, m in res.items() for k, v in m.items()}
        choices = [o for o in names if o in (self.choices or names)]
        npsv = np.column_stack([res[o]["npsv_gbp"] for o in choices])
        # the highest NPSV, a tie to the larger option id (as `max(..., key=(npsv, id))` per sample)
        by_id = np.argsort(np.array(choices, dtype=object))[::-1]  # larger id first, so argmax breaks ties to it
        best = by_id[np.argmax(npsv[:, by_id], axis=1)]
        flat["preferred_npsv_gbp"] = npsv[np.arange(len(frame)), best]
        flat["preferred_option_index"] = np.array([float(names.index(choices[i])) for i in best])
        keys, columns = list(flat), [np.asarray(v, dtype=float).tolist() for v in flat.values()]
        return [dict(zip(keys, values)) for values in zip(*columns)]

    def __call__(self, scenario: dict, seed: int | None = None) -> dict[str, float]:
        """Flat outcomes for a sweep: per option metrics, the preferred option and its NPSV."""
        res = self.outcomes(scenario, seed)
        flat = {f"{oid}.{k}": v for oid, m in res.items() for k, v in m.items()}
        preferred = max(self.choices or res, key=lambda o: (res[o]["npsv_gbp"], o))
        flat["preferred_npsv_gbp"] = res[preferred]["npsv_gbp"]
        flat["preferred_option_index"] = float(list(res).index(preferred))
        return flat

    def preferred(self, scenario: dict | None = None) -> str:
        res = self.outcomes(scenario)
        return max(self.choices or res, key=lambda o: (res[o]["npsv_gbp"], o))


def check_targets(study: Study) -> None:
    u = study.tables["uncertainties"]
    for row in u.itertuples(index=False):
        if row.target.startswith("cohort:"):
            high = row.high if row.high is not None and row.high == row.high else (
                row.mean + 4 * row.sd if row.mean is not None and row.sd is not None else None)
            problem = cohort_target_problem(study, row.target, None if high is None else float(high))
            if problem:
                raise ValueError(f"{study.sources['uncertainties']}, row {row.source_row}, column 'target': "
                                 f"'{row.target}': {problem}")
            continue
        problem = target_problem(study, row.target)
        if problem:
            raise ValueError(f"{study.sources['uncertainties']}, row {row.source_row}, column 'target': {problem}")


def buyin_coupling(study: Study, option_id: str) -> BuyInCoupling:
    """The agent model's arrays for the option's partners and vehicles (its document plan)."""
    from appraisal.adapters.agent_model import prepare

    from appraisal.workflows.buyin import buyin_inputs

    inputs = buyin_inputs(study, option_id)
    return BuyInCoupling(prepare(inputs), {v: int(m) // 12 for v, m in inputs.planned_month.items()})


def scenario_model(study: Study, plans: dict[str, Plan] | None = None, buyin_option: str | None = None) -> ScenarioModel:
    """Freeze each option's plan (the given one, else its document plan) as valued by the ledger; with
    `buyin_option`, each sample also simulates that option's partner buy-in (agent model included)."""
    check_targets(study)
    plans = {oid: (plans or {}).get(oid) or document_plan(study, oid) for oid in study.option_ids}
    cohorts = cohort_terms(study, plans)
    options = {oid: freeze(study, oid, plan, drop_cohorts=cohorts is not None) for oid, plan in plans.items()}
    risks = risk_timing(study)
    return ScenarioModel(study.years, study_discount_factors(study), options, targets_of(study) | {p: p for p in risks},
                         base=base_scenario(study) | {p: 0.0 for p in risks},
                         buyin=buyin_coupling(study, buyin_option) if buyin_option else None,
                         choices=study.choice_ids, cohorts=cohorts, risks=risks)
