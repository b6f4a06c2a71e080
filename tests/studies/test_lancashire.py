"""Lancashire PSDM (PwC interim draft, Jan 2017): the financial case through the money engine.

Published figures (£m in the document) are typed here, converted to £; they are not read from targets.csv.
"""
from pathlib import Path

import pandas as pd
import pytest

from appraisal.money.metrics import appraise_study, position_summary
from appraisal.study import load_study

STUDY = Path(__file__).resolve().parents[2] / "studies" / "lancashire"
M = 1_000_000
YEARS = ["2017/18", "2018/19", "2019/20", "2020/21", "2021/22", "2022/23"]


@pytest.fixture(scope="module")
def study():
    return load_study(STUDY)


@pytest.fixture(scope="module")
def results(study):
    return appraise_study(study)


@pytest.fixture(scope="module")
def positions(study):
    p = position_summary(study)
    return {scen: g.set_index("year") for scen, g in p[p["partner_id"] == "lcc"].groupby("scenario")}


def by_component(result, kind):
    bc = result.by_component
    return bc[bc["kind"] == kind].set_index("component")[YEARS]


def m(values):
    return [v * M for v in values]


def test_table1_gross_annual_benefit_57m_by_component(results):
    ben = by_component(results["opt3"], "benefit")["2022/23"]
    assert ben["wellbeing_corporations"] == pytest.approx(46 * M)
    assert ben["front_office"] == pytest.approx(4 * M)
    assert ben["professional_support_services"] == pytest.approx(3 * M)   # the document's rounding of 2.5
    assert ben["transferred_services"] == pytest.approx(4 * M)
    assert "lcc_direct_service_provision" not in ben.index                  # LCC DSP: '-'
    assert results["opt3"].metrics["run_rate_benefits_adjusted_gbp"] == pytest.approx(57 * M)


def test_table27_wbc_is_acute_34_plus_asc_12(results):
    s = results["opt3"].streams
    by_line = s[s["kind"] == "benefit"].groupby(["stream_id", "year"])["adj_amount_gbp"].sum()
    assert by_line[("wbc_acute", "2022/23")] == pytest.approx(34 * M)
    assert by_line[("wbc_asc", "2022/23")] == pytest.approx(12 * M)


def test_table20_implementation_15_7m_and_recurring_2_5m(study):
    c = study.tables["costs"]
    c = c[c["component"] != "stp_newton_enabled"]
    one_off = c[c["kind"] == "one_off"].set_index("component")["amount_gbp"]
    recurring = c[c["kind"] == "recurring"].set_index("component")["amount_gbp"]
    assert one_off.to_dict() == {"wellbeing_corporations": 9 * M, "front_office": 6.2 * M,
                                 "professional_support_services": 0.5 * M}
    assert one_off.sum() == pytest.approx(15.7 * M)
    assert recurring.to_dict() == {"wellbeing_corporations": 1 * M, "front_office": 1.5 * M}
    assert recurring.sum() == pytest.approx(2.5 * M)


def test_table25_net_benefit_profile(results):
    y = results["opt3"].yearly.set_index("year")
    assert y["net_gbp"].tolist() == pytest.approx(m([-6, -6, 14, 35, 43, 55]))
    assert y["benefits_adjusted_gbp"].tolist() == pytest.approx(m([0, 4, 17, 37, 45, 57]))
    assert y["costs_adjusted_gbp"].tolist() == pytest.approx(m([6, 10, 3, 2, 2, 2]))
    assert y["cumulative_net_gbp"].tolist() == pytest.approx(m([-6, -12, 2, 37, 80, 135]))
    metrics = results["opt3"].metrics
    assert metrics["benefits_adjusted_total_gbp"] == pytest.approx(160 * M)
    assert metrics["costs_adjusted_total_gbp"] == pytest.approx(25 * M)
    assert metrics["payback_year"] == "2019/20"
    assert metrics["funding_requirement_gbp"] == pytest.approx(12 * M)   # cumulative trough (12) in FY18/19


def test_table25_cost_rows_by_component(results):
    cost = by_component(results["opt3"], "cost")
    assert cost.loc["wellbeing_corporations"].tolist() == pytest.approx(m([2, 7, 1, 1, 1, 1]))
    assert cost.loc["front_office"].tolist() == pytest.approx(m([3, 3, 2, 1, 1, 1]))
    assert cost.loc["professional_support_services"].tolist() == pytest.approx(m([1, 0, 0, 0, 0, 0]))


def test_table26_with_enabled_benefits_610(results):
    y = results["opt3_enabled"].yearly.set_index("year")
    assert y["net_gbp"].tolist() == pytest.approx(m([6, 19, 63, 158, 176, 188]))
    assert y["cumulative_net_gbp"]["2022/23"] == pytest.approx(610 * M)
    assert results["opt3_enabled"].metrics["run_rate_benefits_adjusted_gbp"] == pytest.approx(190 * M)


def test_cumulative_options_money(results):
    assert results["opt1"].metrics["benefits_total_gbp"] == 0
    assert results["opt2"].yearly.set_index("year")["net_gbp"].tolist() == pytest.approx(m([-2, -7, 8, 26, 33, 45]))  # Table 29
    assert results["opt4"].metrics["net_total_gbp"] == pytest.approx(results["opt3"].metrics["net_total_gbp"])


def test_do_nothing_mtfs_398m(positions):
    dn = positions["do_nothing"]
    assert dn["in_year_gbp"].tolist() == pytest.approx(m([-48, -84, -118, -148]))
    assert dn.at["2020/21", "cumulative_gbp"] == pytest.approx(-398 * M)
    assert dn["reserves_closing_gbp"].tolist() == pytest.approx(m([50, -34, -152, -300]))   # Table 49


def test_revised_lcc_position_and_transitional_funding(positions):
    plan = positions["plan"]
    assert plan["in_year_gbp"].tolist() == pytest.approx(m([-49, -83.5, -92, -41, -13, 20]))   # Table 46
    assert plan.at["2020/21", "cumulative_gbp"] == pytest.approx(-265.5 * M)                   # Tables 3/48
    assert plan.at["2018/19", "cumulative_gbp"] == pytest.approx(-132.5 * M)                   # Table 3 (48: -133)
    # Table 50 roll-forward: 50 in 2017/18 exactly; then £1m above Table 50 (84.5 vs 83.5 drawdown)
    table50 = [50, -34.5, -126.5, -167.5, -180.5, -160.5]
    ours = plan["reserves_closing_gbp"].tolist()
    assert ours[0] == pytest.approx(50 * M)
    assert [o - t * M for o, t in zip(ours[1:], table50[1:])] == pytest.approx([1 * M] * 5)
    trough = -min(ours)
    assert trough == pytest.approx(179.5 * M)
    assert abs(trough - 190 * M) <= 10.5 * M            # "approximately £190m" (35 + 150 = 185)
    # the 2020/21 deficit falls from 148 (do nothing) to 41: 27 + 3 + 3 + 23 + 51 = 107
    assert (148 - 41) == 27 + 3 + 3 + 23 + 51
    assert plan.at["2020/21", "in_year_gbp"] - positions["do_nothing"].at["2020/21", "in_year_gbp"] == pytest.approx(107 * M)


def test_services_partners_vehicles(study):
    services = study.tables["services"]
    assert len(services) == 132
    placements = study.tables["placements"]
    doc_vehicle = placements[placements["vehicle_id"] != "market"].drop_duplicates("service_id", keep="first")
    counts = doc_vehicle["vehicle_id"].value_counts().to_dict()
    assert counts == {"wbc": 41, "lcc": 41, "ca": 26, "pss": 23, "fo": 1}
    partners = study.tables["partners"]
    assert (partners["type"] == "district_council").sum() == 12
    assert (partners["type"] == "unitary_council").sum() == 2
    assert {"status_quo", "integrated_care", "combined_authority", "shared_service", "market"} <= set(study.tables["vehicles"]["kind"])
    sites = study.tables["sites"]
    assert len(sites) == 5 and sites["must_open"].all()


def test_baselines_apportion_table41(study):
    s = study.tables["services"]
    assert s["baseline_cost_gbp"].sum() == pytest.approx(713.020 * M, abs=1)   # Table 41 total 713,020 (£000)


def test_value_driver_rag_table_ties_options_3_and_4(study):
    points = {"Green": 3, "Amber": 2, "Red": 1}
    ds = study.tables["driver_scores"]
    ds = ds[ds["option_id"] != "opt3_enabled"]  # the 12.3 table scores the four options (opt3_enabled copies opt3)
    totals = ds.assign(p=ds["rag"].map(points)).groupby("option_id")["p"].sum().to_dict()
    assert totals == {"opt1": 10, "opt2": 12, "opt3": 13, "opt4": 13}
    assert set(study.tables["value_drivers"]["weight"]) == {1}
