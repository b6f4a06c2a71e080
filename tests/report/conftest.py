"""Report inputs: the real money engine on tests/fixtures/mini plus small optional sections built here."""
from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest

from appraisal.workflows.appraise import financial_case
from appraisal.study import load_study

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
EVIL = "<script>alert(1)</script>"


@pytest.fixture(scope="session")
def mini_case():
    case = financial_case(load_study(MINI))
    return case.results(), case.tables()


def add_sections(results: dict, tables: dict) -> tuple[dict, dict]:
    """Every optional section of the results contract, small and consistent with the mini study."""
    r, t = copy.deepcopy(results), dict(tables)
    years = r["years"]
    r["display_unit"] = "gbp"
    r["positions"] = {
        pid: {"do_nothing": {y: {"in_year_gbp": -100.0 * k, "cumulative_gbp": -100.0 * k * (i + 1),
                                 "reserves_closing_gbp": 5000.0 - 100.0 * k * (i + 1)} for i, y in enumerate(years)},
              "plan": {y: {"in_year_gbp": -50.0 * k, "cumulative_gbp": -50.0 * k * (i + 1),
                           "reserves_closing_gbp": 5000.0 - 50.0 * k * (i + 1)} for i, y in enumerate(years)}}
        for k, pid in ((1, "north"), (2, "south"))}
    r["targets"] = [
        {"target_id": "npsv", "description": "NPSV of the shared service", "document": -45.5, "ours": -45.529677,
         "difference": -0.029677, "within_tolerance": True, "source": "Test document §1"},
        {"target_id": "funding", "description": "Funding requirement", "document": 1750.0, "ours": 1800.0,
         "difference": 50.0, "within_tolerance": False, "source": "Test document §2"}]
    r["optimise"] = {
        "status_quo": {"status": "optimal", "objective_gbp": 0.0, "bound_gbp": 0.0, "gap": 0.0, "solve_seconds": 0.01,
                       "reproduce_npv_gbp": None, "diagnosis": None},
        "merge": {"status": "optimal", "objective_gbp": -269.35, "bound_gbp": -269.35, "gap": 0.0,
                  "solve_seconds": 0.12, "reproduce_npv_gbp": -269.346356, "diagnosis": None}}
    r["buyin"] = {
        "vehicles": {"shared": {"name": "Shared front office",
                                "prob_by_year": {"2020/21": 0.05, "2021/22": 0.42, "2022/23": 0.81, "2023/24": 0.93},
                                "median_establishment": "2022-07", "planned": "2021-04"}},
        "pivotal": [{"partner_id": "north", "partner_name": "North Council", "vehicle_id": "shared", "pivotal_share": 0.61},
                    {"partner_id": "south", "partner_name": "South Council", "vehicle_id": "shared", "pivotal_share": 0.39}]}
    r["scoring"] = {
        "drivers": [{"driver_id": "money", "name": "Value for money", "weight": 0.5},
                    {"driver_id": "quality", "name": "Service quality", "weight": 0.3},
                    {"driver_id": "risk", "name": "Deliverability", "weight": 0.2}],
        "scores": {"status_quo": {"money": 20, "quality": 40, "risk": 90}, "merge": {"money": 60, "quality": 70, "risk": 50}},
        "rag": {"status_quo": {"money": "Red", "quality": "Amber", "risk": "Green"},
                "merge": {"money": "Amber", "quality": "Green", "risk": "Amber"}},
        "total": {"status_quo": 40.0, "merge": 61.0}, "rank": {"status_quo": 2, "merge": 1},
        "acceptability": {"status_quo": {"1": 0.2, "2": 0.8}, "merge": {"1": 0.8, "2": 0.2}},
        "switching": [
            {"parameter": "optimism_bias_pct", "description": "optimism bias on costs", "npv_zero_at": 15.0,
             "preferred_changes_at": 45.0, "base_value": 20.0},
            {"parameter": "weight_money", "description": "the weight on value for money", "npv_zero_at": None,
             "preferred_changes_at": 0.62, "base_value": 0.5}]}
    r["sensitivity"] = {
        "method": "sobol", "outcome": "npsv_gbp",
        "indices": [{"parameter": "run_rate_gbp", "S1": 0.61, "S1_conf": 0.08, "ST": 0.70, "ST_conf": 0.09},
                    {"parameter": "optimism_bias_pct", "S1": 0.22, "S1_conf": 0.05, "ST": 0.27, "ST_conf": 0.06},
                    {"parameter": "discount_rate_pct", "S1": 0.02, "S1_conf": 0.03, "ST": 0.04, "ST_conf": 0.03}],
        "tornado": [{"parameter": "run_rate_gbp", "low_value": 500, "high_value": 1500, "outcome_low": -960.0, "outcome_high": 869.0},
                    {"parameter": "optimism_bias_pct", "low_value": 10, "high_value": 40, "outcome_low": 120.0, "outcome_high": -380.0},
                    {"parameter": "discount_rate_pct", "low_value": 3.5, "high_value": 10, "outcome_low": 60.0, "outcome_high": -45.5}]}
    r["buyin_by_option"] = {"status_quo": {"prob_agreed_on_time": 1.0}, "merge": {"prob_agreed_on_time": 0.42}}
    r["labels"] = {"parameters": {"run_rate_gbp": {"label": "Running cost a year"}}}
    r["sensitivity"]["converged"] = True
    r["provenance"] = {"created_utc": "2026-11-25T07:36:09+00:00", "command": "test",
                       "packages": {"python": "3.12", "plotly": "7.1.0"}, "study_hash": "fb0bc83a542e7223",
                       "input_hashes": {"services.csv": "95515801584f76b1", "study.yaml": "6bc83cce7f8bd6a8"}}
    t["assignment"] = pd.DataFrame({
        "option_id": ["merge", "merge", "status_quo", "status_quo"],
        "service_id": ["fo_n", "fo_s", "fo_n", "fo_s"],
        "service_name": ["North front office", "South front office", "North front office", "South front office"],
        "vehicle_id": ["shared", "shared", "own", "own"],
        "vehicle_name": ["Shared front office", "Shared front office", "Own provision", "Own provision"],
        "site_id": ["hub_north", "hub_north", "town_hall_n", "town_hall_s"],
        "transfer_year": ["2021/22", "2022/23", "2020/21", "2020/21"], "fte": [20, 15, 20, 15]})
    t["phasing"] = pd.DataFrame({"option_id": ["merge"], "vehicle_id": ["shared"], "vehicle_name": ["Shared front office"],
                                 "planned_year": ["2021/22"], "realised_median_year": ["2022/23"]})
    return r, t


def make_evil(results, tables):
    r, t = copy.deepcopy(results), {k: v.copy() for k, v in tables.items()}
    r["study"] = EVIL
    r["options"]["merge"]["name"] = EVIL
    r["options"]["merge"]["by_party"] = {EVIL: v for v in r["options"]["merge"]["by_party"].values()}
    r["buyin"]["vehicles"]["shared"]["name"] = EVIL
    r["buyin"]["pivotal"][0]["partner_name"] = EVIL
    r["scoring"]["drivers"][0]["name"] = EVIL
    r["scoring"]["switching"][0]["description"] = EVIL
    r["sensitivity"]["indices"][0]["parameter"] = EVIL
    r["sensitivity"]["tornado"][0]["parameter"] = EVIL
    r["targets"][0]["description"] = EVIL
    r["provenance"]["command"] = EVIL
    t["assignment"].loc[0, "service_name"] = EVIL
    t["assignment"].loc[0, "site_id"] = EVIL
    t["phasing"].loc[0, "vehicle_name"] = EVIL
    t["component_profile"].loc[0, "component"] = EVIL
    return r, t


@pytest.fixture(scope="session")
def evil_inputs(full_inputs):
    """The full inputs with a script tag as every kind of user-supplied name."""
    return make_evil(*full_inputs)


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def full_inputs(mini_case):
    return add_sections(*mini_case)


@pytest.fixture(scope="session")
def rendered(full_inputs, tmp_path_factory):
    """The full report rendered once (no PDF) for the structure and browser tests."""
    from appraisal.report import render_report

    out = tmp_path_factory.mktemp("report")
    files = render_report(*full_inputs, out, pdf=False)
    return files


BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module (the browser tests' one launch)."""
    from appraisal.report.pdf import CHROMIUM

    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield b
        b.close()
