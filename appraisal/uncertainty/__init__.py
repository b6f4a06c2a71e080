"""Sensitivity and uncertainty studies: parameters, paired designs, indices, scenario discovery, and a
resumable dask sweep executor writing to DuckDB. See docs/sensitivity.md."""
from appraisal.uncertainty.params import PERT, Normal, Param, Triangular, Uniform, from_spec
from appraisal.uncertainty.design import SensitivityDesign, make, montecarlo, morris, sobol
from appraisal.uncertainty.prim import PrimResult, prim
from appraisal.uncertainty.store import RunStore
from appraisal.uncertainty.executor import local_cluster, run_seed, run_sweep
from appraisal.uncertainty.runner import SensitivityRun, run_sensitivity, study_key

__all__ = ["PERT", "Normal", "Param", "Triangular", "Uniform", "from_spec", "SensitivityDesign", "make",
           "montecarlo", "morris", "sobol", "PrimResult", "prim", "RunStore", "local_cluster", "run_seed",
           "run_sweep", "SensitivityRun", "run_sensitivity", "study_key"]
