"""Tables as CSV files that are safe to open in a spreadsheet: UTF-8 with a byte order mark (so
spreadsheet programs read it as UTF-8), and a text cell starting with = + - @ (or a tab or a
carriage return) prefixed with a single quote, so it is never run as a formula. Every download of
the app writes its cells through `safe_cell`, whole (`to_csv`) or streamed (`stream_csv`)."""

from __future__ import annotations

import csv
import io
from typing import Iterable, Iterator, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    return "".join(stream_csv(header, rows))


# Rows written a chunk at a time: a chunk a row is a socket write (and an HTTP chunk) each, and an
# alert's progress across an ICB is thousands of rows.
CHUNK_ROWS = 500


def stream_csv(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow([safe_cell(h) for h in header])
    for n, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(v) for v in row])
        if n % CHUNK_ROWS == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    if out.tell():
        yield out.getvalue()
