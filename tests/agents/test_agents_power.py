"""Power indices: the EEC check, enumeration = generating functions, the model's rules as games."""
import numpy as np
import pytest

from agents import board_power, power_indices, weighted_game
from agents.examples import lancashire_like


@pytest.mark.parametrize("method", ["enumeration", "generating_function"])
def test_eec_council_of_ministers_1958(method):
    idx = weighted_game([4, 4, 4, 2, 2, 1], quota=12, method=method)
    assert idx["banzhaf"].round(3).tolist() == [0.238, 0.238, 0.238, 0.143, 0.143, 0.0]
    assert idx["shapley_shubik"].round(3).tolist() == [0.233, 0.233, 0.233, 0.15, 0.15, 0.0]
    assert idx["swings"].tolist() == [10, 10, 10, 6, 6, 0]
    assert idx["shapley_shubik"].sum() == pytest.approx(1.0)


def test_both_methods_agree_on_random_boards_with_vetoes_and_funders():
    rng = np.random.default_rng(7)
    for _ in range(150):
        n = int(rng.integers(1, 8))
        w = rng.integers(0, 5, n).astype(float)
        w[0] = max(w[0], 1.0)
        veto, funds = rng.random(n) < 0.2, rng.random(n) < 0.3
        rule = str(rng.choice(["unanimity", "majority", "qualified_majority", "opt_in"]))
        thr, req = float(rng.choice([0.5, 2 / 3, 0.75, 1.0])), bool(rng.random() < 0.5)
        mm = int(rng.integers(1, n + 1))
        a = power_indices(w, veto, funds, rule, thr, req, method="enumeration", min_members=mm)
        b = power_indices(w, veto, funds, rule, thr, req, method="generating_function", min_members=mm)
        np.testing.assert_allclose(a[["swings", "shapley_shubik"]], b[["swings", "shapley_shubik"]], atol=1e-12)
        if a["swings"].sum() > 0:
            assert a["shapley_shubik"].sum() == pytest.approx(1.0)


def test_rules_as_games():
    una = power_indices([1, 5, 2], rule="unanimity")  # everyone pivotal once: equal power whatever the weights
    assert una["banzhaf"].tolist() == pytest.approx([1 / 3] * 3)
    veto = power_indices([1, 1, 1, 1], veto=[True, False, False, False], rule="majority")
    # majority of 4 needs 3; the veto holder is in every winning coalition and swings in all 4 of them
    assert veto["swings"].tolist() == [4, 2, 2, 2]
    fund = power_indices([3, 1, 1], funds=[False, True, False], rule="majority", require_all_funders=True)
    assert fund["swings"].tolist() == [2, 2, 0]  # {0,1} wins; member 2 adds nothing
    dummy = power_indices([0, 1, 1], rule="majority")
    assert dummy.loc[0, "banzhaf"] == 0 and dummy.loc[0, "shapley_shubik"] == 0
    consulted = power_indices([0, 1, 1], rule="unanimity")  # no voting weight: consulted, not a blocker
    assert consulted["banzhaf"].tolist() == [0, 0.5, 0.5]
    exe = power_indices([1, 1, 1], rule="executive", lead=1)
    assert exe["banzhaf"].tolist() == [0, 1, 0] and exe["shapley_shubik"].tolist() == [0, 1, 0]
    opt = power_indices([1, 1, 1, 1], veto=[True, False, False, False], rule="opt_in", min_members=2)
    # joiners: the veto holder must join and one other; it swings in 7 coalitions, each other in 1
    assert opt["swings"].tolist() == [7, 1, 1, 1]


def test_large_board_by_generating_function_is_symmetric_and_fast():
    idx = power_indices(np.r_[np.full(30, 1.0), np.full(30, 2.0)], rule="qualified_majority", threshold=2 / 3)
    assert (idx["method"] == "generating_function").all()
    assert idx["shapley_shubik"].sum() == pytest.approx(1.0)
    assert idx["banzhaf"][:30].std() < 1e-12 and idx["banzhaf"][30:].std() < 1e-12
    assert idx["banzhaf"][30] > idx["banzhaf"][0]


def test_board_power_covers_every_board_and_sums_to_one():
    inputs = lancashire_like()
    bp = board_power(inputs)
    assert set(bp["vehicle_id"]) == set(inputs.vehicle_ids)
    assert len(bp) == len(inputs.governance)
    sums = bp.groupby("vehicle_id")[["banzhaf", "shapley_shubik"]].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)


def test_fractional_weights_need_few_decimals():
    with pytest.raises(ValueError, match="6 decimals"):
        power_indices(np.r_[np.full(11, 1.0), [np.pi]], rule="majority", method="generating_function")
