"""One problem per line: file (or sheet), row, column and what was expected."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    row: int | None  # 1-based data row as a spreadsheet shows it (header is row 1), None for whole-file problems
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:  # a table's row as a spreadsheet numbers it; a line of a YAML file
            where += f", {'line' if self.file.endswith('.yaml') else 'row'} {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class StudyError(Exception):
    """Raised with every problem found in a study, never just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.row or 0, p.column or "", p.message))
        super().__init__("\n".join(str(p) for p in self.problems))
