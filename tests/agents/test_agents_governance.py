"""Governance rules behave as written: unanimity, majority, qualified majority, funders, vetoes, an executive
decision of one body, opt-in membership."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents import rule_holds
from agents.governance import pivotal, rules_hold
from agents.examples import random_inputs
from agents.prepare import prepare
from agents.inputs import RULES

W4 = [1, 1, 1, 1]


def test_members_without_a_vote_are_consulted_only():
    assert rule_holds([True, True, False], [1, 1, 0], rule="unanimity")
    assert rule_holds([True, False], [1, 0], veto=[False, True], rule="majority")


def test_unanimity_needs_every_member():
    assert rule_holds([True] * 4, W4, rule="unanimity")
    assert not rule_holds([True, True, True, False], W4, rule="unanimity")
    # weights do not matter: a weight-0.01 member still blocks
    assert not rule_holds([True, True, False], [10, 10, 0.01], rule="unanimity")


def test_majority_is_strict_more_than_half_of_weight():
    assert rule_holds([True, True, True, False], W4, rule="majority")      # 3/4
    assert not rule_holds([True, True, False, False], W4, rule="majority")  # 2/4 tie fails
    assert rule_holds([True, False, False], [3, 1, 1], rule="majority")      # 3/5 by weight
    assert not rule_holds([False, True, True], [3, 1, 1], rule="majority")   # 2/5 despite 2 of 3 heads


def test_qualified_majority_threshold_is_inclusive():
    yes = [True, True, True, False]
    assert rule_holds(yes, W4, rule="qualified_majority", threshold=0.75)        # 3/4 = 0.75
    assert not rule_holds(yes, W4, rule="qualified_majority", threshold=0.76)
    assert rule_holds([True, True, False], [1, 1, 1], rule="qualified_majority", threshold=2 / 3)
    with pytest.raises(ValueError):
        rule_holds(yes, W4, rule="qualified_majority")


def test_veto_blocks_whatever_the_rule():
    yes = [False, True, True, True]
    veto = [True, False, False, False]
    for rule in ("unanimity", "majority", "qualified_majority", "opt_in"):
        assert not rule_holds(yes, W4, veto=veto, rule=rule, threshold=0.5)
    assert rule_holds(yes, W4, veto=[False, True, False, False], rule="majority")  # veto holder said yes


def test_require_all_funders():
    yes = [True, True, True, False]
    funds = [False, False, False, True]
    assert rule_holds(yes, W4, funds=funds, rule="majority")
    assert not rule_holds(yes, W4, funds=funds, rule="majority", require_all_funders=True)
    assert rule_holds([True] * 4, W4, funds=funds, rule="majority", require_all_funders=True)


def test_executive_is_the_deciding_body_alone():
    assert rule_holds([False, True, False], W4[:3], veto=[True, False, True], rule="executive", lead=1)
    assert not rule_holds([True, False, True], W4[:3], rule="executive", lead=1)
    with pytest.raises(ValueError):
        rule_holds([True], [1], rule="executive")


def test_opt_in_counts_the_willing_and_needs_veto_holders():
    yes = [True, True, False, True, False]
    assert rule_holds(yes, [5, 1, 1, 2, 1], rule="opt_in", min_members=3)   # weights ignored: 3 joined
    assert not rule_holds(yes, [5, 0, 1, 0, 1], rule="opt_in", min_members=3)  # weight 0: consulted, not a member
    assert not rule_holds(yes, [1] * 5, rule="opt_in", min_members=4)
    assert not rule_holds(yes, [1] * 5, veto=[False, False, True, False, False], rule="opt_in", min_members=2)


def test_unknown_rule_rejected():
    with pytest.raises(ValueError):
        rule_holds([True], [1], rule="consensus")


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 8), v=st.integers(1, 3))
def test_vectorised_rule_and_pivotal_equal_scalar(seed, n, v):
    p = prepare(random_inputs(seed, n_partners=n, n_vehicles=v, rules=RULES))
    yes = np.random.default_rng(seed).random(p.shape) < 0.6
    fast = rules_hold(yes, p)
    piv = pivotal(yes, p)
    for j in range(v):
        m = np.flatnonzero(p.member[:, j])
        args = dict(weight=p.weight[m, j], veto=p.veto[m, j], funds=p.funds[m, j], rule=RULES[p.rule_code[j]],
                    threshold=p.threshold[j], require_all_funders=bool(p.require_funders[j]),
                    lead=int(np.flatnonzero(m == p.lead[j])[0]) if p.lead[j] >= 0 else None,
                    min_members=int(p.min_members[j]))
        base = rule_holds(yes[m, j], **args)
        assert fast[j] == base
        for k, i in enumerate(m):
            flipped = yes[m, j].copy()
            flipped[k] = ~flipped[k]
            decides = i == p.lead[j] if p.lead[j] >= 0 else p.weight[i, j] > 0  # executive: the deciding body only
            assert piv[i, j] == (decides and rule_holds(flipped, **args) != base)
        assert not piv[~p.member[:, j], j].any()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_rules_are_monotone_in_yes_votes(seed):
    """Adding yes votes never turns an agreement into a refusal (needed for the monotonicity property)."""
    p = prepare(random_inputs(seed, n_partners=6, n_vehicles=3, rules=RULES))
    rng = np.random.default_rng(seed)
    yes = rng.random(p.shape) < 0.5
    more = yes | (rng.random(p.shape) < 0.3)
    assert (rules_hold(more, p) >= rules_hold(yes, p)).all()
