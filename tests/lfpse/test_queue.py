"""The export queue: recording and revising queue each revision once, in the same transaction; a
newer revision supersedes an unsent older one; one sender claims a row; failures back off."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from psirf.db import unit_of_work
from psirf.events import revisions, services
from psirf.extensions import db
from psirf.lfpse import exports
from psirf.lfpse.models import ExportState, LfpseExport
from tests.support.factories import OrganisationFactory
from tests.support.lfpse import NOW, TODAY, record


def _rows(event):
    return db.session.scalars(
        select(LfpseExport).where(LfpseExport.event_id == event.id).order_by(LfpseExport.revision)
    ).all()


def revise(world, event, **changes):
    details = dataclasses.replace(revisions.details_of(event), **changes)
    with unit_of_work(db.session):
        revisions.revise_event(
            db.session, event, world.lead, details, "Corrected", event.version_id, today=TODAY
        )


def test_recording_an_event_queues_revision_1_to_send_now(world):
    event = record(world)
    [row] = _rows(event)
    assert (row.revision, row.state, row.attempts) == (1, "pending", 0)
    assert row.organisation_id == world.practice.id
    assert row.next_attempt_at == event.created_at


def test_an_event_that_is_not_saved_is_not_queued(world):
    with pytest.raises(RuntimeError):
        with unit_of_work(db.session):
            services.record_event(
                db.session,
                organisation=world.practice,
                record_type="incident",
                occurred_on=TODAY,
                description="Something went wrong.",
                theme="medication",
                reporter_kind="staff",
                reporter_user=world.reporter,
                today=TODAY,
            )
            raise RuntimeError("the request failed after the event was added")
    assert db.session.scalars(select(LfpseExport)).all() == []


def test_a_correction_queues_the_next_revision_and_supersedes_the_unsent_one(world):
    event = record(world)
    revise(world, event, description="A repeat prescription was issued at the wrong dose.")
    first, second = _rows(event)
    assert (second.revision, second.state) == (2, "pending")
    assert first.state == "not_reportable"
    assert first.reason == "Superseded by revision 2 before it was sent."


def test_a_sent_revision_stays_sent_when_the_event_is_corrected(world):
    event = record(world)
    [first] = _rows(event)
    with unit_of_work(db.session):
        exports.mark_sent(db.session, first.id, NOW)
    revise(world, event, theme="communication")
    first, second = _rows(event)
    assert (first.state, second.state, second.revision) == ("sent", "pending", 2)


def test_the_database_refuses_a_revision_queued_twice(world):
    event = record(world)
    db.session.add(
        LfpseExport(
            event_id=event.id,
            organisation_id=event.organisation_id,
            revision=1,
            state="pending",
            attempts=0,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_only_one_of_two_senders_claims_a_row(world, app):
    event = record(world)
    [row] = _rows(event)
    later = row.next_attempt_at  # due from when it was queued (the event's own created_at)
    # Two sessions on two connections, as two workers have.
    first_session, second_session = db.session, Session(db.engine)
    try:
        with unit_of_work(first_session):
            assert exports.claim(first_session, [row.id], later) == [row.id]
        with unit_of_work(second_session):
            assert exports.claim(second_session, [row.id], later) == []
    finally:
        second_session.close()


def test_a_claim_never_finished_is_due_again_after_the_lease(world):
    event = record(world)
    [row] = _rows(event)
    claimed_at = row.next_attempt_at
    with unit_of_work(db.session):
        assert exports.claim(db.session, [row.id], claimed_at) == [row.id]
    lease = claimed_at + exports.CLAIM_LEASE
    assert exports.due_ids(db.session, lease - timedelta(seconds=1), 10) == []
    assert exports.due_ids(db.session, lease, 10) == [row.id]


def test_failures_back_off_exponentially_up_to_a_ceiling():
    assert [exports.backoff(n) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=8),
    ]
    assert exports.backoff(30) == exports.BACKOFF_MOST


def test_an_event_of_an_organisation_that_reports_itself_is_not_reportable(world):
    event = record(world)
    event.organisation = OrganisationFactory(kind="trust", icb=world.icb)
    db.session.flush()
    row = exports.enqueue(db.session, event, NOW, None)
    assert row.state == "not_reportable"
    assert "reports to LFPSE itself" in row.reason
    assert row.next_attempt_at is None
    db.session.rollback()


def test_the_icb_counts_every_state_from_sql(world):
    sent, failed, waiting = record(world), record(world), record(world)
    rows = {e.id: _rows(e)[0] for e in (sent, failed, waiting)}
    with unit_of_work(db.session):
        exports.mark_sent(db.session, rows[sent.id].id, NOW)
        exports.mark_failed(db.session, rows[failed.id].id, 1, "LFPSE answered 503", NOW)
    counts = {c.state: c.count for c in exports.counts_by_state(db.session, world.icb.id)}
    assert counts == {
        ExportState.PENDING.value: 1,
        ExportState.SENDING.value: 0,
        ExportState.SENT.value: 1,
        ExportState.FAILED.value: 1,
        ExportState.NOT_REPORTABLE.value: 0,
    }
