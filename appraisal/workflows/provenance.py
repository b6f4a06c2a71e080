"""Provenance stamped on every result: inputs, versions, options, seed, timings."""
from __future__ import annotations

import datetime as dt
import platform
from importlib import metadata

PACKAGES = ("reformkit", "numpy", "pandas", "pydantic", "pyomo", "highspy", "mesa", "SALib", "dask",
            "distributed", "duckdb", "plotly", "openpyxl")


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def provenance(study=None, **extra) -> dict:
    """A provenance record; pass the Study to include its input hashes, plus any run details."""
    record = {
        "created_utc": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "platform": platform.platform(),
        "packages": package_versions(),
    }
    if study is not None:
        from appraisal.money.discounting import schedule_versions

        d = study.config.discounting
        record |= {"study": study.name, "study_path": str(study.path), "study_hash": study.study_hash,
                   "input_hashes": dict(sorted(study.input_hashes.items())),
                   "discount_schedules": {s: schedule_versions(s) for s in [d.schedule, *d.sensitivities]}}
    return record | extra
