"""Embedded DuckDB store of sweep results: one row per run, primary key (study_hash, sample_index).

Only the client process writes (workers return results to it). Inserts are ``INSERT OR IGNORE``, so a
run delivered twice (a task re-executed after a worker was lost) is stored once, and rows committed
before an interruption are kept: re-running computes only the missing indices.
Outputs are stored as JSON text (floats round-trip exactly; strings allowed, e.g. a preferred option).
"""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

SCHEMA = """
CREATE TABLE IF NOT EXISTS studies (
    study_hash VARCHAR PRIMARY KEY, design_hash VARCHAR, n_runs BIGINT, method VARCHAR,
    created TIMESTAMP DEFAULT current_timestamp);
CREATE TABLE IF NOT EXISTS runs (
    study_hash VARCHAR NOT NULL, sample_index BIGINT NOT NULL, outputs VARCHAR NOT NULL,
    seconds DOUBLE, worker VARCHAR, finished TIMESTAMP DEFAULT current_timestamp,
    PRIMARY KEY (study_hash, sample_index));
"""


class RunStore:
    """``RunStore(path)`` opens (creating) a DuckDB file; use as a context manager or call :meth:`close`."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(str(self.path))
        self.con.execute(SCHEMA)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.con.close()

    def register(self, study_hash: str, design_hash: str, n_runs: int, method: str = "") -> None:
        """Record the study; refuse to resume a study hash whose design differs."""
        rows = self.con.execute("SELECT design_hash, n_runs FROM studies WHERE study_hash = ?", [study_hash]).fetchall()
        row = rows[0] if rows else None
        if row is None:
            self.con.execute("INSERT INTO studies (study_hash, design_hash, n_runs, method) VALUES (?, ?, ?, ?)",
                             [study_hash, design_hash, n_runs, method])
        elif row[0] != design_hash or row[1] != n_runs:
            raise ValueError(f"store {self.path} holds study {study_hash[:12]} with a different design "
                             f"({row[1]} runs); use another store or study hash")

    def done(self, study_hash: str) -> np.ndarray:
        r = self.con.execute("SELECT sample_index FROM runs WHERE study_hash = ? ORDER BY sample_index",
                             [study_hash]).fetchnumpy()
        return r["sample_index"].astype(np.int64)

    def count(self, study_hash: str) -> int:
        return self.con.execute("SELECT count(*) FROM runs WHERE study_hash = ?", [study_hash]).fetchall()[0][0]

    def write(self, study_hash: str, rows: list[tuple]) -> int:
        """Insert ``(sample_index, outputs_dict, seconds, worker)`` rows; duplicates are ignored.
        Returns the number of rows actually inserted."""
        if not rows:
            return 0
        df = pd.DataFrame({"study_hash": study_hash,
                           "sample_index": np.array([r[0] for r in rows], dtype=np.int64),
                           "outputs": [json.dumps(r[1]) for r in rows],
                           "seconds": np.array([r[2] for r in rows], dtype=float),
                           "worker": [str(r[3]) for r in rows]})
        self.con.register("_incoming", df)
        try:
            res = self.con.execute("INSERT OR IGNORE INTO runs (study_hash, sample_index, outputs, seconds, worker) "
                                   "SELECT study_hash, sample_index, outputs, seconds, worker FROM _incoming").fetchall()
        finally:
            self.con.unregister("_incoming")
        return int(res[0][0]) if res else len(rows)

    def load(self, study_hash: str, *, meta: bool = False) -> pd.DataFrame:
        """Outputs as a DataFrame indexed by ``sample_index`` (sorted); ``meta`` adds seconds/worker."""
        r = self.con.execute("SELECT sample_index, outputs, seconds, worker FROM runs WHERE study_hash = ? "
                             "ORDER BY sample_index", [study_hash]).fetchall()
        df = pd.DataFrame([json.loads(o) for _, o, _, _ in r],
                          index=pd.Index([i for i, *_ in r], name="sample_index", dtype=np.int64))
        if meta:
            df["_seconds"] = [s for _, _, s, _ in r]
            df["_worker"] = [w for *_, w in r]
        return df
