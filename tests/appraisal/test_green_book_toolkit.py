"""Real-terms rebasing, distributional weights, WELLBY/QALY values and the excess tax burden, each against a
hand-computed case with its published parameter (appraisal/money/reference/*.csv).

Mini fixture: 4 years from 2020/21 at a constant 10%, benefits −10% (double counting), costs +20% (optimism
bias); b_wellbeing is a £100-a-year societal benefit from 2021/22 (adjusted £90), c_run £100 a year from
2021/22 (adjusted £120), c_setup £1,500 in 2020/21.
"""
from pathlib import Path
import shutil

import pytest
import yaml

from appraisal.money.greenbook import distributional_weights, green_book_value, real_terms_factors
from appraisal.money.metrics import appraise_option
from appraisal.study import StudyError, load_study

MINI = Path(__file__).parents[2] / "tests" / "fixtures" / "mini"
PV3 = 1 / 1.1 + 1 / 1.21 + 1 / 1.331  # discount factors of 2021/22-2023/24


def _copy(tmp_path, **config):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    cfg = yaml.safe_load((folder / "study.yaml").read_text())
    for key, value in config.items():
        if key == "adjustments_extra":
            cfg["adjustments"] += value
        else:
            cfg[key] = value
    (folder / "study.yaml").write_text(yaml.safe_dump(cfg))
    return folder


def test_published_gdp_deflators_rebase_a_figure(tmp_path):
    # HMT Autumn Budget 2017 series (2016-17 = 100): 1960-61 = 5.055, so £1 of 1960-61 is £19.7824 of 2016-17
    study = load_study(_copy(tmp_path, price_base="2016/17"))
    assert real_terms_factors(study, "1960/61")[0] == pytest.approx(100 / 5.055)
    assert real_terms_factors(study, "1963/64")[0] / real_terms_factors(study, "1960/61")[0] == pytest.approx(5.055 / 5.472)


def test_mixed_price_years_are_rebased_to_the_price_base(tmp_path):
    folder = _copy(tmp_path, price_base="2020/21")
    (folder / "deflators.csv").write_text("year,index,source\n2019/20,95,test\n2020/21,100,test\n2021/22,102,test\n"
                                          "2022/23,110,test\n2023/24,115,test\n")
    (folder / "price_years.csv").write_text("stream_id,price_year,source\nc_setup,2019/20,test: a 2019/20 estimate\n"
                                            "c_run,cash,test: cash figures\n")
    plain, real = appraise_option(load_study(MINI), "merge"), appraise_option(load_study(folder), "merge")
    # c_setup: 1,500 × 100/95; c_run: 100 × 100/102, 100/110, 100/115 (then +20% optimism bias)
    expected = (1500 * 100 / 95 + 100 * (100 / 102 + 100 / 110 + 100 / 115)) * 1.2
    assert real.metrics["costs_adjusted_total_gbp"] == pytest.approx(expected)
    assert real.metrics["benefits_adjusted_total_gbp"] == pytest.approx(plain.metrics["benefits_adjusted_total_gbp"])


def test_rebasing_needs_a_financial_year_price_base_and_its_deflators(tmp_path):
    folder = _copy(tmp_path, price_base="cash, as printed")
    (folder / "price_years.csv").write_text("stream_id,price_year,source\nc_run,cash,test\n")
    with pytest.raises(StudyError, match="study.yaml, column 'price_base': lines in price_years.csv are rebased"):
        load_study(folder)
    folder = _copy(tmp_path / "b", price_base="2016/17")
    (folder / "price_years.csv").write_text("stream_id,price_year,source\nc_run,cash,test\n")
    with pytest.raises(StudyError, match="price_years.csv, row 2, column 'price_year': no GDP deflator for 2020/21, "
                                         "2021/22, 2022/23, 2023/24"):
        load_study(folder)


def test_distributional_weights_with_the_green_book_elasticity(tmp_path):
    assert green_book_value("elasticity_marginal_utility")["value"] == 1.3
    w = distributional_weights(1.3)
    # (34,500 / 16,400)^1.3 = 2.62947; (34,500 / 68,400)^1.3 = 0.41076; the middle fifth weighs 1
    assert (w["q1"], w["q3"], w["q5"]) == pytest.approx((2.6294676, 1.0, 0.4107635))
    folder = _copy(tmp_path)
    (folder / "benefit_distribution.csv").write_text("benefit_id,group_id,share,source\nb_wellbeing,q1,0.5,test\n"
                                                     "b_wellbeing,q5,0.5,test\n")
    r = appraise_option(load_study(folder), "merge").metrics
    weight = 0.5 * 2.6294676 + 0.5 * 0.4107635
    assert r["npsv_distributional_gbp"] == pytest.approx(r["npsv_gbp"] + (weight - 1) * 90 * PV3, rel=1e-7)
    folder = _copy(tmp_path / "eta", distributional_elasticity=2.0)
    (folder / "benefit_distribution.csv").write_text("benefit_id,group_id,share,source\nb_wellbeing,q1,1,test\n")
    r = appraise_option(load_study(folder), "merge").metrics
    assert r["npsv_distributional_gbp"] == pytest.approx(r["npsv_gbp"] + ((34500 / 16400) ** 2 - 1) * 90 * PV3)


def test_shares_of_a_distributed_benefit_sum_to_one(tmp_path):
    folder = _copy(tmp_path)
    (folder / "benefit_distribution.csv").write_text("benefit_id,group_id,share,source\nb_wellbeing,q1,0.5,test\n")
    with pytest.raises(StudyError, match="shares of benefit 'b_wellbeing' sum to 0.5, expected 1"):
        load_study(folder)


def test_wellby_and_qaly_values_make_societal_lines(tmp_path):
    assert green_book_value("wellby_gbp")["value"] == 13000 and green_book_value("qaly_gbp")["value"] == 70000
    folder = _copy(tmp_path)
    (folder / "valued_outcomes.csv").write_text(
        "outcome_id,component,unit,quantity_per_year,value,start_year,end_year,recipient,options,source\n"
        "calm,Wellbeing of carers,wellby,2,central,2021/22,,north,merge,test\n"
        "health,Health of service users,qaly,0.5,central,2021/22,,north,merge,test\n"
        "calm_low,Wellbeing low,wellby,1,low,2021/22,2021/22,north,merge,test\n")
    plain, valued = appraise_option(load_study(MINI), "merge"), appraise_option(load_study(folder), "merge")
    # 2 × £13,000 + 0.5 × £70,000 = £61,000 a year for three years; + £10,000 once (low WELLBY); all −10%
    extra = (61_000 * PV3 + 10_000 / 1.1) * 0.9
    assert valued.metrics["npsv_gbp"] == pytest.approx(plain.metrics["npsv_gbp"] + extra)
    assert valued.metrics["npv_gbp"] == pytest.approx(plain.metrics["npv_gbp"])  # societal, not cashable


def test_excess_tax_burden_uplift_when_a_study_asks(tmp_path):
    assert green_book_value("excess_tax_burden_pct")["status"] == "unverified"
    folder = _copy(tmp_path, adjustments_extra=[{"name": "MET burden", "applies_to": "costs", "excess_tax_burden": True}])
    plain, meb = appraise_option(load_study(MINI), "merge"), appraise_option(load_study(folder), "merge")
    assert meb.metrics["pv_costs_gbp"] == pytest.approx(plain.metrics["pv_costs_gbp"] * 1.2)
    assert meb.metrics["pv_benefits_gbp"] == pytest.approx(plain.metrics["pv_benefits_gbp"])
    bad = _copy(tmp_path / "bad", adjustments_extra=[{"name": "x", "applies_to": "benefits", "excess_tax_burden": True}])
    with pytest.raises(StudyError, match="excess tax burden uplift applies to costs"):
        load_study(bad)


def test_licensed_social_values_are_an_import_slot(tmp_path):
    folder = _copy(tmp_path)
    (folder / "social_values.csv").write_text(
        "value_id,name,value_gbp,price_year,licence,source\n"
        "employment,Moving from unemployment into employment,1000,,test: a made-up figure standing in for a licensed bank,test\n")
    (folder / "valued_outcomes.csv").write_text(
        "outcome_id,component,unit,quantity_per_year,value,start_year,end_year,recipient,options,source\n"
        "jobs,Employment support,employment,3,central,2021/22,,north,merge,test\n")
    plain, valued = appraise_option(load_study(MINI), "merge"), appraise_option(load_study(folder), "merge")
    assert valued.metrics["npsv_gbp"] == pytest.approx(plain.metrics["npsv_gbp"] + 3 * 1000 * PV3 * 0.9)
    (folder / "valued_outcomes.csv").write_text((folder / "valued_outcomes.csv").read_text().replace(",employment,", ",jobs_bank,"))
    with pytest.raises(StudyError, match="valued_outcomes.csv, row 2, column 'unit': 'jobs_bank' is not wellby, qaly or a "
                                         "value_id in social_values.csv"):
        load_study(folder)
