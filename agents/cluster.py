"""Dask client for replications: join a running scheduler (`tcp://HOST:PORT`) or start a local cluster."""

from __future__ import annotations


def connect(scheduler: str | None = None, n_workers: int | None = None):
    """A `distributed.Client`: to `scheduler` if given, else to a LocalCluster of single-threaded worker
    processes (one per core by default) that the client owns and shuts down when closed
    (`with connect() as client: ...`)."""
    from distributed import Client

    if scheduler:
        return Client(scheduler)
    return Client(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=":0")
