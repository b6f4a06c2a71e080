import numpy as np
import pytest

from appraisal.discounting import discount_factors, present_value, yearly_rates


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
    assert discount_factors("stpr_lower", 3)[2] == pytest.approx(1.025**-2)
    assert np.all(discount_factors("none", 6) == 1.0)
    assert discount_factors("constant", 3, 10)[2] == pytest.approx(1 / 1.21)


def test_unknown_schedule_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown discount schedule 'stpr2'"):
        discount_factors("stpr2", 5)
