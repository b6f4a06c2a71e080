"""Partner buy-in for a study's option, and agent-based optimisation (optimise ⇄ simulate).

`buyin_inputs` turns a study (partners, governance, vehicles) and the money engine's split of an option's
(or plan's) money by partner and vehicle into the agent model's plain inputs. `agent_based_optimise`
iterates: optimise → simulate buy-in → move each vehicle's earliest year to the first year it is agreed
in at least half the runs → re-optimise, until the plan stops changing. The naive and the buy-in-aware
plans are then both valued under the simulated delays (the mean NPV over the runs).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from appraisal.adapters.agent_model import (BehaviourParams, BuyInInputs, BuyInResults, EarlyEngagement,
                                           GovernanceChange, Posterior, RiskShare, SidePayment, board_power, calibrate,
                                           cheapest_route, compare_interventions, delay_summary, median_establishment,
                                           model_fingerprint, on_time, prob_by_year, reference_inputs, simulate,
                                           simulate_posterior)
from appraisal.adapters.to_optimise import from_engine, option_rules
from appraisal.money.document import document_plan
from appraisal.money.ledger import plan_money
from appraisal.money.metrics import split_by_party
from appraisal.money.plans import Plan as LedgerPlan
from appraisal.workflows.optimise import OptionPlan, optimise_option
from appraisal.study import Study
from appraisal.study.schema import fy_start
from appraisal.adapters.optimiser import Plan, evaluate_plan, solve

MEETINGS = {1: "monthly", 2: "bimonthly", 3: "quarterly"}
RULE_OF = {"lead_partner": "executive"}  # the study's words → the agent model's decision modes


def month_index(study: Study, yyyy_mm: str | None) -> int | None:
    """'2021-05' as a model month index (month 0 = April of the first financial year); None if blank."""
    if not yyyy_mm:
        return None
    year, month = (int(x) for x in yyyy_mm.split("-"))
    return (year - fy_start(study.years[0])) * 12 + (month - 4)


def as_plan(study: Study, option_id: str, plan) -> LedgerPlan:
    """appraisal's Plan of a given plan: an engine plan, a Plan, or None (the option's document plan)."""
    if isinstance(plan, LedgerPlan):
        return plan
    if plan is not None and plan.has_solution:
        return from_engine(option_id, plan, "optimised")
    return document_plan(study, option_id)


def usable_vehicles(study: Study, option_id: str) -> list[str]:
    """The new vehicles an option can use (its allow/forbid rules), with a board in governance: the ones whose
    buy-in is simulated for it."""
    rules = option_rules(study, option_id)
    v = study.tables["vehicles"]
    v = v[(v["kind"] != "status_quo") & v["vehicle_id"].isin(set(study.tables["governance"]["vehicle_id"]))]
    if rules.allowed_vehicles is not None:
        v = v[v["vehicle_id"].isin(rules.allowed_vehicles)]
    v = v[~v["vehicle_id"].isin(rules.forbidden_vehicles) & ~v["kind"].isin(rules.forbidden_kinds)]
    return v["vehicle_id"].tolist()


def partner_profile(study: Study, option_id: str, plan=None) -> pd.DataFrame:
    """partner_id, vehicle_id, year_index, benefit_gbp, cost_gbp: each partner's own money from each vehicle, year
    by year — the ledger's split by party of the plan's money (`plan_money`; the document's plan when none is
    given, an engine plan or a Plan otherwise)."""
    streams = plan_money(study, option_id, as_plan(study, option_id, plan)).streams
    streams = streams[streams["vehicle_id"].notna()]
    cols = ["partner_id", "vehicle_id", "year_index", "benefit_gbp", "cost_gbp"]
    if streams.empty:
        return pd.DataFrame(columns=cols)
    partners = set(study.tables["partners"]["partner_id"])
    frames = []
    for vehicle, group in streams.groupby("vehicle_id", sort=True):
        split = split_by_party(group, study)
        split = split[split["partner_id"].isin(partners)]
        split = split.assign(vehicle_id=vehicle, year_index=split["year"].map(study.years.index),
                             benefit_gbp=np.where(split["kind"] == "benefit", split["share_gbp"], 0.0),
                             cost_gbp=np.where(split["kind"] == "cost", split["share_gbp"], 0.0))
        frames.append(split.groupby(["partner_id", "vehicle_id", "year_index"], as_index=False)[
            ["benefit_gbp", "cost_gbp"]].sum())
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def partner_value(study: Study, option_id: str, plan: Plan | None = None,
                  profile: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each partner's mean yearly net benefit and cost of each vehicle over the horizon's years (the means of
    `partner_profile`, which is what the buy-in model weighs year by year)."""
    profile = partner_profile(study, option_id, plan) if profile is None else profile
    cols = ["partner_id", "vehicle_id", "net_benefit_gbp", "cost_share_gbp"]
    if profile.empty:
        return pd.DataFrame(columns=cols)
    n = len(study.years)
    out = profile.groupby(["partner_id", "vehicle_id"], as_index=False)[["benefit_gbp", "cost_gbp"]].sum()
    out["net_benefit_gbp"] = (out["benefit_gbp"] - out["cost_gbp"]) / n
    out["cost_share_gbp"] = out["cost_gbp"] / n
    return out[cols]


def _evidence(study: Study, vehicles: list[str]) -> dict[str, pd.DataFrame | None]:
    """The documents' evidence as agent-model tables, for the vehicles simulated."""
    t = study.tables
    stances = t["stances"][t["stances"]["vehicle_id"].isin(vehicles)]
    dd = t["decision_dates"]
    dd = dd[dd["vehicle_id"].isna() | dd["vehicle_id"].isin(vehicles)]
    el = t["elections"]
    old = t["partners"][t["partners"]["election_month"].notna()]  # partners.election_month: one more election
    elections = pd.DataFrame({
        "partner_id": list(el["partner_id"]) + list(old["partner_id"]),
        "month": [month_index(study, d) for d in el["date"]] + [month_index(study, d) for d in old["election_month"]],
        "turnover_prob": list(el["turnover_prob"]) + [None] * len(old)})
    elections = elections[elections["month"] >= 0]  # partners.election_month before the horizon: already held
    deps = t["vehicle_dependencies"]
    deps = deps[deps["vehicle_id"].isin(vehicles)]
    missing = sorted(set(deps["requires_vehicle_id"]) - set(vehicles))
    if missing:
        raise ValueError(f"{study.sources['vehicle_dependencies']}: {sorted(set(deps['vehicle_id']))} need "
                         f"{missing}, which this option cannot use")
    return {
        "evidence": stances[["partner_id", "vehicle_id", "stance"]].reset_index(drop=True) if len(stances) else None,
        "decision_dates": pd.DataFrame({"partner_id": dd["partner_id"], "vehicle_id": dd["vehicle_id"],
                                        "month": [month_index(study, d) for d in dd["date"]]}) if len(dd) else None,
        "elections": elections.astype({"turnover_prob": float}).reset_index(drop=True) if len(elections) else None,
        "dependencies": deps[["vehicle_id", "requires_vehicle_id", "min_lag_years"]].reset_index(drop=True)
        if len(deps) else None,
    }


def buyin_inputs(study: Study, option_id: str, plan: Plan | None = None) -> BuyInInputs:
    partners, governance, vehicles = (study.tables[n] for n in ("partners", "governance", "vehicles"))
    usable = usable_vehicles(study, option_id)
    if not usable:
        raise ValueError(f"option '{option_id}' of study '{study.name}' can use no new vehicle with governance rows: "
                         "nothing to agree")
    voted = vehicles.set_index("vehicle_id").loc[usable].reset_index()
    planned = {}
    established = as_plan(study, option_id, plan).vehicles
    for row in voted.itertuples(index=False):
        year = established.get(row.vehicle_id)
        if year is None:
            year = study.year_index(row.planned_year or row.earliest_year)
        planned[row.vehicle_id] = 12 * int(year)
    rules = pd.DataFrame({
        "vehicle_id": voted["vehicle_id"],
        "rule": [RULE_OF.get(r, r) for r in voted["governance_rule"]],
        "threshold": [(t or 50.0) / 100.0 for t in voted["threshold_pct"]],
        "require_all_funders": voted["require_all_funders"].astype(bool),
        "lead_partner_id": voted["lead_partner_id"],
        "min_members": [float(m) if m is not None and m == m else np.nan for m in voted["min_members"]]})
    members = governance[governance["vehicle_id"].isin(planned)]
    budgets = partners.set_index("partner_id")["budget_gbp"]
    missing = sorted(p for p in set(members["partner_id"]) if budgets.get(p) is None or pd.isna(budgets.get(p)))
    if missing:
        raise ValueError(f"{study.sources['partners']}: partner(s) {', '.join(missing)} have no budget_gbp; the buy-in "
                         "model weighs each board member's net benefit against its annual budget")
    profile = partner_profile(study, option_id, plan)
    profile = profile[profile["vehicle_id"].isin(planned)].reset_index(drop=True)
    value = partner_value(study, option_id, plan, profile)
    return BuyInInputs(
        partners=pd.DataFrame({
            "partner_id": partners["partner_id"], "name": partners["name"], "type": partners["type"],
            "budget_gbp": partners["budget_gbp"].astype(float), "financial_pressure": partners["financial_pressure"],
            "risk_appetite": partners["risk_appetite"],
            "board_meeting_months": [MEETINGS.get(int(m), f"every {int(m)}")
                                     for m in partners["board_meeting_interval_months"]],
            "election_month": ""}),  # elections come through _evidence (several per partner)
        governance=members[["vehicle_id", "partner_id", "voting_weight", "veto", "funds"]].reset_index(drop=True),
        rules=rules.reset_index(drop=True),
        partner_value=value.reset_index(drop=True),
        value_profile=profile,
        planned_month=planned,
        horizon_months=12 * len(study.years),
        **_evidence(study, list(planned)),
    )


@dataclass
class BuyIn:
    option_id: str
    inputs: BuyInInputs
    results: BuyInResults
    prob_by_year: pd.DataFrame
    median: pd.DataFrame
    pivotal: pd.DataFrame
    power: pd.DataFrame = field(default_factory=pd.DataFrame)
    calibration: dict = field(default_factory=lambda: calibration_statement(None))

    def summary(self, study: Study) -> dict:
        names = study.tables["vehicles"].set_index("vehicle_id")["name"].to_dict()
        partner_names = study.tables["partners"].set_index("partner_id")["name"].to_dict()
        start = fy_start(study.years[0])

        def month_label(m):
            if m is None or (isinstance(m, float) and np.isnan(m)):
                return None
            m = int(m) + 3  # month 0 is April
            return f"{start + m // 12}-{m % 12 + 1:02d}"

        o = self.results.outcomes
        mem = self.results.membership
        vehicles = {}
        for row in self.median.itertuples(index=False):
            probs = self.prob_by_year[self.prob_by_year["vehicle_id"] == row.vehicle_id]
            mine = o[o["vehicle_id"] == row.vehicle_id]
            vehicles[row.vehicle_id] = {
                "name": names.get(row.vehicle_id, row.vehicle_id),
                "prob_by_year": dict(zip(probs["year"], probs["prob_established"])),
                "median_establishment": month_label(row.median_established_month),
                "planned": month_label(row.planned_month), "prob_never": row.prob_never,
                "prob_withdrawn_before_go_live": float((mine["withdrawals"] > 0).mean())}
            live = int(mine["established_month"].notna().sum())
            if (mem["vehicle_id"] == row.vehicle_id).any() and live:
                share = mem[mem["vehicle_id"] == row.vehicle_id]["partner_id"].value_counts() / live
                vehicles[row.vehicle_id]["membership_share_when_live"] = {k: float(v) for k, v in share.items()}
        pivotal = [{"partner_id": r.partner_id, "partner_name": partner_names.get(r.partner_id, r.partner_id),
                    "vehicle_id": r.vehicle_id, "pivotal_share": r.pivotal_share}
                   for r in self.pivotal.itertuples(index=False) if r.pivotal_share > 0]
        power = [{"vehicle_id": r.vehicle_id, "partner_id": r.partner_id,
                  "partner_name": partner_names.get(r.partner_id, r.partner_id), "voting_weight": r.voting_weight,
                  "veto": bool(r.veto), "funds": bool(r.funds), "banzhaf": r.banzhaf,
                  "shapley_shubik": r.shapley_shubik} for r in self.power.itertuples(index=False)]
        return {"option_id": self.option_id, "runs": self.results.runs, "seed": self.results.seed,
                "vehicles": vehicles, "pivotal": pivotal, "power": power, "calibration": self.calibration,
                "provenance": self.results.provenance}


def run_buyin(study: Study, option_id: str, runs: int, seed: int, plan: Plan | None = None, client=None,
              posterior=None) -> BuyIn:
    """Buy-in for an option; with a `posterior` (see `load_posterior`) the runs draw their behavioural
    parameters from it, so the spread carries parameter uncertainty."""
    inputs = buyin_inputs(study, option_id, plan)
    if posterior is None:
        results = simulate(inputs, runs=runs, seed=seed, client=client)
    else:
        results = simulate_posterior(inputs.with_(params=posterior.base), posterior, runs=runs, seed=seed,
                                     client=client)
    pivotal = results.pivotal.sort_values(["vehicle_id", "pivotal_share", "partner_id"], ascending=[True, False, True])
    statement = calibration_statement(posterior)
    if posterior is not None:  # the calibration's effect: the same runs on the judgement defaults
        default = simulate(inputs, runs=runs, seed=seed, client=client, record_runs=0)
        before, after = on_time(default.outcomes), on_time(results.outcomes)
        statement["effect"] = {v: {"prob_on_time_defaults": before[v], "prob_on_time_calibrated": after[v]}
                               for v in after}
    return BuyIn(option_id, inputs, results, prob_by_year(results, study.years), median_establishment(results),
                 pivotal.reset_index(drop=True), board_power(inputs), statement)


# ------------------------------------------------------------------------------ calibration to base rates

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
    repo = BASE_RATES.parents[1]
    folder = Path(folder).resolve()
    post.info["base_rates"] = str(folder.relative_to(repo)) if folder.is_relative_to(repo) else str(folder)
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


# ------------------------------------------------------------------------------ the cheapest route to agreement


@dataclass
class Cheapest:
    option_id: str
    route: object  # agents.Route
    table: pd.DataFrame
    joint_prob_before: dict
    joint_prob_after: dict
    npsv_before_gbp: float | None
    npsv_after_gbp: float | None
    package_pv_gbp: float | None

    def summary(self) -> dict:
        net = None if self.npsv_after_gbp is None else self.npsv_after_gbp - self.package_pv_gbp
        return {"option_id": self.option_id, "target_prob": self.route.target_prob, "runs": self.route.runs,
                "seed": self.route.seed, "reached": self.route.reached,
                "annual_cost_gbp": self.route.cost_gbp, "package_pv_gbp": self.package_pv_gbp,
                "expected_npsv_without_gbp": self.npsv_before_gbp, "expected_npsv_with_gbp": self.npsv_after_gbp,
                "expected_npsv_net_of_package_gbp": net,
                "prob_on_time_before": self.joint_prob_before, "prob_on_time_after": self.joint_prob_after,
                "search_seconds": self.route.seconds,
                "elements": self.table.to_dict(orient="records"),
                "cost_basis": "annual cost of each element priced alone on the option's inputs, paid in every year "
                              "of the appraisal period (assumption); early engagement and governance changes are "
                              "unpriced in the model (£0)"}


def cheapest_package(study: Study, option_id: str, runs: int, seed: int, target_prob: float = 0.8,
                     posterior=None, client=None, time_limit: float | None = None) -> Cheapest:
    """The cheapest package getting each vehicle agreed by its planned year with P ≥ target_prob (agents
    `cheapest_route`, per vehicle on common random numbers), checked on the whole option (all vehicles
    together, same seed), and the plan's expected NPSV under buy-in with and without it, net of its cost."""
    from appraisal.money.metrics import study_discount_factors

    option = optimise_option(study, option_id, time_limit=time_limit, seed=seed, reproduce=False)
    plan = option.plan if option.plan.has_solution else None
    inputs = buyin_inputs(study, option_id, plan)
    if posterior is not None:
        inputs = inputs.with_(params=posterior.point())
    route = cheapest_route(inputs, target_prob=target_prob, runs=runs, seed=seed)
    before = simulate(inputs, runs=runs, seed=seed, client=client, record_runs=0)
    after = simulate(inputs.with_(interventions=route.interventions), runs=runs, seed=seed, client=client,
                     record_runs=0)
    npsv_before = npsv_after = pv = None
    if plan is not None:
        npsv_before = delayed_npv(option.problem, plan, before.outcomes) + option.constant_gbp
        npsv_after = delayed_npv(option.problem, plan, after.outcomes) + option.constant_gbp
        pv = float(route.cost_gbp * study_discount_factors(study).sum())
    return Cheapest(option_id, route, route.table(), on_time(before.outcomes), on_time(after.outcomes),
                    npsv_before, npsv_after, pv)


def intervention_packages(study: Study) -> dict[str, list]:
    """The study's intervention packages as agent-model measures, by package id."""
    packages: dict[str, list] = {}
    for r in study.tables["interventions"].itertuples(index=False):
        if r.kind == "risk_share":
            measure = RiskShare(r.partner_id, float(r.amount_gbp), vehicle_id=r.vehicle_id)
        elif r.kind == "side_payment":
            measure = SidePayment(r.partner_id, float(r.amount_gbp), r.vehicle_id)
        elif r.kind == "early_engagement":
            measure = EarlyEngagement(float(r.months), partner_id=r.partner_id, vehicle_id=r.vehicle_id)
        else:
            measure = GovernanceChange(r.vehicle_id, rule=r.rule,
                                       threshold=None if r.threshold_pct is None else r.threshold_pct / 100.0)
        packages.setdefault(r.package, []).append(measure)
    return packages


def compare_study_interventions(study: Study, option_id: str, runs: int, seed: int, plan: Plan | None = None,
                                client=None) -> pd.DataFrame:
    """Each declared package against doing nothing: probability agreed, delay and annual cost, per vehicle."""
    packages = intervention_packages(study)
    if not packages:
        raise ValueError(f"study '{study.name}' declares no interventions (interventions.csv)")
    return compare_interventions(buyin_inputs(study, option_id, plan), packages, runs=runs, seed=seed, client=client,
                                 years=study.years)


# ------------------------------------------------------------------------------ agent-based optimisation


def delayed_npv(problem, plan: Plan, outcomes: pd.DataFrame) -> float:
    """Mean NPV of a plan over simulated runs: each vehicle established when the run agreed it (or never),
    services moving into it delayed by as much; a transfer pushed past the horizon does not happen."""
    T = problem.T
    moves = plan.assignment
    base = {r.vehicle_id: (None if pd.isna(r.established_year) else int(r.established_year))
            for r in plan.vehicles.itertuples(index=False)}
    cache: dict[tuple, float] = {}
    values = []
    for _, run in outcomes.groupby("run", sort=True):
        realised = {}
        for r in run.itertuples(index=False):
            realised[r.vehicle_id] = None if np.isnan(r.established_month) else int(r.established_month) // 12
        key = tuple(sorted(realised.items(), key=lambda kv: kv[0]))
        if key not in cache:
            assignment, vehicles = moves.copy(), plan.vehicles.copy()
            for v, planned in base.items():
                if planned is None or v not in realised:
                    continue
                got = realised[v]
                delay = None if got is None else max(0, got - planned)
                mask = (assignment["vehicle_id"] == v) & assignment["transfer_year"].notna()
                if delay is None or planned + delay >= T:
                    assignment.loc[mask, "transfer_year"] = pd.NA
                    vehicles.loc[vehicles["vehicle_id"] == v, "established_year"] = pd.NA
                else:
                    shifted = assignment.loc[mask, "transfer_year"].astype(int) + delay
                    assignment.loc[mask, "transfer_year"] = shifted.where(shifted < T, pd.NA)
                    vehicles.loc[vehicles["vehicle_id"] == v, "established_year"] = planned + delay
            # sites open with their first transfer (sites=None), so they move with the delayed services
            cache[key] = evaluate_plan(problem, assignment, vehicles=vehicles, sites=None).npv_gbp
        values.append(cache[key])
    return float(np.mean(values))


def _signature(plan: Plan) -> tuple:
    a = plan.assignment
    return (tuple(zip(a["service_id"], a["vehicle_id"], a["transfer_year"].astype("float").fillna(-1))),
            tuple(zip(plan.vehicles["vehicle_id"], plan.vehicles["established_year"].astype("float").fillna(-1))))


@dataclass
class AgentBasedResult:
    option_id: str
    naive: OptionPlan
    aware_plan: Plan
    iterations: list[dict] = field(default_factory=list)
    naive_npv_under_buyin_gbp: float | None = None
    aware_npv_under_buyin_gbp: float | None = None
    buyin: BuyIn | None = None

    def summary(self) -> dict:
        constant = self.naive.constant_gbp  # every figure is an NPSV: the MILP's NPV of the plan + the constant
        plus = lambda v: None if v is None else v + constant  # noqa: E731
        return {"option_id": self.option_id, "iterations": self.iterations,
                "naive_npsv_gbp": self.naive.npsv_gbp, "aware_npsv_gbp": plus(self.aware_plan.npv_gbp),
                "naive_npsv_under_buyin_gbp": self.naive_npv_under_buyin_gbp,
                "aware_npsv_under_buyin_gbp": self.aware_npv_under_buyin_gbp,
                "npsv_difference_under_buyin_gbp": (None if self.aware_npv_under_buyin_gbp is None else
                                                    self.aware_npv_under_buyin_gbp - self.naive_npv_under_buyin_gbp)}


def agent_based_optimise(study: Study, option_id: str, runs: int, seed: int, max_iterations: int = 5,
                         time_limit: float | None = None, client=None) -> AgentBasedResult:
    naive = optimise_option(study, option_id, time_limit=time_limit, seed=seed, reproduce=False)
    if not naive.plan.has_solution:
        return AgentBasedResult(option_id, naive, naive.plan)
    problem, plan = naive.problem, naive.plan
    result = AgentBasedResult(option_id, naive, plan)
    seen = {_signature(plan)}
    for iteration in range(1, max_iterations + 1):
        buy = run_buyin(study, option_id, runs, seed, plan=plan, client=client)
        delays = delay_summary(buy.results, study.years).drop_duplicates("vehicle_id").set_index("vehicle_id")
        vehicles = problem.vehicles.copy()
        earliest = dict(zip(vehicles["vehicle_id"], vehicles["earliest_year"]))
        for vid, row in delays.iterrows():
            first = row["earliest_year_index"]
            earliest[vid] = len(study.years) if np.isnan(first) else max(int(earliest[vid]), int(first))
        vehicles["earliest_year"] = vehicles["vehicle_id"].map(earliest)
        # a vehicle first agreed past the horizon cannot be used: it is forbidden outright
        blocked = tuple(v for v, y in earliest.items() if y >= len(study.years))
        vehicles["earliest_year"] = vehicles["earliest_year"].clip(upper=len(study.years) - 1)
        rules = problem.rules.replace(forbidden_vehicles=tuple(sorted(set(problem.rules.forbidden_vehicles) | set(blocked))))
        problem = dataclasses.replace(problem, vehicles=vehicles, rules=rules)
        new = solve(problem, time_limit=time_limit, seed=seed)
        result.iterations.append({"iteration": iteration, "earliest_years": {k: int(v) for k, v in earliest.items()},
                                  "blocked": list(blocked), "status": new.status, "npv_gbp": new.npv_gbp,
                                  "diagnosis": new.diagnosis})
        result.buyin = buy
        if not new.has_solution or _signature(new) in seen:
            if new.has_solution:
                plan = new
            break
        seen.add(_signature(new))
        plan = new
    result.aware_plan = plan
    final = run_buyin(study, option_id, runs, seed, plan=plan, client=client)
    naive_buy = run_buyin(study, option_id, runs, seed, plan=naive.plan, client=client)
    result.naive_npv_under_buyin_gbp = delayed_npv(naive.problem, naive.plan, naive_buy.results.outcomes) + naive.constant_gbp
    result.aware_npv_under_buyin_gbp = delayed_npv(naive.problem, plan, final.results.outcomes) + naive.constant_gbp
    result.buyin = final
    return result
