"""The batch engine against the Mesa reference model: determinism, fast = reference, monotone support, vetoes,
elections, board-meeting timing."""

from dataclasses import replace

import mesa
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents import ReferenceModel, prepare, run_one
from agents.examples import lancashire_like, random_inputs


@pytest.fixture(scope="module")
def lanc():
    return prepare(lancashire_like())


def _same_nan(a, b):
    return np.array_equal(a, b, equal_nan=True)


def test_reference_is_a_mesa_model_with_one_agent_per_partner(lanc):
    m = ReferenceModel(lanc, rng=7)
    assert isinstance(m, mesa.Model)
    assert len(m.agents) == 60 and all(isinstance(a, mesa.Agent) for a in m.agents)
    a = m.partners[3]
    assert len(a.stance) == 7 and a.partner_id == lanc.partner_ids[a.row]
    m.run()
    assert m.time == 60 and m.steps == 60


def test_same_seed_same_run_different_seed_different_run(lanc):
    a, b, c = run_one(lanc, 11), run_one(lanc, 11), run_one(lanc, 12)
    assert np.array_equal(a.stance, b.stance) and _same_nan(a.agreed_month, b.agreed_month)
    assert not np.array_equal(a.stance, c.stance)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_equals_reference_on_lancashire(lanc, seed):
    f = run_one(lanc, seed, "fast", record_every=1)
    r = run_one(lanc, seed, "reference", record_every=1)
    assert _same_nan(f.agreed_month, r.agreed_month)
    assert np.array_equal(f.pivotal_partners(), r.pivotal_partners())
    np.testing.assert_allclose(f.stance, r.stance, rtol=0, atol=1e-12)
    hist = np.stack([np.array(a.history) for a in r.partners], axis=1)
    np.testing.assert_allclose(np.stack([s for _, s in f.trajectory]), hist, rtol=0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 100_000), n=st.integers(2, 9), v=st.integers(1, 3))
def test_fast_equals_reference_on_random_scenarios(seed, n, v):
    p = prepare(random_inputs(seed, n_partners=n, n_vehicles=v))
    f, r = run_one(p, seed, "fast"), run_one(p, seed, "reference")
    assert _same_nan(f.agreed_month, r.agreed_month)
    assert np.array_equal(f.pivotal_partners(), r.pivotal_partners())
    np.testing.assert_allclose(f.stance, r.stance, rtol=0, atol=1e-12)


NO_WITHDRAWAL = dict(withdrawal_threshold=-1.0)  # a stance never falls below -1: agreements are never withdrawn


def _raise_benefit(inputs, pid, vid, extra_share):
    pv = inputs.partner_value.copy()
    budget = float(inputs.partners.set_index("partner_id").loc[pid, "budget_gbp"])
    m = (pv["partner_id"] == pid) & (pv["vehicle_id"] == vid)
    pv.loc[m, "net_benefit_gbp"] += extra_share * budget
    return inputs.with_(partner_value=pv)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 100_000), extra=st.floats(0.001, 0.2), who=st.integers(0, 5), which=st.integers(0, 1))
def test_raising_a_partners_benefit_never_lowers_support(seed, extra, who, which):
    base = random_inputs(seed, n_partners=6, n_vehicles=2)
    base = base.with_(params=replace(base.params, **NO_WITHDRAWAL))
    pid, vid = f"p{who}", f"v{which}"
    lo, hi = prepare(base), prepare(_raise_benefit(base, pid, vid, extra))
    a = run_one(lo, seed, record_every=1)
    b = run_one(hi, seed, record_every=1)
    ta = np.stack([s for _, s in a.trajectory])
    tb = np.stack([s for _, s in b.trajectory])
    j = lo.vehicle_ids.index(vid)
    # every month, the partner's own stance (and, through the network, everyone's) on that vehicle is no lower
    assert (tb[:, who, j] >= ta[:, who, j] - 1e-12).all()
    assert (tb[:, :, j] >= ta[:, :, j] - 1e-12).all()
    # other vehicles are untouched; the vehicle is agreed no later
    other = [k for k in range(2) if k != j]
    np.testing.assert_array_equal(tb[:, :, other], ta[:, :, other])
    inf = lambda x: np.where(np.isnan(x), np.inf, x)  # noqa: E731
    assert inf(b.agreed_month)[j] <= inf(a.agreed_month)[j]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 100_000), n=st.integers(2, 8))
def test_a_veto_holder_who_never_agrees_blocks_the_vehicle(seed, n):
    inp = random_inputs(seed, n_partners=n, n_vehicles=2)
    g = inp.governance.copy()
    holder = g.loc[g["vehicle_id"] == "v0", "partner_id"].iloc[0]
    g.loc[(g["vehicle_id"] == "v0") & (g["partner_id"] == holder), "veto"] = True
    pv = inp.partner_value.copy()
    pv.loc[(pv["partner_id"] == holder) & (pv["vehicle_id"] == "v0"), "net_benefit_gbp"] = -1e12
    inp = inp.with_(governance=g, partner_value=pv, params=replace(inp.params, noise_sd=0.0))
    p = prepare(inp)
    assert p.rule_code[0] < 3  # a partnership vote
    for s in range(5):
        m = run_one(p, seed + s)
        assert np.isnan(m.agreed_month[0])
        assert not m.votes[p.partner_ids.index(holder), 0]


def test_everyone_keen_agrees_as_soon_as_enough_boards_have_met():
    """All partners keen from the start: the vehicle is agreed at the first month when the boards that have
    met by then (a board votes yes only once it has met) satisfy the rule — and it stays agreed."""
    from agents.governance import rules_hold

    for seed in range(10):
        inp = random_inputs(seed, n_partners=5, n_vehicles=2)
        pv = inp.partner_value.assign(net_benefit_gbp=1e12, prior_stance=1.0)
        p = prepare(inp.with_(partner_value=pv))
        m = run_one(p, 5)
        met = np.logical_or.accumulate(p.decides, axis=0)  # (H, P, V): has decided by month m
        for j in range(2):
            ok = [mm for mm in range(p.horizon) if p.vehicle_meets[mm, j] and rules_hold(met[mm], p)[j]]
            expected = ok[0] if ok else np.nan
            assert _same_nan(m.agreed_month[j], expected)


def test_agreement_only_in_months_when_a_member_board_meets(lanc):
    for s in range(20):
        m = run_one(lanc, s)
        for j, month in enumerate(m.agreed_month):
            if not np.isnan(month):
                assert lanc.vehicle_meets[int(month), j]


def test_election_resets_stance_to_prior():
    inp = random_inputs(1, n_partners=3, n_vehicles=1, horizon_months=12)
    part = inp.partners.assign(election_month=["5", "", ""], turnover_prob=[1.0, 0.0, 0.0])
    pv = inp.partner_value.assign(net_benefit_gbp=1e12, prior_stance=-0.4)
    inp = inp.with_(partners=part, partner_value=pv, params=replace(inp.params, noise_sd=0.0))
    m = run_one(prepare(inp), 3, record_every=1)
    traj = np.stack([s for _, s in m.trajectory])[:, :, 0]
    # no noise and overwhelming benefit: each month s ← 0.85·s + 0.15 from the prior -0.4
    path = 1.0 - 1.4 * 0.85 ** np.arange(1, 13)
    np.testing.assert_allclose(traj[:, 1], path, atol=1e-12)     # no election: unaffected
    np.testing.assert_allclose(traj[:6, 0], path[:6], atol=1e-12)
    # month 5 ends with the election: back to -0.4, so month 6 is one step from the prior
    assert traj[6, 0] == pytest.approx(0.85 * -0.4 + 0.15, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 100_000), t_lo=st.floats(0.3, 0.7), dt=st.floats(0.0, 0.3))
def test_stricter_rules_never_agree_earlier(seed, t_lo, dt):
    """Stances do not depend on the rule, so with the same seed a stricter rule can only agree later (or never):
    majority ≤ qualified majority at a higher threshold ≤ unanimity; with a higher threshold ≥ lower threshold."""
    inp = random_inputs(seed, n_partners=6, n_vehicles=1, horizon_months=36)
    inp = inp.with_(partner_value=inp.partner_value.assign(net_benefit_gbp=lambda d: d["net_benefit_gbp"].abs()),
                    params=replace(inp.params, **NO_WITHDRAWAL))

    def month(rule, thr=None):
        r = inp.rules.assign(rule=rule, threshold=thr if thr is not None else 0.5)
        m = run_one(prepare(inp.with_(rules=r)), seed)
        return np.inf if np.isnan(m.agreed_month[0]) else m.agreed_month[0]

    maj, lo, hi, una = month("majority"), month("qualified_majority", t_lo), \
        month("qualified_majority", min(1.0, t_lo + dt)), month("unanimity")
    assert lo <= hi <= una
    assert maj <= month("qualified_majority", max(0.51, t_lo + dt))


def test_board_calendars():
    from agents.prepare import parse_calendar, parse_interval

    inp = random_inputs(2, n_partners=5, n_vehicles=1, horizon_months=24)
    part = inp.partners.assign(board_meeting_months=["monthly", "quarterly", "4,10", "every 5", None],
                               election_month="")
    p = prepare(inp.with_(partners=part))  # month 0 is April (start_calendar_month 4)
    months = [list(np.flatnonzero(p.decides[:, i, 0])) for i in range(5)]
    assert months[0] == list(range(24))
    assert months[1] == [2, 5, 8, 11, 14, 17, 20, 23]          # June, September, December, March
    assert months[2] == [0, 6, 12, 18]                          # April and October
    assert months[3] == [4, 9, 14, 19]                          # every five months
    assert months[4] == months[1]                               # default: quarterly
    assert parse_interval("every:7") == 7 and parse_interval("monthly") is None
    with pytest.raises(ValueError):
        parse_calendar("1,14", "quarterly")
