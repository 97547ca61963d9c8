"""The CSV source: a header row naming the template's columns (psirf/imports/columns.py), then
one event a row. Read lazily with the csv module: one row in memory at a time."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from typing import TextIO

from psirf.imports.columns import REQUIRED_COLUMNS, is_known
from psirf.problems import InputError

FILE = "file"


def _header(reader) -> list[str]:
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise InputError(FILE, "The file is empty: its first row must be the template's header")
    names = [cell.strip() for cell in header]
    unknown = [name for name in names if not is_known(name)]
    if unknown:
        raise InputError(
            FILE,
            "The header names columns the template does not have: "
            + ", ".join(repr(n) for n in unknown)
            + ". Use the column names of the template, in lower case.",
        )
    twice = sorted(name for name, n in Counter(names).items() if n > 1)
    if twice:
        raise InputError(FILE, "The header names these columns twice: " + ", ".join(twice))
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise InputError(FILE, "The header must name these columns too: " + ", ".join(missing))
    return names


def csv_rows(stream: TextIO) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, row) for each data row: the number a spreadsheet shows it at (the header is
    row 1). Cells beyond the header's are kept under "" so the check can refuse the row; missing
    ones are empty. Raises InputError (field "file") for a header that is not the template's, or
    a file that is not UTF-8 text, where it is found."""
    try:
        reader = csv.reader(stream)
        names = _header(reader)
        width = len(names)
        for number, cells in enumerate(reader, start=2):
            if not cells:
                continue  # a blank line is no row
            row = dict(zip(names, cells))
            if len(cells) > width:
                row[""] = "".join(cells[width:])
            yield number, row
    except UnicodeDecodeError:
        raise InputError(FILE, "The file must be saved as CSV UTF-8") from None
    except csv.Error as error:
        raise InputError(FILE, f"The file is not valid CSV: {error}") from None
