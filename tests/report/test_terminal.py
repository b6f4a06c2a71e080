"""`reformkit run` in a terminal: tables fit 80 and 160 columns with full option names wrapped at words, a
line per step, and a progress bar only on a terminal."""
from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from appraisal.report.fmt import money
from appraisal.report.terminal import buyin_table, options_table, step_lines, steps


def _render(renderable, width: int) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), force_terminal=False)
    console.print(renderable)
    return console.export_text()


@pytest.mark.parametrize("width", [80, 160])
def test_options_table_fits_with_full_names(lancashire_report, width):
    r = lancashire_report.results
    text = _render(options_table(r), width)
    lines = text.splitlines()
    assert max(len(ln) for ln in lines) <= width
    flat = " ".join(" ".join(ln.split()) for ln in lines)
    for opt in r["options"].values():
        for word in opt["name"].split():
            assert word in flat, (word, width)
    assert "…" not in text and not re.search(r"\bopt\d", text) and "opt3_enabled" not in text
    assert "£135.0m" in text and "view" in text
    name_lines = [ln for ln in lines if "STP capital" in ln or "(Table 26" in ln]
    assert name_lines  # the long view name wraps at words rather than being cut
    if width == 160:  # at 160 columns each short name sits on one line with its figures
        optimised = money(r["optimise"]["opt4"]["npsv_gbp"], "gbp_m")
        assert any("Option 4: Commissioning Council" in ln and optimised in ln for ln in lines), optimised


@pytest.mark.parametrize("width", [80, 160])
def test_buyin_table_fits(lancashire_report, width):
    r = lancashire_report.results
    text = _render(buyin_table(r["buyin"], r["years"], "buy-in", width), width)
    assert max(len(ln) for ln in text.splitlines()) <= width
    # a vehicle name takes at most three lines (it once took eleven at 80 columns)
    name = "Lancashire & South Cumbria Integrated Commissioning Authority"
    rows = [i for i, ln in enumerate(text.splitlines()) if "Lancashire & South" in ln]
    assert rows and "Authority" in " ".join(text.splitlines()[rows[0]:rows[0] + 3])
    assert (width == 160) == ("2019/20" in text)  # every year only when it fits
    assert name.split()[0] in text


def test_a_summary_line_per_step(lancashire_report):
    lines = step_lines(lancashire_report.results, lancashire_report.seconds)
    assert lines[0].startswith("Financial case: 5 options appraised; Option 3: Integrated Public Services (preferred) NPSV £135.0m")
    assert any(ln.startswith("Optimiser: 5 plans (optimal)") for ln in lines)
    assert any(ln.startswith("Buy-in: 60 simulated runs") for ln in lines)
    assert any(ln.startswith("Scoring: 6 value drivers, 4 options ranked") for ln in lines)
    assert any(ln.startswith("Sensitivity: sobol") and "NOT converged" in ln for ln in lines)
    assert "Document figures reproduced: 107 of 107" in lines
    assert all(re.search(r"\(\d+\.\d s\)$", ln) for ln in lines if ln.split(":")[0] in {"Financial case", "Optimiser", "Scoring"})


def test_progress_bar_only_on_a_terminal():
    log = io.StringIO()
    with steps(Console(file=log, force_terminal=False, width=80), total=3) as step:
        for name in ("financial case", "optimising placements", "writing the report"):
            step(name)
    text = log.getvalue()
    assert len(text.splitlines()) == 3 and "━" not in text and "\x1b" not in text
    assert re.match(r"\[\s*\d+\.\d s\] financial case$", text.splitlines()[0])
    tty = io.StringIO()
    with steps(Console(file=tty, force_terminal=True, width=80), total=3) as step:
        step("financial case")
    assert "\x1b" in tty.getvalue()  # a live progress display, cleared when done


def test_method_lines_name_the_decomposition_and_its_bound():
    from appraisal.report.terminal import method_lines

    results = {
        "a": {"npsv_bound_gbp": 12_719_684_295.19, "provenance": {"decomposition": {"method": "lagrange", "regions": 9}}},
        "b": {"npsv_bound_gbp": 1e6, "provenance": {"decomposition": {"method": "whole model", "reason": "small"}}},
        "c": {"npsv_bound_gbp": None, "provenance": {}},
    }
    assert method_lines({"a": "Regional shared services"}, results, "gbp_m") == [
        "Regional shared services: solved by region (9 regions, Lagrangian decomposition); "
        "no plan is worth more than £12,719.7m (the proven bound)"]
