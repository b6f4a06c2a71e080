"""Calibration wiring: the base rates in data/base_rates (checked), the fitted posterior stored next to them
(refused when the base rates or the model's rules changed), and the statement of what buy-in figures rest on."""
from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import pandas as pd

from appraisal.adapters.agent_model import BehaviourParams, Posterior, calibrate, model_fingerprint, reference_inputs

BASE_RATES = Path(__file__).resolve().parents[2] / "data" / "base_rates"
BASE_RATE_FILES = ("reference_classes.csv", "calibration_targets.csv", "priors.csv")


def _read(folder: Path, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    path = Path(folder) / name
    if not path.exists():
        raise ValueError(f"{path}: file not found (the calibration needs {', '.join(BASE_RATE_FILES)})")
    df = pd.read_csv(path)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    for c in columns:
        bad = df.index[df[c].isna()] if c not in ("threshold", "note") else []
        if len(bad):
            raise ValueError(f"{path}: row {int(bad[0]) + 2}, column {c}: a value is needed")
    return df


def load_base_rates(folder: Path = BASE_RATES):
    """(reference inputs, targets, priors) from the base-rate folder, checked."""
    classes = _read(folder, "reference_classes.csv", ("vehicle_id", "n_members", "rule", "budget_gbp",
                                                      "net_benefit_share", "cost_share", "uncertainty",
                                                      "risk_appetite", "financial_pressure", "board_meeting_months",
                                                      "source"))
    targets = _read(folder, "calibration_targets.csv", ("vehicle_id", "n_cases", "n_agreed", "by_month", "source"))
    pri = _read(folder, "priors.csv", ("parameter", "low", "high", "source"))
    priors = {str(r.parameter): (float(r.low), float(r.high)) for r in pri.itertuples(index=False)}
    unknown = sorted(set(targets["vehicle_id"].astype(str)) - set(classes["vehicle_id"].astype(str)))
    if unknown:
        raise ValueError(f"{Path(folder) / 'calibration_targets.csv'}: vehicle_id {unknown} not in reference_classes.csv")
    horizon = int(targets["by_month"].max()) + 1
    return reference_inputs(classes, horizon), targets, priors


def base_rates_hash(folder: Path = BASE_RATES) -> str:
    h = hashlib.sha256()
    for name in BASE_RATE_FILES:
        h.update((Path(folder) / name).read_bytes())
    return h.hexdigest()[:16]


def fit_base_rates(folder: Path = BASE_RATES, seed: int = 1, population_size: int = 100, generations: int = 4,
                   client=None):
    inputs, targets, priors = load_base_rates(folder)
    post = calibrate(inputs, targets[["vehicle_id", "n_cases", "n_agreed", "by_month"]], priors, seed=seed,
                     population_size=population_size, generations=generations, client=client)
    post.info["base_rates"] = str(folder)
    post.info["base_rates_hash"] = base_rates_hash(folder)
    return post


def write_posterior(post, folder: Path = BASE_RATES) -> Path:
    folder = Path(folder)
    post.particles.to_csv(folder / "posterior_particles.csv", index=False)
    meta = post.summary() | {"base": dataclasses.asdict(post.base), "priors": {k: list(v) for k, v in post.priors.items()},
                             "history": post.history.to_dict(orient="records")}
    (folder / "posterior.json").write_text(json.dumps(meta, indent=2, default=float) + "\n")
    return folder / "posterior.json"


def load_posterior(folder: Path = BASE_RATES):
    """The stored posterior, refused when the base-rate files have changed since it was fitted."""
    folder = Path(folder)
    meta_path = folder / "posterior.json"
    if not meta_path.exists():
        raise ValueError(f"{meta_path}: no calibration stored; run `reformkit calibrate` first")
    meta = json.loads(meta_path.read_text())
    if meta.get("base_rates_hash") != base_rates_hash(folder):
        raise ValueError(f"{meta_path}: fitted to other base rates than the files in {folder} now hold; "
                         "run `reformkit calibrate` again")
    if meta.get("model_fingerprint") != model_fingerprint():
        raise ValueError(f"{meta_path}: fitted with other model rules than the agents package now has; "
                         "run `reformkit calibrate` again")
    particles = pd.read_csv(folder / "posterior_particles.csv")
    targets = pd.DataFrame(meta["targets"])
    return Posterior(particles=particles, base=BehaviourParams(**meta["base"]),
                     priors={k: tuple(v) for k, v in meta["priors"].items()}, targets=targets,
                     history=pd.DataFrame(meta["history"]), seed=int(meta["seed"]), method=meta["method"],
                     info={k: meta[k] for k in ("pyabc", "population_size", "base_rates", "base_rates_hash",
                                                "model_fingerprint") if k in meta})


def calibration_statement(posterior) -> dict:
    """What the buy-in figures rest on, for results.json and the report."""
    names = [f.name for f in dataclasses.fields(BehaviourParams)]
    if posterior is None:
        return {"calibrated": False, "calibrated_parameters": [], "uncalibrated_parameters": names,
                "statement": "Behavioural parameters are uncalibrated judgement defaults: every buy-in figure (†) "
                             "rests on them."}
    cal = list(posterior.priors)
    rest = [n for n in names if n not in cal]
    classes = ", ".join(posterior.targets["vehicle_id"].astype(str))
    return {"calibrated": True, "calibrated_parameters": cal, "uncalibrated_parameters": rest,
            "method": posterior.method, "seed": posterior.seed,
            "posterior": {k: {"mean": posterior.mean(k), "interval_90": list(posterior.interval(k))} for k in cal},
            "targets": posterior.targets.to_dict(orient="records"),
            "statement": f"Calibrated ({posterior.method}) to base rates of English partnership vehicles "
                         f"({classes}; data/base_rates): {', '.join(cal)} drawn from the posterior in every run. "
                         f"Figures marked † also rest on uncalibrated defaults ({', '.join(rest)})."}
