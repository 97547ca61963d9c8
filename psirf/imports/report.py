"""The validation report: one CSV line per fault (row, field, message), written as batches are
checked, so it is on disk however many faults a file holds, and read back a few at a time."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from psirf.imports.checks import Fault
from psirf.web.spreadsheets import safe_cell

HEADER = ("row", "field", "message")


class ReportWriter:
    """Appends faults to a CSV file, flushed after each batch's."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._file)
        self._csv.writerow(HEADER)

    def write(self, faults: Iterable[Fault]) -> None:
        # A person downloads the report and opens it in a spreadsheet: no cell is a formula.
        self._csv.writerows([safe_cell(value) for value in fault] for fault in faults)
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def faults_in(path: str | Path | None, limit: int) -> list[Fault]:
    """The report's first `limit` faults (none when there is no report)."""
    if not path or not Path(path).exists():
        return []
    with Path(path).open(encoding="utf-8", newline="") as stream:
        return list(islice(_faults(stream), limit))


def _faults(stream) -> Iterator[Fault]:
    reader = csv.reader(stream)
    next(reader, None)
    for row, field, message in reader:
        yield Fault(int(row), field, message)
