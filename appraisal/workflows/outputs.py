"""Write results: results.json (headline figures), tables/*.csv, results.xlsx and manifest.json.

Tables are written with sorted rows and fixed float formatting so identical inputs give identical files.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd


def _clean(value):
    if isinstance(value, pd.DataFrame):
        return _clean(value.to_dict(orient="records"))
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else round(value, 6)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_clean(data), indent=2, sort_keys=False, ensure_ascii=False) + "\n")


def write_tables(out: Path, tables: dict[str, pd.DataFrame]) -> list[str]:
    """CSV per table under out/tables and one Excel workbook with a sheet per table."""
    folder = out / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False, float_format="%.6f", lineterminator="\n")
        written.append(f"tables/{name}.csv")
    write_workbook(out / "results.xlsx", tables)
    return written


def sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
    candidate, i = base, 1
    while candidate.lower() in used:
        suffix = f"~{i}"
        candidate, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(candidate.lower())
    return candidate


def write_workbook(path: Path, tables: dict[str, pd.DataFrame]) -> None:
    used: set[str] = set()
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in tables.items():
            frame.to_excel(writer, sheet_name=sheet_name(name, used), index=False)
