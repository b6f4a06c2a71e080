"""PDF of the report through Debian's headless Chromium (no browser download, no network)."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import unicodedata
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-extensions",
         "--disable-default-apps", "--mute-audio", "--hide-scrollbars", "--no-pdf-header-footer",
         "--run-all-compositor-stages-before-draw", "--virtual-time-budget=15000", "--window-size=800,1200"]
INSTALL_HINT = ("install Debian's Chromium with `apt-get install chromium` (or `make browser`), then run again; "
                "the HTML report is complete without it")


class PdfError(RuntimeError):
    pass


def find_chromium() -> Path | None:
    """Debian's Chromium: $REFORMKIT_CHROMIUM, /usr/bin/chromium, or `chromium` on PATH."""
    candidates = [os.environ.get("REFORMKIT_CHROMIUM"), str(CHROMIUM), shutil.which("chromium")]
    for c in candidates:
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return Path(c)
    return None


def html_to_pdf(html_path: Path, pdf_path: Path, *, chromium: Path | None = None, timeout: float = 180.0) -> float:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium; returns seconds taken. Raises PdfError."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise PdfError(f"Chromium not found; {INSTALL_HINT}")
    pdf_path = Path(pdf_path).resolve()
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_pdf = pdf_path.with_name(pdf_path.name + ".part")
    tmp_pdf.unlink(missing_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="reformkit-chromium-") as profile:
        cmd = [str(chromium), *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={tmp_pdf}",
               Path(html_path).resolve().as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  env={**os.environ, "HOME": profile})
        except subprocess.TimeoutExpired as exc:
            raise PdfError(f"Chromium did not finish printing within {timeout:.0f} s") from exc
    if not tmp_pdf.is_file() or tmp_pdf.stat().st_size == 0:
        tail = "\n".join((proc.stderr or "").strip().splitlines()[-5:])
        raise PdfError(f"Chromium exited with code {proc.returncode} without writing a PDF: {tail}")
    tmp_pdf.replace(pdf_path)
    return time.perf_counter() - started


def section_pages(pdf_path: Path, headings: dict[str, str]) -> dict[str, int]:
    """Page (1-based) on which each section heading first starts a line, after the contents page."""
    from pypdf import PdfReader

    pages = [unicodedata.normalize("NFKC", page.extract_text() or "") for page in PdfReader(str(pdf_path)).pages]
    lines = [[ln.strip() for ln in text.splitlines()] for text in pages]
    contents = next((i for i, page in enumerate(lines) if "Contents" in page), -1)
    found = {}
    for sid, heading in headings.items():
        for i, page in enumerate(lines):
            if (i > contents or sid == "summary") and any(ln.startswith(heading[:32]) for ln in page):
                found[sid] = i + 1
                break
    return found
