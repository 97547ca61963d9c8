"""The sources an import reads, by format: each a function `rows(stream)` of a text stream that
yields (position, row) pairs in the row shape of psirf/imports/columns.py, lazily.

Adding a source is one line in SOURCES (and its file extension in EXTENSIONS).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import PurePath
from typing import TextIO

from psirf.imports.csv_source import FILE, csv_rows
from psirf.problems import InputError

Rows = Iterator[tuple[int, dict[str, str]]]
Source = Callable[[TextIO], Rows]

SOURCES: dict[str, Source] = {
    "csv": csv_rows,
}
EXTENSIONS: dict[str, str] = {
    ".csv": "csv",
}


def format_of(filename: str, chosen: str | None = None) -> str:
    """The format chosen, or the one the file's extension names; InputError when neither is known."""
    found = chosen or EXTENSIONS.get(PurePath(filename or "").suffix.lower())
    if found not in SOURCES:
        known = ", ".join(sorted(EXTENSIONS))
        raise InputError(FILE, f"Choose a file of a kind the import reads: {known}")
    return found


def reader(format_name: str) -> Source:
    return SOURCES[format_name]
