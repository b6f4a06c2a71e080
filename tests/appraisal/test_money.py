"""The money engine against a study small enough to compute by hand (tests/fixtures/mini)."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from appraisal.money.metrics import appraise_option, appraise_study, headline
from appraisal.money.ledger import ramp_profile, shift
from appraisal.money.plans import Plan
from appraisal.study import load_study

MINI = Path(__file__).parents[1] / "fixtures" / "mini"


@pytest.fixture(scope="module")
def merge():
    return appraise_study(load_study(MINI))["merge"]


def test_yearly_profile_hand_computed(merge):
    y = merge.yearly.set_index("year")
    # cashable 1000 × ramp 0.5;1 from 2021/22 plus societal 100 a year, then × 0.9 double counting
    assert list(y["benefits_gbp"]) == [0, 600, 1100, 1100]
    assert list(y["benefits_adjusted_gbp"]) == pytest.approx([0, 540, 990, 990])
    # set-up 1500 in 2020/21 and running 100 a year from 2021/22, × 1.2 optimism bias
    assert list(y["costs_adjusted_gbp"]) == pytest.approx([1800, 120, 120, 120])
    assert list(y["cumulative_net_gbp"]) == pytest.approx([-1800, -1380, -510, 360])


def test_headline_metrics_hand_computed(merge):
    m = merge.metrics
    pv_b = 540 / 1.1 + 990 / 1.21 + 990 / 1.331
    pv_cash = 450 / 1.1 + 900 / 1.21 + 900 / 1.331
    pv_c = 1800 + 120 / 1.1 + 120 / 1.21 + 120 / 1.331
    assert m["pv_benefits_gbp"] == pytest.approx(pv_b)
    assert m["pv_costs_gbp"] == pytest.approx(pv_c)
    assert m["npsv_gbp"] == pytest.approx(pv_b - pv_c)
    assert m["npv_gbp"] == pytest.approx(pv_cash - pv_c)
    assert m["bcr"] == pytest.approx(pv_b / pv_c)
    assert m["payback_year"] == "2023/24"
    assert m["discounted_payback_year"] is None
    assert m["in_year_breakeven_year"] == "2021/22"
    assert m["funding_requirement_gbp"] == pytest.approx(1800)
    assert m["funding_peak_year"] == "2020/21"
    assert m["npsv_none_gbp"] == pytest.approx(360)
    # low/high ranges scale the cashable line only (the societal line has no range)
    assert m["benefits_adjusted_low_total_gbp"] == pytest.approx(0.9 * (250 + 500 + 500) + 270)


def test_who_pays_who_benefits(merge):
    parties = merge.by_party.set_index("partner_id")
    # the cashable benefit and all costs split 60/40; the societal benefit goes to north
    assert parties.loc["north", "benefits_gbp"] == pytest.approx(0.6 * 0.9 * 2500 + 270)
    assert parties.loc["south", "costs_gbp"] == pytest.approx(0.4 * 2160)
    assert parties["costs_gbp"].sum() == pytest.approx(merge.metrics["costs_adjusted_total_gbp"])


def test_options_column_restricts_lines():
    status_quo = appraise_study(load_study(MINI))["status_quo"]
    assert status_quo.metrics["benefits_total_gbp"] == 0
    assert status_quo.metrics["bcr"] is None


def test_a_later_vehicle_shifts_its_streams_and_a_missing_one_drops_them():
    study = load_study(MINI)
    nothing_moves = pd.DataFrame(columns=["service_id", "vehicle_id", "site_id", "t"])
    late = appraise_option(study, "merge", Plan("merge", "file", nothing_moves, {"shared": 2}))
    assert list(late.yearly["costs_gbp"]) == [0, 1500, 100, 100]
    assert list(late.yearly["benefits_gbp"]) == [0, 0, 600, 1100]
    never = appraise_option(study, "merge", Plan("merge", "file", nothing_moves, {}))
    assert never.metrics["benefits_total_gbp"] == 0 and never.metrics["costs_total_gbp"] == 0


def test_ramp_and_shift_helpers():
    assert list(ramp_profile(10, [0.1, 0.6, 1], 1, 5)) == pytest.approx([0, 1, 6, 10, 10])
    assert list(ramp_profile(10, [], 0, 3)) == [10, 10, 10]
    assert list(shift(np.array([1.0, 2, 3]), 1)) == [0, 1, 2]
    assert list(shift(np.array([1.0, 2, 3]), -1)) == [2, 3, 0]


def test_payback_needs_the_position_to_hold():
    years = ["a", "b", "c", "d"]
    df = np.ones(4)
    m = headline(np.array([0, 5, 0, 5.0]), np.zeros(4), np.array([1, 0, 5, 0.0]), df, years)
    # cumulative −1, 4, −1, 4: positive in b but not held, so payback is d
    assert m["payback_year"] == "d"
    assert m["funding_requirement_gbp"] == 1
