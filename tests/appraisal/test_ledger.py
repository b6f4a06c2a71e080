"""The one ledger: one money function for every plan, the MILP's money equal to it, one number per meaning.

* random feasible plans of every study and option give the same NPSV through the MILP's problem
  (optimise.evaluate_plan + constant) and through the ledger (`plan_money`);
* the optimised objective, `appraise --plan optimised`, the financial case of that plan and the sensitivity
  model's value of it are one number, to the penny;
* a fixed plan, the optimised-plan model and the re-optimising model's problem give the same value for the
  same scenario.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from appraisal.adapters.optimiser import check_plan, evaluate_plan, solve
from appraisal.adapters.to_optimise import build_problem, engine_tables, from_engine
from appraisal.money.document import document_plan
from appraisal.money.metrics import appraise_plan
from appraisal.study import load_study
from appraisal.uncertainty.reoptimise import reoptimise_model
from appraisal.uncertainty.scenario import scenario_model
from appraisal.workflows.appraise import financial_case
from appraisal.workflows.optimise import optimise_option

ROOT = Path(__file__).resolve().parents[2]
STUDIES = {"plymouth": ROOT / "studies" / "plymouth", "llr": ROOT / "studies" / "llr",
           "lancashire": ROOT / "studies" / "lancashire", "hubs": ROOT / "tests" / "fixtures" / "hubs",
           "mini": ROOT / "tests" / "fixtures" / "mini", "national_small": ROOT / "studies" / "national" / "small",
           "ownership": ROOT / "tests" / "fixtures" / "ownership",
           "hubs_quarterly": ROOT / "tests" / "fixtures" / "hubs_quarterly",  # a study planned by quarters
           "estates": ROOT / "tests" / "fixtures" / "estates"}
PENNY = 0.005
# the studies that declare uncertainties (a sensitivity path needs some to vary)
UNCERTAIN = sorted(n for n, p in STUDIES.items()
                   if (p / "uncertainties.csv").exists() and len((p / "uncertainties.csv").read_text().splitlines()) > 1)


@pytest.fixture(scope="module", params=sorted(STUDIES))
def study(request):
    return load_study(STUDIES[request.param])


def random_plans(problem, n: int, seed: int):
    """Feasible plans that are not the optimum: the option's rules with random money (so the solver picks an
    arbitrary feasible plan), checked against the real problem's constraints."""
    rng = np.random.default_rng(seed)
    P = problem.normalised()
    out = []
    for _ in range(n):
        noisy = dataclasses.replace(
            P, placement_streams=P.placement_streams.assign(benefit_gbp=rng.normal(0, 1e5, len(P.placement_streams)),
                                                            cost_gbp=0.0),
            vehicle_streams=P.vehicle_streams.assign(benefit_gbp=rng.normal(0, 1e5, len(P.vehicle_streams)), cost_gbp=0.0),
            release_streams=P.release_streams.assign(benefit_gbp=rng.normal(0, 1e5, len(P.release_streams)), cost_gbp=0.0),
            funding_cap_yearly_gbp=None, funding_cap_cumulative_gbp=None)
        plan = solve(noisy, time_limit=30, seed=int(rng.integers(1000)))
        if plan.has_solution and not check_plan(dataclasses.replace(P, funding_cap_yearly_gbp=None,
                                                                    funding_cap_cumulative_gbp=None), plan):
            out.append(plan)
    return out


def test_random_feasible_plans_give_the_same_money_both_ways(study):
    checked = 0
    for k, oid in enumerate(study.option_ids):
        problem, constant = build_problem(study, oid)
        plans = random_plans(problem, 2, seed=k)
        for engine_plan in plans:
            plan = from_engine(oid, engine_plan, "file")
            milp = evaluate_plan(problem, **engine_tables(plan, len(study.periods))).npv_gbp + constant
            ledger = appraise_plan(study, plan).metrics["npsv_gbp"]
            assert milp == pytest.approx(ledger, abs=PENNY), (oid, plan.table(study).to_string())
            checked += 1
        # and the document plan, which reproduce mode completes
        doc = document_plan(study, oid)
        milp = evaluate_plan(problem, **engine_tables(doc, len(study.periods))).npv_gbp + constant
        assert milp == pytest.approx(appraise_plan(study, doc).metrics["npsv_gbp"], abs=PENNY)
    assert checked >= len(study.option_ids)  # at least one random plan per option on average


def test_optimised_objective_appraise_and_sensitivity_are_one_number(study):
    results = {oid: optimise_option(study, oid, reproduce=False) for oid in study.option_ids}
    plans = {oid: r.optimised for oid, r in results.items() if r.optimised is not None}
    case = financial_case(study, plans)  # what `reformkit appraise --plan optimised` reports
    neutral = {row.parameter: (0.0 if row.target in ("delay_years",) else 1.0)
               for row in study.tables["uncertainties"].itertuples(index=False)
               if row.target != "discount_rate_pct"}
    model = scenario_model(study, plans) if not study.tables["uncertainties"].empty else None
    for oid, r in results.items():
        assert r.plan.status == "optimal", (oid, r.plan.diagnosis)
        objective = r.plan.objective_gbp + r.constant_gbp
        assert objective == pytest.approx(r.npsv_gbp, abs=PENNY), oid
        assert case.options[oid].metrics["npsv_gbp"] == pytest.approx(objective, abs=PENNY), oid
        assert case.options[oid].plan.kind == "optimised"
        if model is not None:
            assert model.outcomes(neutral)[oid]["npsv_gbp"] == pytest.approx(objective, abs=PENNY), oid


def test_document_plan_npsv_is_the_financial_case(study):
    case = financial_case(study)
    for oid in study.option_ids:
        r = optimise_option(study, oid)
        assert r.summary()["document_plan_npsv_gbp"] == pytest.approx(case.options[oid].metrics["npsv_gbp"], abs=PENNY)
        assert case.options[oid].plan.kind == "document"


@pytest.mark.parametrize("name", UNCERTAIN)
def test_fixed_optimised_and_reoptimised_paths_vary_the_same_money(name):
    """Same scenario, same plan: the fixed-plan model (document plans), the optimised-plan model (here fed
    the same plans) and the re-optimising model's problem give the same value."""
    study = load_study(STUDIES[name])
    u = study.tables["uncertainties"]
    assert not u.empty
    plans = {oid: document_plan(study, oid) for oid in study.option_ids}
    fixed, same, reopt = scenario_model(study), scenario_model(study, plans), reoptimise_model(study)
    rng = np.random.default_rng(5)
    for _ in range(3):
        scenario = {}
        for row in u.itertuples(index=False):
            lo = row.low if row.low is not None and row.low == row.low else 0.5
            hi = row.high if row.high is not None and row.high == row.high else 1.5
            scenario[row.parameter] = float(rng.uniform(lo, hi))
        a, b = fixed.outcomes(scenario), same.outcomes(scenario)
        for oid, plan in plans.items():
            assert a[oid]["npsv_gbp"] == pytest.approx(b[oid]["npsv_gbp"], abs=PENNY)
            assert reopt.value_of(plan, scenario) == pytest.approx(a[oid]["npsv_gbp"], abs=PENNY), (oid, scenario)


def test_frozen_model_is_plan_money_under_the_scenario():
    from appraisal.money.ledger import plan_money

    study = load_study(STUDIES["lancashire"])
    model = scenario_model(study)
    scenario = {"wbc_benchmark_upside": 1.7, "fo_benefit": 0.8, "implementation_delay": 1, "stp_delivery_risk": 0.6}
    df = model.discount_factor
    for oid in ("opt3", "opt3_enabled"):
        s = plan_money(study, oid, document_plan(study, oid), scenario).streams
        sign = np.where(s["kind"] == "benefit", 1.0, -1.0)
        direct = float(np.sum(sign * s["adj_amount_gbp"].to_numpy() * df[s["t"].to_numpy(int)]))
        assert model.outcomes(scenario)[oid]["npsv_gbp"] == pytest.approx(direct, abs=PENNY)
