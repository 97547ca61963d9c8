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


def stream_csv(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_safe(h) for h in header])
    yield "\ufeff" + out.getvalue()
    for row in rows:
        out.seek(0)
        out.truncate()
        writer.writerow([_safe(v) for v in row])
        yield out.getvalue()
