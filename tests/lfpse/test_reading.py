"""Reading LFPSE-shaped NDJSON for the import: the row an exported event came from, streamed a line
at a time, and a row the import refuses for a line that is not an AdverseEvent."""

from __future__ import annotations

import io
import json

from psirf.lfpse.reading import ERROR, rows
from psirf.lfpse.sending import body_of
from tests.support.lfpse import FULL_DETAILS, record


def _row_of_event(event) -> dict[str, str]:
    """The import row (shared shape) that would record `event` as it is."""
    row = {
        "source_reference": event.reference,
        "organisation_ods_code": event.organisation.ods_code,
        "record_type": event.record_type,
        "occurred_on": event.occurred_on.isoformat(),
        "reported_at": event.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "theme": event.theme,
        "service_area": event.service_area or "",
        "location": event.location or "",
        "description": event.description,
        "immediate_actions": event.immediate_actions or "",
        "agents": ";".join(event.agents),
        "processes": ";".join(event.processes),
        "national_flags": ";".join(event.national_flags),
        "never_event_type": event.never_event_type or "",
        "reporter_kind": event.reporter_kind,
        "identity_protected": "yes" if event.identity_protected else "no",
    }
    for p in event.patients:
        for name in ("physical_harm", "psychological_harm", "age_band", "gender", "ethnicity"):
            row[f"patient_{p.sequence}_{name}"] = getattr(p, name) or ""
        row[f"patient_{p.sequence}_nhs_number"] = ""  # never sent, so never read back
    return row


def test_an_exported_event_reads_back_as_the_row_it_came_from(world):
    two_patients = FULL_DETAILS["patients"] + [
        {"physical_harm": "none", "age_band": "85+", "gender": "male", "ethnicity": "white_irish"}
    ]
    events = [
        record(world),
        record(world, record_type="risk", agents=["people"], patients=two_patients),
    ]
    stream = io.BytesIO(b"\n".join(body_of(e) for e in events) + b"\n")
    read = list(rows(stream))
    assert [position for position, _ in read] == [1, 2]
    for (_, row), event in zip(read, events):
        assert row == _row_of_event(event)


def test_lines_that_are_not_adverse_events_yield_rows_the_import_refuses(world):
    good = body_of(record(world)).decode()
    text = "\n".join(
        [good, "", "{not json", json.dumps({"resourceType": "Patient"}), "[1, 2]", good]
    )
    read = list(rows(io.StringIO(text)))
    assert [position for position, _ in read] == [1, 3, 4, 5, 6]
    errors = {position: row for position, row in read if ERROR in row}
    assert set(errors) == {3, 4, 5}
    assert errors[3][ERROR].startswith("Not JSON")
    assert errors[4][ERROR] == "Not an AdverseEvent (resourceType Patient)"
    assert errors[5][ERROR] == "Not an AdverseEvent (resourceType missing)"
    assert all(list(row) == [ERROR] for row in errors.values())


def test_reading_is_lazy_a_line_at_a_time(world):
    line = body_of(record(world)) + b"\n"

    def endless():
        while True:
            yield line

    reader = rows(endless())
    assert next(reader)[0] == 1
    assert next(reader)[0] == 2


def test_a_line_nested_too_deep_to_parse_is_a_row_the_import_refuses(world):
    # Python's parser gives up (RecursionError) long before the line ends: one row refused, not
    # the whole import stopped on an unexpected error.
    good = body_of(record(world)).decode()
    text = "\n".join(["[" * 100_000, good])
    read = list(rows(io.StringIO(text)))
    assert [position for position, _ in read] == [1, 2]
    assert read[0][1] == {ERROR: "Not JSON: nested too deeply to read"}
    assert ERROR not in read[1][1]
