"""The public API (`import appraisal as rk`) and the worked notebook docs/tour.ipynb, executed."""
import ast
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import appraisal

ROOT = Path(__file__).resolve().parents[2]
TOUR = ROOT / "docs" / "tour.ipynb"


def test_every_public_name_resolves_and_is_documented():
    for name in appraisal.__all__:
        obj = getattr(appraisal, name)
        assert obj.__doc__, name
    for name in ("load_study", "appraise", "optimise", "buyin", "score", "sensitivity", "run"):
        assert callable(getattr(appraisal, name))
    with pytest.raises(AttributeError):
        appraisal.not_a_name  # noqa: B018


def test_importing_a_subpackage_does_not_load_the_engines():
    code = "import sys, appraisal.study, appraisal.money.ledger; print('pyomo' in sys.modules, 'appraisal.api' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_appraise_returns_dataframes_and_takes_a_plan_table(tmp_path):
    case = appraisal.appraise(ROOT / "studies" / "llr")
    assert isinstance(case.metrics, pd.DataFrame)
    assert case.metrics.loc["phased", "benefits_adjusted_total_gbp"] == pytest.approx(4355144, abs=0.005)
    plan = appraisal.document_plan(case.study, "phased")
    plan.write(case.study, tmp_path / "plan.csv")
    again = appraisal.appraise(case.study, plans=tmp_path / "plan.csv")
    assert again.metrics.loc["phased", "npsv_gbp"] == pytest.approx(case.metrics.loc["phased", "npsv_gbp"], abs=0.005)
    assert again.metrics.loc["phased", "plan"] == "file"


def test_the_tour_uses_only_the_public_api():
    import nbformat

    nb = nbformat.read(TOUR, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    tree = ast.parse(code)
    imports = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imports |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imports == {"appraisal", "pathlib"}
    used = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and getattr(n.value, "id", None) == "rk"}
    assert used and used <= set(appraisal.__all__)


def test_the_tour_executes_and_prints_the_published_figures():
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(TOUR, as_version=4)
    started = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(TOUR.parent)}}).execute()
    seconds = time.perf_counter() - started
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
                      if o.output_type == "stream")
    assert "LLR savings £4,355,144\n" in printed  # 7.5 Table 3 of the LLR business case
    assert "LLR costs £2,273,100\n" in printed
    npsv = re.search(r"optimised NPSV £([\d,.]+)", printed).group(1)
    assert f"appraise(plans=optimised) NPSV £{npsv}; difference £0.00" in printed
    assert "Lancashire Sobol runs: 384\n" in printed  # N = 64, 4 parameters: 64 × 6
    assert "preferred by the MCDA:" in printed
    print(f"tour executed in {seconds:.1f} s")
