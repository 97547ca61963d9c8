"""The demo's LFPSE export queue: the year's events as if the export had run all along.

Each demo event without a queue row gets one for its revision: sent five minutes after it was
recorded, but the last day's, still waiting, and Riverside Surgery's two newest, failed three times
(LFPSE was unavailable) and due again soon, so its lead (lead@demo-icb.example.org) has something
on the exports page. Events recorded later through the services queue themselves. Safe to rerun.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from psirf.events.models import SafetyEvent
from psirf.lfpse.models import ExportState, LfpseExport
from psirf.organisations.models import Organisation
from psirf.timeutil import utcnow

RIVERSIDE = "D81001"
UNAVAILABLE = "LFPSE answered 503 Service Unavailable"


def load_exports(session: Session) -> int:
    now = utcnow()
    queued = select(LfpseExport.id).where(LfpseExport.event_id == SafetyEvent.id).exists()
    events = session.execute(
        select(SafetyEvent.id, SafetyEvent.organisation_id, SafetyEvent.revision,
               SafetyEvent.created_at, Organisation.ods_code)
        .join(Organisation, Organisation.id == SafetyEvent.organisation_id)
        .where(~queued)
        .order_by(SafetyEvent.created_at.desc(), SafetyEvent.id.desc())
    ).all()  # fmt: skip
    failing = {e.id for e in events if e.ods_code == RIVERSIDE}
    failing = set(sorted(failing, key=lambda i: -i)[:2])
    rows = [_row(e, now, e.id in failing) for e in events]
    if rows:
        session.execute(insert(LfpseExport), rows)
    return len(rows)


def _row(event, now, failed: bool) -> dict:
    row = {
        "event_id": event.id,
        "organisation_id": event.organisation_id,
        "revision": event.revision,
        "attempts": 0,
        "created_at": event.created_at,
        "state": ExportState.PENDING.value,
        "next_attempt_at": event.created_at,
    }
    if failed:
        return row | {
            "state": ExportState.FAILED.value,
            "attempts": 3,
            "reason": UNAVAILABLE,
            "next_attempt_at": now + timedelta(minutes=4),
        }
    if event.created_at < now - timedelta(days=1):
        sent_at = event.created_at + timedelta(minutes=5)
        return row | {"state": ExportState.SENT.value, "sent_at": sent_at, "next_attempt_at": None}
    return row
