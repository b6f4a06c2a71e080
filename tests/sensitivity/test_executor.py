"""Run store and sweep executor: serial/local runs, resume, kill-and-resume of a real subprocess."""
import functools
import os
import signal
import subprocess
import sys
import time

import duckdb
import numpy as np
import pandas as pd
import pytest

from appraisal.uncertainty import Uniform, sobol
from appraisal.uncertainty import testfunctions as tf
from appraisal.uncertainty.executor import run_seed, run_sweep
from appraisal.uncertainty.store import RunStore

ISHI = [Uniform(n, -np.pi, np.pi) for n in ("x1", "x2", "x3")]


def direct(design, fn=tf.ishigami):
    return pd.DataFrame([fn(r) for r in design.X.to_dict("records")],
                        index=pd.Index(range(len(design)), name="sample_index"))


def test_serial_sweep_matches_direct_and_resumes(tmp_path):
    d = sobol(ISHI, 32, seed=4)
    db = tmp_path / "s.duckdb"
    a = run_sweep(tf.ishigami, d, db, scheduler="serial", chunk_size=7, progress=False)
    pd.testing.assert_frame_equal(a, direct(d), check_exact=True)
    assert a.attrs["computed"] == len(d) and a.attrs["study_hash"] == d.hash()
    with RunStore(db) as st:  # lose some rows, as an interrupted run would
        st.con.execute("DELETE FROM runs WHERE sample_index % 5 = 0")
    b = run_sweep(tf.ishigami, d, db, scheduler="serial", progress=False)
    assert b.attrs["computed"] == len(range(0, len(d), 5)) and b.attrs["resumed_from"] == len(d) - b.attrs["computed"]
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    c = run_sweep(tf.ishigami, d, db, scheduler="serial", progress=False)
    assert c.attrs["computed"] == 0
    r = d.analyse(c)  # store output feeds the paired analysis directly
    assert r.indices.shape == (3, 4)


def test_progress_bar_runs(tmp_path, capsys):
    d = sobol(ISHI, 8, seed=0)
    out = run_sweep(tf.ishigami, d, tmp_path / "p.duckdb", scheduler="serial", progress=True)
    assert len(out) == len(d)


def test_store_ignores_duplicates_and_guards_design(tmp_path):
    with RunStore(tmp_path / "x.duckdb") as st:
        st.register("h", "d1", 3)
        st.write("h", [(0, {"y": 1.5}, 0.0, "w"), (1, {"y": 0.1 + 0.2, "opt": "B"}, 0.0, "w")])
        st.write("h", [(1, {"y": 99.0}, 0.0, "w2"), (2, {"y": float("nan")}, 0.0, "w")])
        df = st.load("h")
        assert st.count("h") == 3 and df.loc[1, "y"] == 0.1 + 0.2 and df.loc[1, "opt"] == "B"  # first write kept, exact
        assert np.isnan(df.loc[2, "y"])
        with pytest.raises(ValueError):
            st.register("h", "d2", 3)


def test_seeded_runs_independent_of_chunking(tmp_path):
    def noisy(x, seed):
        return {"y": x["x1"] + np.random.default_rng(seed).normal()}

    d = sobol(ISHI, 8, seed=0)
    a = run_sweep(noisy, d, tmp_path / "a.duckdb", scheduler="serial", seed=11, chunk_size=3, progress=False)
    b = run_sweep(noisy, d, tmp_path / "b.duckdb", scheduler="serial", seed=11, chunk_size=40, progress=False)
    pd.testing.assert_frame_equal(a, b)
    assert a.loc[5, "y"] == d.X.loc[5, "x1"] + np.random.default_rng(run_seed(11, 5)).normal()


def test_plain_dataframe_sweep_and_model_error(tmp_path):
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [0.0, 1.0, 0.5]})
    out = run_sweep(lambda x: x["a"] * 10 + x["b"], X, tmp_path / "t.duckdb", scheduler="serial", progress=False)
    assert out.y.tolist() == [10.0, 21.0, 30.5]

    def bad(x):
        if x["a"] > 2:
            raise ZeroDivisionError("model failed")
        return 1.0

    with pytest.raises(ZeroDivisionError):
        run_sweep(bad, X, tmp_path / "e.duckdb", scheduler="serial", chunk_size=1, progress=False, flush_every=60)
    with RunStore(tmp_path / "e.duckdb") as st:  # runs before the failure are kept for a resume
        assert st.count(st.con.execute("SELECT study_hash FROM studies").fetchall()[0][0]) == 2


SCRIPT = """
import functools, sys
import numpy as np
from appraisal.uncertainty import Uniform, sobol
from appraisal.uncertainty import testfunctions as tf
from appraisal.uncertainty.executor import run_sweep

if __name__ == "__main__":
    d = sobol([Uniform(n, -np.pi, np.pi) for n in ("x1", "x2", "x3")], 64, seed=9)
    run_sweep(functools.partial(tf.slow_ishigami, delay=0.01), d, sys.argv[1], n_workers=2, chunk_size=8,
              progress=False, flush_every=0, on_commit=lambda n: print(n, flush=True))
    print("done", flush=True)
"""


def test_kill_and_resume_identical_to_uninterrupted(tmp_path):
    d = sobol(ISHI, 64, seed=9)
    n = len(d)  # 320 runs
    script = tmp_path / "sweep.py"
    script.write_text(SCRIPT)
    db = tmp_path / "killed.duckdb"
    proc = subprocess.Popen([sys.executable, str(script), str(db)], stdout=subprocess.PIPE, text=True,
                            start_new_session=True)  # own process group: kill the client and its cluster
    try:
        stored = 0
        deadline = time.time() + 60
        while stored < n // 3 and time.time() < deadline:
            line = proc.stdout.readline()
            assert line and line.strip() != "done", "sweep finished before it could be interrupted"
            stored = int(line)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.stdout.close()
    with RunStore(db) as st:
        partial = st.count(d.hash())
    assert n // 3 <= partial < n
    resumed = run_sweep(functools.partial(tf.slow_ishigami, delay=0.0), d, db, scheduler="serial", progress=False)
    assert resumed.attrs["computed"] == n - partial  # only the missing runs were evaluated
    reference = run_sweep(tf.ishigami, d, tmp_path / "ref.duckdb", scheduler="serial", progress=False)
    pd.testing.assert_frame_equal(resumed, reference, check_exact=True)
    con = duckdb.connect(str(db), read_only=True)
    total, distinct = con.execute("SELECT count(*), count(DISTINCT sample_index) FROM runs").fetchall()[0]
    con.close()
    assert total == distinct == n


def test_local_cluster_two_workers(tmp_path):
    d = sobol(ISHI, 64, seed=2)
    fn = functools.partial(tf.slow_ishigami, delay=0.002)  # long enough for both workers to take tasks
    out = run_sweep(fn, d, tmp_path / "lc.duckdb", n_workers=2, chunk_size=16, progress=False)
    pd.testing.assert_frame_equal(out, direct(d), check_exact=True)
    with RunStore(tmp_path / "lc.duckdb") as st:
        assert st.load(d.hash(), meta=True)["_worker"].nunique() == 2


def test_model_error_on_dask_propagates_and_keeps_finished_runs(tmp_path):
    def _fails_on_third(x):  # nested, so cloudpickle ships it by value (test modules are not importable)
        if x["a"] == 3.0:
            raise ValueError("bad row")
        return x["a"]

    X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(ValueError, match="bad row"):
        run_sweep(_fails_on_third, X, tmp_path / "f.duckdb", n_workers=1, chunk_size=1, progress=False)
    with RunStore(tmp_path / "f.duckdb") as st:
        key = st.con.execute("SELECT study_hash FROM studies").fetchall()[0][0]
        assert 2 <= st.count(key) <= 3 and 2 not in st.done(key)
