"""run_sensitivity: design -> resumable sweep -> analysis, in one call."""
import json

import numpy as np
import pytest

from appraisal.uncertainty import Uniform
from appraisal.uncertainty import testfunctions as tf
from appraisal.uncertainty.runner import run_sensitivity, study_key

ISHI = [Uniform(n, -np.pi, np.pi) for n in ("x1", "x2", "x3")]


def test_run_sensitivity_sobol_resume_and_json(tmp_path):
    r = run_sensitivity(tf.ishigami, ISHI, method="sobol", n=512, out_dir=tmp_path, seed=1, scheduler="serial",
                        study_hash="abc", progress=False)
    assert r.results.attrs["computed"] == 512 * 5 and r.store_path.exists()
    assert r.analysis["y"].indices.loc["x2", "S1"] == pytest.approx(0.442, abs=0.06)
    d = r.as_dict()
    json.dumps(d)
    assert d["outputs"]["y"]["method"] == "sobol" and d["study_hash"] == study_key("abc", r.design.hash())
    again = run_sensitivity(tf.ishigami, ISHI, method="sobol", n=512, out_dir=tmp_path, seed=1,
                            scheduler="serial", study_hash="abc", progress=False)
    assert again.results.attrs["computed"] == 0
    other = run_sensitivity(tf.ishigami, ISHI, method="sobol", n=512, out_dir=tmp_path, seed=2,
                            scheduler="serial", study_hash="abc", progress=False)
    assert other.results.attrs["computed"] == 512 * 5  # a different design is a different study


def test_run_sensitivity_montecarlo_and_discover(tmp_path):
    r = run_sensitivity(tf.ishigami, ISHI, method="montecarlo", n=3000, out_dir=tmp_path, scheduler="serial",
                        progress=False)
    box = r.discover(lambda res: res.y > 10)  # large outputs need x2 near +-pi/2
    step = box.select(min_coverage=0.5)
    assert "x2" in box.restricted(step).index
    assert r.analysis["y"].summary["n"] == 3000
