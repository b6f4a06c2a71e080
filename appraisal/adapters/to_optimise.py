"""Build the optimiser's plain-data `PlacementProblem` from a study and one of its options, and convert
between the engine's plans and appraisal's `Plan`.

Every coefficient comes from the ledger's own entries (`appraisal.money.ledger.option_ledger`), adjusted and
(for a scenario) scaled by the same selector as every other path:

* vehicle entries  → `vehicle_streams` (offset from the year the vehicle is established);
* service entries (service lines and shares of apportioned lines) → `placement_streams` (offset from the
  transfer year);
* site entries     → the sites' `open_cost_gbp` (one-offs) and `fixed_cost_gbp_per_year` (recurring);
* curve entries    → `cost_curves` × the entry's factor;
* option entries   → the constant: the PV of money no plan decision changes.

So the MILP objective of any plan plus the constant equals the ledger's NPSV of that plan (tested on every
study with random feasible plans).

The engine's time index is the study's periods (`study.periods`: financial years, or their quarters or months;
appraisal/study/periods.py): coefficients are money by period, each period's discount factor is its
financial year's, gates are period indices, and lags (precedence, vehicle dependencies) and a scenario's
delay, entered in years, are passed as years × periods a year.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from appraisal.money.ledger import option_ledger
from appraisal.money.metrics import study_discount_factors
from appraisal.money.plans import Plan
from appraisal.money.scenarios import entry_scale, scenario_delay, scenario_discount, targets_of, base_scenario
from appraisal.study import Study
from appraisal.study.periods import period_discount_factors
from appraisal.adapters.optimiser import NO_SITE, OptionRules, PlacementProblem
from appraisal.adapters.optimiser import Plan as EnginePlan
from appraisal.adapters.estates import building_table
from appraisal.adapters.floors import option_floors

STREAM = ["offset", "benefit_gbp", "cost_gbp", "from_year"]


def option_rules(study: Study, option_id: str) -> OptionRules:
    rules = study.tables["option_rules"]
    rules = rules[rules["option_id"] == option_id]
    allowed, forbidden, kinds, forced, banned, years, locked, kept = [], [], [], {}, [], {}, [], []
    for r in rules.itertuples(index=False):
        if r.rule == "allow_vehicle":
            allowed.append(r.vehicle_id)
        elif r.rule == "forbid_vehicle":
            forbidden.append(r.vehicle_id)
        elif r.rule == "forbid_kind":
            kinds.append(r.vehicle_kind)
        elif r.rule == "force":
            forced[r.service_id] = r.vehicle_id
        elif r.rule == "forbid":
            banned.append((r.service_id, r.vehicle_id))
        elif r.rule == "force_year":
            years[r.service_id] = study.period_index(r.year)
        elif r.rule == "lock_site":
            locked.append(r.site_id)
        elif r.rule == "keep_site":
            kept.append(r.site_id)
    status_quo = study.tables["vehicles"].query("kind == 'status_quo'")["vehicle_id"].tolist()
    # forbidding a service its current vehicle means it must move somewhere
    current = study.tables["services"].set_index("service_id")["current_vehicle_id"].to_dict()
    must_move = tuple(sorted(s for s, v in banned if current.get(s) == v))
    return OptionRules(name=option_id, must_move=must_move, allowed_vehicles=tuple(sorted(set(allowed) | set(status_quo))) if allowed else None,
                       forbidden_vehicles=tuple(forbidden), forbidden_kinds=tuple(kinds), forced_mappings=forced,
                       forbidden_mappings=tuple(banned), forced_years=years, locked_sites=tuple(locked),
                       status_quo_allowed="status_quo" not in kinds, kept_buildings=tuple(sorted(kept)))


def _limits(study: Study) -> tuple[pd.Series | None, pd.Series | None, float | None]:
    limits = study.tables["limits"]
    n = len(study.years)

    def series(kind: str) -> pd.Series | None:
        rows = limits[limits["limit"] == kind]
        if rows.empty:
            return None
        out = pd.Series(np.inf, index=range(n))
        for r in rows.itertuples(index=False):
            if r.year is None:
                out[:] = np.minimum(out, r.value)
            else:
                idx = study.year_index(r.year)
                out[idx] = min(out[idx], r.value)
        return out

    cumulative = limits.loc[limits["limit"] == "funding_cap_cumulative_gbp", "value"]
    return (series("max_transfers_per_year"), series("funding_cap_yearly_gbp"),
            float(cumulative.min()) if len(cumulative) else None)


def _streams(ledger, weight: np.ndarray, mask: np.ndarray, keys: list[str]) -> pd.DataFrame:
    """Adjusted money of the masked entries relative to their anchor (offset 0 = the anchor year)."""
    T, pad = ledger.T, ledger.pad
    idx = np.flatnonzero(mask)
    cols = keys + STREAM
    if not len(idx):
        return pd.DataFrame(columns=cols)
    money = ledger.central[idx] * weight[idx, None]
    e, j = np.nonzero(money)
    offset = j - pad - ledger.entries["anchor0"].to_numpy(dtype=int)[idx][e]
    keep = (offset > -T) & (offset < T)
    e, j, offset = e[keep], j[keep], offset[keep]
    ent = ledger.entries.iloc[idx[e]]
    benefit = ent["kind"].to_numpy() == "benefit"
    amount = money[e, j]
    first = np.maximum(ledger.not_before[idx[e]], 0) if ledger.not_before is not None else np.zeros(len(e), dtype=int)
    frame = pd.DataFrame({k: ent[k].to_numpy() for k in keys} | {
        "offset": offset, "benefit_gbp": np.where(benefit, amount, 0.0), "cost_gbp": np.where(benefit, 0.0, amount),
        "from_year": first.astype(int)})
    return (frame.groupby(keys + ["offset", "from_year"], as_index=False, sort=True, dropna=False)[["benefit_gbp", "cost_gbp"]].sum()
            .reset_index(drop=True)[keys + STREAM])


@dataclasses.dataclass
class ProblemMoney:
    vehicle_streams: pd.DataFrame
    placement_streams: pd.DataFrame  # a site_id (None = any site) for service lines at one site
    site_open: dict  # site -> £ one-off at opening
    site_fixed: dict  # site -> £ a year from opening
    curve_factor: dict  # vehicle -> factor on its cost curve
    constant_benefit: np.ndarray  # by year: option entries
    constant_cost: np.ndarray
    joint_streams: pd.DataFrame | None = None  # gated entries (appraisal.money.ownership): an AND in the MILP
    joint_requires: pd.DataFrame | None = None
    release_streams: pd.DataFrame = None  # building release lines, offset from the release year


def problem_money(study: Study, option_id: str, scale: np.ndarray | None = None) -> ProblemMoney:
    """The MILP's money of an option, from its ledger entries × adjustment factor × scenario scale."""
    ledger = option_ledger(study, option_id)
    ent, T, pad = ledger.entries, ledger.T, ledger.pad
    weight = ledger.factor * (np.ones(len(ent)) if scale is None else scale)
    gated = np.array([bool(g) for g in ledger.gates], dtype=bool) if len(ledger.gates) else np.zeros(len(ent), bool)
    joint, requires = joint_streams(ledger, weight, gated)
    anchor = np.where(gated, "gated", ent["anchor"].to_numpy())
    vehicle = _streams(ledger, weight, anchor == "vehicle", ["vehicle_id"])
    placement = _streams(ledger, weight, anchor == "service", ["service_id", "vehicle_id", "site_id"])
    placement["site_id"] = [None if s is None or s != s else s for s in placement["site_id"]]
    leave = _streams(ledger, weight, anchor == "leave", ["service_id"])
    if len(leave):  # a service leaving its building releases its share whichever vehicle it moves into
        pairs = study.tables["placements"][["service_id", "vehicle_id"]].drop_duplicates()
        leave = leave.merge(pairs, on="service_id", how="inner").assign(site_id=None)
        placement = (pd.concat([placement, leave[placement.columns]], ignore_index=True)
                     .groupby(["service_id", "vehicle_id", "site_id", "offset"], as_index=False, sort=True, dropna=False)
                     [["benefit_gbp", "cost_gbp"]].sum())
    releases = _streams(ledger, weight, anchor == "building", ["site_id"])
    site_open, site_fixed = {}, {}
    for i in np.flatnonzero(anchor == "site"):
        site = ent["site_id"].iat[i]
        profile = ledger.central[i] * weight[i]
        # a site cost is a one-off at opening (finite) or a recurring cost from it (validated on loading)
        target = site_open if ledger.finite[i] else site_fixed
        target[site] = target.get(site, 0.0) + float(profile[pad])
    curve_factor = {ent["vehicle_id"].iat[i]: float(weight[i]) for i in np.flatnonzero(anchor == "curve")}
    b, c = np.zeros(T), np.zeros(T)
    for i in np.flatnonzero(anchor == "option"):
        money = ledger.central[i, pad:pad + T] * weight[i]
        if ledger.not_before is not None and ledger.not_before[i] > 0:  # a timing rule on programme money
            money = np.where(np.arange(T) >= ledger.not_before[i], money, 0.0)
        (b if ent["kind"].iat[i] == "benefit" else c)[:] += money
    return ProblemMoney(vehicle, placement, site_open, site_fixed, curve_factor, b, c, joint, requires, releases)


def joint_streams(ledger, weight: np.ndarray, gated: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The MILP's view of entries that count only while other vehicles exist: one joint_id per entry, its money
    offset from its vehicle's establishment (vehicle entries) or at fixed years (programme entries), and the
    vehicles it requires (the entry's gates)."""
    cols = ["joint_id", "vehicle_id", "offset", "benefit_gbp", "cost_gbp", "from_year"]
    rows, req = [], []
    T, pad = ledger.T, ledger.pad
    for i in np.flatnonzero(gated):
        jid = f"{ledger.entries['line_id'].iat[i]}#{i}"
        if ledger.entries["anchor"].iat[i] not in ("vehicle", "option"):  # validate stops these (ownership_problems)
            raise ValueError(f"benefit {ledger.entries['line_id'].iat[i]}: enabled_by needs a vehicle or programme line")
        on_vehicle = ledger.entries["anchor"].iat[i] == "vehicle"
        a0 = int(ledger.entries["anchor0"].iat[i]) if on_vehicle else 0
        money = ledger.central[i] * weight[i]
        benefit = ledger.entries["kind"].iat[i] == "benefit"
        first = max(int(ledger.not_before[i]), 0) if ledger.not_before is not None else 0
        for j in np.flatnonzero(money):
            offset = j - pad - a0
            if (on_vehicle and -T < offset < T) or (not on_vehicle and 0 <= offset < T):
                rows.append((jid, ledger.entries["vehicle_id"].iat[i] if on_vehicle else None, int(offset),
                             float(money[j]) if benefit else 0.0, 0.0 if benefit else float(money[j]), first))
        req += [(jid, g) for g in ledger.gates[i]]
    return pd.DataFrame(rows, columns=cols), pd.DataFrame(req, columns=["joint_id", "requires_vehicle_id"])


def money_floor(study: Study, option_id: str) -> dict[str, int]:
    """vehicle -> the earliest year a plan may establish it (and move services into it) without pushing the
    money its lines place before their anchor out of the horizon: e.g. a one-off set-up cost two years
    before the planned year rules out establishing the vehicle in the first or second year. This keeps the
    optimiser from 'saving' money by moving it before the horizon (the ledger would warn of it)."""
    ledger = option_ledger(study, option_id)
    ent, pad, T = ledger.entries, ledger.pad, ledger.T
    out: dict[str, int] = {}
    pairs = study.tables["placements"]
    vehicles_of = pairs.groupby("service_id")["vehicle_id"].apply(set).to_dict() if len(pairs) else {}
    for i in np.flatnonzero(ent["anchor"].isin(["vehicle", "service", "leave"]).to_numpy()):
        nz = np.flatnonzero(ledger.central[i, pad:pad + T])
        if not len(nz):
            continue
        lead = int(ent["anchor0"].iat[i]) - int(nz[0])
        targets = vehicles_of.get(ent["service_id"].iat[i], set()) if ent["anchor"].iat[i] == "leave" \
            else {ent["vehicle_id"].iat[i]}
        for v in targets:
            if lead > 0:
                out[v] = max(out.get(v, 0), lead)
    return out


def delay_vehicles(vehicles: pd.DataFrame, years: int, T: int, rules: OptionRules) -> tuple[pd.DataFrame, OptionRules]:
    """The one rule of a delay for a re-optimised plan: no vehicle (other than the status quo) can be
    established before its earliest year + `years`; a vehicle pushed past the horizon cannot be used."""
    if years <= 0:
        return vehicles, rules
    vehicles = vehicles.copy()
    movable = ~vehicles["is_status_quo"].astype(bool)
    vehicles.loc[movable, "earliest_year"] = vehicles.loc[movable, "earliest_year"].fillna(0) + years
    blocked = tuple(vehicles.loc[movable & (vehicles["earliest_year"] >= T), "vehicle_id"])
    vehicles["earliest_year"] = vehicles["earliest_year"].clip(upper=T - 1)
    return vehicles, rules.replace(forbidden_vehicles=tuple(sorted(set(rules.forbidden_vehicles) | set(blocked))))


def build_problem(study: Study, option_id: str, scenario: dict | None = None) -> tuple[PlacementProblem, float]:
    """The option's placement problem and the PV of its plan-independent money (under a scenario of the
    study's uncertainties when given: multipliers on entries, a delay on earliest years, a discount rate)."""
    services, vehicles, sites = (study.tables[n] for n in ("services", "vehicles", "sites"))
    ledger = option_ledger(study, option_id)
    full = {**base_scenario(study), **(scenario or {})} if scenario else {}
    targets = targets_of(study)
    scale = entry_scale(ledger.entries, full, targets) if scenario else None
    money = problem_money(study, option_id, scale)
    k = study.periods_per_year
    df = scenario_discount(study_discount_factors(study), full, targets) if scenario else study_discount_factors(study)
    df = period_discount_factors(df, k)  # by period: each period discounted as its financial year
    rules = option_rules(study, option_id)
    floors, floor_streams = option_floors(study, option_id, ledger.factor * (np.ones(len(ledger.entries)) if scale is None else scale))
    kinds = vehicles.set_index("vehicle_id")["kind"].to_dict()
    # a site must open only where its vehicle is allowed under the option
    must_open = [bool(m) and (v is None or rules.vehicle_allowed(v, kinds.get(v, "other")))
                 for m, v in zip(sites["must_open"], sites["vehicle_id"])]
    transfers, funding_yearly, funding_cumulative = _limits(study)
    curves = study.tables["cost_curves"]
    vehicle_table = pd.DataFrame({
        "vehicle_id": vehicles["vehicle_id"], "kind": vehicles["kind"],
        "earliest_year": [study.period_index(y) for y in vehicles["earliest_year"]],
        "latest_year": np.nan, "max_sites": vehicles["max_sites"].astype(float),
        "is_status_quo": vehicles["kind"] == "status_quo"})
    floor = money_floor(study, option_id)
    buildings = building_table(study, ledger)
    vehicle_table["earliest_year"] = [max(int(e or 0), floor.get(v, 0)) if floor.get(v) else e
                                      for v, e in zip(vehicle_table["vehicle_id"], vehicle_table["earliest_year"])]
    vehicle_table, rules = delay_vehicles(vehicle_table, (scenario_delay(full, targets) if scenario else 0) * k,
                                          len(study.periods), rules)
    problem = PlacementProblem(
        name=f"{study.name} / {option_id}",
        years=study.periods,
        discount_factor=df,
        services=pd.DataFrame({
            "service_id": services["service_id"], "fte": services["fte"], "volume": services["volume"],
            "current_vehicle_id": services["current_vehicle_id"], "current_site_id": services["current_site_id"]}),
        vehicles=vehicle_table,
        placements=study.tables["placements"][["service_id", "vehicle_id", "site_id", "score"]].assign(
            score=lambda f: pd.to_numeric(f["score"], errors="coerce").fillna(0.0)),
        vehicle_streams=money.vehicle_streams,
        placement_streams=money.placement_streams,
        sites=pd.DataFrame({
            "site_id": sites["site_id"], "vehicle_id": sites["vehicle_id"], "capacity_fte": sites["capacity_fte"],
            "fixed_cost_gbp_per_year": [money.site_fixed.get(s, 0.0) for s in sites["site_id"]],
            "open_cost_gbp": [money.site_open.get(s, 0.0) for s in sites["site_id"]], "must_open": must_open}),
        cost_curves=pd.DataFrame({
            "vehicle_id": curves["vehicle_id"], "volume": curves["volume"],
            "running_cost_gbp_per_year": curves["running_cost_gbp_per_year"].astype(float)  # £ per period
            * np.array([money.curve_factor.get(v, 0.0) for v in curves["vehicle_id"]]) / k}),
        precedence=in_periods(study.tables["precedence"][["before_service_id", "after_service_id", "min_lag_years"]], k),
        vehicle_dependencies=in_periods(study.tables["vehicle_dependencies"][["vehicle_id", "requires_vehicle_id",
                                                                              "min_lag_years"]], k),
        max_transfers_per_year=transfers,
        funding_cap_yearly_gbp=funding_yearly,
        funding_cap_cumulative_gbp=funding_cumulative,
        floors=floors, floor_streams=floor_streams,
        joint_streams=money.joint_streams, joint_requires=money.joint_requires,
        buildings=buildings, release_streams=money.release_streams[money.release_streams["site_id"].isin(set(buildings["site_id"]))],
        rules=rules,
    )
    constant = float(df @ (money.constant_benefit - money.constant_cost))
    return problem, constant


def in_periods(lags: pd.DataFrame, k: int) -> pd.DataFrame:
    """A lag table with its lags (entered in whole years) in periods: the engine's time step."""
    out = lags.copy()
    if k > 1:
        out["min_lag_years"] = pd.to_numeric(out["min_lag_years"]).fillna(0).astype(int) * k
    return out


def from_engine(option_id: str, plan: EnginePlan, kind: str, source: str = "") -> Plan:
    """appraisal's Plan of an engine plan (moves, established vehicles, opened sites)."""
    a = plan.assignment[plan.assignment["transfer_year"].notna()]
    moves = pd.DataFrame({"service_id": a["service_id"].astype(str), "vehicle_id": a["vehicle_id"].astype(str),
                          "site_id": [None if (s is None or s == NO_SITE or s != s) else str(s) for s in a["site_id"]],
                          "t": a["transfer_year"].astype(int)})
    v = plan.vehicles[plan.vehicles["established_year"].notna()]
    s = plan.sites[plan.sites["open"].astype(bool) & plan.sites["opened_year"].notna()]
    r = plan.releases
    return Plan(option_id, kind, moves, dict(zip(v["vehicle_id"].astype(str), v["established_year"].astype(int))),
                dict(zip(s["site_id"].astype(str), s["opened_year"].astype(int))), source=source,
                releases=dict(zip(r["site_id"].astype(str), r["released_year"].astype(int))))


def engine_tables(plan: Plan, T: int | None = None) -> dict:
    """The engine's view of a Plan (evaluate_plan / reproduce inputs). Sites opened past the horizon are left
    out (all their money would fall past it)."""
    assignment = pd.DataFrame({"service_id": plan.moves["service_id"], "vehicle_id": plan.moves["vehicle_id"],
                               "site_id": [NO_SITE if s is None else s for s in plan.moves["site_id"]],
                               "transfer_year": plan.moves["t"].astype(int)})
    vehicles = pd.DataFrame({"vehicle_id": list(plan.vehicles), "established_year": list(plan.vehicles.values())})
    sites = {s: t for s, t in plan.sites.items() if T is None or t < T}
    sites = pd.DataFrame({"site_id": list(sites), "opened_year": list(sites.values())})
    releases = {b: t for b, t in plan.releases.items() if T is None or t < T}
    return {"plan": assignment, "vehicles": vehicles, "sites": sites, "releases": releases}


def plan_violations(study: Study, plan: Plan) -> list[str]:
    """Where a plan (e.g. one edited in Excel) breaks its option's rules, in plain words (engine check)."""
    from appraisal.adapters.optimiser import check_plan

    problem, _ = build_problem(study, plan.option_id)
    t = engine_tables(plan, len(study.periods))
    vehicles = t["vehicles"].astype({"established_year": "Int64"})
    sites = t["sites"].astype({"opened_year": "Int64"})
    return check_plan(problem, t["plan"], vehicles=vehicles, sites=sites, releases=t["releases"])


def complete_plan(study: Study, draft: Plan, time_limit: float | None = 60.0) -> tuple[Plan, EnginePlan]:
    """A plan whose moves and vehicle years are given, completed by the MILP where it leaves choices open
    (which site each service moves to, when sites open): reproduce mode."""
    from appraisal.adapters.optimiser import solve

    problem, _ = build_problem(study, draft.option_id)
    # floors and targets steer the optimiser's choices; a given plan is appraised as it stands, met or not
    problem = dataclasses.replace(problem, floors=None, floor_streams=None)
    t = engine_tables(draft)
    vehicles = t["vehicles"].astype({"established_year": "Int64"})
    solved = solve(problem, mode="reproduce", assignment=t["plan"], vehicles=vehicles, releases=t["releases"],
                   time_limit=time_limit)
    if not solved.has_solution:
        raise ValueError(f"the {draft.kind} plan of option {draft.option_id} breaks the option's rules: "
                         f"{solved.diagnosis}")
    return from_engine(draft.option_id, solved, draft.kind, draft.source), solved
