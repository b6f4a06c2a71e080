"""Switching values of simple functions, found exactly."""
import pytest

from appraisal.uncertainty.switching import NO_SWITCH, SWITCH, npv_switching_value, preferred_switching_value, switching_values


def test_npv_linear_exact():
    sv = npv_switching_value(lambda x: 2.0 * x - 5.0, 0.0, 10.0, 4.0, parameter="benefit")
    assert sv.status == SWITCH and sv.value == pytest.approx(2.5, abs=1e-12)
    assert sv.base_outcome == "positive" and sv.switched_outcome == "negative"
    assert sv.change_pct == pytest.approx(-37.5)


def test_npv_no_switch_in_range():
    sv = npv_switching_value(lambda x: x + 1.0, 0.0, 10.0, 5.0)
    assert sv.status == NO_SWITCH and sv.value is None and sv.all_values == []


def test_npv_two_roots_nearest_reported():
    sv = npv_switching_value(lambda x: (x - 1.0) * (x - 7.0), 0.0, 10.0, 5.0, n_grid=11)
    assert sv.all_values == pytest.approx([1.0, 7.0]) and sv.value == pytest.approx(7.0)


def test_npv_root_on_grid_point():
    sv = npv_switching_value(lambda x: x - 5.0, 0.0, 10.0, 8.0, n_grid=11)
    assert sv.value == 5.0


def test_preferred_scores_linear_exact():
    f = lambda x: {"A": 10.0 - x, "B": 2.0 * x}  # B overtakes A at 10/3
    sv = preferred_switching_value(f, 0.0, 10.0, 1.0, parameter="p")
    assert sv.base_outcome == "A" and sv.switched_outcome == "B"
    assert sv.value == pytest.approx(10.0 / 3.0, abs=1e-12)


def test_preferred_labels_only_bisection():
    f = lambda x: "A" if x < 3.7 else "B"
    sv = preferred_switching_value(f, 0.0, 10.0, 9.0, n_grid=5)
    assert sv.value == pytest.approx(3.7, abs=1e-9) and sv.base_outcome == "B" and sv.switched_outcome == "A"


def test_preferred_no_switch_and_batch():
    sv = preferred_switching_value(lambda x: {"A": 5.0 + x, "B": x}, 0.0, 1.0, 0.5)
    assert sv.status == NO_SWITCH
    out = switching_values(lambda n, x: {"a": x - 1.0, "b": 3.0 - x}[n], {"a": (0, 2, 5), "b": (0, 1, 2)})
    assert [o.status for o in out] == [SWITCH, NO_SWITCH] and out[0].value == pytest.approx(1.0)
    assert out[0].as_dict()["parameter"] == "a"


def test_base_outside_range_rejected():
    with pytest.raises(ValueError):
        npv_switching_value(lambda x: x, 0.0, 1.0, 2.0)
