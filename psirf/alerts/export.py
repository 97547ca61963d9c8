"""An alert's progress as CSV: streamed, UTF-8 with a byte order mark, and safe to open in a
spreadsheet (a text cell starting with = + - @, a tab or a carriage return is prefixed with a
quote, so it is never run as a formula)."""

from __future__ import annotations

import csv
import io
from typing import Iterable, Iterator, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# Rows written a chunk at a time: a chunk a row is a socket write (and an HTTP chunk) each, and an
# alert's progress across an ICB is thousands of rows.
CHUNK_ROWS = 500


def stream_csv(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow([_safe(h) for h in header])
    for n, row in enumerate(rows, start=1):
        writer.writerow([_safe(v) for v in row])
        if n % CHUNK_ROWS == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    if out.tell():
        yield out.getvalue()
