"""LFPSE's own JSON as an import source: NDJSON of AdverseEvents goes in as the events they
describe, a line that is not one refuses its batch, and nothing imported is sent to LFPSE again."""

from __future__ import annotations

import io

from sqlalchemy import select

from psirf.events import counts
from psirf.events.models import SafetyEvent
from psirf.imports import sources
from psirf.lfpse import exports
from psirf.lfpse.models import ExportState, LfpseExport
from psirf.lfpse.sending import body_of
from psirf.db import unit_of_work
from psirf.extensions import db
from tests.support.imports import run_rows
from tests.support.lfpse import NOW, record


def _reported(world, **details) -> SafetyEvent:
    """An event recorded elsewhere at tests.support.lfpse's NOW, before the import's own day (the
    service stamps the real clock's time, which the import would find in its future)."""
    event = record(world, **details)
    with unit_of_work(db.session):
        event.created_at = NOW
    return event


def _imported(session) -> list[SafetyEvent]:
    return list(
        session.scalars(
            select(SafetyEvent)
            .where(SafetyEvent.source_reference.is_not(None))
            .order_by(SafetyEvent.id)
        )
    )


def test_ndjson_files_are_read_as_lfpse_json():
    assert sources.format_of("history.ndjson") == "lfpse"
    assert sources.format_of("history.jsonl") == "lfpse"
    assert sources.format_of("history.csv") == "csv"


def test_lfpse_json_imports_its_events_and_an_unreadable_line_refuses_only_its_batch(
    session, world
):
    sent = [
        _reported(world),
        _reported(world, record_type="risk", agents=["people"]),
        _reported(world, theme="diagnosis"),
    ]
    lines = [body_of(sent[0]), body_of(sent[1]), b"{not json", body_of(sent[2])]
    stream = io.BytesIO(b"\n".join(lines) + b"\n")

    ran = run_rows(session, sources.reader("lfpse")(stream), world.admin, batch_size=2, fmt="lfpse")

    assert [(fault.row, fault.field) for fault in ran.faults] == [(3, "")]
    assert "JSON" in ran.faults[0].message
    assert (ran.outcome.imported, ran.outcome.refused) == (2, 2)
    imported = _imported(session)
    assert [e.source_reference for e in imported] == [sent[0].reference, sent[1].reference]
    for copy, original in zip(imported, sent):
        assert (copy.organisation_id, copy.record_type, copy.theme, copy.physical_harm) == (
            original.organisation_id,
            original.record_type,
            original.theme,
            original.physical_harm,
        )
    assert counts.differences(session) == []


def test_imported_events_are_never_sent_to_lfpse_again_nor_their_corrections(session, world):
    stream = io.BytesIO(body_of(_reported(world)) + b"\n")
    run_rows(session, sources.reader("lfpse")(stream), world.admin, fmt="lfpse")
    (event,) = _imported(session)

    (queued,) = session.scalars(select(LfpseExport).where(LfpseExport.event_id == event.id))
    assert (queued.revision, queued.state, queued.reason) == (
        1,
        ExportState.NOT_REPORTABLE.value,
        exports.IMPORTED,
    )
    # A correction is queued through the same rule, so it is not sent either.
    assert exports.not_reportable_because(event) == exports.IMPORTED
