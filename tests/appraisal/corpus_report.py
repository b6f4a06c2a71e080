"""Measure how a loader answers the bad-input corpus: clear, vague, traceback or silent.

    python tests/appraisal/corpus_report.py build DIR      # write every case's study into DIR (this code)
    python tests/appraisal/corpus_report.py judge DIR      # load each with whatever `appraisal` is importable

`judge` can run against another checkout (PYTHONPATH=/path/to/checkout) to measure it on the same cases:
clear = a problem at the expected file, row and column, and no more lines than the case allows;
vague = a StudyError without that; traceback = any other exception; silent = the study loaded.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path


def build(target: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from bad_inputs import STUDIES, corpus

    from appraisal.study.template import study_to_workbook

    target.mkdir(parents=True, exist_ok=True)
    base = Path(tempfile.mkdtemp())
    originals = {}
    for name, folder in STUDIES.items():
        originals[(name, "csv")] = folder
        study_to_workbook(folder, base / name)
        originals[(name, "xlsx")] = base / name
    manifest = []
    for i, case in enumerate(corpus()):
        folder = target / f"{i:04d}"
        shutil.copytree(originals[(case.study, case.fmt)], folder)
        case.mutate(folder)
        allowed = 0 if case.extra_ok is None else 10**6
        manifest.append({"folder": folder.name, "id": case.id, "fmt": case.fmt, "where": case.where, "row": case.row,
                         "column": case.column, "text": case.text, "allowed_extra": allowed, "checked": case.checked})
    (target / "manifest.json").write_text(json.dumps(manifest, indent=1))


def judge(target: Path) -> None:
    from appraisal.study import StudyError, load_study

    try:
        from appraisal.workflows.check import load_checked
    except ImportError:
        load_checked = None
    counts, examples = Counter(), {}
    for case in json.loads((target / "manifest.json").read_text()):
        load = load_checked if case["checked"] and load_checked else load_study
        try:
            load(target / case["folder"])
            verdict = "silent"
        except StudyError as exc:
            hits = [p for p in exc.problems if p.file == case["where"] and case["row"] in (p.row, "any")
                    and p.column == case["column"]]
            verdict = "clear" if hits and len(exc.problems) - len(hits) <= case["allowed_extra"] else "vague"
        except Exception as exc:  # noqa: BLE001 - what we measure
            verdict = "traceback"
            examples.setdefault(verdict, []).append(f"{case['id']}: {type(exc).__name__}: {str(exc)[:80]}")
        counts[verdict] += 1
        counts[(case["fmt"], verdict)] += 1
        if verdict in ("silent", "vague"):
            examples.setdefault(verdict, []).append(case["id"])
    print(json.dumps({"cases": sum(v for k, v in counts.items() if isinstance(k, str)),
                      **{k if isinstance(k, str) else "/".join(k): v for k, v in sorted(counts.items(), key=str)}},
                     indent=1))
    for verdict, ids in examples.items():
        print(verdict, len(ids), ids[:8])


if __name__ == "__main__":
    {"build": build, "judge": judge}[sys.argv[1]](Path(sys.argv[2]))
