"""check_plan catches broken plans; safety nets around the solver verdict."""

import pandas as pd
import pytest

import optimise.engine as engine
from optimise import check_plan, solve
from optimise.solver import SolveOutcome
from test_llr import document_assignment, llr_problem


@pytest.fixture(scope="module")
def llr():
    problem = llr_problem()
    return problem, solve(problem, mode="reproduce", assignment=document_assignment())


def test_check_plan_accepts_the_document_plan(llr):
    problem, plan = llr
    assert check_plan(problem, plan) == []


def test_check_plan_names_each_broken_rule(llr):
    problem, plan = llr
    a = plan.assignment.copy()
    a.loc[a["service_id"] == "S1", "site_id"] = "H3"  # a third hub
    a.loc[a["service_id"] == "S4", "transfer_year"] = 0  # phase 1 now costs £1.2m > £0.8m budget
    v = plan.vehicles.assign(established_year=pd.array([1], dtype="Int64"))  # vehicle after its first transfers
    out = check_plan(problem, a, vehicles=v, sites=plan.sites.assign(
        opened_year=pd.array([0, 0, 0, pd.NA], dtype="Int64")))
    text = "\n".join(out)
    assert "LLR-hubs opens 3 sites, more than its limit of 2" in text
    assert "funding need in 2019/20 is £1,203,600, over the yearly cap of £800,000" in text
    assert "S1 moves into LLR-hubs in 2019/20 before LLR-hubs is established (2020/21)" in text
    assert "site H1 opens in 2019/20 before its vehicle LLR-hubs is established" in text
    stay = a.copy()
    stay.loc[stay["service_id"] == "S8", "transfer_year"] = pd.NA
    assert "S8 must move under option 'hubs' but stays" in check_plan(problem, stay, plan.vehicles, plan.sites)


def test_infeasible_verdict_is_rechecked_with_presolve_off(monkeypatch):
    calls = []
    real_run = engine.run_bounded

    def flaky_run(model, **kw):  # first answer: a (wrong) "infeasible" from presolve
        calls.append(kw.get("presolve"))
        if len(calls) == 1:
            return SolveOutcome("infeasible", "provenInfeasible", False, None, None, None, 0.0, 0.0, 0.0)
        return real_run(model, **kw)

    monkeypatch.setattr(engine, "run_bounded", flaky_run)
    problem = llr_problem()
    plan = solve(problem)
    assert calls == [None, "off"]
    assert plan.status == "optimal" and plan.violations == []
    assert any("presolve off" in n for n in plan.provenance["notes"])


def test_malformed_input_is_a_clear_error():
    problem = llr_problem()
    problem.placements = pd.concat([problem.placements, pd.DataFrame(
        {"service_id": ["S1"], "vehicle_id": ["LLR-hubs"], "site_id": ["Nowhere"]})], ignore_index=True)
    with pytest.raises(ValueError, match="placements row 8: site Nowhere is not a site of LLR-hubs"):
        solve(problem)
