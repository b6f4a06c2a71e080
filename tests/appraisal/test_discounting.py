import numpy as np
import pytest

from appraisal.money.discounting import discount_factors, present_value, yearly_rates


def test_stpr_40_year_stream_crosses_the_year_30_rate_change():
    df = discount_factors("stpr", 41)
    assert df[0] == 1.0
    assert df[1] == pytest.approx(1 / 1.035)
    assert df[30] == pytest.approx(1.035**-30)
    assert df[31] == pytest.approx(1.035**-30 / 1.03)
    assert df[40] == pytest.approx(1.035**-30 * 1.03**-10)
    # a level £1m a year for years 0..40, hand-computed as two geometric series
    hand = sum(1.035**-t for t in range(31)) + 1.035**-30 * sum(1.03**-k for k in range(1, 11))
    assert present_value(np.full(41, 1e6), df) == pytest.approx(1e6 * hand)
    assert present_value(np.full(41, 1e6), df) == pytest.approx(22_431_172.52, abs=0.01)


def test_stpr_long_bands():
    rates = yearly_rates("stpr", 302)
    assert (rates[0], rates[30], rates[31], rates[75], rates[76], rates[126], rates[201], rates[301]) == (
        0.035, 0.035, 0.03, 0.03, 0.025, 0.02, 0.015, 0.01)


def test_health_and_lower_and_none_and_constant():
    assert discount_factors("health", 11)[10] == pytest.approx(1.015**-10)
    assert discount_factors("health", 32)[31] == pytest.approx(1.015**-30 / 1.0129)
    assert np.all(discount_factors("none", 6) == 1.0)
    assert discount_factors("constant", 3, 10)[2] == pytest.approx(1 / 1.21)


def test_unknown_schedule_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown discount schedule 'stpr2'"):
        discount_factors("stpr2", 5)


EDGES = [0, 30, 31, 75, 76, 125, 126, 200, 201, 300, 301]
RATES = {"stpr": [3.5, 3.0, 2.5, 2.0, 1.5, 1.0], "health": [1.5, 1.29, 1.07, 0.86, 0.64, 0.43],
         "stpr_sensitivity_test": [3.0, 2.57, 2.14, 1.71, 1.29, 0.86]}
BAND_ENDS = [30, 75, 125, 200, 300]  # last year of each band; the next band starts the year after


def hand_factor(rates_pct: list[float], t: int) -> float:
    """D_t by hand: years 1..30 at the first rate, 31..75 at the second, and so on."""
    factor, previous_end = 1.0, 0
    for rate, end in zip(rates_pct, BAND_ENDS + [10**9]):
        years = min(t, end) - previous_end
        if years <= 0:
            break
        factor *= (1 + rate / 100) ** -years
        previous_end = end
    return factor


@pytest.mark.parametrize("schedule", sorted(RATES))
def test_green_book_2026_band_edges(schedule):
    df = discount_factors(schedule, 302)
    for t in EDGES:
        assert df[t] == pytest.approx(hand_factor(RATES[schedule], t), rel=1e-12), (schedule, t)


def test_band_edge_examples_from_the_issue():
    assert discount_factors("stpr", 32)[30] == pytest.approx(1.035**-30)
    assert discount_factors("stpr", 32)[31] == pytest.approx(1.035**-30 * 1.03**-1)
    assert discount_factors("stpr_sensitivity_test", 32)[31] == pytest.approx(1.03**-30 * 1.0257**-1)
    assert discount_factors("health", 77)[76] == pytest.approx(1.015**-30 * 1.0129**-45 * 1.0107**-1)


def test_schedules_are_versioned_data():
    from appraisal.money.discounting import schedule_versions
    assert schedule_versions("stpr") == ["Green Book 2026"]
    assert schedule_versions("stpr_sensitivity_test") == ["Green Book 2026"]


def test_removed_placeholder_schedule_is_a_clear_error():
    from pydantic import ValidationError
    from appraisal.study.schema import Discounting
    with pytest.raises(ValidationError, match="stpr_sensitivity_test"):
        Discounting(schedule="stpr_lower")
    assert Discounting(schedule="stpr_sensitivity_test", sensitivities=["health"]).schedule == "stpr_sensitivity_test"
