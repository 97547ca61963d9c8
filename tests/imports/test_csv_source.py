"""The CSV source: the template's header required and checked, rows read lazily with their
spreadsheet row numbers."""

from __future__ import annotations

import io

import pytest

from psirf.imports import sources
from psirf.imports.csv_source import csv_rows
from psirf.problems import InputError


def _rows(text):
    return list(csv_rows(io.StringIO(text)))


def test_rows_carry_the_row_number_a_spreadsheet_shows_and_blank_lines_are_no_rows():
    text = 'source_reference,record_type,occurred_on,theme,description\nA,incident,,,x\n\nB,risk,,,"two\nlines"\nC\n'
    assert [(n, r["source_reference"]) for n, r in _rows(text)] == [(2, "A"), (4, "B"), (5, "C")]


def test_any_patient_number_is_a_known_column():
    header = "source_reference,record_type,occurred_on,theme,description,patient_12_gender"
    assert _rows(header + "\nA,incident,,,x,female\n")[0][1]["patient_12_gender"] == "female"


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "The file is empty"),
        ("source_reference,record_type,occurred_on,theme,description,colour\n", "'colour'"),
        ("Source Reference,record_type\n", "'Source Reference'"),
        ("source_reference,source_reference,record_type,occurred_on,theme,description\n", "twice"),
        ("source_reference,record_type\n", "occurred_on, theme, description"),
    ],
)
def test_a_header_that_is_not_the_templates_is_refused_with_what_to_fix(text, message):
    with pytest.raises(InputError) as refused:
        _rows(text)
    assert refused.value.field == "file" and message in refused.value.message


def test_a_row_with_more_cells_than_the_header_keeps_them_for_the_check_to_refuse():
    header = "source_reference,record_type,occurred_on,theme,description"
    ((number, row),) = _rows(header + "\nA,B,C,D,E,F\n")
    assert row[""] == "F"


def test_the_source_is_chosen_by_the_extension_or_by_name():
    assert sources.format_of("events.CSV") == "csv"
    assert sources.format_of("events.txt", "csv") == "csv"
    with pytest.raises(InputError):
        sources.format_of("events.xlsx")
