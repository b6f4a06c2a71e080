"""Optimise each option of a study and appraise the plans with the money engine.

For every option: the optimised plan; in reproduce mode, the source document's own plan (its `reference`
rules and the vehicles' planned years, `appraisal.money.document`); and the difference. Every figure is
the ledger's NPSV of a plan; the MILP objective plus the constant equals it (checked on every solve).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from appraisal.money.document import document_plan
from appraisal.money.metrics import OptionAppraisal, appraise_plan
from appraisal.money.plans import Plan
from appraisal.adapters.to_optimise import build_problem, from_engine
from appraisal.study import Study
from appraisal.adapters.optimiser import Plan as EnginePlan
from appraisal.adapters.optimiser import (PlacementProblem, alternatives, distance_table, evaluate_plan, floor_values,
                                         pareto, price_floors, solve, solve_decomposed)

AGREE_GBP = 0.005  # the MILP objective + constant and the ledger's NPSV must agree to half a penny


@dataclass
class OptionPlan:
    option_id: str
    problem: PlacementProblem
    plan: EnginePlan  # the engine's result (status, gap, tables)
    constant_gbp: float  # PV of the option's money that no plan decision changes
    appraisal: OptionAppraisal | None  # the ledger's appraisal of the optimised plan
    document: OptionAppraisal | None = None  # the ledger's appraisal of the document's plan (reproduce mode)
    comparison: dict | None = None
    warnings: list[str] = field(default_factory=list)
    floors: pd.DataFrame | None = None  # each floor row: the plan's figure, slack, binding, shadow price (£)

    @property
    def optimised(self) -> Plan | None:
        return None if self.appraisal is None else self.appraisal.plan

    @property
    def npsv_gbp(self) -> float | None:
        """The optimised plan's NPSV: the ledger's, which equals the MILP objective + constant (checked)."""
        return None if self.appraisal is None else self.appraisal.metrics["npsv_gbp"]

    def summary(self) -> dict:
        doc = self.document
        return {
            "status": self.plan.status, "npsv_gbp": self.npsv_gbp,
            "npsv_bound_gbp": None if self.plan.bound_gbp is None else self.plan.bound_gbp + self.constant_gbp,
            "gap": self.plan.gap, "solve_seconds": self.plan.solve_seconds,
            "milp_objective_gbp": self.plan.objective_gbp, "constant_gbp": self.constant_gbp,
            "peak_funding_gbp": None if self.appraisal is None else self.appraisal.metrics["funding_requirement_gbp"],
            "diagnosis": self.plan.diagnosis,
            "document_plan_npsv_gbp": None if doc is None else doc.metrics["npsv_gbp"],
            "npsv_gain_over_document_gbp": None if doc is None or self.npsv_gbp is None
            else self.npsv_gbp - doc.metrics["npsv_gbp"],
            "comparison": self.comparison, "warnings": self.warnings,
            "floors": None if self.floors is None else self.floors.to_dict(orient="records"),
            "provenance": self.plan.provenance,
        }


def compare(study: Study, a: OptionAppraisal, b: OptionAppraisal) -> dict:
    """What changes from plan a (the document's) to plan b (the optimised): moves, NPSV, funding need."""
    ma, mb = (x.plan.moves.set_index("service_id") for x in (a, b))
    rows, lines = [], []
    periods = study.periods
    label = lambda t: periods[int(t)] if 0 <= int(t) < len(periods) else str(t)  # noqa: E731
    for s in sorted(set(ma.index) | set(mb.index)):
        site = lambda m: m.at[s, "site_id"] if isinstance(m.at[s, "site_id"], str) else None  # noqa: E731
        fa = (ma.at[s, "vehicle_id"], site(ma), int(ma.at[s, "t"])) if s in ma.index else None
        fb = (mb.at[s, "vehicle_id"], site(mb), int(mb.at[s, "t"])) if s in mb.index else None
        if fa != fb:
            rows.append({"service_id": s, "from": fa, "to": fb})
            say = lambda f: "stays" if f is None else f"{f[0]}{' at ' + f[1] if f[1] else ''} in {label(f[2])}"  # noqa: E731
            lines.append(f"{s}: {say(fa)} -> {say(fb)}")
    gain = b.metrics["npsv_gbp"] - a.metrics["npsv_gbp"]
    fund = b.metrics["funding_requirement_gbp"] - a.metrics["funding_requirement_gbp"]
    lines.append(f"NPSV {'gained' if gain >= 0 else 'lost'}: £{abs(gain) / 1e6:,.3f}m; "
                 f"peak funding need {'up' if fund > 0 else 'down'} £{abs(fund) / 1e6:,.3f}m")
    return {"changes": len(rows), "npsv_gain_gbp": gain, "funding_change_gbp": fund, "summary": "\n".join(lines)}


def appraise_engine_plan(study: Study, option_id: str, plan: EnginePlan, kind: str) -> OptionAppraisal | None:
    if not plan.has_solution:
        return None
    return appraise_plan(study, from_engine(option_id, plan, kind))


def agreement_warning(option_id: str, objective: float | None, constant: float, appraisal: OptionAppraisal | None,
                      what: str = "optimised plan") -> list[str]:
    """A warning if the MILP and the ledger disagree on a plan (they are built to agree to the penny)."""
    if objective is None or appraisal is None:
        return []
    diff = objective + constant - appraisal.metrics["npsv_gbp"]
    if abs(diff) <= AGREE_GBP * max(1.0, abs(objective) / 1e9):
        return []
    return [f"option {option_id}: the MILP values the {what} at £{objective + constant:,.2f} but the ledger at "
            f"£{appraisal.metrics['npsv_gbp']:,.2f} (difference £{diff:,.2f}); the ledger's figure is reported"]


def optimise_option(study: Study, option_id: str, *, time_limit: float | None = None, rel_gap: float = 1e-6,
                    seed: int = 0, reproduce: bool = True, decompose: bool = False, client=None) -> OptionPlan:
    """The option's optimised plan (and, in reproduce mode, the document's plan beside it). `decompose` solves
    independent blocks of services (e.g. authorities that share no vehicle) apart, on dask when `client`."""
    problem, constant = build_problem(study, option_id)
    if decompose:
        plan = solve_decomposed(problem, client=client, time_limit=time_limit, rel_gap=rel_gap, seed=seed)
    else:
        plan = solve(problem, time_limit=time_limit, rel_gap=rel_gap, seed=seed)
    appraisal = appraise_engine_plan(study, option_id, plan, "optimised")
    result = OptionPlan(option_id, problem, plan, constant, appraisal)
    result.warnings = agreement_warning(option_id, plan.objective_gbp, constant, appraisal) + \
        (appraisal.warnings if appraisal else [])
    how = plan.provenance.get("decomposition", {})
    if decompose and how.get("method") == "whole model":  # asked to decompose, but it could not or need not
        result.warnings.insert(0, f"option {option_id}: {how['reason']}")
    if plan.has_solution and len(problem.normalised().floors):
        result.floors = floor_report(problem, plan, time_limit=time_limit, seed=seed)
    if reproduce:
        result.document = appraise_plan(study, document_plan(study, option_id))
        if appraisal is not None:
            result.comparison = compare(study, result.document, appraisal)
    return result


def floor_report(problem: PlacementProblem, plan: EnginePlan, time_limit: float | None = None, seed: int = 0) -> pd.DataFrame:
    """Each floor row with the plan's figure in the ledger's terms (engine aggregate + the option money moved to
    the bound), its slack, and the floor's price by perturbation (optimise.price_floors: two re-solves a floor)."""
    P = problem.normalised()
    values = floor_values(P, evaluate_plan(P, plan))
    constant = P.floors.set_index("floor_id")["constant_gbp"] if "constant_gbp" in P.floors else pd.Series(dtype=float)
    prices = price_floors(problem, plan, time_limit=time_limit, seed=seed).set_index("floor_id")
    out = values.copy()
    offset = out["floor_id"].map(constant).fillna(0.0).astype(float)
    out["bound"] = out["bound"] + offset
    out["value"] = out["value"] + offset
    for col in ("binding", "shadow_price_gbp", "cost_of_floor_gbp", "step"):
        out[col] = out["floor_id"].map(prices[col])
    return out


def near_optimal(study: Study, result: OptionPlan, n: int, slack_pct: float,
                 time_limit: float | None = None) -> tuple[pd.DataFrame, list[Plan]]:
    """N plans within `slack_pct` of the optimum that differ most from it and from each other (MGA), each
    valued by the ledger: the summary table and the plans themselves."""
    plans = alternatives(result.problem, result.plan, n=n, slack_pct=slack_pct, time_limit=time_limit)
    distances = distance_table(result.problem, [result.plan, *plans])
    rows, found = [], []
    for k, plan in enumerate(plans, start=1):
        valued = appraise_engine_plan(study, result.option_id, plan, "alternative")
        if valued is not None:
            found.append(valued.plan)
        npsv = None if valued is None else valued.metrics["npsv_gbp"]
        moved = plan.assignment[plan.assignment["moves"]]
        rows.append({"alternative": k, "status": plan.status, "npsv_gbp": npsv,
                     "npsv_below_optimum_gbp": None if npsv is None else result.npsv_gbp - npsv,
                     "changes_from_optimum": int(distances.iat[0, k]),
                     "min_changes_from_others": int(min(distances.iat[k, j] for j in range(len(plans) + 1) if j != k)),
                     "moves": "; ".join(f"{r.service_id}>{r.vehicle_id}{'/' + r.site_id if r.site_id else ''}@{r.year}"
                                       for r in moved.itertuples(index=False))})
    return pd.DataFrame(rows), found


def tradeoff(result: OptionPlan, second: str, points: int, time_limit: float | None = None) -> pd.DataFrame:
    """The Pareto front of NPSV against peak funding need (`funding`) or the placements' score (`score`)."""
    front = pareto(result.problem, second=second, points=points, time_limit=time_limit)
    table = front.table.copy()
    table["npsv_gbp"] = table["npv_gbp"] + result.constant_gbp
    return table.drop(columns=["npv_gbp"])
