"""PRIM finds a planted box."""
import numpy as np
import pandas as pd
import pytest

from appraisal.uncertainty.prim import prim


def test_prim_finds_planted_box():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.random((5000, 5)), columns=list("abcde"))
    y = ((X.a > 0.6) & (X.c < 0.3)).to_numpy() ^ (rng.random(5000) < 0.03)  # 3% label noise
    r = prim(X, y)
    t = r.trajectory
    assert t.loc[0, "coverage"] == 1.0 and t.loc[0, "mass"] == 1.0
    assert (np.diff(t.mass) < 0).all()
    step = r.select(min_coverage=0.8)
    box = r.restricted(step)
    assert list(box.index) == ["a", "c"]
    assert box.loc["a", "lo"] == pytest.approx(0.6, abs=0.03) and box.loc["c", "hi"] == pytest.approx(0.3, abs=0.03)
    assert t.loc[step, "density"] > 0.9 and t.loc[step, "coverage"] >= 0.8
    # coverage / density definitions, recomputed by hand
    b = r.box(step)
    inside = np.all((X >= b.lo) & (X <= b.hi), axis=1).to_numpy()
    assert t.loc[step, "coverage"] == pytest.approx(y[inside].sum() / y.sum())
    assert t.loc[step, "density"] == pytest.approx(y[inside].mean())
    assert r.select(min_density=0.95) >= step


def test_prim_rejects_no_cases():
    with pytest.raises(ValueError):
        prim(pd.DataFrame({"a": [0.1, 0.2]}), [False, False])


def test_prim_as_dict():
    import json
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.random((500, 2)), columns=["a", "b"])
    d = prim(X, (X.a > 0.5).to_numpy()).as_dict()
    assert list(d["box"]) == ["a"] and d["density"] == 1.0
    json.dumps(d)
