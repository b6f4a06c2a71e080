"""Scenarios of a study's uncertainties, acting on ledger entries (one selector for every path).

A scenario is a dict parameter -> value; each parameter acts as its `uncertainties` row's target says:

| target              | the value is                          | acts on                                           |
|---------------------|---------------------------------------|---------------------------------------------------|
| `benefits` / `costs`| a multiplier (1 = as the study says)  | every benefit / every cost                        |
| `benefit:<id>` / `cost:<id>` / `line:<id>` | a multiplier   | one line (and every share of it)                  |
| `component:<name>`  | a multiplier                          | benefits and costs of a component                 |
| `category:<name>`   | a multiplier                          | lines of a category (cashable, capital, …)        |
| `trigger:<kind>`    | a multiplier                          | lines with that trigger (option, vehicle, service, site) |
| `vehicle:<id>`      | a multiplier                          | lines tied to a vehicle (its sites and curve too) |
| `tag:<tag>`         | a multiplier                          | lines carrying the tag                            |
| `delay_years`       | whole years of delay (rounded, ≥ 0)   | the plan: every date later (`Plan.delayed`); re-optimised, every vehicle's earliest year later |
| `discount_rate_pct` | a constant discount rate in per cent  | the discount factors                              |

A share of an apportioned line carries its line's id, component, category, trigger, vehicle and tags, so a
scenario acts on it exactly as on a line that reaches the plan directly. The fixed-plan model, the
optimised-plan model and the re-optimising model all call `entry_scale`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from appraisal.money.adjustments import tag_hits
from appraisal.money.discounting import discount_factors

PREFIXES = ("benefit", "cost", "line", "component", "category", "trigger", "vehicle", "tag")
PLAIN = ("benefits", "costs", "delay_years", "discount_rate_pct")
SPECIAL = ("delay_years", "discount_rate_pct")
# targets that are not multipliers of lines: care pathway rates re-run the pathway (appraisal.money.cohort_lines),
# quantified risks are costs of their own (appraisal.uncertainty.risk)
RERUN_PREFIXES = ("cohort:", "risk:")


def select(entries: pd.DataFrame, target: str) -> np.ndarray:
    """The entries a (multiplier) target acts on."""
    kind = entries["kind"].to_numpy()
    if target == "benefits":
        return kind == "benefit"
    if target == "costs":
        return kind == "cost"
    prefix, _, name = target.partition(":")
    if prefix in ("benefit", "cost"):
        return (entries["line_id"].to_numpy() == name) & (kind == prefix)
    if prefix == "line":
        return entries["line_id"].to_numpy() == name
    if prefix == "tag":
        return tag_hits(entries["tags"].to_numpy(), [name])
    column = {"component": "component", "category": "category", "trigger": "trigger", "vehicle": "vehicle_id"}[prefix]
    return entries[column].to_numpy() == name


def targets_of(study) -> dict[str, str]:
    u = study.tables["uncertainties"]
    return dict(zip(u["parameter"], u["target"]))


def base_scenario(study) -> dict[str, float]:
    """The appraisal as a scenario: each parameter at the study's own figure (parameters whose figure is an
    entry of the study's tables are left out, which means exactly that)."""
    u = study.tables["uncertainties"]
    return {p: v for p, t in zip(u["parameter"], u["target"]) if (v := study_value(str(t))) is not None}


def central_value(row) -> float:
    """The centre of an uncertainty row's range: its mode, else mean, else the midpoint of low/high (what the
    range is centred on, which need not be the study's own figure)."""
    for value in (row.mode, row.mean):
        if value is not None and not pd.isna(value):
            return float(value)
    return (float(row.low) + float(row.high)) / 2.0


def study_value(target: str) -> float | None:
    """The value a parameter takes in the appraisal itself: 1 for a multiplier, 0 years of delay; None where
    the study's figure is an entry of its own tables (a care pathway share, the discount schedule). The base
    case of every sensitivity is the appraisal: parameters a scenario leaves out take these values."""
    if target == "delay_years":
        return 0.0
    if target == "discount_rate_pct":
        return None
    if target.startswith("cohort:"):
        from appraisal.money.cohort_lines import parse_target

        try:
            return None if parse_target(target)[0] == "share" else 1.0
        except ValueError:
            return None
    return 1.0


def base_value(row) -> float:
    """The base-case value of an uncertainty row: the study's own figure (`study_value`) where it is a number,
    else the centre of its range."""
    v = study_value(str(row.target))
    return central_value(row) if v is None else v


def entry_scale(entries: pd.DataFrame, scenario: dict, targets: dict[str, str]) -> np.ndarray:
    """Multiplier of each entry under a scenario (parameters without a multiplier target are skipped)."""
    scale = np.ones(len(entries))
    for param, target in targets.items():
        if target in SPECIAL or target.startswith(RERUN_PREFIXES) or param not in scenario:
            continue
        scale[select(entries, target)] *= float(scenario[param])
    return scale


def scenario_delay(scenario: dict, targets: dict[str, str]) -> int:
    """Years of delay of a scenario: the sum of its delay parameters, rounded, never negative."""
    return max(sum(int(round(float(scenario[p]))) for p, t in targets.items() if t == "delay_years" and p in scenario), 0)


def scenario_discount(default: np.ndarray, scenario: dict, targets: dict[str, str]) -> np.ndarray:
    rate = [float(scenario[p]) for p, t in targets.items() if t == "discount_rate_pct" and p in scenario]
    return discount_factors("constant", len(default), rate[0]) if rate else default


def scenario_effects(study, entries: pd.DataFrame, scenario: dict | None) -> tuple[np.ndarray, int]:
    """(multiplier per entry, years of delay) of a scenario; the base (no scenario) is (1, 0)."""
    if not scenario:
        return np.ones(len(entries)), 0
    targets = targets_of(study)
    full = {**base_scenario(study), **scenario}
    return entry_scale(entries, full, targets), scenario_delay(full, targets)


def target_problem(study, target: str) -> str | None:
    """Why an uncertainty target names nothing in the study, or None when it is fine."""
    if target in PLAIN:
        return None
    prefix, _, name = target.partition(":")
    t = study.tables
    known = {
        "benefit": set(t["benefits"]["benefit_id"]), "cost": set(t["costs"]["cost_id"]) | {f"curve:{v}" for v in t["cost_curves"]["vehicle_id"]},
        "line": set(t["benefits"]["benefit_id"]) | set(t["costs"]["cost_id"]),
        "component": set(t["benefits"]["component"]) | set(t["costs"]["component"]),
        "category": {"cashable", "non_cashable", "societal", "capital", "revenue"},
        "trigger": {"option", "vehicle", "service", "site", "release"},
        "vehicle": set(t["vehicles"]["vehicle_id"]),
        "tag": {tag for name in ("benefits", "costs") for tags in t[name]["tags"] for tag in (tags or [])},
    }
    if prefix not in known:
        return (f"'{target}' is not one of {', '.join(PLAIN)} or {', '.join(p + ':<name>' for p in PREFIXES)}")
    if name not in known[prefix]:
        return f"'{target}': no {prefix} '{name}' in the study"
    return None
