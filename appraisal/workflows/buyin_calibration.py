"""Calibration wiring: the base rates in data/base_rates (checked), a study's recorded evidence as further targets
(`study_evidence_targets`), the fitted posterior stored next to the base rates — or, fitted with a study's
evidence, in the study's `calibration/` folder — refused when the base rates, the study or the model's rules
changed, and the statement of what buy-in figures rest on."""
from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from appraisal.adapters.agent_model import (BehaviourParams, Posterior, calibrate, model_fingerprint, predictive_shares,
                                           prepare, reference_inputs, rule_holds)
from appraisal.study import Study

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


FAVOURABLE = ("confirmed", "in_principle")
STUDY_CALIBRATION = "calibration"  # the study's sub-folder a study-specific posterior is written to


def study_evidence_targets(study: Study, option_id: str | None = None):
    """(the study's buy-in inputs, targets): what the study's recorded evidence says each vehicle's board will do.

    A vehicle of the option (its document plan) is a target when every deciding member (the deciding body of an
    executive decision, else every board member with a vote) has a recorded stance other than undecided and at
    least one recorded decision date for it (a date with no vehicle counts for every vehicle; a member recorded
    confirmed with no date decides at its first board meeting). Observation, one
    case (n_cases 1, as a study's own record): does the vehicle's rule hold when the members recorded confirmed
    or in principle vote yes and the others (opposed) no — agreed (1) or not (0) by the last of the deciding
    members' first recorded decision dates. The documents' expectation, not an outcome: it weighs as one case
    against the base rates' many (docs/agents.md, "Calibration")."""
    from appraisal.money.metrics import preferred_option
    from appraisal.workflows.buyin_inputs import buyin_inputs, month_index

    option_id = option_id or preferred_option(study)
    inputs = buyin_inputs(study, option_id)
    stance = {(r.partner_id, r.vehicle_id): (r.stance, r.source) for r in study.tables["stances"].itertuples(index=False)}
    dates: dict[tuple, list[int]] = {}
    for r in study.tables["decision_dates"].itertuples(index=False):
        m = month_index(study, r.date)
        for v in ([r.vehicle_id] if isinstance(r.vehicle_id, str) and r.vehicle_id else inputs.vehicle_ids):
            dates.setdefault((r.partner_id, v), []).append(m)
    g = inputs.governance
    prepared = prepare(inputs)

    def first_meeting(p, v):  # a confirmed partner with no recorded date decides at its first board meeting
        i, j = prepared.partner_ids.index(p), prepared.vehicle_ids.index(v)
        months = np.flatnonzero(prepared.decides[:, i, j])
        return int(months[0]) if len(months) else None

    rows = []
    for rule in inputs.rules.itertuples(index=False):
        v = rule.vehicle_id
        board = g[g["vehicle_id"] == v].reset_index(drop=True)
        lead = None
        if rule.rule == "executive":
            lead_id = rule.lead_partner_id if isinstance(rule.lead_partner_id, str) and rule.lead_partner_id else None
            voters = list(board.loc[board["voting_weight"] > 0, "partner_id"])
            lead_id = lead_id or (voters[0] if len(voters) == 1 else None)  # else the only voting member decides
            at = np.flatnonzero(board["partner_id"] == lead_id)
            if not len(at):  # the deciding body sits on no board row: nothing recorded to read
                continue
            deciders, lead = [lead_id], int(at[0])
        else:
            deciders = list(board.loc[board["voting_weight"] > 0, "partner_id"])
        recorded = [stance.get((p, v), ("undecided", ""))[0] for p in deciders]
        firsts = [min(dates[(p, v)]) if dates.get((p, v)) else
                  first_meeting(p, v) if stance.get((p, v), ("",))[0] == "confirmed" else None for p in deciders]
        firsts = [m for m in firsts if m is not None]
        if not deciders or "undecided" in recorded or len(firsts) < len(deciders):
            continue
        by = max(firsts)
        if not 0 <= by < inputs.horizon_months:
            continue
        yes = [stance.get((p, v), ("undecided", ""))[0] in FAVOURABLE for p in board["partner_id"]]
        mm = rule.min_members
        holds = rule_holds(yes, board["voting_weight"].astype(float).tolist(), board["veto"].astype(bool).tolist(),
                           board["funds"].astype(bool).tolist(), rule.rule,
                           None if rule.threshold != rule.threshold else float(rule.threshold),
                           bool(rule.require_all_funders), lead=lead,
                           min_members=1 if mm != mm or mm is None else int(mm))
        sources = "; ".join(sorted({stance[(p, v)][1] for p in deciders if (p, v) in stance}))[:300]
        rows.append({"vehicle_id": v, "n_cases": 1, "n_agreed": int(holds), "by_month": int(by),
                     "case": f"study {study.name}",
                     "source": f"{study.sources['stances']} and {study.sources['decision_dates']}: "
                               f"{', '.join(f'{p} {s}' for p, s in zip(deciders, recorded))}; {sources}"})
    return inputs, pd.DataFrame(rows, columns=["vehicle_id", "n_cases", "n_agreed", "by_month", "case", "source"])


def study_hash(study: Study) -> str:
    """A hash of the study's files (its money and evidence are the study case's inputs)."""
    h = hashlib.sha256()
    folder = Path(study.path)
    for path in sorted([*folder.glob("*.csv"), *folder.glob("study.yaml")]):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


#: tolerance of each ABC-SMC generation: this quantile of the last one's accepted distances. With counts as data
#: the distance takes few values; at pyabc's median (0.5) the base-rate fit stalled at distance 1.0 (combined-
#: authority consent 9 of 9 accepted as readily as 6 of 9; posterior predictive 0.93 against 0.67 observed); at 0.3
#: it reaches distance 0 (every count matched) in five generations (predictive 0.66).
EPSILON_QUANTILE = 0.3


def fit_base_rates(folder: Path = BASE_RATES, seed: int = 1, population_size: int = 100, generations: int = 6,
                   client=None, study: Study | None = None, option_id: str | None = None,
                   epsilon_quantile: float = EPSILON_QUANTILE):
    """The posterior fitted to the base rates — and, with a `study`, jointly to that study's recorded evidence
    (`study_evidence_targets`)."""
    inputs, targets, priors = load_base_rates(folder)
    base = targets[["vehicle_id", "n_cases", "n_agreed", "by_month", "source"]].assign(case="base rates")
    more = ()
    if study is not None:
        s_inputs, s_targets = study_evidence_targets(study, option_id)
        more = ((s_inputs, s_targets),) if len(s_targets) else ()
    post = calibrate(inputs, base, priors, seed=seed, population_size=population_size, generations=generations,
                     client=client, more=more, epsilon_quantile=epsilon_quantile)
    repo = BASE_RATES.parents[1]
    folder = Path(folder).resolve()
    post.info["base_rates"] = str(folder.relative_to(repo)) if folder.is_relative_to(repo) else str(folder)
    post.info["base_rates_hash"] = base_rates_hash(folder)
    # where the fit holds and where it cannot reach the data: posterior predictive share of every target row
    shares = [predictive_shares(inputs, base, post, seed=seed)]
    if more:
        shares.append(predictive_shares(more[0][0].with_(params=post.base), more[0][1], post, seed=seed))
    post.targets = post.targets.assign(predictive_share=np.concatenate(shares))
    if study is not None:
        post.info |= {"study": study.name, "study_path": str(study.path), "study_hash": study_hash(study),
                      "study_targets": int(len(more[0][1])) if more else 0}
    return post


def write_posterior(post, folder: Path = BASE_RATES) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    post.particles.to_csv(folder / "posterior_particles.csv", index=False)
    meta = post.summary() | {"base": dataclasses.asdict(post.base), "priors": {k: list(v) for k, v in post.priors.items()},
                             "history": post.history.to_dict(orient="records")}
    (folder / "posterior.json").write_text(json.dumps(meta, indent=2, default=float) + "\n")
    return folder / "posterior.json"


def study_posterior_folder(study: Study) -> Path:
    return Path(study.path) / STUDY_CALIBRATION


def load_posterior(folder: Path = BASE_RATES, study: Study | None = None):
    """The stored posterior, refused when the base-rate files (or, for a study's own fit, the study's files)
    have changed since it was fitted, or the model's rules have. With a `study` that has its own fit
    (`calibrate STUDY`), that fit; else the base rates' one in `folder`."""
    folder = Path(folder)
    if study is not None and (study_posterior_folder(study) / "posterior.json").exists():
        folder = study_posterior_folder(study)
    meta_path = folder / "posterior.json"
    if not meta_path.exists():
        raise ValueError(f"{meta_path}: no calibration stored; run `reformkit calibrate` first")
    meta = json.loads(meta_path.read_text())
    rates = Path(meta.get("base_rates", folder)) if "study_hash" in meta else folder
    if not rates.is_absolute():  # stored relative to the repository
        rates = BASE_RATES.parents[1] / rates
    if not rates.exists() or meta.get("base_rates_hash") != base_rates_hash(rates):
        raise ValueError(f"{meta_path}: fitted to other base rates than the files in {rates} now hold; "
                         "run `reformkit calibrate` again")
    if "study_hash" in meta and (study is None or meta["study_hash"] != study_hash(study)):
        raise ValueError(f"{meta_path}: fitted to the study's files as they were; they have changed since: run "
                         f"`reformkit calibrate {meta.get('study_path', 'STUDY')}` again")
    if meta.get("model_fingerprint") != model_fingerprint():
        raise ValueError(f"{meta_path}: fitted with other model rules than the agents package now has; "
                         "run `reformkit calibrate` again")
    particles = pd.read_csv(folder / "posterior_particles.csv")
    targets = pd.DataFrame(meta["targets"])
    return Posterior(particles=particles, base=BehaviourParams(**meta["base"]),
                     priors={k: tuple(v) for k, v in meta["priors"].items()}, targets=targets,
                     history=pd.DataFrame(meta["history"]), seed=int(meta["seed"]), method=meta["method"],
                     info={k: meta[k] for k in ("pyabc", "population_size", "base_rates", "base_rates_hash",
                                                "model_fingerprint", "study", "study_path", "study_hash",
                                                "study_targets") if k in meta} | {"folder": str(folder)})


def calibration_statement(posterior) -> dict:
    """What the buy-in figures rest on, for results.json and the report."""
    names = [f.name for f in dataclasses.fields(BehaviourParams)]
    if posterior is None:
        return {"calibrated": False, "calibrated_parameters": [], "uncalibrated_parameters": names,
                "statement": "Behavioural parameters are uncalibrated judgement defaults: every buy-in figure (†) "
                             "rests on them."}
    cal = list(posterior.priors)
    rest = [n for n in names if n not in cal]
    t = posterior.targets
    case = t["case"] if "case" in t else pd.Series("base rates", index=t.index)
    classes = ", ".join(t.loc[case == "base rates", "vehicle_id"].astype(str))
    own = t[case != "base rates"]
    study = posterior.info.get("study")
    evidence = "" if study is None else (
        f" and to the evidence study '{study}' records ({', '.join(own['vehicle_id'].astype(str))}: "
        f"{len(own)} target(s), one case each)" if len(own) else
        f" (study '{study}' records no stance and decision date usable as a target: base rates only)")
    return {"calibrated": True, "calibrated_parameters": cal, "uncalibrated_parameters": rest,
            "method": posterior.method, "seed": posterior.seed,
            "posterior": {k: {"mean": posterior.mean(k), "interval_90": list(posterior.interval(k))} for k in cal},
            "targets": posterior.targets.to_dict(orient="records"),
            "statement": f"Calibrated ({posterior.method}) to base rates of English partnership vehicles "
                         f"({classes}; data/base_rates){evidence}: {', '.join(cal)} drawn from the posterior in "
                         "every run. "
                         f"Figures marked † also rest on uncalibrated defaults ({', '.join(rest)})."}
