"""The import of many rows: all or nothing per batch, every fault reported, a dry run that writes
nothing, idempotent on the source's reference, the rollups exact, the source read lazily."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select

from psirf.audit import AuditRecord
from psirf.events import counts
from psirf.events.models import EventPatient, EventStatus, SafetyEvent
from psirf.events.rollups import EqualityRollup, EventCount, ThemeRollup
from psirf.imports import importing
from psirf.notifications.models import Notification, OutboxMessage
from psirf.imports.checks import Context
from tests.support.imports import NOW, TODAY, csv_text, good_row, place, run_csv

ROWS = 3_000
BATCH = 500


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _stored(session) -> dict:
    tables = (SafetyEvent, EventPatient, EventCount, ThemeRollup, EqualityRollup, AuditRecord)
    return {model.__name__: _count(session, model) for model in tables}


def _five_bad(ods_codes) -> tuple[list[dict], dict[int, str]]:
    """ROWS rows, five of them bad in one field each: {row number: the field at fault}."""
    rows = [good_row(n, ods_codes) for n in range(ROWS)]
    faults = {
        12: ("theme", "sadness"),
        13: ("occurred_on", "21/03/2025"),
        1_700: ("patient_1_nhs_number", "1234567890"),
        2_210: ("organisation_ods_code", "ZZ999"),
        2_999: ("description", ""),
    }
    for index, (name, value) in faults.items():
        rows[index][name] = value
    # The data row at index i is row i + 2 of the file (the header is row 1).
    return rows, {index + 2: name for index, (name, _) in faults.items()}


def test_five_bad_rows_are_reported_with_their_fields_and_their_batches_import_nothing(session):
    p = place()
    rows, bad = _five_bad((p.practice.ods_code, p.other_practice.ods_code))
    ran = run_csv(session, csv_text(rows), p.admin, batch_size=BATCH)

    assert [(f.row, f.field) for f in ran.faults] == sorted(bad.items())
    refused_batches = {(row - 2) // BATCH for row in bad}  # 0, 3, 4, 5
    imported = ROWS - BATCH * len(refused_batches)
    assert (ran.outcome.imported, ran.outcome.refused, ran.outcome.faults) == (
        imported,
        BATCH * len(refused_batches),
        5,
    )
    stored = set(session.scalars(select(SafetyEvent.source_reference)))
    expected = {
        r["source_reference"] for i, r in enumerate(rows) if i // BATCH not in refused_batches
    }
    assert stored == expected
    assert counts.differences(session) == []


def test_a_dry_run_reports_the_same_faults_and_writes_nothing(session):
    p = place()
    rows, bad = _five_bad((p.practice.ods_code,))
    before = _stored(session)
    ran = run_csv(session, csv_text(rows), p.admin, batch_size=BATCH, dry_run=True)
    assert [(f.row, f.field) for f in ran.faults] == sorted(bad.items())
    assert ran.outcome.imported == ROWS - 4 * BATCH  # what would be
    assert _stored(session) == before


def test_importing_the_same_file_again_adds_nothing_and_counts_each_row_as_imported_before(session):
    p = place()
    text = csv_text([good_row(n, (p.practice.ods_code,)) for n in range(250)])
    first = run_csv(session, text, p.admin, batch_size=100)
    stored = _stored(session)
    again = run_csv(session, text, p.admin, batch_size=100)
    assert (first.outcome.imported, first.outcome.skipped) == (250, 0)
    assert (again.outcome.imported, again.outcome.skipped, again.outcome.faults) == (0, 250, 0)
    assert _stored(session) == stored | {"AuditRecord": stored["AuditRecord"]}
    assert counts.differences(session) == []


def test_imported_events_are_kept_for_insight_with_their_patients_and_worst_harm(session):
    p = place()
    row = good_row(7, (p.practice.ods_code,))
    row["service_area"] = ""
    run_csv(session, csv_text([row]), p.admin)
    event = session.scalar(select(SafetyEvent))
    assert event.status == EventStatus.NO_FURTHER_RESPONSE.value
    assert event.triage_rationale == importing.IMPORTED_RATIONALE
    assert event.reference == f"PSE-2025-{event.id:06d}"
    assert event.service_area == "general_practice"  # the practice's, as a public report has it
    assert [(pt.sequence, pt.physical_harm, pt.psychological_harm) for pt in event.patients] == [
        (1, "severe", None),
        (2, None, "low"),
    ]
    assert (event.physical_harm, event.psychological_harm) == ("severe", "low")
    assert event.reporter_user_id is None and event.updates == []
    # No news for anyone: a historic event notifies nobody.
    assert (_count(session, Notification), _count(session, OutboxMessage)) == (0, 0)


def test_imported_events_keep_every_value_as_written_whatever_characters_the_text_holds(session):
    """The rows go in past the ORM (psirf.bulk_insert), each value bound by hand: on PostgreSQL
    by COPY, whose text format gives tabs, newlines, backslashes and a bare \\N meanings of their
    own; on SQLite as the driver's tuples. Each value must come back as it was in the file."""
    p = place()
    row = good_row(3, (p.practice.ods_code,))
    awkward = 'Tab\there, a new\nline, a back\\slash, \\N, "quotes", \u00e9t\u00e9 \U0001f600 <b>'
    row.update(description=awkward, immediate_actions="\\N", identity_protected="yes",
               processes="prescribing;dispensing")  # fmt: skip
    run_csv(session, csv_text([row]), p.admin)
    event = session.scalar(select(SafetyEvent))
    assert (event.description, event.immediate_actions) == (awkward, "\\N")
    assert (event.agents, event.processes) == (
        ["medication", "it_system"],
        ["prescribing", "dispensing"],
    )
    assert (event.identity_protected, event.never_event) == (True, False)
    assert event.created_at == datetime(2025, 4, 28, 9, 30)
    assert event.triage_recommendation_source is None and event.national_flags == []


def test_each_batch_that_writes_leaves_one_audit_record_naming_its_rows(session):
    p = place()
    text = csv_text([good_row(n, (p.practice.ods_code,)) for n in range(250)])
    ran = run_csv(session, text, p.admin, batch_size=100)
    # In the order they were written: without ORDER BY, PostgreSQL returns rows as its pages hold them.
    records = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "events:import").order_by(AuditRecord.id)
    )
    assert [(r.actor_id, r.subject_id, r.changes["rows"]["after"]) for r in records] == [
        (p.admin.id, ran.record.id, "2-101"),
        (p.admin.id, ran.record.id, "102-201"),
        (p.admin.id, ran.record.id, "202-251"),
    ]
    assert (ran.record.imported, ran.record.rows_read, ran.record.batches) == (250, 250, 3)


class _Watched:
    """A source that fails if it is read beyond the batch being checked: the batch is `size`
    rows after those already committed (which `committed` is told of)."""

    def __init__(self, rows, size):
        self.rows, self.size, self.read, self.committed = iter(rows), size, 0, 0

    def __iter__(self):
        return self

    def __next__(self):
        if self.read >= self.committed + self.size:
            raise AssertionError(f"read row {self.read + 1} with {self.committed} committed")
        row = next(self.rows)
        self.read += 1
        return row


def test_the_source_is_read_no_further_than_the_batch_being_checked(session):
    p = place()
    rows = ((n + 2, good_row(n, (p.practice.ods_code,))) for n in range(1_000))
    watched = _Watched(rows, 100)

    def committed(outcome):
        watched.committed = outcome.rows

    outcome = importing.run(
        session,
        watched,
        Context(session, p.admin, today=TODAY, now=NOW),
        record=None,
        dry_run=True,
        on_faults=lambda faults: None,
        batch_size=100,
        on_batch=committed,
    )
    assert (outcome.rows, outcome.batches, watched.read) == (1_000, 10, 1_000)


def test_a_reference_twice_in_one_batch_is_a_fault_of_the_second_row(session):
    p = place()
    rows = [good_row(n, (p.practice.ods_code,)) for n in range(3)]
    rows[2]["source_reference"] = rows[0]["source_reference"]
    ran = run_csv(session, csv_text(rows), p.admin)
    assert [(f.row, f.field) for f in ran.faults] == [(4, "source_reference")]
    assert "Row 2 has this reference" in ran.faults[0].message
    assert _count(session, SafetyEvent) == 0


def test_the_same_reference_at_two_services_is_two_events(session):
    p = place()
    row = good_row(1, (p.practice.ods_code,))
    other = row | {"organisation_ods_code": p.other_practice.ods_code}
    ran = run_csv(session, csv_text([row, other]), p.admin)
    assert ran.outcome.imported == 2


def _varied_rows(ods_codes, start: int, rows: int) -> list[dict]:
    """Good rows whose every counted value varies, the harms' tie-breaks and a lone patient
    without a harm among them (the event's own harm counts for a patient alone)."""
    made = []
    for n in range(start, start + rows):
        row = good_row(n, ods_codes)
        if n % 5 == 1:
            row.update(patient_1_physical_harm="", patient_1_psychological_harm="moderate")
        if n % 11 == 2:
            row.update(patient_1_physical_harm="low", patient_1_psychological_harm="severe")
        if n % 13 == 3:
            row.update(patient_1_physical_harm="", patient_1_ethnicity="", patient_1_gender="")
        made.append(row)
    return made


def test_an_imports_rollups_are_those_its_events_select_gives_added_to_what_is_stored(session):
    """The import counts its rows from their own values (each rollup's twin of its SELECT), each
    key once a batch; a second file adds to the rows the first made rather than replacing them."""
    p = place()
    ods = (p.practice.ods_code, p.other_practice.ods_code)
    first = run_csv(session, csv_text(_varied_rows(ods, 0, 400)), p.admin, batch_size=150)
    rows = {model: _count(session, model) for model in (EventCount, ThemeRollup, EqualityRollup)}
    second = run_csv(session, csv_text(_varied_rows(ods, 400, 400)), p.admin, batch_size=150)

    assert (first.outcome.imported, second.outcome.imported) == (400, 400)
    assert all(rows.values())  # every rollup has rows of the first file
    assert counts.differences(session) == []
    themes = session.scalar(
        select(func.sum(ThemeRollup.count)).where(ThemeRollup.area_id == p.icb.id)
    )
    assert themes == session.scalar(
        select(func.count()).where(SafetyEvent.record_type != "good_care")
    )


def test_a_batch_writes_its_rollups_and_export_rows_in_one_statement_a_table(session, app):
    """However many rows a batch holds, each rollup table and the export queue take one statement
    (an INSERT ... SELECT, an executemany's rows or one statement over arrays), not one per row or
    per key."""
    from psirf.extensions import db  # noqa: F401  (the engine the statements are counted on)
    from tests.support.queries import counting_queries

    p = place()
    ods = (p.practice.ods_code, p.other_practice.ods_code)
    sizes = []
    for start, rows in ((0, 50), (1_000, 400)):
        with counting_queries() as statements:
            run_csv(session, csv_text(_varied_rows(ods, start, rows)), p.admin, batch_size=rows)
        sizes.append(len(statements))
        # An INSERT ... SELECT may open with its SELECT's WITH.
        tables = [found for s in statements for found in re.findall(r"INSERT INTO (\w+)", s)]
        for table in ("event_counts", "theme_rollups", "equality_rollups", "lfpse_exports"):
            assert tables.count(table) == 1, (table, tables)
    assert sizes[0] == sizes[1]


def test_a_nul_character_in_any_cell_refuses_its_row_with_a_fault_not_a_database_error(session):
    """PostgreSQL's text cannot hold NUL: a cell with one is a fault of its row (its batch refused,
    the others imported), whichever column it is in, on both databases."""
    p = place()
    rows = [good_row(n, (p.practice.ods_code,)) for n in range(4)]
    rows[1]["source_reference"] = "LOCAL\x00-1"
    rows[2]["organisation_ods_code"] = "A\x00"
    rows[3]["description"] = "Spilled\x00"
    ran = run_csv(session, csv_text(rows), p.admin, batch_size=1)
    assert [(f.row, f.field) for f in ran.faults if "NUL" in f.message] == [
        (3, "source_reference"), (4, "organisation_ods_code"), (5, "description"),
    ]  # fmt: skip
    assert (ran.outcome.imported, ran.outcome.refused) == (1, 3)
    assert session.scalar(select(func.count()).select_from(SafetyEvent)) == 1
