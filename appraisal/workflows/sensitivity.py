"""Sensitivity studies, tornado and switching values of a study, on its `uncertainties` table.

The model evaluated per sample is `appraisal.uncertainty.scenario.ScenarioModel` (plans fixed per option by default).
Sweeps run through `appraisal.uncertainty.executor.run_sweep`: dask workers, results streamed into a
DuckDB file keyed by the study hash and sample index, so re-running resumes.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from appraisal.money.metrics import preferred_option
from appraisal.money.scenarios import base_value
from appraisal.uncertainty.scenario import ScenarioModel, scenario_model
from appraisal.uncertainty import from_spec, make
from appraisal.uncertainty.executor import run_sweep
from appraisal.uncertainty.prim import prim
from appraisal.study import Study
from appraisal.uncertainty.switching import switching_values
from appraisal.uncertainty.risk import risk_params, risk_range


def study_params(study: Study) -> list:
    """The study's uncertain parameters as sampler marginals (appraisal.uncertainty.params)."""
    u = study.tables["uncertainties"]
    risks = risk_params(study)
    if u.empty and not risks:
        raise ValueError(f"study '{study.name}' declares no uncertainties (uncertainties.csv) and no quantified risks")
    params = []
    for row in u.itertuples(index=False):
        spec = {"name": row.parameter, "dist": row.distribution}
        wanted = {"uniform": ("low", "high"), "triangular": ("low", "mode", "high"), "pert": ("low", "mode", "high"),
                  "normal": ("mean", "sd")}[row.distribution]
        for key in wanted:
            value = getattr(row, key)
            if value is None or pd.isna(value):
                raise ValueError(f"{study.sources['uncertainties']}, row {row.source_row}, column '{key}': a "
                                 f"{row.distribution} distribution needs {', '.join(wanted)}")
            spec[key] = float(value)
        try:
            params.append(from_spec(spec))
        except ValueError as exc:
            raise ValueError(f"{study.sources['uncertainties']}, row {row.source_row}: {exc}") from None
    return params + risks


def ranges(study: Study) -> dict[str, tuple[float, float, float]]:
    """parameter -> (low, base, high): the 5th and 95th percentiles for unbounded marginals; base is the
    study's own figure (the appraisal), and the range tested is widened to include it."""
    out = {}
    for p, row in zip(study_params(study), study.tables["uncertainties"].itertuples(index=False)):
        lo = row.low if row.low is not None and not pd.isna(row.low) else float(p.ppf([0.05])[0])
        hi = row.high if row.high is not None and not pd.isna(row.high) else float(p.ppf([0.95])[0])
        base = base_value(row)
        out[p.name] = (min(float(lo), base), base, max(float(hi), base))
    for p in risk_params(study):
        out[p.name] = risk_range(p)
    return out


def tornado(model: ScenarioModel, bounds: dict[str, tuple[float, float, float]], option_id: str,
            metric: str = "npsv_gbp") -> pd.DataFrame:
    """One-at-a-time swings of each parameter between its low and high, others at base."""
    base = model.outcomes()[option_id][metric]
    rows = []
    for name, (lo, _, hi) in bounds.items():
        low = model.outcomes({name: lo})[option_id][metric]
        high = model.outcomes({name: hi})[option_id][metric]
        rows.append({"parameter": name, "low_value": lo, "high_value": hi, "outcome_low": low,
                     "outcome_high": high, "base_outcome": base, "swing": abs(high - low)})
    return pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def switching(model: ScenarioModel, bounds: dict[str, tuple[float, float, float]], option_id: str) -> pd.DataFrame:
    """For each parameter: where the option's NPSV crosses zero and where the preferred option changes."""
    npv = switching_values(lambda name, x: model.outcomes({name: x})[option_id]["npsv_gbp"], bounds, kind="npv")
    choices = set(model.choices or model.options)
    pref = switching_values(lambda name, x: {o: m["npsv_gbp"] for o, m in model.outcomes({name: x}).items()
                                             if o in choices}, bounds, kind="preferred")
    rows = []
    for a, b in zip(npv, pref):
        rows.append({"parameter": a.parameter, "base_value": a.base, "low": a.lo, "high": a.hi,
                     "npv_zero_at": a.value, "npv_status": a.status,
                     "preferred_changes_at": b.value, "preferred_status": b.status,
                     "preferred_at_base": b.base_outcome, "preferred_after_switch": b.switched_outcome})
    return pd.DataFrame(rows)


@dataclass
class SensitivityRun:
    method: str
    n: int
    seed: int
    outputs: pd.DataFrame  # sample_index -> flat outcomes
    samples: pd.DataFrame
    analysis: dict  # outcome -> indices result
    store: Path
    computed: int
    resumed_from: int
    discovery: dict | None = None  # PRIM box of the samples where the preferred option changes (Monte Carlo)

    def indices(self, outcome: str | None = None) -> pd.DataFrame:
        """The sensitivity indices (by parameter, with confidence intervals) of an analysed outcome; default
        the first one analysed (the preferred option's NPSV)."""
        result = self.analysis[outcome or next(iter(self.analysis))]
        return result.indices if hasattr(result, "indices") else result.rank_correlation  # Monte Carlo: Spearman


def sweep_key(study: Study, method: str, n: int, seed: int, plans_hash: str, model_kind: str = "fixed") -> str:
    payload = f"{study.study_hash}|{method}|{n}|{seed}|{plans_hash}|{model_kind}"
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def scenario_discovery(samples: pd.DataFrame, outputs: pd.DataFrame, preferred: str, option_ids: list[str]) -> dict:
    """PRIM box of the assumptions under which the preferred option fails: its NPSV turns negative, or
    another option beats it."""
    npsv = outputs[f"{preferred}.npsv_gbp"].to_numpy()
    rivals = [f"{o}.npsv_gbp" for o in option_ids if o != preferred]
    best_rival = outputs[rivals].max(axis=1).to_numpy() if rivals else np.full(len(npsv), -np.inf)
    beaten = best_rival > npsv + 1e-6 * np.maximum(1.0, np.abs(npsv))  # a tie is not a defeat
    fails = (npsv < 0) | beaten
    out = {"preferred": preferred, "cases": int(fails.sum()), "share": float(fails.mean()),
           "npsv_negative_share": float((npsv < 0).mean()), "beaten_share": float(beaten.mean()), "box": None}
    if fails.any() and not fails.all():
        out |= prim(samples.reset_index(drop=True), fails).as_dict()
    return out


def run_sensitivity(study: Study, method: str, n: int, out: Path, *, seed: int = 0, scheduler=None,
                    n_workers: int | None = None, plans: dict | None = None, outcomes: list[str] | None = None,
                    progress: bool = True, agents: bool = False, reoptimise: bool = False) -> SensitivityRun:
    """Sample the study's uncertainties and evaluate every option per sample.

    plans fixed per option (default: each option's document plan; `plans` = e.g. the optimised plans);
    `reoptimise` re-solves the MILP per sample; `agents` simulates one buy-in run per sample."""
    preferred = preferred_option(study)
    if reoptimise:
        from appraisal.uncertainty.reoptimise import reoptimise_model

        if risk_params(study):
            raise ValueError(f"{study.sources['risks']}: quantified risks are drawn by the fixed-plan model only; "
                             "run without --reoptimise, or leave probability blank to keep them out of the sweep")

        model, kind = reoptimise_model(study), "reoptimise"
    else:
        model, kind = scenario_model(study, plans, buyin_option=preferred if agents else None), \
            ("agents" if agents else "fixed")
    design = make(method, study_params(study), n, seed=seed)
    out.mkdir(parents=True, exist_ok=True)
    store = out / "runs.duckdb"
    plans_hash = hashlib.sha256("".join(plans[o].table(study).to_csv(index=False) for o in sorted(plans or {}))
                                .encode()).hexdigest()[:12]
    result = run_sweep(model, design, store, study_hash=sweep_key(study, method, n, seed, plans_hash, kind),
                       scheduler=scheduler, n_workers=n_workers, progress=progress,
                       seed=seed if agents and not reoptimise else None)
    tracked = outcomes or [f"{preferred}.npsv_gbp", "preferred_npsv_gbp"]
    ordered = result.sort_index()
    analysis = {name: design.analyse(ordered[name].to_numpy()) for name in tracked}
    discovery = None
    if method == "montecarlo":
        discovery = scenario_discovery(design.X, ordered, preferred, list(study.choice_ids))
    return SensitivityRun(method, n, seed, ordered, design.X, analysis, store,
                          result.attrs.get("computed", 0), result.attrs.get("resumed_from", 0), discovery)
