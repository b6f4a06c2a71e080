"""The batched scenario path (scenarios × lines × years as arrays) gives the per-sample path's values."""
import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from appraisal.study import load_study
from appraisal.uncertainty import make
from appraisal.uncertainty.executor import run_sweep
from appraisal.uncertainty.scenario import BuyInCoupling, scenario_model
from appraisal.workflows.sensitivity import study_params

ROOT = Path(__file__).parents[2]
EXTRA = """\
benefit_scale,All benefits,benefits,triangular,0.7,1.0,1.1,,,test: all benefits
cost_scale,All costs,costs,pert,0.9,1.0,1.5,,,test: all costs
cashable_scale,Cashable lines,category:cashable,uniform,0.8,,1.1,,,test: a category target
rate,Discount rate,discount_rate_pct,uniform,1.5,,5,,,test: a constant discount rate
"""


@pytest.fixture(scope="module")
def lancashire(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lanc") / "lancashire"
    shutil.copytree(ROOT / "studies" / "lancashire", folder)
    with open(folder / "uncertainties.csv", "a") as fh:
        fh.write(EXTRA)
    return load_study(folder)


@pytest.fixture(scope="module")
def model(lancashire):
    return scenario_model(lancashire)


def test_batch_equals_per_sample_to_the_penny(lancashire, model):
    design = make("sobol", study_params(lancashire), 32, seed=4)  # 32 × (8 + 2) = 320 samples
    X = design.X
    X.loc[:5, "rate"] = 3.5  # repeated rates share their discount factors
    batch = model.evaluate_batch(X)
    assert len(batch) == len(X) == 320
    delays = {int(round(d)) for d in X["implementation_delay"]}
    assert delays == {0, 1}  # both branches of the delay are exercised
    for row, got in zip(X.to_dict("records"), batch):
        want = model(row)
        assert set(got) == set(want)
        for key, value in want.items():
            assert got[key] == pytest.approx(value, abs=0.005), key
    # the figures move with the scenario (the test could fail): NPSV spans millions across the design
    npsv = np.array([b["opt3.npsv_gbp"] for b in batch])
    assert npsv.max() - npsv.min() > 1e7


def test_the_base_scenario_batch_is_the_ledger_npsv(lancashire, model):
    base = model.evaluate_batch([model.base])[0]
    for oid, m in model.outcomes().items():
        assert base[f"{oid}.npsv_gbp"] == pytest.approx(m["npsv_gbp"], abs=0.005)


def test_sweeps_evaluate_each_chunk_as_one_batch(lancashire, model, tmp_path):
    assert model.batchable
    design = make("sobol", study_params(lancashire), 8, seed=1)
    batched = run_sweep(model, design, tmp_path / "a.duckdb", scheduler="serial", chunk_size=30, progress=False)
    one_by_one = run_sweep(lambda x: model(x), design, tmp_path / "b.duckdb", scheduler="serial", progress=False)
    for col in ("opt3.npsv_gbp", "preferred_npsv_gbp", "preferred_option_index"):
        assert np.allclose(batched[col].to_numpy(), one_by_one[col].to_numpy(), rtol=0, atol=0.005)


def test_a_model_with_the_agent_model_is_not_batched(lancashire, model):
    coupled = dataclasses.replace(model, buyin=BuyInCoupling(prepared=None, planned_year={}))
    assert not coupled.batchable  # the executor then evaluates it sample by sample, with per-sample seeds
    with pytest.raises(ValueError, match="one sample at a time"):
        coupled.outcomes_batch(make("sobol", study_params(lancashire), 4).X)


def test_a_care_pathway_model_is_not_batched():
    """A cohort model is re-run per sample (extra_flows): the batch path must refuse it, not leave it out."""
    from appraisal.study import load_study
    from appraisal.uncertainty.scenario import scenario_model

    model = scenario_model(load_study(ROOT / "studies" / "asc_reablement"))
    assert not model.batchable
    with pytest.raises(ValueError, match="one sample at a time"):
        model.evaluate_batch([dict(model.base)])
