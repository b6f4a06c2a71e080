"""The dask.distributed path gives exactly the serial results (2 worker processes, one thread each)."""

import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

from agents import compare_interventions, simulate, SidePayment  # noqa: E402
from agents.examples import lancashire_like  # noqa: E402

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=40) as cluster, distributed.Client(cluster) as c:
        yield c


def test_dask_equals_serial_whatever_the_chunks(client):
    inp = lancashire_like()
    serial = simulate(inp, runs=60, seed=42)
    for chunk in (None, 7):
        par = simulate(inp, runs=60, seed=42, client=client, chunk_size=chunk)
        pd.testing.assert_frame_equal(serial.outcomes, par.outcomes)
        pd.testing.assert_frame_equal(serial.pivotal, par.pivotal)
        pd.testing.assert_frame_equal(serial.trajectories, par.trajectories)
        assert par.provenance["parallel"] and par.provenance["inputs_hash"] == serial.provenance["inputs_hash"]
    assert len(client.scheduler_info()["workers"]) == 2


def test_dask_equals_serial_with_every_decision_mode_and_the_evidence(client):
    from agents.examples import random_inputs
    from agents.inputs import RULES

    inp = random_inputs(16, n_partners=8, n_vehicles=3, rules=RULES, evidence=True, horizon_months=36)
    serial = simulate(inp, runs=300, seed=5)
    par = simulate(inp, runs=300, seed=5, client=client, chunk_size=37)
    for name in ("outcomes", "pivotal", "membership", "trajectories"):
        pd.testing.assert_frame_equal(getattr(serial, name), getattr(par, name))
    assert serial.outcomes["withdrawals"].sum() > 0 and serial.outcomes["agreed_month"].notna().any()


def test_compare_interventions_on_dask_equals_serial(client):
    inp = lancashire_like()
    pkg = {"pay": [SidePayment("Airedale", 3e6, "WBC_PEN")]}
    a = compare_interventions(inp, pkg, runs=20, seed=1)
    b = compare_interventions(inp, pkg, runs=20, seed=1, client=client)
    pd.testing.assert_frame_equal(a, b)


def test_connect_joins_a_running_scheduler(client):
    from agents import connect

    with connect(client.scheduler.address) as c2:
        assert len(c2.scheduler_info()["workers"]) == 2
