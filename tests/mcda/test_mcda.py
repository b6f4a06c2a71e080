"""MCDA maths against hand-computed cases, and the Lancashire PSDM 12.3 RAG table."""
import numpy as np
import pandas as pd
import pytest

from appraisal.mcda import engine as mcda

# Lancashire PSDM interim report (Jan 2017), section 12.3, value-driver RAG table (copied from
# shared/reference/lancashire/value_driver_scores.csv). Green = favourable on every driver.
LANCS = pd.DataFrame(
    {
        "Manage Demand": ["Red", "Amber", "Green", "Green"],
        "Ease of Implementation": ["Green", "Amber", "Red", "Red"],
        "Reduction of financial risk": ["Red", "Amber", "Amber", "Green"],
        "Ability to reduce costs": ["Red", "Amber", "Green", "Green"],
        "Contribution to outcomes and corporate strategy": ["Red", "Amber", "Green", "Amber"],
        "Implementation costs": ["Green", "Amber", "Red", "Red"],
    },
    index=pd.Index([1, 2, 3, 4], name="option_id"),
)
OUT, FIN = "Contribution to outcomes and corporate strategy", "Reduction of financial risk"


def test_linear_value_both_directions():
    assert mcda.linear_value(30, 10, 50) == pytest.approx(50.0)
    assert mcda.linear_value(10, 10, 50) == 0.0
    assert mcda.linear_value(60, 10, 50) == 100.0  # clipped
    # cost criterion: less is better
    np.testing.assert_allclose(mcda.linear_value([2.0, 5.0, 8.0], worst=8.0, best=2.0), [100.0, 50.0, 0.0])
    with pytest.raises(ValueError):
        mcda.linear_value(1, 3, 3)


def test_piecewise_value():
    pts = [(0, 0), (10, 80), (20, 100)]
    np.testing.assert_allclose(mcda.piecewise_value([5, 10, 15, 30], pts), [40, 80, 90, 100])


def test_swing_weights_hand_case():
    w = mcda.swing_weights({"cost": 100, "quality": 60, "risk": 40})
    assert w.to_dict() == pytest.approx({"cost": 0.5, "quality": 0.3, "risk": 0.2})


def test_score_hand_computed():
    # 3 options x 2 criteria; weights 0.75 / 0.25
    v = pd.DataFrame({"a": [100.0, 0.0, 50.0], "b": [0.0, 100.0, 100.0]}, index=["X", "Y", "Z"])
    r = mcda.score(v, {"a": 75, "b": 25})
    assert r.totals.to_dict() == pytest.approx({"X": 75.0, "Y": 25.0, "Z": 62.5})
    assert r.ranks.to_dict() == {"X": 1, "Z": 2, "Y": 3}
    assert r.table.loc["Z", "a"] == pytest.approx(37.5)
    assert r.preferred == ["X"]
    assert list(r.table["band"]) == ["Green", "Red", "Amber"]
    with pytest.raises(ValueError):
        mcda.score(v * 2, None)
    with pytest.raises(ValueError):
        mcda.score(v, {"a": 1})


def test_rank_with_ties():
    r = mcda.rank_with_ties(pd.Series([10.0, 12.0, 13.0, 13.0], index=[1, 2, 3, 4]))
    assert r.to_dict() == {1: 4, 2: 3, 3: 1, 4: 1}


def test_rag_value_and_band():
    assert mcda.rag_value("green") == 100.0 and mcda.rag_value("A") == 50.0
    with pytest.raises(ValueError):
        mcda.rag_value("purple")
    assert mcda.rag_band(33.0) == "Red" and mcda.rag_band(34.0) == "Amber" and mcda.rag_band(67.0) == "Green"


def test_lancashire_points_equal_weights_tie_3_4():
    pts = mcda.rag_value(LANCS, mcda.RAG_POINTS)
    assert pts.sum(axis=1).to_dict() == {1: 10, 2: 12, 3: 13, 4: 13}  # the report's G3/A2/R1 sums
    r = mcda.score(mcda.rag_value(LANCS), None)  # Red 0 / Amber 50 / Green 100, equal weights
    # total = mean of values = 50 * (points - 6) / 6
    assert r.totals.to_dict() == pytest.approx({1: 200 / 6, 2: 50.0, 3: 350 / 6, 4: 350 / 6})
    assert r.ranks.to_dict() == {1: 4, 2: 3, 3: 1, 4: 1}
    assert r.preferred == [3, 4]
    assert r.table.loc[3, "tied"] and r.table.loc[4, "tied"] and not r.table.loc[1, "tied"]


def test_lancashire_outcomes_over_financial_risk_makes_option3_win():
    v = mcda.rag_value(LANCS)
    w = {c: 1.0 for c in LANCS.columns}
    w[OUT] = 1.2
    r = mcda.score(v, w)
    assert r.preferred == [3]
    assert r.ranks.to_dict() == {3: 1, 4: 2, 2: 3, 1: 4}
    # the difference 3 - 4 is 50 * (w_out - w_fin) / sum(w)
    assert r.totals[3] - r.totals[4] == pytest.approx(50 * 0.2 / 6.2)
    w[OUT], w[FIN] = 1.0, 1.2
    assert mcda.score(v, w).preferred == [4]


from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays


@settings(max_examples=60, deadline=None)
@given(arrays(float, (5, 4), elements=st.floats(0, 100)), arrays(float, 4, elements=st.floats(0.01, 10)),
       st.floats(0.1, 50))
def test_weighted_sum_properties_on_random_matrices(v, w, k):
    values = pd.DataFrame(v, columns=list("abcd"))
    r = mcda.score(values, dict(zip("abcd", w)))
    np.testing.assert_allclose(r.totals, v @ (w / w.sum()), atol=1e-9)  # plain numpy reference
    assert ((r.totals >= -1e-9) & (r.totals <= 100 + 1e-9)).all()
    r2 = mcda.score(values, dict(zip("abcd", w * k)))  # swing weights are scale-free
    assert r2.ranks.equals(r.ranks)
    best = r.totals.max()
    assert set(r.preferred) == set(r.totals.index[r.totals >= best - mcda.TIE_TOL])


def test_as_dict_json_ready():
    import json
    d = mcda.score(mcda.rag_value(LANCS), None).as_dict()
    assert d["preferred"] == ["3", "4"] and d["options"]["1"]["rank"] == 4
    json.dumps(d)
