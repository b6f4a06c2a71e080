"""Sensitivity and uncertainty studies: parameters, paired designs, indices, scenario discovery, and a
resumable dask sweep executor writing to DuckDB. See docs/sensitivity.md."""
from appraisal.sensitivity.params import PERT, Normal, Param, Triangular, Uniform, from_spec
from appraisal.sensitivity.design import SensitivityDesign, make, montecarlo, morris, sobol

__all__ = ["PERT", "Normal", "Param", "Triangular", "Uniform", "from_spec", "SensitivityDesign", "make",
           "montecarlo", "morris", "sobol"]
