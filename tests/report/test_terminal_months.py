"""Months on the terminal read as people write them."""
from appraisal.report.terminal import _month, buyin_table


def test_months_read_as_people_write_them():
    assert _month("2025-04") == "Apr 2025" and _month("2019-12") == "Dec 2019"
    assert _month("2025/26") == "2025/26" and _month(None) == "–" and _month("2025-13") == "2025-13"


def test_buyin_table_shows_planned_and_median_months_by_name():
    from rich.console import Console

    summary = {"vehicles": {"v": {"name": "Shared service", "planned": "2025-04", "median_establishment": "2026-10",
                                  "prob_by_year": {"2025/26": 0.2, "2026/27": 0.6}}}}
    console = Console(width=80, record=True)
    console.print(buyin_table(summary, ["2025/26", "2026/27"] + [f"{y}/{(y + 1) % 100:02d}" for y in range(2027, 2035)],
                              "t", 80))
    text = console.export_text()
    assert "Apr 2025" in text and "Oct 2026" in text and "2025-04" not in text
