"""reformkit's appraisal package, and its public Python API (`appraisal.api`, re-exported here):

    import appraisal as rk
    study = rk.load_study("studies/llr")
    rk.appraise(study).metrics

`load_study`, `appraise`, `optimise`, `buyin`, `score`, `sensitivity`, `run`, the plan type (`Plan`,
`document_plan`, `read_plans`, `plans_of`) and the result types. Names load on first use, so that importing
a subpackage (e.g. on a dask worker) does not import the optimiser or the agent model.
"""
from __future__ import annotations

import importlib

__all__ = ["load_study", "appraise", "optimise", "buyin", "score", "sensitivity", "run", "plans_of",
           "document_plan", "read_plans", "plans_table", "preferred_option",
           "Study", "Plan", "FinancialCase", "OptionAppraisal", "OptimisedOption", "BuyIn", "Scoring",
           "SensitivityRun", "RunOutput", "RunSettings"]


def __getattr__(name: str):
    if name in __all__:
        return getattr(importlib.import_module("appraisal.api"), name)
    raise AttributeError(f"module 'appraisal' has no attribute '{name}'")


def __dir__():
    return sorted(list(globals()) + __all__)
