"""Running the queue: each due revision claimed, built, sent, and its row updated.

Each row is its own short transaction: the claim commits before the send, so a second sender (the
worker's periodic task and `flask lfpse send` at once) finds it taken; the outcome commits after.
Nothing is held open across the network call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf.accounts.models import User
from psirf.db import unit_of_work
from psirf.lfpse import exports
from psirf.lfpse.mapping import adverse_event, is_anonymous
from psirf.lfpse.models import ExportState, LfpseExport
from psirf.lfpse.senders import Sender, SendFailed

BATCH = 200


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
    if is_anonymous(event):
        return None
    if event.reporter_user_id is not None:
        return session.scalar(select(User.email).where(User.id == event.reporter_user_id))
    return event.reporter_contact


def send_due(session: Session, sender: Sender, now: datetime, limit: int = BATCH) -> SendRun:
    """Send every revision due at `now` (at most `limit`): what was sent and what failed."""
    run = SendRun()
    ids = exports.due_ids(session, now, limit)
    session.rollback()  # end the read: each row below is its own transaction
    for export_id in ids:
        with unit_of_work(session):
            claimed = exports.claim(session, export_id, now)
        if claimed:
            _send_one(session, sender, export_id, now, run)
    return run


def _send_one(session: Session, sender: Sender, export_id: int, now: datetime, run: SendRun):
    export = session.get(LfpseExport, export_id, populate_existing=True)
    event = export.event
    if event.revision != export.revision:
        # Corrected since it was queued: the newer revision's row sends the event as it is now.
        with unit_of_work(session):
            export.state = ExportState.NOT_REPORTABLE.value
            export.reason = f"Superseded by revision {event.revision} before it was sent."
        return
    body = body_of(event, reporter_contact(session, event))
    reference, revision = event.reference, export.revision
    session.rollback()  # no transaction held open across the network
    try:
        sender.send(reference, revision, body)
    except SendFailed as error:
        with unit_of_work(session):
            exports.mark_failed(session, session.get(LfpseExport, export_id), str(error), now)
        run.failed.append((reference, revision))
    else:
        with unit_of_work(session):
            exports.mark_sent(session, session.get(LfpseExport, export_id), now)
        run.sent.append((reference, revision))
