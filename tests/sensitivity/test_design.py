"""Paired designs and indices: Ishigami Sobol/Morris, Monte Carlo, pairing checks."""
import numpy as np
import pandas as pd
import pytest

from appraisal.uncertainty import Normal, Uniform, make, montecarlo, morris, sobol
from appraisal.uncertainty import testfunctions as tf

PI = np.pi
ISHI = [Uniform(n, -PI, PI) for n in ("x1", "x2", "x3")]
ST_ANALYTIC = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def evaluate(design, fn=tf.ishigami):
    return np.array([fn(r)["y"] for r in design.X.to_dict("records")])


def test_sobol_ishigami_first_and_total_order():
    d = sobol(ISHI, 4096, seed=1)
    assert len(d) == 4096 * 5 and d.problem["bounds"] == [[0.0, 1.0]] * 3
    r = d.analyse(evaluate(d))
    for p, s1 in tf.ISHIGAMI_S1.items():
        assert r.indices.loc[p, "S1"] == pytest.approx(s1, abs=0.03)
        assert abs(r.indices.loc[p, "S1"] - s1) <= r.indices.loc[p, "S1_conf"] + 0.01  # CI covers the truth
        assert r.indices.loc[p, "ST"] == pytest.approx(ST_ANALYTIC[p], abs=0.03)
    assert sorted(r.convergence.n_base.unique()) == [1024, 2048, 4096]
    assert r.converged and r.max_change < 0.02
    # CIs shrink as N grows (roughly 1/sqrt(N))
    w = r.convergence.groupby("n_base").S1_conf.mean()
    assert w[4096] < w[1024] * 0.7


def test_sobol_small_n_not_converged_flagged():
    d = sobol(ISHI, 16, seed=3)
    r = d.analyse(evaluate(d), tol=0.01)
    assert not r.converged and r.max_change > 0.01


def test_pairing_enforced_and_order_independent():
    d = sobol(ISHI, 256, seed=2)
    y = pd.Series(evaluate(d), name="y")
    shuffled = y.sample(frac=1.0, random_state=0)  # a store may return rows in any order
    a, b = d.analyse(y), d.analyse(shuffled)
    pd.testing.assert_frame_equal(a.indices, b.indices)
    with pytest.raises(ValueError):
        d.analyse(y.iloc[:-1])
    with pytest.raises(ValueError):
        d.analyse(np.zeros(len(d) - 5))
    multi = d.analyse(pd.DataFrame({"y": y, "z": 2 * y}))
    assert set(multi) == {"y", "z"}
    np.testing.assert_allclose(multi["z"].indices.S1, multi["y"].indices.S1)


def test_design_validation_and_hash():
    with pytest.raises(ValueError):
        sobol(ISHI, 1000)
    with pytest.raises(ValueError):
        make("sobol", ISHI, 64, correlation=np.eye(3))
    with pytest.raises(ValueError):
        sobol([Uniform("a", 0, 1), Uniform("a", 0, 2)], 64)
    assert sobol(ISHI, 64, seed=1).hash() == sobol(ISHI, 64, seed=1).hash() != sobol(ISHI, 64, seed=2).hash()
    np.testing.assert_array_equal(sobol(ISHI, 64, seed=1).unit, sobol(ISHI, 64, seed=1).unit)


def test_morris_ranks_x1_x2_above_x3():
    d = morris(ISHI, 300, num_levels=4, seed=1)
    assert len(d) == 300 * 4
    r = d.analyse(evaluate(d)).indices
    assert r.loc["x3", "rank"] == 3
    assert min(r.loc["x1", "mu_star"], r.loc["x2", "mu_star"]) > r.loc["x3", "mu_star"] + r.loc["x3", "mu_star_conf"]
    assert r.loc["x2", "mu_star"] == pytest.approx(7 * 0.75 / (2 / 3), rel=1e-3)  # 7 sin^2 jumps 0 <-> 0.75 (ends at eps-quantiles)


def test_morris_unbounded_marginal_is_finite():
    d = morris([Normal("n", 0, 1), Uniform("u", 0, 1)], 10, seed=0)
    assert np.isfinite(d.X.to_numpy()).all()


def test_montecarlo_summary_linear_and_correlated():
    params = [Uniform("a", 0, 1), Uniform("b", 0, 1)]
    d = montecarlo(params, 20000, seed=5)
    r = d.analyse(evaluate(d, tf.linear))  # y = a + 2b
    assert r.summary["mean"] == pytest.approx(1.5, abs=0.02)
    assert r.summary["sd"] == pytest.approx(np.sqrt(5 / 12), abs=0.01)
    assert r.rank_correlation.loc["b", "spearman"] > r.rank_correlation.loc["a", "spearman"] > 0.3
    c = montecarlo(params, 5000, seed=5, correlation=[[1, 0.8], [0.8, 1]])
    from scipy.stats import spearmanr
    assert spearmanr(c.X.a, c.X.b).statistic == pytest.approx(0.8, abs=0.03)
    lhs = montecarlo(params, 100, seed=1, lhs=True)
    assert np.array_equal(np.sort(np.floor(lhs.unit[:, 0] * 100)), np.arange(100))  # one point per stratum


def test_results_as_dict_json_ready():
    import json
    d = sobol(ISHI, 64, seed=1)
    s = d.analyse(evaluate(d)).as_dict()
    assert set(s["convergence"]) == {16, 32, 64} and set(s["indices"]) == {"x1", "x2", "x3"}
    m = morris(ISHI, 10, seed=1)
    c = montecarlo(ISHI, 50, seed=1)
    json.dumps([s, m.analyse(evaluate(m)).as_dict(), c.analyse(evaluate(c)).as_dict()])
