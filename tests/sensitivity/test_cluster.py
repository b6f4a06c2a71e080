"""A real `dask scheduler` and two `dask worker` processes on 127.0.0.1; one worker is killed mid-sweep."""
import functools
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from appraisal.uncertainty import Uniform, sobol
from appraisal.uncertainty import testfunctions as tf
from appraisal.uncertainty.executor import run_sweep
from appraisal.uncertainty.store import RunStore

DASK = str(pathlib.Path(sys.executable).with_name("dask"))


def _stop(procs):
    """Workers first, then the scheduler: SIGTERM, and SIGKILL after 5 s."""
    for p in reversed(procs):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)


@pytest.fixture
def cluster(tmp_path):
    """Yields (address, {name: worker Popen}); all subprocesses are stopped on teardown."""
    sf = tmp_path / "scheduler.json"
    logs = tmp_path / "logs"
    logs.mkdir()
    procs = []

    def start(args, name):
        log = open(logs / f"{name}.log", "w")
        p = subprocess.Popen([DASK, *args], stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
        log.close()
        procs.append(p)
        return p

    try:
        start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(sf)],
              "scheduler")
        deadline = time.time() + 60
        while not (sf.exists() and sf.stat().st_size > 0):
            assert time.time() < deadline, (logs / "scheduler.log").read_text()
            time.sleep(0.1)
        address = json.loads(sf.read_text())["address"]
        workers = {name: start(["worker", "--scheduler-file", str(sf), "--host", "127.0.0.1", "--nthreads", "1",
                                "--no-nanny", "--no-dashboard", "--name", name], name) for name in ("w0", "w1")}
        from distributed import Client
        with Client(address, timeout=60) as c:
            c.wait_for_workers(2, timeout=60)
        yield address, workers
    finally:
        _stop(procs)


@pytest.mark.cluster
def test_worker_killed_mid_sweep_results_complete_and_identical(cluster, tmp_path):
    address, workers = cluster
    d = sobol([Uniform(n, -np.pi, np.pi) for n in ("x1", "x2", "x3")], 64, seed=5)
    n = len(d)
    killed = {}

    def on_commit(stored):
        if not killed and stored >= n // 4:
            workers["w0"].send_signal(signal.SIGKILL)
            workers["w0"].wait(timeout=10)
            killed["at"] = stored

    db = tmp_path / "cluster.duckdb"
    out = run_sweep(functools.partial(tf.slow_ishigami, delay=0.01), d, db, scheduler=address, chunk_size=4,
                    progress=False, flush_every=0, on_commit=on_commit)
    assert killed and killed["at"] < n  # the kill happened mid-sweep
    reference = run_sweep(tf.ishigami, d, tmp_path / "ref.duckdb", scheduler="serial", progress=False)
    pd.testing.assert_frame_equal(out, reference, check_exact=True)
    with RunStore(db) as st:
        meta = st.load(d.hash(), meta=True)
        total, distinct = st.con.execute("SELECT count(*), count(DISTINCT sample_index) FROM runs").fetchall()[0]
    assert total == distinct == n
    assert meta["_worker"].nunique() == 2  # both workers delivered runs before one was lost
    assert workers["w1"].poll() is None  # the survivor finished the sweep
