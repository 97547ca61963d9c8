"""The demo's feedback to reporters: what the services would have written as the demo year went by.

Every demo event is acknowledged when it was reported; every triaged one says what was chosen
and why; and one closed after action review at Riverside Surgery has told its reporter
(reporter@demo-icb.example.org) what changed, so "My reports" shows the whole story. The other
closed review is left without, so the response page also shows its reminder.

Rows are inserted in bulk, as the events are (psirf/demo/events.py): some 6,000 updates in
well under a second, with the words taken from seed/reporter_feedback.yaml like the services'.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from psirf.audit import AuditRecord
from psirf.events import feedback
from psirf.events.models import EventStatus, ReporterUpdate, ReporterUpdateKind, SafetyEvent
from psirf.notifications.models import Notification, NotificationKind
from psirf.responses.models import LearningResponse
from psirf.timeutil import utcnow
from psirf.workflow import definitions

OUTCOME_BY_STATUS = {
    EventStatus.NO_FURTHER_RESPONSE.value: feedback.NO_FURTHER_RESPONSE,
    EventStatus.REFERRED.value: feedback.REFERRAL,
}


def load_feedback(session: Session, now: datetime | None = None) -> int:
    """Write the demo's reporter updates once; returns how many (0 when some exist already)."""
    if session.scalar(select(ReporterUpdate.id).limit(1)) is not None:
        return 0
    now = now or utcnow()
    words = feedback.words()
    methods = dict(session.execute(select(LearningResponse.id, LearningResponse.method)).all())
    events = session.execute(
        select(
            SafetyEvent.id,
            SafetyEvent.reference,
            SafetyEvent.created_at,
            SafetyEvent.reporter_user_id,
            SafetyEvent.status,
            SafetyEvent.triaged_at,
            SafetyEvent.triaged_by_id,
            SafetyEvent.learning_response_id,
        )
    ).all()
    rows = []
    for e in events:
        rows.append(
            {
                "event_id": e.id,
                "kind": ReporterUpdateKind.ACKNOWLEDGED.value,
                "created_by_id": e.reporter_user_id,
                "created_at": e.created_at,
                "body": words["acknowledged"]["staff" if e.reporter_user_id else "public"].format(
                    reference=e.reference
                ),
            }
        )
        outcome = methods.get(e.learning_response_id) or OUTCOME_BY_STATUS.get(e.status)
        if outcome and e.triaged_at:
            rows.append(
                {
                    "event_id": e.id,
                    "kind": ReporterUpdateKind.RESPONSE_CHOSEN.value,
                    "created_by_id": e.triaged_by_id,
                    "created_at": e.triaged_at,
                    "body": feedback.choice_words(outcome),
                }
            )
    told = _what_changed(session, words, now)
    rows.extend(told)
    if rows:
        session.execute(insert(ReporterUpdate), rows)
    session.flush()
    return len(rows)


def _what_changed(session: Session, words: dict, now: datetime) -> list[dict]:
    """What changed, for each closed review whose event's theme has demo words; with the
    reporter's notification and the audit record the service would have written."""
    rows, notes, audits = [], [], []
    closed = session.scalars(
        select(LearningResponse).where(LearningResponse.closed_at.is_not(None))
    ).all()
    for response in closed:
        if (
            not definitions.get(response.workflow_name, response.workflow_version)
            .state(response.state)
            .final
        ):
            continue
        linked = list(response.events)
        text = next(
            (
                words["demo_what_changed"].get(e.theme)
                for e in linked
                if e.theme in words["demo_what_changed"]
            ),
            None,
        )
        if not linked or not text:
            continue
        at = min(response.closed_at + timedelta(days=3), now)
        for event in linked:
            rows.append(
                {
                    "event_id": event.id,
                    "kind": ReporterUpdateKind.WHAT_CHANGED.value,
                    "created_by_id": response.lead_id,
                    "created_at": at,
                    "body": text,
                }
            )
            if event.reporter_user_id:
                notes.append(
                    {
                        "user_id": event.reporter_user_id,
                        "kind": NotificationKind.REPORT_UPDATE.value,
                        "title": words["notification_titles"]["what_changed"].format(
                            reference=event.reference
                        ),
                        "body": words["notification_body"],
                        "link": feedback.my_report_path(event),
                        "created_at": at,
                    }
                )
        audits.append(
            {
                "occurred_at": at,
                "actor_id": response.lead_id,
                "action": "response:what_changed",
                "subject_type": LearningResponse.__tablename__,
                "subject_id": response.id,
                "organisation_id": response.organisation_id,
                "changes": {
                    "what_changed": {"before": None, "after": text},
                    "reports_told": {"before": None, "after": len(linked)},
                },
            }
        )
    if notes:
        session.execute(insert(Notification), notes)
    if audits:
        session.execute(insert(AuditRecord), audits)
    return rows
