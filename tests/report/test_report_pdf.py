"""PDF through Debian's headless Chromium, and a clear message when it is missing or fails."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import appraisal.report as report
from appraisal.report import render_report
from appraisal.report.pdf import CHROMIUM

NO_CHROMIUM = "Debian's chromium is not installed at /usr/bin/chromium: run `make browser` (scripts/ensure-chromium.sh)"


A4 = (595.0, 842.0)  # points
PAGE_CONTENT_PX = (297 - 16 - 15) / 25.4 * 96  # A4 height less the top and bottom margins, CSS px


def _pages_text(pdf: Path) -> list[str]:
    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(str(pdf)).pages]


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


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
def test_pdf_is_a4_portrait_numbered_with_contents_and_headers(lancashire_report):
    from pypdf import PdfReader

    pdf = lancashire_report.report.pdf
    assert pdf is not None, lancashire_report.report.message
    reader = PdfReader(str(pdf))
    n = len(reader.pages)
    for page in reader.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert w == pytest.approx(A4[0], abs=1.5) and h == pytest.approx(A4[1], abs=1.5), (w, h)
    texts = _pages_text(pdf)
    study = lancashire_report.results["study"]
    date = lancashire_report.results["provenance"]["created_utc"][:10]
    for i, text in enumerate(texts, start=1):
        assert f"Page {i} of {n}" in text, i
        if i > 1:  # the header: study name and date (the first page has the title instead)
            assert study[:40] in " ".join(text.split()) and date in text, i
    # page 1 is the executive summary, on one page; page 2 the contents, with the page each case starts on
    first = texts[0].lower()
    assert "recommendation" in first and "key facts" in first and "strategic case" not in first
    assert "Contents" in texts[1]
    # (the page numbers float right of the headings: pair them in document order)
    headings = re.findall(r"^(Executive summary|\d\. \w+ case|Appendix:.*)$", texts[1], re.M)
    numbers = re.findall(r"^page (\d+)$", texts[1], re.M)
    assert len(headings) == len(numbers) == 7, (headings, numbers)
    assert numbers[0] == "1" and numbers == sorted(numbers, key=int)
    listed = {h: n for h, n in zip(headings, numbers) if h[0].isdigit()}
    assert set(listed) == {"1. Strategic case", "2. Economic case", "3. Commercial case", "4. Financial case",
                           "5. Management case"}
    for heading, page in listed.items():
        assert heading in texts[int(page) - 1].splitlines()[1:4] or any(
            ln.strip() == heading for ln in texts[int(page) - 1].splitlines()), (heading, page)
    assert 15 <= n <= 45, n


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
def test_every_chart_fits_inside_an_a4_page(full_inputs, lancashire_report, tmp_path):
    """In the printed layout (182 mm wide, print media) no chart block is taller than a page, so none is split."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from appraisal.report import build_html

    html = tmp_path / "print.html"
    html.write_text(build_html(lancashire_report.results, lancashire_report.tables, details_open=True,
                               print_layout=True), encoding="utf-8")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        page = b.new_page(viewport={"width": 800, "height": 1100})
        page.goto(html.as_uri(), wait_until="load")
        page.wait_for_function("() => Array.from(document.querySelectorAll('.plotly-graph-div')).every(d => d._fullLayout)")
        page.emulate_media(media="print")
        blocks = page.evaluate("() => Array.from(document.querySelectorAll('figure.chart .keep')).map(k => "
                               "[k.parentElement.id, k.getBoundingClientRect().height, k.getBoundingClientRect().width])")
        b.close()
    assert len(blocks) >= 12
    for fid, height, width in blocks:
        assert height < PAGE_CONTENT_PX and width <= 182 / 25.4 * 96 + 1, (fid, height, width)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed: run `make browser`")
def test_pdf_pages_render_with_content(lancashire_report, tmp_path, artifacts):
    """Every page rendered by poppler (pdftoppm, PNG for people, PPM read here) has ink; chart pages have colour."""
    pdf = str(lancashire_report.report.pdf)
    subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", pdf, str(artifacts / "pdf-page")], check=True)
    subprocess.run(["pdftoppm", "-r", "40", pdf, str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.ppm"))
    assert len(pages) >= 15
    coloured_pages = 0
    for ppm in pages:
        px = _ppm(ppm)
        ink = float((px.sum(axis=2) < 600).mean())
        colour = float(((px.max(axis=2).astype(int) - px.min(axis=2)) > 60).mean())
        assert ink > 0.005, f"{ppm.name} looks blank ({ink:.3%} ink)"
        coloured_pages += colour > 0.01
    assert coloured_pages >= 6  # pages with charts (blue/orange bars, lines, the Sankey)


def _ppm(path: Path):
    """Pixels of a binary PPM (P6) as an (h, w, 3) uint8 array."""
    import numpy as np

    raw = path.read_bytes()
    fields, pos = [], 0
    while len(fields) < 4:  # magic, width, height, maxval, separated by whitespace
        while raw[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not raw[end:end + 1].isspace():
            end += 1
        fields.append(raw[pos:end])
        pos = end
    assert fields[0] == b"P6"
    w, h = int(fields[1]), int(fields[2])
    return np.frombuffer(raw[pos + 1: pos + 1 + w * h * 3], dtype=np.uint8).reshape(h, w, 3)


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
