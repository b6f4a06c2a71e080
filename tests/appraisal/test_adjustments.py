import pandas as pd
import pytest

from appraisal.money.adjustments import adjustment_factor, optimism_bias_pct, stream_factors
from appraisal.study.schema import Adjustment

PLYMOUTH = [Adjustment(name="double counting", applies_to="benefits", pct=10),
            Adjustment(name="optimism bias", applies_to="benefits", pct=10)]


def _streams(**cols):
    base = {"kind": ["benefit"], "category": ["cashable"], "component": ["IC"]}
    return pd.DataFrame(base | cols)


def test_adjustments_compound_multiplicatively_as_plymouth_does():
    factor = stream_factors(_streams(), PLYMOUTH)[0]
    assert factor == pytest.approx(0.81)
    assert round(13_735_102 * factor) == 11_125_433
    assert round(13_735_102 * (1 - 0.20)) == 10_988_082  # an additive 20% would not reproduce the case
    assert round(13_735_102 * factor) != 10_988_082


def test_cost_adjustments_uplift_and_filters_apply():
    ob = Adjustment(name="ob", applies_to="costs", pct=24, categories=["capital"])
    streams = pd.DataFrame({"kind": ["cost", "cost", "benefit"], "category": ["capital", "revenue", "cashable"],
                            "component": ["a", "a", "a"]})
    assert list(stream_factors(streams, [ob])) == [pytest.approx(1.24), 1.0, 1.0]


def test_mott_macdonald_bounds_by_name():
    assert optimism_bias_pct("equipment_development", "upper", "capex") == 200
    assert optimism_bias_pct("standard_buildings", "lower", "duration") == 1
    assert optimism_bias_pct("outsourcing", "upper", "opex") == 41
    adj = Adjustment(name="ob", applies_to="costs",
                     optimism_bias={"project_type": "non_standard_civil_engineering", "bound": "upper"})
    assert adjustment_factor(adj) == pytest.approx(1.66)
    with pytest.raises(ValueError, match="no optimism-bias figure for outsourcing/capex"):
        optimism_bias_pct("outsourcing", "upper", "capex")


def test_adjustment_needs_exactly_one_source():
    with pytest.raises(ValueError, match="exactly one of pct or optimism_bias"):
        Adjustment(name="x", applies_to="costs")
