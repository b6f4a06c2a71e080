"""Weight swings, SMAA-2 acceptabilities and rank reversal."""
import importlib.util
import pathlib

import numpy as np
import pandas as pd
import pytest

from appraisal.mcda import engine as mcda, robustness as rb

_spec = importlib.util.spec_from_file_location("_lancs", pathlib.Path(__file__).with_name("test_mcda.py"))
_m = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_m)
LANCS, OUT, FIN = _m.LANCS, _m.OUT, _m.FIN
V = mcda.rag_value(LANCS)


def test_weight_swing_hand_case():
    # X: (100, 0), Y: (0, 100), Z: (40, 40); swing weight of a. X wins above 0.5, Y below; Z never first.
    v = pd.DataFrame({"a": [100.0, 0.0, 40.0], "b": [0.0, 100.0, 40.0]}, index=["X", "Y", "Z"])
    sw = rb.weight_swing(v, {"a": 1, "b": 1}, "a")
    firsts = [(round(r.weight_from, 9), round(r.weight_to, 9), tuple(r.preferred)) for r in sw.itertuples()]
    # totals: X = 100t, Y = 100(1-t), Z = 40; crossings X=Z at 0.4, X=Y at 0.5, Y=Z at 0.6
    assert (0.5, 0.5, ("X", "Y")) in firsts
    assert [f for f in firsts if f[0] < 0.5][0][2] == ("Y",)
    assert [f for f in firsts if f[0] > 0.5][-1][2] == ("X",)
    bounds = sorted({round(r.weight_from, 9) for r in sw.itertuples()} | {round(r.weight_to, 9) for r in sw.itertuples()})
    assert bounds == [0.0, 0.4, 0.5, 0.6, 1.0]  # every pairwise crossing found exactly


def test_lancashire_outcomes_swing_breaks_tie_at_base():
    sw = rb.weight_swing(V, None, OUT)
    assert list(sw.ranking) == ["4 > 3 > 2 > 1", "4 = 3 > 2 > 1", "3 > 4 > 2 > 1"]
    assert sw.weight_to.iloc[0] == pytest.approx(1 / 6) and sw.weight_from.iloc[2] == pytest.approx(1 / 6)
    sws = rb.switching_weights(V).set_index("criterion")
    assert sws.loc[OUT, "switch_above"] == pytest.approx(1 / 6)
    assert sws.loc[OUT, "switch_below"] == pytest.approx(1 / 6)
    # Ease of implementation: Option 1 or 2 takes over when its weight reaches 2/7
    assert sws.loc["Ease of Implementation", "switch_above"] == pytest.approx(2 / 7)


def test_smaa_sums_and_determinism():
    a = rb.smaa(V, n=5000, seed=7)
    b = rb.smaa(V, n=5000, seed=7)
    c = rb.smaa(V, n=5000, seed=8)
    pd.testing.assert_frame_equal(a.acceptability, b.acceptability)
    assert not a.acceptability.equals(c.acceptability)
    np.testing.assert_allclose(a.acceptability.sum(axis=0), 1.0)  # per rank
    np.testing.assert_allclose(a.acceptability.sum(axis=1), 1.0)  # per option
    # Options 3 and 4 are mirror images on outcomes / financial risk: equal first-rank odds
    assert abs(a.first_rank[3] - a.first_rank[4]) < 0.03
    assert a.acceptability.loc[2, 4] == 0.0  # option 2 (all Amber) can never be last: it beats 1 or 3 and 4
    # with the outcomes weight held above financial risk, option 3 always beats option 4
    bounds = {c: (0.5, 1.5) for c in V.columns}
    bounds[OUT], bounds[FIN] = (2.0, 3.0), (0.5, 1.0)
    s = rb.smaa(V, weight_bounds=bounds, n=4000, seed=1)
    assert s.first_rank[3] > 0.99 and s.first_rank[4] == 0.0


def test_smaa_identical_options_share_by_tiebreak():
    v = pd.DataFrame({"a": [50.0, 50.0], "b": [20.0, 20.0]}, index=["P", "Q"])
    s = rb.smaa(v, n=20000, seed=3)
    assert s.first_rank["P"] == pytest.approx(0.5, abs=0.02)
    np.testing.assert_allclose(s.acceptability.sum(axis=0), 1.0)


def test_smaa_value_uncertainty():
    v = pd.DataFrame({"a": [60.0, 40.0]}, index=["P", "Q"])
    s = rb.smaa(v, values_low=v - 30, values_high=v + 30, n=40000, seed=0)
    # P ~ U(30,90), Q ~ U(10,70): P(P > Q) = 1 - 0.5 * (40/60)^2 = 7/9
    assert s.first_rank["P"] == pytest.approx(7 / 9, abs=0.01)


def test_rank_reversal_local_vs_global_scales():
    perf = pd.DataFrame({"c": [1.0, 2.0, 3.0], "q": [3.0, 1.0, 2.0]}, index=list("ABC"))
    loc = rb.rank_reversal(perf, {"c": 1, "q": 1}).set_index("removed")
    # full set: A=(0,100)->50, B=(50,0)->25, C=(100,50)->75. Drop B: A=(0,100), C=(100,0) tie -> reversal
    assert loc.loc["B", "ranking_before"] == "C > A" and loc.loc["B", "ranking_after"] == "A = C"
    assert loc.loc["B", "reversal"] and not loc.loc["A", "reversal"]
    glob = rb.rank_reversal(perf, {"c": 1, "q": 1}, scales={"c": (0, 4), "q": (0, 4)})
    assert not glob.reversal.any()
    lancs = rb.rank_reversal(V, None, scales={c: (0, 100) for c in V.columns})
    assert not lancs.reversal.any()


def test_smaa_as_dict():
    import json
    d = rb.smaa(V, n=500, seed=0).as_dict()
    assert abs(sum(d["acceptability"]["3"].values()) - 1) < 1e-12
    json.dumps(d)


def test_robustness_report_lancashire_json():
    import json
    rep = rb.robustness_report(V, None, n=2000, seed=0)
    s = json.dumps(rep)
    assert "NaN" not in s
    assert rep["score"]["preferred"] == ["3", "4"]
    out = [r for r in rep["switching_weights"] if r["criterion"] == OUT][0]
    assert out["switch_above"] == pytest.approx(1 / 6)
    assert not any(r["reversal"] for r in rep["rank_reversal"])
