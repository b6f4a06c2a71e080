"""PDF through Debian's headless Chromium, and a clear message when it is missing or fails."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import appraisal.report as report
from appraisal.report import render_report
from appraisal.report.pdf import CHROMIUM

NO_CHROMIUM = "Debian's chromium is not installed at /usr/bin/chromium: run `make browser` (scripts/ensure-chromium.sh)"


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
def test_pdf_written_with_chromium(full_inputs, tmp_path):
    files = render_report(*full_inputs, tmp_path, pdf=True)
    assert files.message is None, files.message
    assert files.pdf == tmp_path / "report.pdf" and files.html == tmp_path / "report.html"
    data = files.pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 50_000
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 5, pages
    assert not list(tmp_path.glob(".*print*")) and not list(tmp_path.glob("*.part"))


def test_missing_chromium_still_writes_html_and_says_how(full_inputs, tmp_path, monkeypatch):
    monkeypatch.setattr(report, "find_chromium", lambda: None)
    files = render_report(*full_inputs, tmp_path, pdf=True)
    assert files.html.is_file() and files.pdf is None
    assert "apt-get install chromium" in files.message and "make browser" in files.message
    assert not (tmp_path / "report.pdf").exists()


def test_failing_chromium_still_writes_html(full_inputs, tmp_path, monkeypatch):
    fake = tmp_path / "fake-chromium"
    fake.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setattr(report, "find_chromium", lambda: Path(fake))
    files = render_report(*full_inputs, tmp_path / "out", pdf=True)
    assert files.html.is_file() and files.pdf is None
    assert "code 3" in files.message and "cannot open display" in files.message
    assert not list((tmp_path / "out").glob(".*print*"))
