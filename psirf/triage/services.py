"""Triage: the lead's queue of new events and the proportionate response chosen for each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from psirf import audit, policy
from psirf.events.models import EventStatus, SafetyEvent
from psirf.labels import LabelledEnum
from psirf.responses import services as responses
from psirf.responses.models import LearningResponse, ResponseMethod
from psirf.timeutil import utcnow
from psirf.web.pagination import Page, keyset_page


class TriageChoice(LabelledEnum):
    AFTER_ACTION_REVIEW = ("after_action_review", "After action review")
    NO_FURTHER_RESPONSE = ("no_further_response", "No further response, kept for insight")


class TriageError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass
class QueueFilters:
    status: str | None = EventStatus.AWAITING_TRIAGE.value
    record_type: str | None = None
    harm: str | None = None
    theme: str | None = None
    occurred_from: date | None = None
    occurred_to: date | None = None
    organisation_id: int | None = None


def queue(session: Session, user, filters: QueueFilters, cursor: str | None, size: int) -> Page:
    organisations = policy.triage_queue_organisations(user)
    if filters.organisation_id in organisations:
        organisations = [filters.organisation_id]
    stmt = select(SafetyEvent).where(SafetyEvent.organisation_id.in_(organisations))
    if filters.status:
        stmt = stmt.where(SafetyEvent.status == filters.status)
    if filters.record_type:
        stmt = stmt.where(SafetyEvent.record_type == filters.record_type)
    if filters.harm:
        stmt = stmt.where(SafetyEvent.physical_harm == filters.harm)
    if filters.theme:
        stmt = stmt.where(SafetyEvent.theme == filters.theme)
    if filters.occurred_from:
        stmt = stmt.where(SafetyEvent.occurred_on >= filters.occurred_from)
    if filters.occurred_to:
        stmt = stmt.where(SafetyEvent.occurred_on <= filters.occurred_to)
    return keyset_page(session, stmt, SafetyEvent, cursor, size)


def decide(session: Session, event: SafetyEvent, actor, choice: TriageChoice, rationale: str) -> LearningResponse | None:
    """Record the lead's choice and why; start the learning response it names."""
    policy.require_can_triage(actor, event)
    rationale = (rationale or "").strip()
    if not rationale:
        raise TriageError("rationale", "Say why you chose this response")
    status = EventStatus.NO_FURTHER_RESPONSE if choice is TriageChoice.NO_FURTHER_RESPONSE else EventStatus.LEARNING_RESPONSE
    now = utcnow()
    # Conditional on the event still awaiting triage: two leads deciding at once cannot both win.
    claimed = session.execute(
        update(SafetyEvent)
        .where(SafetyEvent.id == event.id, SafetyEvent.status == EventStatus.AWAITING_TRIAGE.value)
        .values(status=status.value, triage_rationale=rationale, triaged_by_id=actor.id, triaged_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise TriageError("choice", "This event has already been triaged by someone else")
    session.refresh(event)
    response = None
    if choice is TriageChoice.AFTER_ACTION_REVIEW:
        response = responses.open_response(session, event, ResponseMethod.AFTER_ACTION_REVIEW, actor)
    audit.record(
        session,
        actor_id=actor.id,
        action="event:triage",
        subject=event,
        organisation_id=event.organisation_id,
        changes={"status": {"before": EventStatus.AWAITING_TRIAGE.value, "after": status.value}},
        comment=rationale,
    )
    session.flush()
    return response
