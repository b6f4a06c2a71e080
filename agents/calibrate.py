"""Calibration of the behavioural parameters by approximate Bayesian computation (ABC-SMC, pyabc).

Plain data in: a `BuyInInputs` whose vehicles are the cases observed (stylised reference vehicles built by
`reference_inputs`, or a study's own vehicles), and a `targets` table of what was observed —

    vehicle_id   the vehicle (reference class) the row is about
    n_cases      how many such cases were observed (1 for a study's own record)
    n_agreed     how many of them were agreed by `by_month`
    by_month     months from the start of the case (proposal, deal signed) to the cut-off

Out: a `Posterior` — a weighted sample of the calibrated `BehaviourParams` fields (the others keep the
values of `inputs.params`), its 90 % intervals, and an equal-weight resample for runs that carry parameter
uncertainty (`simulate_posterior`).

The simulator of one data set at parameters θ runs the buy-in model of each target vehicle (with the vehicles
it requires) for max(n_cases) replications (`agents.simulate`, seeds spawned from one master seed drawn
from the sampler's random stream) and counts, per target row, the first n_cases runs agreed by `by_month`: a data set of the same size as the one observed, so an exact match
(distance 0) is an exact draw from the binomial likelihood. Distance: √Σ n_cases · (simulated share −
observed share)². Seeded: with the default single-core sampler the posterior is identical bit for bit for the
same inputs, targets, priors and seed. With a dask client (pyabc's DaskDistributedSampler) particles arrive in
completion order, so the sample is valid but not bit-reproducible.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import tempfile
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .inputs import BuyInInputs
from .params import BehaviourParams
from .prepare import Prepared, prepare
from .simulate import BuyInResults, run_seeds, simulate

#: default priors (uniform, low–high) of the parameters calibrated by default
DEFAULT_PRIORS: dict[str, tuple[float, float]] = {
    "disposition_sd": (0.05, 1.0),
    "uncertainty_sensitivity": (0.0, 3.0),
}
TARGET_COLS = ("vehicle_id", "n_cases", "n_agreed", "by_month")
#: parameters read when the inputs are prepared (not only while simulating): calibrating one of them means
#: preparing the models afresh for every particle instead of swapping the parameters in
PREPARE_TIME = frozenset({"default_uncertainty", "default_board_months", "default_turnover_prob", "rule_tolerance",
                          "purdah_months"})
CLASS_COLS = ("vehicle_id", "n_members", "rule", "threshold", "budget_gbp", "net_benefit_share", "cost_share",
              "uncertainty", "risk_appetite", "financial_pressure", "board_meeting_months")


def model_fingerprint() -> str:
    """A hash of what the model's rules DO: the outcomes of fixed small scenarios (every decision mode, with
    the documents' evidence) at the default parameters and a fixed seed. A posterior fitted with rules that
    behave differently is stale; a refactor that leaves every outcome the same keeps it valid."""
    import hashlib

    from .examples import random_inputs
    from .simulate import simulate

    h = hashlib.sha256()
    for k, rules in enumerate((("unanimity", "majority", "qualified_majority"), ("executive", "opt_in", "majority"))):
        res = simulate(random_inputs(1000 + k, n_partners=6, n_vehicles=3, horizon_months=36, rules=rules,
                                     evidence=True), runs=64, seed=7, record_runs=0)
        out = res.outcomes.sort_values(["run", "vehicle_id"])
        cols = ["agreed_month", "established_month", "first_agreed_month", "withdrawals"]
        h.update(out[cols].to_numpy(dtype=float, na_value=-1.0).tobytes())
    return h.hexdigest()[:16]


def reference_inputs(classes: pd.DataFrame, horizon_months: int, params: BehaviourParams | None = None
                     ) -> BuyInInputs:
    """One stylised vehicle per reference class: `n_members` identical partners (budget, net benefit and cost
    share as shares of budget, uncertainty, risk appetite, financial pressure, board calendar), each with one
    vote, under `rule` (and `threshold`); members fund the vehicle. Partners of different classes are disjoint,
    so the classes do not influence one another."""
    missing = [c for c in CLASS_COLS if c not in classes.columns]
    if missing:
        raise ValueError(f"reference classes: missing columns {missing}")
    P, G, V = [], [], []
    for r in classes.itertuples(index=False):
        for k in range(int(r.n_members)):
            pid = f"{r.vehicle_id}:{k + 1}"
            P.append((pid, pid, str(r.vehicle_id), float(r.budget_gbp), float(r.financial_pressure),
                      float(r.risk_appetite), str(r.board_meeting_months), ""))
            G.append((str(r.vehicle_id), pid, 1.0, False, True))
            V.append((pid, str(r.vehicle_id), float(r.net_benefit_share) * float(r.budget_gbp),
                      float(r.cost_share) * float(r.budget_gbp), float(r.uncertainty)))
    rules = pd.DataFrame({"vehicle_id": classes["vehicle_id"].astype(str), "rule": classes["rule"],
                          "threshold": classes["threshold"].astype(float), "require_all_funders": False})
    return BuyInInputs(
        partners=pd.DataFrame(P, columns=["partner_id", "name", "type", "budget_gbp", "financial_pressure",
                                          "risk_appetite", "board_meeting_months", "election_month"]),
        governance=pd.DataFrame(G, columns=["vehicle_id", "partner_id", "voting_weight", "veto", "funds"]),
        rules=rules.reset_index(drop=True),
        partner_value=pd.DataFrame(V, columns=["partner_id", "vehicle_id", "net_benefit_gbp", "cost_share_gbp",
                                               "uncertainty"]),
        planned_month={str(v): 0 for v in classes["vehicle_id"]},
        horizon_months=int(horizon_months), params=params or BehaviourParams())


def check_targets(targets: pd.DataFrame, vehicle_ids: list[str], horizon_months: int) -> pd.DataFrame:
    """The targets table, typed and checked (one clear error per problem, naming the row)."""
    missing = [c for c in TARGET_COLS if c not in targets.columns]
    if missing:
        raise ValueError(f"calibration targets: missing columns {missing}")
    t = targets.reset_index(drop=True).copy()
    errs = []
    for i, r in t.iterrows():
        if str(r["vehicle_id"]) not in vehicle_ids:
            errs.append(f"row {i}: vehicle_id {r['vehicle_id']!r} is not a vehicle of the inputs")
        try:
            n, k, m = int(r["n_cases"]), int(r["n_agreed"]), int(r["by_month"])
        except (TypeError, ValueError):
            errs.append(f"row {i}: n_cases, n_agreed and by_month must be whole numbers")
            continue
        if n < 1 or not 0 <= k <= n:
            errs.append(f"row {i}: need n_cases >= 1 and 0 <= n_agreed <= n_cases (got {n}, {k})")
        if not 0 <= m < horizon_months:
            errs.append(f"row {i}: by_month {m} must lie in 0…{horizon_months - 1} (the inputs' horizon)")
    if errs:
        raise ValueError("calibration targets: " + "; ".join(errs))
    t["vehicle_id"] = t["vehicle_id"].astype(str)
    for c in ("n_cases", "n_agreed", "by_month"):
        t[c] = t[c].astype(int)
    return t


def observed_shares(targets: pd.DataFrame) -> np.ndarray:
    return (targets["n_agreed"] / targets["n_cases"]).to_numpy(float)


def case_models(inputs: BuyInInputs, targets: pd.DataFrame) -> dict[str, Prepared]:
    """One prepared model per target vehicle: that vehicle and the ones it requires (`agents.search.restrict`:
    network fixed from the full inputs, horizon kept, so no rule changes)."""
    from .search import restrict

    return {v: prepare(restrict(inputs, [v])) for v in dict.fromkeys(targets["vehicle_id"])}


def simulated_shares(models: dict[str, Prepared], targets: pd.DataFrame, params: BehaviourParams,
                     seed: int) -> np.ndarray:
    """Share of the first n_cases runs agreed by `by_month`, per target row, at `params` and master `seed`
    (each vehicle's model on its own seed spawned from it)."""
    vehicles = list(models)
    seeds = dict(zip(vehicles, run_seeds(int(seed), len(vehicles))))
    agreed = {}
    for v in vehicles:
        runs = int(targets.loc[targets["vehicle_id"] == v, "n_cases"].max())
        res = simulate(dataclasses.replace(models[v], params=params), runs=runs, seed=seeds[v], record_runs=0)
        o = res.outcomes[res.outcomes["vehicle_id"] == v].sort_values("run")
        agreed[v] = o["agreed_month"].to_numpy(float)
    out = np.empty(len(targets))
    for i, (v, n, m) in enumerate(targets[["vehicle_id", "n_cases", "by_month"]].itertuples(index=False)):
        out[i] = float(np.mean(agreed[v][:n] <= m))  # NaN (never agreed) <= m is False
    return out


def simulated_counts(inputs: BuyInInputs, targets: pd.DataFrame, params: BehaviourParams, seed: int) -> pd.DataFrame:
    """A data set the model itself generates at `params`: the targets table with n_agreed simulated."""
    out = targets.copy()
    t = check_targets(targets, inputs.vehicle_ids, inputs.horizon_months)
    shares = simulated_shares(case_models(inputs, t), t, params, seed)
    out["n_agreed"] = np.rint(shares * t["n_cases"].to_numpy()).astype(int)
    return out


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q) -> np.ndarray:
    order = np.argsort(values, kind="stable")
    v, w = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    cw = np.cumsum(w) - 0.5 * w
    cw /= w.sum()
    return np.interp(q, cw, v)


@dataclass
class Posterior:
    """A weighted ABC-SMC sample of the calibrated parameters.

    particles   one row per accepted particle of the last generation: the parameters and `weight` (sum 1)
    base        the BehaviourParams the calibrated fields replace (every other field stays as given)
    priors      name → (low, high) uniform prior
    targets     the targets fitted (with their observed shares)
    history     generation, epsilon, particles, acceptance_rate, samples
    """

    particles: pd.DataFrame
    base: BehaviourParams
    priors: dict[str, tuple[float, float]]
    targets: pd.DataFrame
    history: pd.DataFrame
    seed: int
    method: str = "ABC-SMC (pyabc)"
    info: dict = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return list(self.priors)

    def interval(self, name: str, level: float = 0.9) -> tuple[float, float]:
        a = (1.0 - level) / 2.0
        lo, hi = weighted_quantile(self.particles[name].to_numpy(), self.particles["weight"].to_numpy(),
                                   [a, 1.0 - a])
        return float(lo), float(hi)

    def mean(self, name: str) -> float:
        return float(np.average(self.particles[name], weights=self.particles["weight"]))

    def draw(self, n: int, seed: int) -> list[BehaviourParams]:
        """`n` parameter sets resampled from the posterior (with replacement, by weight), seeded."""
        rng = np.random.default_rng(seed)
        w = self.particles["weight"].to_numpy(float)
        idx = rng.choice(len(w), size=n, replace=True, p=w / w.sum())
        return [self.params_of(int(i)) for i in idx]

    def params_of(self, row: int) -> BehaviourParams:
        r = self.particles.iloc[row]
        return dataclasses.replace(self.base, **{k: float(r[k]) for k in self.names})

    def point(self) -> BehaviourParams:
        """The posterior mean of each calibrated parameter (others from `base`)."""
        return dataclasses.replace(self.base, **{k: self.mean(k) for k in self.names})

    def summary(self) -> dict:
        return {"method": self.method, "seed": self.seed, "generations": int(len(self.history)),
                "final_epsilon": float(self.history["epsilon"].iloc[-1]) if len(self.history) else None,
                "particles": int(len(self.particles)),
                "parameters": {k: {"prior": list(self.priors[k]), "default": getattr(BehaviourParams(), k),
                                   "mean": self.mean(k), "interval_90": list(self.interval(k))}
                               for k in self.names},
                "targets": self.targets.to_dict(orient="records")} | self.info


def _quiet_pyabc() -> None:
    for name in ("ABC", "ABC.History", "ABC.Sampler", "ABC.Distance", "ABC.Epsilon", "ABC.Adaptation",
                 "ABC.Transition", "ABC.Predictor", "ABC.Population"):
        logging.getLogger(name).setLevel(logging.WARNING)


def calibrate(inputs: BuyInInputs, targets: pd.DataFrame, priors: dict[str, tuple[float, float]] | None = None,
              *, population_size: int = 200, generations: int = 5, seed: int = 0, client=None,
              min_acceptance_rate: float = 0.01) -> Posterior:
    """ABC-SMC posterior of the `priors`' parameters given the observed `targets`.

    Every other behavioural parameter keeps its value in `inputs.params`. Stops after `generations` populations,
    at distance 0 (every count matched exactly), or when the acceptance rate falls below `min_acceptance_rate`.
    """
    import pyabc

    _quiet_pyabc()
    priors = dict(DEFAULT_PRIORS if priors is None else priors)
    known = {f.name for f in dataclasses.fields(BehaviourParams)}
    bad = sorted(set(priors) - known)
    if bad:
        raise ValueError(f"calibrate: unknown behavioural parameters {bad}")
    for k, (lo, hi) in priors.items():
        if isinstance(getattr(BehaviourParams(), k), str):
            raise ValueError(f"calibrate: {k} is not a number and cannot be given a uniform prior")
        if not hi > lo:
            raise ValueError(f"calibrate: prior of {k} needs low < high (got {lo}, {hi})")
    prepare(inputs)  # validates the inputs (one error listing every problem)
    t = check_targets(targets, inputs.vehicle_ids, inputs.horizon_months)
    models = case_models(inputs, t)
    obs = observed_shares(t)
    n = t["n_cases"].to_numpy(float)
    base = inputs.params

    afresh = bool(PREPARE_TIME & set(priors))

    def model(theta):
        prm = dataclasses.replace(base, **{k: float(theta[k]) for k in priors})
        run_seed = int(np.random.randint(0, 2**31 - 1))  # the sampler's seeded stream
        ms = case_models(inputs.with_(params=prm), t) if afresh else models
        return {"share": simulated_shares(ms, t, prm, run_seed)}

    def distance(x, y):
        return float(np.sqrt(np.sum(n * (x["share"] - y["share"]) ** 2)))

    prior = pyabc.Distribution(**{k: pyabc.RV("uniform", lo, hi - lo) for k, (lo, hi) in priors.items()})
    sampler = (pyabc.sampler.SingleCoreSampler() if client is None
               else pyabc.sampler.DaskDistributedSampler(dask_client=client))
    state = np.random.get_state()
    np.random.seed(seed)
    folder = tempfile.mkdtemp(prefix="reformkit-abc-")
    db = os.path.join(folder, "abc.db")
    try:
        abc = pyabc.ABCSMC(model, prior, distance, population_size=population_size, sampler=sampler)
        abc.new("sqlite:///" + db, {"share": obs})
        history = abc.run(max_nr_populations=generations, minimum_epsilon=0.0,
                          min_acceptance_rate=min_acceptance_rate)
        frame, weights = history.get_distribution(m=0)
        pops = history.get_all_populations()
        pops = pops[pops["t"] >= 0]
        hist = pd.DataFrame({"generation": pops["t"].astype(int).to_numpy(),
                             "epsilon": pops["epsilon"].astype(float).to_numpy(),
                             "samples": pops["samples"].astype(int).to_numpy(),
                             "particles": population_size})
        hist["acceptance_rate"] = hist["particles"] / hist["samples"]
    finally:
        np.random.set_state(state)
        for f in os.listdir(folder):
            os.remove(os.path.join(folder, f))
        os.rmdir(folder)
    particles = frame[list(priors)].reset_index(drop=True).astype(float)
    particles["weight"] = np.asarray(weights, float) / np.sum(weights)
    tt = t.copy()
    tt["observed_share"] = obs
    return Posterior(particles=particles, base=base, priors=priors, targets=tt, history=hist, seed=seed,
                     info={"pyabc": pyabc.__version__, "population_size": population_size,
                           "parallel": client is not None, "model_fingerprint": model_fingerprint()})


def simulate_posterior(inputs: BuyInInputs, posterior: Posterior, runs: int, seed: int, draws: int | None = None,
                       client=None) -> BuyInResults:
    """Runs that carry parameter uncertainty: `draws` parameter sets from the posterior (default min(runs, 50)),
    the runs split evenly among them (each block on its own seed from the master seed), results pooled.

    Run r of the pool uses draw r mod `draws`' block; `outcomes.run` numbers the pooled runs 0…runs-1 and
    `outcomes.param_draw` says which parameter set a run used."""
    draws = int(min(runs, 50) if draws is None else draws)
    if not 1 <= draws <= runs:
        raise ValueError("simulate_posterior: need 1 <= draws <= runs")
    sets = posterior.draw(draws, seed)
    block_seeds = run_seeds(seed, draws)
    sizes = [runs // draws + (1 if k < runs % draws else 0) for k in range(draws)]
    outcomes, pivotal, offset = [], None, 0
    for k, (prm, s, size) in enumerate(zip(sets, block_seeds, sizes)):
        res = simulate(inputs.with_(params=prm), runs=size, seed=int(s % 2**63), client=client, record_runs=0)
        o = res.outcomes.copy()
        o["run"] = o["run"] + offset
        o["param_draw"] = k
        outcomes.append(o)
        cols = ["pivotal_when_agreed", "pivotal_when_blocked", "pivotal_runs"]
        pv = res.pivotal.set_index(["vehicle_id", "partner_id"])[cols]
        pivotal = pv if pivotal is None else pivotal.add(pv, fill_value=0)
        offset += size
    out = pd.concat(outcomes, ignore_index=True)
    pivotal = pivotal.reset_index()
    pivotal["pivotal_share"] = pivotal["pivotal_runs"] / runs
    pivotal = pivotal.sort_values(["vehicle_id", "pivotal_runs", "partner_id"], ascending=[True, False, True],
                                  ignore_index=True)
    return BuyInResults(outcomes=out, pivotal=pivotal,
                        trajectories=pd.DataFrame(columns=["run", "month", "partner_id", "vehicle_id", "stance"]),
                        runs=runs, seed=seed, horizon_months=res.horizon_months, vehicle_ids=res.vehicle_ids,
                        planned_month=res.planned_month,
                        provenance=res.provenance | {"runs": runs, "seed": seed, "calibrated": True,
                                                     "param_draws": draws, "calibration": posterior.method})


def coverage_trials(inputs: BuyInInputs, design: pd.DataFrame, priors: dict[str, tuple[float, float]],
                    trials: int, seed: int, level: float = 0.9, central: float = 1.0, **abc) -> pd.DataFrame:
    """Does calibration recover parameters from data the model itself simulated?

    Each trial draws true parameters uniformly from the central `central` share of each (uniform) prior
    (1.0: the whole prior — simulation-based calibration; below 1, known parameters away from the prior's
    edges, where a 90 % interval cannot cover a truth in the outer 5 % unless the data are decisive), simulates a data set of the `design`'s shape
    (vehicle_id, n_cases, by_month) at them, calibrates to it, and records whether the `level` interval of each
    parameter covers the truth. Returns trial, parameter, truth, low, high, covered, prior_width, seconds.
    `abc` goes to `calibrate` (population_size, generations, …). Seeded: same arguments, same table."""
    import time

    rng = np.random.default_rng(seed)
    rows = []
    for k in range(trials):
        truth = {name: float(rng.uniform(lo + (1 - central) / 2 * (hi - lo), hi - (1 - central) / 2 * (hi - lo)))
                 for name, (lo, hi) in priors.items()}
        data_seed, abc_seed = (int(x) for x in rng.integers(0, 2**31 - 1, size=2))
        prm = dataclasses.replace(inputs.params, **truth)
        data = simulated_counts(inputs, design.assign(n_agreed=0), prm, data_seed)
        t0 = time.perf_counter()
        post = calibrate(inputs, data, priors, seed=abc_seed, **abc)
        secs = time.perf_counter() - t0
        for name, value in truth.items():
            lo, hi = post.interval(name, level)
            rows.append({"trial": k, "parameter": name, "truth": value, "low": lo, "high": hi,
                         "covered": bool(lo <= value <= hi), "prior_width": priors[name][1] - priors[name][0],
                         "seconds": secs})
    return pd.DataFrame(rows)


def recovery_case() -> tuple[BuyInInputs, pd.DataFrame, dict[str, tuple[float, float]]]:
    """The synthetic case of the recovery check (test and benchmark): two stylised vehicles — a two-partner
    pool with much doubt, and a four-partner board under a 75 % qualified majority — observed 10 times each
    at months 2 and 5 (six months of the model, kept short so a trial costs seconds), and the two
    parameters to recover with their priors. Their agreement rates move with both parameters."""
    classes = pd.DataFrame([
        dict(vehicle_id="pair", n_members=2, rule="unanimity", threshold=np.nan, budget_gbp=300e6,
             net_benefit_share=0.01, cost_share=0.05, uncertainty=0.8, risk_appetite=0.4, financial_pressure=0.5,
             board_meeting_months="bimonthly"),
        dict(vehicle_id="four", n_members=4, rule="qualified_majority", threshold=0.75, budget_gbp=100e6,
             net_benefit_share=0.02, cost_share=0.05, uncertainty=0.3, risk_appetite=0.5, financial_pressure=0.5,
             board_meeting_months="quarterly"),
    ])
    design = pd.DataFrame({"vehicle_id": ["pair", "pair", "four"], "n_cases": [10, 10, 10], "by_month": [2, 5, 5]})
    return reference_inputs(classes, 6), design, dict(DEFAULT_PRIORS)
