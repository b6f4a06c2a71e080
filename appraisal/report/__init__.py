"""The cabinet report: one self-contained HTML file (one embedded copy of plotly.js, no external sources)
and, when Debian's Chromium is installed, a PDF printed from it.

    from appraisal.report import render_report
    files = render_report(results, tables, Path("out/study"))
    files.html, files.pdf, files.message

``results`` is the dict ``reformkit appraise`` writes (results.json) plus optional sections (positions,
targets, optimise, buyin, scoring, sensitivity, summary, provenance); ``tables`` holds DataFrames such as
``assignment``, ``phasing`` and ``component_profile``. See docs/report.md.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import pandas as pd

from appraisal.report.page import build_html, contents_headings
from appraisal.report.pdf import INSTALL_HINT, PdfError, find_chromium, html_to_pdf, section_pages
from appraisal.report.summary import executive_summary, summary_facts

__all__ = ["ReportFiles", "render_report", "build_html", "executive_summary", "summary_facts", "find_chromium",
           "html_to_pdf", "PdfError"]


@dataclass
class ReportFiles:
    html: Path
    pdf: Path | None = None
    message: str | None = None  # set when the PDF was asked for but not written: why, and how to get it
    seconds: dict = field(default_factory=dict)  # html, pdf

    @property
    def paths(self) -> list[Path]:
        return [p for p in (self.html, self.pdf) if p is not None]


def render_report(results: Mapping, tables: Mapping[str, pd.DataFrame] | None, out_dir: Path, pdf: bool = True,
                  *, name: str = "report") -> ReportFiles:
    """Write ``out_dir/report.html`` and, if ``pdf`` and Chromium is available, ``out_dir/report.pdf``.

    Never raises for a missing or failing browser: the HTML is always written and ``message`` says what
    happened to the PDF and how to get it.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    html_path = out_dir / f"{name}.html"
    html_path.write_text(build_html(results, tables), encoding="utf-8")
    files = ReportFiles(html=html_path, seconds={"html": time.perf_counter() - started})
    if not pdf:
        return files
    chromium = find_chromium()
    pdf_path = out_dir / f"{name}.pdf"
    if chromium is None:
        files.message = f"PDF not written: Chromium is not installed at /usr/bin/chromium; {INSTALL_HINT}."
        return files
    # Print a variant with every data table open, so the PDF carries the numbers behind each chart.
    print_path = out_dir / f".{name}.print.html"
    try:
        print_path.write_text(build_html(results, tables, details_open=True, print_layout=True), encoding="utf-8")
        files.seconds["pdf"] = html_to_pdf(print_path, pdf_path, chromium=chromium)
        # second pass: the contents page gets the page each section starts on (the contents is one page,
        # so writing the numbers in moves nothing)
        pages = section_pages(pdf_path, contents_headings())
        if pages:
            print_path.write_text(build_html(results, tables, details_open=True, print_layout=True, pages=pages),
                                  encoding="utf-8")
            files.seconds["pdf"] += html_to_pdf(print_path, pdf_path, chromium=chromium)
        files.pdf = pdf_path
    except PdfError as exc:
        files.message = f"PDF not written: {exc}. The HTML report {html_path} is complete."
    finally:
        print_path.unlink(missing_ok=True)
    return files
