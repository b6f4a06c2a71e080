"""Fixtures shared across test folders: one expensive end-to-end run that several folders only read."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def lancashire_report(tmp_path_factory):
    """`reformkit run` on Lancashire with small settings (60 buy-in runs, Sobol N=16), with the PDF when Chromium
    is there: run once for the pipeline, report and terminal tests, which only read it."""
    from appraisal.report.pdf import find_chromium
    from appraisal.study import load_study
    from appraisal.workflows.run import RunSettings, run_study

    out = tmp_path_factory.mktemp("lancashire") / "lancashire"
    return run_study(load_study(ROOT / "studies" / "lancashire"), out,
                     RunSettings(runs=60, sensitivity_n=16, pdf=find_chromium() is not None))
