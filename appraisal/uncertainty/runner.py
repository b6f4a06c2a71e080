"""One call for a whole sensitivity study: design -> sweep (resumable) -> paired analysis.

This is what ``reformkit sensitivity STUDY --method M -n N [--scheduler ADDR] --out DIR`` needs:
build ``params`` and a picklable ``fn`` from the study, then call :func:`run_sensitivity`.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from appraisal.uncertainty.design import SensitivityDesign, make
from appraisal.uncertainty.executor import run_sweep
from appraisal.uncertainty.prim import PrimResult, prim

STORE_NAME = "runs.duckdb"


@dataclass
class SensitivityRun:
    design: SensitivityDesign
    results: pd.DataFrame  # outputs by sample_index (attrs: study_hash, computed, resumed_from)
    analysis: dict  # output name -> SobolResult | MorrisResult | MonteCarloResult
    store_path: Path

    def as_dict(self) -> dict:
        return {"method": self.design.method, "n": self.design.n, "runs": len(self.design), "seed": self.design.seed,
                "parameters": [p.spec() for p in self.design.params], "study_hash": self.results.attrs.get("study_hash"),
                "computed_this_call": self.results.attrs.get("computed"), "store": str(self.store_path),
                "outputs": {k: v.as_dict() for k, v in self.analysis.items()}}

    def discover(self, case: Callable[[pd.DataFrame], pd.Series], **kw) -> PrimResult:
        """PRIM on this run: ``case(results) -> bool Series`` marks the runs of interest (e.g.
        ``lambda r: r.npv_gbp < 0``)."""
        return prim(self.design.X, case(self.results).to_numpy(dtype=bool), **kw)


def study_key(*parts) -> str:
    """Hash several identity parts (study input hash, design hash, model version...) into a store key."""
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()


def run_sensitivity(fn: Callable, params, *, method: str, n: int, out_dir, seed: int = 0, scheduler=None,
                    n_workers: int | None = None, study_hash: str | None = None, outputs: list[str] | None = None,
                    progress: bool = True, run_seeds: bool = False, **design_kw) -> SensitivityRun:
    """Sample, evaluate (resuming from ``out_dir/runs.duckdb``) and analyse.

    ``study_hash``: hash of the study inputs; combined with the design hash so a changed design never
    reuses stored runs. ``outputs``: numeric outputs to analyse (default: every numeric column).
    ``run_seeds``: pass a per-run ``seed=`` to ``fn`` (stochastic models, e.g. the agent model)."""
    design = make(method, params, n, seed=seed, **design_kw)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    key = study_key(study_hash, design.hash()) if study_hash else None
    res = run_sweep(fn, design, out / STORE_NAME, study_hash=key, scheduler=scheduler, n_workers=n_workers,
                    seed=seed if run_seeds else None, progress=progress)
    cols = outputs or [c for c in res.columns if pd.api.types.is_numeric_dtype(res[c])]
    analysis = {c: design.analyse(res[c]) for c in cols}
    return SensitivityRun(design, res, analysis, out / STORE_NAME)
