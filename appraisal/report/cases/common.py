"""What every case section uses: the one-line 'not available' note, the caveat paragraph, RAG classes, the rows of one
option, the run's note on scoring.
"""
from __future__ import annotations

import pandas as pd

from appraisal.report.fmt import esc
from appraisal.report.labels import NOT_AVAILABLE


def missing(what: str, why: str = "") -> str:
    return f'<p class="missing">{esc(what)}: {NOT_AVAILABLE}{(" — " + esc(why)) if why else ""}.</p>'


def caveat(text: str | None) -> str:
    return f'<p class="caveat"><strong>Caveat.</strong> {esc(text)}</p>' if text else ""


def _rag_class(value) -> str:
    return {"red": "rag-red", "amber": "rag-amber", "green": "rag-green"}.get(str(value).strip().lower(), "")


def _for_option(frame: pd.DataFrame | None, option_id) -> pd.DataFrame | None:
    if frame is None or frame.empty:
        return None
    if "option_id" in frame:
        rows = frame[frame["option_id"] == option_id]
        return rows if not rows.empty else None
    return frame


def _scoring_note(results) -> str | None:
    for n in results.get("notes_run") or []:
        if "scoring" in str(n).lower():
            return str(n).split(":", 1)[-1].strip()
    return None
