"""Running the queue: due revisions claimed, built, sent, and their rows updated.

A claim commits before anything is sent, so a second sender (the worker's periodic task and
`flask lfpse send` at once) finds the rows taken. The HTTP sender claims, sends and records one
revision at a time, so a claim never waits behind other rows' timeouts (it could outlive
exports.CLAIM_LEASE) and a sender that dies leaves at most the row it was sending to go again. A repeatable sender (the outbox) writes its batch's files at once, on a few
threads (their fsyncs then share the disk's flushes), and its outcomes commit together: a sender
that dies mid-batch only writes the same files again. No transaction is held open across the
network or the disk. The caller's session must have nothing pending.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from psirf.accounts.models import User
from psirf.db import unit_of_work
from psirf.events.models import SafetyEvent
from psirf.lfpse import exports
from psirf.lfpse.mapping import adverse_event, is_anonymous
from psirf.lfpse.models import LfpseExport
from psirf.lfpse.senders import Sender, SendFailed

BATCH = 200
WRITERS = 8  # threads writing a repeatable sender's batch


@dataclass
class SendRun:
    sent: list[tuple[str, int]] = field(default_factory=list)
    failed: list[tuple[str, int]] = field(default_factory=list)


def body_of(event, reporter_contact: str | None = None) -> bytes:
    return json.dumps(
        adverse_event(event, reporter_contact), separators=(",", ":"), ensure_ascii=False
    ).encode()


def reporter_contact(session: Session, event) -> str | None:
    """How LFPSE may reach a named reporter: their account's email, or what a member of the public
    gave. None for an anonymous or protected one (mapping.is_anonymous), whom nothing names."""
    return _contacts(session, [event]).get(event.id)


def _contacts(session: Session, events) -> dict[int, str | None]:
    named = [e for e in events if not is_anonymous(e)]
    user_ids = {e.reporter_user_id for e in named if e.reporter_user_id is not None}
    emails = (
        dict(session.execute(select(User.id, User.email).where(User.id.in_(user_ids))).all())
        if user_ids
        else {}
    )
    return {
        e.id: emails.get(e.reporter_user_id) if e.reporter_user_id else e.reporter_contact
        for e in named
    }


@dataclass(frozen=True)
class _Claimed:
    export_id: int
    reference: str
    revision: int
    attempts: int
    body: bytes | None  # None: the event was corrected since, so this revision is superseded
    current: int


def send_due(session: Session, sender: Sender, now: datetime, limit: int = BATCH) -> SendRun:
    """Send every revision due at `now` (at most `limit`): what was sent and what failed."""
    run = SendRun()
    due = exports.due_ids(session, now, limit)
    session.rollback()  # the read ends here: each claim below is its own transaction
    if getattr(sender, "repeatable", False):
        _send_claimed(session, sender, due, now, run)
    else:
        # One at a time, each claimed just before it goes: a claim never waits behind another
        # row's network timeout, so it cannot outlive its lease while the batch is still sending.
        for export_id in due:
            _send_claimed(session, sender, [export_id], now, run)
    return run


def _send_claimed(session: Session, sender: Sender, due: list[int], now: datetime, run) -> None:
    with unit_of_work(session):
        batch = _built(session, exports.claim(session, due, now))
    if len(batch) > 1:
        with ThreadPoolExecutor(WRITERS) as writers:
            outcomes = list(writers.map(lambda row: _attempt(sender, row), batch))
    else:
        outcomes = [_attempt(sender, row) for row in batch]
    with unit_of_work(session):
        for row, outcome in zip(batch, outcomes):
            _record(session, row, outcome, now, run)


def _built(session: Session, export_ids: list[int]) -> list[_Claimed]:
    """The claimed rows with their JSON, read in a few queries whatever the batch's size."""
    if not export_ids:
        return []
    rows = session.execute(
        select(LfpseExport.id, LfpseExport.revision, LfpseExport.attempts, SafetyEvent)
        .join(SafetyEvent, SafetyEvent.id == LfpseExport.event_id)
        .where(LfpseExport.id.in_(export_ids))
        .options(selectinload(SafetyEvent.patients))
        .order_by(LfpseExport.id)
    ).all()
    contacts = _contacts(session, [event for *_, event in rows])
    return [
        _Claimed(
            export_id,
            event.reference,
            revision,
            attempts,
            body_of(event, contacts.get(event.id)) if event.revision == revision else None,
            event.revision,
        )
        for export_id, revision, attempts, event in rows
    ]


SUPERSEDED = object()


def _attempt(sender: Sender, row: _Claimed):
    """None when sent, the SendFailed when not, SUPERSEDED when the revision is no longer current."""
    if row.body is None:
        return SUPERSEDED
    try:
        sender.send(row.reference, row.revision, row.body)
    except SendFailed as error:
        return error
    return None


def _record(session: Session, row: _Claimed, outcome, now: datetime, run: SendRun) -> None:
    if outcome is SUPERSEDED:
        # Corrected since it was queued: the newer revision's row sends the event as it is now.
        exports.mark_superseded(session, row.export_id, row.current)
    elif outcome is None:
        exports.mark_sent(session, row.export_id, now)
        run.sent.append((row.reference, row.revision))
    else:
        exports.mark_failed(session, row.export_id, row.attempts, str(outcome), now)
        run.failed.append((row.reference, row.revision))
