"""Marginal distributions and correlation methods."""
import numpy as np
import pytest
from scipy import stats

from appraisal.uncertainty import PERT, Normal, Triangular, Uniform, from_spec
from appraisal.uncertainty import correlation as cm
from appraisal.uncertainty.params import to_values


def test_ppf_hand_values():
    assert Uniform("u", 2, 6).ppf(0.25) == pytest.approx(3.0)
    # symmetric triangle: median = mode; P(X <= 1) for (0, 2, 4) is 1/8
    t = Triangular("t", 0, 2, 4)
    assert t.ppf(0.5) == pytest.approx(2.0) and t.ppf(0.125) == pytest.approx(1.0)
    assert Normal("n", 10, 2).ppf(stats.norm.cdf(1.0)) == pytest.approx(12.0)
    tn = Normal("n", 0, 1, low=0.0)
    assert tn.ppf(0.5) == pytest.approx(stats.norm.ppf(0.75))  # half-normal median
    assert np.isfinite(Normal("n", 0, 1).ppf(np.array([0.0, 1.0]))).all()


def test_pert_mean_and_mode():
    p = PERT("p", 0.0, 3.0, 10.0)
    u = (np.arange(200_000) + 0.5) / 200_000
    x = p.ppf(u)
    assert x.mean() == pytest.approx((0 + 4 * 3 + 10) / 6, rel=1e-3)  # (a + 4m + b) / 6
    assert x.min() >= 0 and x.max() <= 10
    hist, edges = np.histogram(x, bins=50)
    assert abs(edges[hist.argmax()] - 3.0) < 0.5


def test_from_spec_and_errors():
    p = from_spec({"name": "x", "dist": "pert", "low": 0, "mode": 1, "high": 3})
    assert isinstance(p, PERT) and p.spec()["dist"] == "pert"
    with pytest.raises(ValueError):
        from_spec({"name": "x", "dist": "lognormal", "mu": 0})
    with pytest.raises(ValueError):
        Triangular("x", 0, 5, 4)
    v = to_values([Uniform("a", 0, 1), Uniform("b", 10, 20)], np.array([[0.5, 0.5]]))
    np.testing.assert_allclose(v, [[0.5, 15.0]])


@pytest.mark.parametrize("method", ["iman_conover", "gaussian_copula"])
def test_correlation_methods_hit_rank_target(method):
    target = np.array([[1.0, 0.7, -0.3], [0.7, 1.0, 0.0], [-0.3, 0.0, 1.0]])
    u = np.random.default_rng(0).random((4000, 3))
    c = cm.iman_conover(u, target, seed=1) if method == "iman_conover" else cm.gaussian_copula(u, target)
    rho = stats.spearmanr(c).statistic
    np.testing.assert_allclose(rho, target, atol=0.04)
    if method == "iman_conover":  # marginals kept exactly
        np.testing.assert_array_equal(np.sort(c, axis=0), np.sort(u, axis=0))


def test_correlation_rejects_bad_matrix():
    with pytest.raises(ValueError):
        cm.gaussian_copula(np.random.default_rng(0).random((10, 2)), [[1, 1.2], [1.2, 1]])
