"""A streamed CSV download: every row once, in order, a few chunks however many rows."""

from __future__ import annotations

import csv
import io

from psirf.web.spreadsheets import CHUNK_ROWS, stream_csv


def test_a_long_csv_streams_in_chunks_of_many_rows_with_every_row_once():
    rows = [[f"Service {n}", n] for n in range(2 * CHUNK_ROWS + 1)]

    chunks = list(stream_csv(["Organisation", "Number"], rows))

    assert len(chunks) == 3
    read = list(csv.reader(io.StringIO("".join(chunks).lstrip("\ufeff"))))
    assert read[0] == ["Organisation", "Number"]
    assert read[1:] == [[name, str(n)] for name, n in rows]


def test_an_empty_csv_is_its_header_alone():
    assert list(stream_csv(["=Organisation"], [])) == ["\ufeff'=Organisation\r\n"]
