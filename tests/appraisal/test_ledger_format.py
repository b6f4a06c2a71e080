"""Format 2 of the money model: triggers, apportionment, plan tables, warnings for money that would vanish,
the format-1 upgrade and the preferred-option rule."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from appraisal.cli import app
from appraisal.money.checks import study_warnings
from appraisal.money.document import document_plan
from appraisal.money.ledger import apportion_weights, plan_money
from appraisal.money.metrics import appraise_plan, preferred_option
from appraisal.money.plans import Plan, read_plans
from appraisal.study import StudyError, load_study
from appraisal.workflows.appraise import financial_case
from appraisal.workflows.optimise import optimise_option

ROOT = Path(__file__).resolve().parents[2]
HUBS = ROOT / "tests" / "fixtures" / "hubs"
LEGACY = ROOT / "tests" / "fixtures" / "legacy_hubs"
LLR = ROOT / "studies" / "llr"


def copy(src: Path, tmp_path: Path) -> Path:
    folder = tmp_path / src.name
    shutil.copytree(src, folder)
    return folder


def edit(path: Path, fn) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    fn(frame).to_csv(path, index=False)


# ------------------------------------------------------------------------ per-service money reaches appraise


def test_per_service_money_counts_in_the_financial_case():
    """hubs' savings sit only in service lines: the financial case (the document's plan) counts them, and it
    is the same figure the optimiser reports for the document's plan."""
    study = load_study(HUBS)
    case = financial_case(study)
    m = case.options["hub"].metrics
    assert m["benefits_total_gbp"] > 1e6  # the transfers' savings (format 1 showed only the £200k set-up cost)
    assert optimise_option(study, "hub").summary()["document_plan_npsv_gbp"] == pytest.approx(m["npsv_gbp"], abs=0.005)
    # the sensitivity model's base case (central values: multipliers 1, no delay) is the same figure
    from appraisal.uncertainty.scenario import scenario_model

    assert scenario_model(study).outcomes()["hub"]["npsv_gbp"] == pytest.approx(m["npsv_gbp"], abs=0.005)
    assert preferred_option(study) == "hub"  # no declared preference: the highest NPSV among the choices


def test_apportioned_line_shifts_share_by_share_and_adjustments_follow(tmp_path):
    folder = copy(LLR, tmp_path)
    study = load_study(folder)
    doc = document_plan(study, "phased")
    base = appraise_plan(study, doc)
    # move one phase-2 service a year later: only its share of sav_p2 and p2_* moves
    moves = doc.moves.copy()
    moves.loc[moves["service_id"] == "CSC", "t"] += 1
    later = appraise_plan(study, Plan("phased", "file", moves, dict(doc.vehicles), dict(doc.sites)))
    share = apportion_weights(study, "sav_p2", "hub", "shares")["CSC"]
    p2 = lambda r: r.by_component.set_index(["kind", "component"]).loc[("benefit", "phase2_integration")]  # noqa: E731
    assert p2(later)["2017/18"] == pytest.approx(p2(base)["2017/18"] * (1 - share), abs=1e-6)
    # an adjustment selecting the component acts on every share exactly as on the line
    (folder / "study.yaml").write_text((folder / "study.yaml").read_text().replace(
        "adjustments: []", "adjustments:\n  - {name: test, applies_to: benefits, pct: 10, components: [phase2_integration]}"))
    adjusted = appraise_plan(load_study(folder), doc)
    assert adjusted.metrics["benefits_adjusted_total_gbp"] == pytest.approx(
        base.metrics["benefits_adjusted_total_gbp"] - 0.1 * 913530, abs=1e-3)  # Table 4 phase-2 cells: 913,530
    assert optimise_option(load_study(folder), "phased").summary()["document_plan_npsv_gbp"] == pytest.approx(
        adjusted.metrics["npsv_gbp"], abs=0.005)


def test_apportion_by_baseline_cost(tmp_path):
    folder = copy(HUBS, tmp_path)
    edit(folder / "services.csv", lambda f: f.assign(baseline_cost_gbp=["100", "300", "0", "600"]))
    edit(folder / "benefits.csv", lambda f: pd.concat([f, pd.DataFrame([{
        "benefit_id": "hub_saving", "component": "Hub", "vehicle_id": "hub", "run_rate_gbp": "1000",
        "recipient": "city", "trigger": "vehicle", "apportion": "baseline_cost", "source": "test"}])]).fillna(""))
    study = load_study(folder)
    assert apportion_weights(study, "hub_saving", "hub", "baseline_cost") == {"a": 0.1, "b": 0.3, "d": 0.6}
    s = plan_money(study, "hub", document_plan(study, "hub")).streams
    mine = s[s["stream_id"] == "hub_saving"]
    assert set(mine["service_id"]) == {"a", "b", "d"}
    # the document's plan moves a, b in 2022/23 and d in 2023/24: each share starts with its service's move
    assert mine.groupby("service_id")["t"].min().to_dict() == {"a": 2, "b": 2, "d": 3}


# ------------------------------------------------------------------------ plan tables


def test_plan_table_round_trip_and_appraise_plan_file(tmp_path):
    study = load_study(HUBS)
    plan = optimise_option(study, "hub", reproduce=False).optimised
    path = plan.write(study, tmp_path / "plan.csv")
    again = read_plans(study, path)["hub"]
    assert again.table(study).equals(plan.table(study))
    out = tmp_path / "appraised"
    result = CliRunner().invoke(app, ["appraise", str(HUBS), "--plan", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "results.json").read_text())
    assert data["plans"] == {"stay": "document", "hub": "file"}
    assert data["options"]["hub"]["metrics"]["npsv_gbp"] == pytest.approx(
        optimise_option(study, "hub", reproduce=False).npsv_gbp, abs=0.005)


def test_a_bad_plan_table_names_file_row_and_column(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("option_id,item,service_id,vehicle_id,site_id,year\n"
                    "hub,service,a,hub,,2021/22\nhub,service,zz,hub,,2021/22\nhub,service,b,hub,,2031/32\n")
    result = CliRunner().invoke(app, ["appraise", str(HUBS), "--plan", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "plan.csv, row 3, column 'service_id': 'zz' is not a service_id of the study" in result.output
    assert "plan.csv, row 4, column 'year'" in result.output
    bad = CliRunner().invoke(app, ["appraise", str(HUBS), "--plan", "bestest", "--out", str(tmp_path / "o")])
    assert bad.exit_code == 2 and "--plan takes 'document', 'optimised' or a plan table file" in bad.output


# ------------------------------------------------------------------------ nothing silently vanishes


def test_money_a_plan_moves_before_the_horizon_is_a_warning(tmp_path):
    """Lancashire's WBC implementation cost falls two years before the WBCs' planned year: a plan that
    establishes them a year early pushes £2m of it before 2017/18. The ledger says so (results.json and the
    terminal), and the optimiser may not do it (the vehicle's earliest year is raised to keep it in)."""
    lanc = ROOT / "studies" / "lancashire"
    study = load_study(lanc)
    doc = document_plan(study, "opt3")
    early = Plan("opt3", "file", doc.moves, {**doc.vehicles, "wbc": 1}, dict(doc.sites))
    money = plan_money(study, "opt3", early)
    assert any("£2,000,000 of cost line 'wbc_implementation' falls before 2017/18" in w for w in money.warnings)
    path = early.write(study, tmp_path / "early.csv")
    out = tmp_path / "o"
    result = CliRunner().invoke(app, ["appraise", str(lanc), "--plan", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "wbc_implementation" in result.output and "falls before 2017/18" in result.output  # the terminal
    assert any("wbc_implementation" in w for w in json.loads((out / "results.json").read_text())["warnings"])
    optimised = optimise_option(study, "opt3", reproduce=False)
    assert optimised.optimised.vehicles["wbc"] >= 2 and optimised.warnings == []


def test_a_one_off_pushed_past_the_horizon_is_a_warning():
    study = load_study(HUBS)
    doc = document_plan(study, "hub")
    late = doc.delayed(3)
    warnings = plan_money(study, "hub", late).warnings
    assert any("hub_setup" in w and "falls after 2023/24" in w for w in warnings)
    assert any("a-hub-transition" in w for w in warnings)


def test_a_line_no_option_can_trigger_is_a_validate_warning(tmp_path):
    folder = copy(HUBS, tmp_path)
    edit(folder / "costs.csv", lambda f: pd.concat([f, pd.DataFrame([{
        "cost_id": "orphan", "component": "Hub", "kind": "one_off", "vehicle_id": "hub", "amount_gbp": "5",
        "payer": "city", "trigger": "vehicle", "options": "stay", "source": "test"}])]).fillna(""))
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 0
    assert "cost line 'orphan' can never be triggered" in result.output


def test_an_apportionment_with_nothing_to_apportion_to_is_reported(tmp_path):
    folder = copy(HUBS, tmp_path)
    edit(folder / "benefits.csv", lambda f: pd.concat([f, pd.DataFrame([{
        "benefit_id": "by_volume", "component": "Hub", "vehicle_id": "hub", "run_rate_gbp": "10", "recipient": "city",
        "trigger": "vehicle", "apportion": "baseline_cost", "source": "test"}])]).fillna(""))
    study = load_study(folder)  # no service has a baseline cost
    assert any("'by_volume' is apportioned by baseline_cost" in w for w in study_warnings(study))
    # and a vehicle no service can move into is a validate error
    edit(folder / "benefits.csv", lambda f: f.assign(vehicle_id=["hub"] * (len(f) - 1) + ["own"],
                                                     trigger=["service"] * (len(f) - 1) + ["vehicle"]))
    with pytest.raises(StudyError, match="no service can move into own"):
        load_study(folder)


def test_conflicting_site_rows_are_a_validate_error(tmp_path):
    folder = copy(LEGACY, tmp_path)
    edit(folder / "placements.csv", lambda f: pd.concat([f.assign(site_id="north"), f.iloc[[0]].assign(
        site_id="south", benefit_run_rate_gbp="700000")]))
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2
    assert "conflicting site rows: a into hub carries different money at site 'south' than at 'north'" in result.output


# ------------------------------------------------------------------------ format 1


def test_format1_loads_with_a_note_and_upgrade_gives_identical_results(tmp_path):
    legacy = load_study(LEGACY)
    assert legacy.config.format == 2 and len(legacy.notes) >= 1 and "deprecated" in legacy.notes[0]
    out = tmp_path / "upgraded"
    result = CliRunner().invoke(app, ["upgrade", str(LEGACY), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "format: 2" in (out / "study.yaml").read_text()
    upgraded = load_study(out)
    assert upgraded.notes == []
    a, b = financial_case(legacy).results(), financial_case(upgraded).results()
    for key in ("options", "positions"):
        assert a[key] == b[key]
    for oid in legacy.option_ids:
        ra, rb = optimise_option(legacy, oid), optimise_option(upgraded, oid)
        assert ra.npsv_gbp == rb.npsv_gbp and ra.summary()["document_plan_npsv_gbp"] == rb.summary()["document_plan_npsv_gbp"]
    # the committed fixture is that upgrade (with its own name)
    assert financial_case(load_study(HUBS)).results()["options"] == a["options"]


def test_format1_money_in_a_format2_study_is_an_error(tmp_path):
    folder = copy(HUBS, tmp_path)
    edit(folder / "sites.csv", lambda f: f.assign(open_cost_gbp="5"))
    with pytest.raises(StudyError, match="money in this table is format 1"):
        load_study(folder)


# ------------------------------------------------------------------------ the preferred option


def test_preferred_option_is_declared_else_the_best_choice(tmp_path):
    lanc = load_study(ROOT / "studies" / "lancashire")
    assert preferred_option(lanc) == "opt3"
    folder = copy(ROOT / "studies" / "lancashire", tmp_path)
    (folder / "study.yaml").write_text((folder / "study.yaml").read_text().replace("preferred_option: opt3\n", ""))
    study = load_study(folder)
    # opt3 and opt4 tie at £135m; opt3_enabled (£610m) is a view, never the preferred option
    assert preferred_option(study) == "opt3"
    npsv = {"opt1": 0.0, "opt2": 5.0, "opt3": 1.0, "opt4": 5.0, "opt3_enabled": 99.0}
    assert preferred_option(study, npsv) == "opt2"


# ------------------------------------------------------------------------ a building released


def test_a_property_saving_is_earned_as_the_building_empties(tmp_path):
    """A programme whose only money is a property saving: £100k a year when the old HQ is released, each of its
    two services earning its FTE share when it moves out (to any vehicle)."""
    from appraisal.adapters.optimiser import evaluate_plan
    from appraisal.adapters.to_optimise import build_problem, engine_tables

    folder = copy(HUBS, tmp_path)
    edit(folder / "sites.csv", lambda f: pd.concat([f, pd.DataFrame([{
        "site_id": "old_hq", "name": "Old HQ", "existing": "yes", "source": "test"}])]).fillna(""))
    edit(folder / "services.csv", lambda f: f.assign(current_site_id=["old_hq", "old_hq", "", ""]))
    edit(folder / "benefits.csv", lambda f: pd.DataFrame([{
        "benefit_id": "hq_release", "component": "property", "category": "cashable", "trigger": "release",
        "site_id": "old_hq", "apportion": "fte", "run_rate_gbp": "100000", "recipient": "city", "source": "test"}]))
    study = load_study(folder)
    doc = document_plan(study, "hub")
    s = plan_money(study, "hub", doc).streams
    mine = s[s["stream_id"] == "hq_release"].groupby(["service_id", "year"])["amount_gbp"].sum()
    assert mine[("a", "2022/23")] == pytest.approx(75_000) and mine[("b", "2022/23")] == pytest.approx(25_000)
    assert "2021/22" not in set(s.loc[s["stream_id"] == "hq_release", "year"])  # nothing before they leave
    # the optimiser sees the same money: its valuation of the document plan is the ledger's
    problem, constant = build_problem(study, "hub")
    milp = evaluate_plan(problem, **engine_tables(doc, len(study.years))).npv_gbp + constant
    assert milp == pytest.approx(appraise_plan(study, doc).metrics["npsv_gbp"], abs=0.005)
    r = optimise_option(study, "hub")
    assert r.plan.objective_gbp + r.constant_gbp == pytest.approx(r.npsv_gbp, abs=0.005)
    # and a service that stays releases nothing
    stays = Plan("hub", "file", doc.moves[doc.moves["service_id"] != "b"], dict(doc.vehicles), dict(doc.sites))
    s = plan_money(study, "hub", stays).streams
    assert set(s.loc[s["stream_id"] == "hq_release", "service_id"]) == {"a"}


def test_a_hand_edited_plan_that_breaks_the_rules_is_appraised_with_a_warning(tmp_path):
    study = load_study(HUBS)
    doc = document_plan(study, "hub")
    both = doc.table(study)
    both.loc[both["service_id"] == "a", "year"] = "2023/24"  # the option forces a to move in 2021/22
    path = tmp_path / "edited.csv"
    both.to_csv(path, index=False)
    case = financial_case(study, read_plans(study, path))
    assert any("option hub: the plan breaks the option's rules" in w for w in case.warnings)
