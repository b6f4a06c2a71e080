"""Build the optimiser's plain-data `PlacementProblem` from a study and one of its options.

The streams come from the money engine's own stream builder and adjustment factors, so the MILP's
objective for a plan plus the constant part (streams tied to no vehicle) equals the money engine's NPSV
of the same plan.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from appraisal.money.adjustments import stream_factors
from appraisal.money.metrics import adjust, study_discount_factors
from appraisal.money.ledger import _placement_records, build_streams, vehicle_planned_years
from appraisal.study import Study
from appraisal.adapters.optimiser import OptionRules, PlacementProblem


def vehicle_streams(study: Study, option_id: str) -> tuple[pd.DataFrame, float]:
    """Adjusted benefit/cost of each vehicle relative to its establishment year, and the PV of the
    streams tied to no vehicle (the same in every plan of the option)."""
    streams = adjust(build_streams(study, option_id, for_plan=True), study)
    df = study_discount_factors(study)
    tied = streams["vehicle_id"].notna().to_numpy()
    free = streams[~tied]
    sign = np.where(free["kind"] == "benefit", 1.0, -1.0)
    constant = float(np.sum(sign * free["adj_amount_gbp"].to_numpy() * df[free["t"].to_numpy(dtype=int)])) if len(free) else 0.0
    base = vehicle_planned_years(study)
    rows = []
    starts = {**dict(zip(study.tables["benefits"]["benefit_id"], study.tables["benefits"]["start_year"])),
              **dict(zip(study.tables["costs"]["cost_id"], study.tables["costs"]["start_year"]))}
    for r in streams[tied].itertuples(index=False):
        anchor = base.get(r.vehicle_id)
        if anchor is None:
            anchor = study.year_index(starts.get(r.stream_id))
        amount = float(r.adj_amount_gbp)
        rows.append({"vehicle_id": r.vehicle_id, "offset": int(r.t) - anchor,
                     "benefit_gbp": amount if r.kind == "benefit" else 0.0,
                     "cost_gbp": amount if r.kind == "cost" else 0.0})
    frame = pd.DataFrame(rows, columns=["vehicle_id", "offset", "benefit_gbp", "cost_gbp"])
    return frame, constant


def placement_streams(study: Study) -> pd.DataFrame:
    """Adjusted money of each eligible transfer relative to its transfer year (offset 0)."""
    placements = study.tables["placements"]
    if placements.empty:
        return pd.DataFrame(columns=["service_id", "vehicle_id", "site_id", "offset", "benefit_gbp", "cost_gbp"])
    # money is per (service, vehicle); site rows of the same pair carry the same money, so take the first
    moves = placements.drop_duplicates(["service_id", "vehicle_id"])[["service_id", "vehicle_id"]].assign(
        site_id=None, transfer_year=0)
    frame = adjust(pd.DataFrame.from_records(_placement_records(study, moves)), study)
    out = pd.DataFrame({
        "service_id": frame["service_id"], "vehicle_id": frame["vehicle_id"], "offset": frame["t"].astype(int),
        "benefit_gbp": np.where(frame["kind"] == "benefit", frame["adj_amount_gbp"], 0.0),
        "cost_gbp": np.where(frame["kind"] == "cost", frame["adj_amount_gbp"], 0.0),
    })
    return (out.groupby(["service_id", "vehicle_id", "offset"], as_index=False)[["benefit_gbp", "cost_gbp"]].sum()
            .sort_values(["service_id", "vehicle_id", "offset"]).reset_index(drop=True))


def option_rules(study: Study, option_id: str) -> OptionRules:
    rules = study.tables["option_rules"]
    rules = rules[rules["option_id"] == option_id]
    allowed, forbidden, kinds, forced, banned, years, locked = [], [], [], {}, [], {}, []
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
            years[r.service_id] = study.year_index(r.year)
        elif r.rule == "lock_site":
            locked.append(r.site_id)
    status_quo = study.tables["vehicles"].query("kind == 'status_quo'")["vehicle_id"].tolist()
    # forbidding a service its current vehicle means it must move somewhere
    current = study.tables["services"].set_index("service_id")["current_vehicle_id"].to_dict()
    must_move = tuple(sorted(s for s, v in banned if current.get(s) == v))
    return OptionRules(name=option_id, must_move=must_move, allowed_vehicles=tuple(sorted(set(allowed) | set(status_quo))) if allowed else None,
                       forbidden_vehicles=tuple(forbidden), forbidden_kinds=tuple(kinds), forced_mappings=forced,
                       forbidden_mappings=tuple(banned), forced_years=years, locked_sites=tuple(locked),
                       status_quo_allowed="status_quo" not in kinds)


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


def cost_factor(study: Study, component: str) -> float:
    """The adjustment factor the money engine applies to a plan-made revenue cost of `component`."""
    probe = pd.DataFrame({"kind": ["cost"], "category": ["revenue"], "component": [component]})
    return float(stream_factors(probe, study.config.adjustments)[0])


def build_problem(study: Study, option_id: str) -> tuple[PlacementProblem, float]:
    """The option's placement problem and the PV of its plan-independent streams."""
    services = study.tables["services"]
    vehicles = study.tables["vehicles"]
    sites = study.tables["sites"]
    site_factor, curve_factor = cost_factor(study, "sites"), cost_factor(study, "running cost curve")
    curves = study.tables["cost_curves"]
    v_streams, constant = vehicle_streams(study, option_id)
    rules = option_rules(study, option_id)
    kinds = vehicles.set_index("vehicle_id")["kind"].to_dict()
    # a site must open only where its vehicle is allowed under the option
    must_open = [bool(m) and (v is None or rules.vehicle_allowed(v, kinds.get(v, "other")))
                 for m, v in zip(sites["must_open"], sites["vehicle_id"])]
    transfers, funding_yearly, funding_cumulative = _limits(study)
    problem = PlacementProblem(
        name=f"{study.name} / {option_id}",
        years=study.years,
        discount_factor=study_discount_factors(study),
        services=pd.DataFrame({
            "service_id": services["service_id"], "fte": services["fte"], "volume": services["volume"],
            "current_vehicle_id": services["current_vehicle_id"], "current_site_id": services["current_site_id"]}),
        vehicles=pd.DataFrame({
            "vehicle_id": vehicles["vehicle_id"], "kind": vehicles["kind"],
            "earliest_year": [study.year_index(y) for y in vehicles["earliest_year"]],
            "latest_year": np.nan, "max_sites": vehicles["max_sites"].astype(float),
            "is_status_quo": vehicles["kind"] == "status_quo"}),
        placements=study.tables["placements"][["service_id", "vehicle_id", "site_id", "score"]].assign(
            score=lambda f: pd.to_numeric(f["score"], errors="coerce").fillna(0.0)),
        vehicle_streams=v_streams,
        placement_streams=placement_streams(study),
        sites=pd.DataFrame({
            "site_id": sites["site_id"], "vehicle_id": sites["vehicle_id"], "capacity_fte": sites["capacity_fte"],
            "fixed_cost_gbp_per_year": sites["running_cost_gbp_per_year"].astype(float) * site_factor,
            "open_cost_gbp": sites["open_cost_gbp"].astype(float) * site_factor, "must_open": must_open}),
        cost_curves=pd.DataFrame({
            "vehicle_id": curves["vehicle_id"], "volume": curves["volume"],
            "running_cost_gbp_per_year": curves["running_cost_gbp_per_year"].astype(float) * curve_factor}),
        precedence=study.tables["precedence"][["before_service_id", "after_service_id", "min_lag_years"]].copy(),
        vehicle_dependencies=study.tables["vehicle_dependencies"][["vehicle_id", "requires_vehicle_id", "min_lag_years"]].copy(),
        max_transfers_per_year=transfers,
        funding_cap_yearly_gbp=funding_yearly,
        funding_cap_cumulative_gbp=funding_cumulative,
        rules=rules,
    )
    return problem, constant
