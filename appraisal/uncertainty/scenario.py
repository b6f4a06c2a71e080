"""A fast, picklable model of a study's options for sensitivity sweeps and switching values.

Each option's adjusted streams (for its plan, when one is given) are frozen into arrays once. A scenario
is a dict of parameter values, each acting on the streams as its `uncertainties` row says:

| target            | the value is                                  | acts on                          |
|-------------------|-----------------------------------------------|----------------------------------|
| `benefits`        | a multiplier (1 = as the study says)           | every benefit                    |
| `costs`           | a multiplier                                   | every cost                       |
| `benefit:<id>`    | a multiplier                                   | one benefit line                 |
| `cost:<id>`       | a multiplier                                   | one cost line                    |
| `component:<name>`| a multiplier                                   | benefits and costs of a component|
| `delay_years`     | whole years of delay (fractions are rounded)    | every stream tied to a vehicle   |
| `discount_rate_pct`| a constant discount rate in per cent          | the discount factors             |

Outcomes per option: NPSV, NPV (cashable), PV of costs, cumulative funding requirement; and across
options the preferred option (highest NPSV) and its NPSV.

With the agent model included (`scenario_model(..., buyin=...)`), each sample also simulates one run of
partner buy-in, seeded per sample: partners see the benefit and cost multipliers of the sample, and every
stream tied to a vehicle moves by that vehicle's realised delay (or vanishes when it is never agreed
within the horizon).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from appraisal.money.discounting import discount_factors
from appraisal.money.metrics import adjust, study_discount_factors
from appraisal.money.ledger import build_streams
from appraisal.study import Study

TARGET_PREFIXES = ("benefit:", "cost:", "component:")
PLAIN_TARGETS = ("benefits", "costs", "delay_years", "discount_rate_pct")


@dataclass
class FrozenOption:
    kind: np.ndarray  # +1 benefit, -1 cost
    cashable: np.ndarray  # bool
    t: np.ndarray  # year index
    amount: np.ndarray  # adjusted £
    tied: np.ndarray  # bool: tied to a vehicle (moves with delay)
    stream_id: np.ndarray
    component: np.ndarray
    vehicle: np.ndarray


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

    def outcomes(self, scenario: dict | None = None, seed: int | None = None) -> dict[str, dict[str, float]]:
        scenario = {**self.base, **(scenario or {})}
        vehicle_delay = self.buyin.delays(scenario, self.targets, seed) if self.buyin and seed is not None else {}
        n = len(self.years)
        df = self.discount_factor
        if "discount_rate_pct" in self.targets.values():
            rate = next(scenario[p] for p, t in self.targets.items() if t == "discount_rate_pct")
            df = discount_factors("constant", n, rate)
        delay = sum(int(round(scenario[p])) for p, t in self.targets.items() if t == "delay_years")
        out = {}
        for oid, o in self.options.items():
            factor = np.ones(len(o.amount))
            for param, target in self.targets.items():
                x = float(scenario[param])
                if target == "benefits":
                    factor[o.kind > 0] *= x
                elif target == "costs":
                    factor[o.kind < 0] *= x
                elif target.startswith(TARGET_PREFIXES):
                    prefix, _, name = target.partition(":")
                    if prefix == "component":
                        factor[o.component == name] *= x
                    else:
                        factor[(o.stream_id == name) & ((o.kind > 0) == (prefix == "benefit"))] *= x
            extra = np.array([vehicle_delay.get(v, 0) if vehicle_delay.get(v, 0) is not None else n
                              for v in o.vehicle], dtype=int) if vehicle_delay else np.zeros(len(o.t), dtype=int)
            t = o.t + np.where(o.tied, max(delay, 0) + extra, 0)
            keep = t < n
            signed = (o.kind * o.amount * factor)[keep]
            t = t[keep]
            net = np.zeros(n)
            np.add.at(net, t, signed)
            cash = np.zeros(n)
            np.add.at(cash, t, np.where(o.cashable[keep] | (o.kind[keep] < 0), signed, 0.0))
            costs = np.zeros(n)
            np.add.at(costs, t, np.where(o.kind[keep] < 0, -signed, 0.0))
            out[oid] = {"npsv_gbp": float(df @ net), "npv_gbp": float(df @ cash), "pv_costs_gbp": float(df @ costs),
                        "funding_requirement_gbp": float(max(0.0, -np.cumsum(net).min()))}
        return out

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
    benefits, costs = set(study.tables["benefits"]["benefit_id"]), set(study.tables["costs"]["cost_id"])
    components = set(study.tables["benefits"]["component"]) | set(study.tables["costs"]["component"])
    for row in u.itertuples(index=False):
        target = row.target
        prefix, _, name = target.partition(":")
        ok = (target in PLAIN_TARGETS or (prefix == "benefit" and name in benefits)
              or (prefix == "cost" and name in costs) or (prefix == "component" and name in components))
        if not ok:
            raise ValueError(f"{study.sources['uncertainties']}, row {row.source_row}, column 'target': '{target}' is not "
                             f"one of {', '.join(PLAIN_TARGETS)}, benefit:<id>, cost:<id> or component:<name> "
                             "naming a line of the study")


def buyin_coupling(study: Study, option_id: str) -> BuyInCoupling:
    """The agent model's arrays for the option's partners and vehicles (its document plan)."""
    from appraisal.adapters.agent_model import prepare

    from appraisal.workflows.buyin import buyin_inputs

    inputs = buyin_inputs(study, option_id)
    return BuyInCoupling(prepare(inputs), {v: int(m) // 12 for v, m in inputs.planned_month.items()})


def scenario_model(study: Study, plans: dict[str, dict] | None = None, buyin_option: str | None = None) -> ScenarioModel:
    """Freeze each option's adjusted streams (with its plan's anchors/transfers when given); with
    `buyin_option`, each sample also simulates that option's partner buy-in (agent model included)."""
    check_targets(study)
    options = {}
    for oid in study.option_ids:
        s = adjust(build_streams(study, oid, **(plans or {}).get(oid, {})), study)
        options[oid] = FrozenOption(
            kind=np.where(s["kind"].to_numpy() == "benefit", 1.0, -1.0),
            cashable=(s["category"] == "cashable").to_numpy(),
            t=s["t"].to_numpy(dtype=int), amount=s["adj_amount_gbp"].to_numpy(dtype=float),
            tied=s["vehicle_id"].notna().to_numpy(), stream_id=s["stream_id"].to_numpy(dtype=object),
            component=s["component"].to_numpy(dtype=object), vehicle=s["vehicle_id"].to_numpy(dtype=object))
    u = study.tables["uncertainties"]
    targets = dict(zip(u["parameter"], u["target"]))
    return ScenarioModel(study.years, study_discount_factors(study), options, targets,
                         base={p: base_value(r) for p, r in zip(u["parameter"], u.itertuples(index=False))},
                         buyin=buyin_coupling(study, buyin_option) if buyin_option else None,
                         choices=study.choice_ids)


def base_value(row) -> float:
    """The central value of an uncertainty row: its mode, else mean, else the midpoint of low/high."""
    for value in (row.mode, row.mean):
        if value is not None and not pd.isna(value):
            return float(value)
    return (float(row.low) + float(row.high)) / 2.0
