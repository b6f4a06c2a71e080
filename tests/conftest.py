"""Fixtures shared across test folders: one expensive end-to-end run that several folders only read."""
import importlib.util
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


if importlib.util.find_spec("xdist") is not None:
    def pytest_xdist_make_scheduler(config, log):
        """`make test` runs on two processes (pytest-xdist, --dist loadgroup): every test is scheduled on its own,
        except that the test files reading the session's Lancashire run go to one worker, so that run is made once,
        not once per worker. (xdist's own `xdist_group` mark renames items, which pytest 9.2 no longer honours.)"""
        if config.getvalue("dist") != "loadgroup":
            return None
        from xdist.scheduler import LoadScopeScheduling

        root = Path(config.rootpath)
        shared = {p.relative_to(root).as_posix() for p in Path(__file__).parent.rglob("test_*.py")
                  if "lancashire_report" in p.read_text(encoding="utf-8")}

        class OneLancashireRun(LoadScopeScheduling):
            def _split_scope(self, nodeid: str) -> str:
                return "lancashire_report" if nodeid.split("::", 1)[0] in shared else nodeid

        return OneLancashireRun(config, log)
