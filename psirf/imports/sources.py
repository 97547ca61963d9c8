"""The sources an import reads, by format: each a function `rows(stream)` of a text stream that
yields (position, row) pairs in the row shape of psirf/imports/columns.py, lazily.

Adding a source is one line in SOURCES: its name (the command's --format), its reader and the
file extensions it is chosen by.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import PurePath
from typing import TextIO

from psirf.imports.csv_source import FILE, csv_rows
from psirf.lfpse.reading import rows as lfpse_rows
from psirf.problems import InputError

Rows = Iterator[tuple[int, dict[str, str]]]
Source = Callable[[TextIO], Rows]

SOURCES: dict[str, tuple[Source, tuple[str, ...]]] = {
    "csv": (csv_rows, (".csv",)),
    # LFPSE's own JSON: one AdverseEvent a line, as FHIR Bulk Data writes it.
    "lfpse": (lfpse_rows, (".ndjson", ".jsonl")),
}
EXTENSIONS: dict[str, str] = {ext: name for name, (_, exts) in SOURCES.items() for ext in exts}


def format_of(filename: str, chosen: str | None = None) -> str:
    """The format chosen, or the one the file's extension names; InputError when neither is known."""
    found = chosen or EXTENSIONS.get(PurePath(filename or "").suffix.lower())
    if found not in SOURCES:
        known = ", ".join(sorted(EXTENSIONS))
        raise InputError(FILE, f"Choose a file of a kind the import reads: {known}")
    return found


def reader(format_name: str) -> Source:
    return SOURCES[format_name][0]
