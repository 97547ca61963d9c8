"""The events a person sees, filtered by the triage queue's filters (any status, any of their
organisations), newest first, a keyset page at a time (the JSON API's list of events)."""

from __future__ import annotations

from dataclasses import fields

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from psirf import policy
from psirf.events.models import SafetyEvent
from psirf.triage.services import QueueFilters
from psirf.web.pagination import Page, keyset_page

CONDITIONS = {
    "status": lambda value: SafetyEvent.status == value,
    "record_type": lambda value: SafetyEvent.record_type == value,
    "harm": lambda value: SafetyEvent.physical_harm == value,
    "theme": lambda value: SafetyEvent.theme == value,
    "occurred_from": lambda value: SafetyEvent.occurred_on >= value,
    "occurred_to": lambda value: SafetyEvent.occurred_on <= value,
    "organisation_id": lambda value: SafetyEvent.organisation_id == value,
}


def in_scope(session: Session, user, filters: QueueFilters, cursor: str | None, size: int) -> Page:
    """A page of the events `user` sees (the policy's event scope), with their patients loaded in
    one more statement. On the (organisation, created_at, id) and queue indexes."""
    stmt = (
        select(SafetyEvent)
        .where(policy.event_scope(user))
        .options(selectinload(SafetyEvent.patients))
    )
    for field in fields(filters):
        value = getattr(filters, field.name)
        if value is not None:
            stmt = stmt.where(CONDITIONS[field.name](value))
    return keyset_page(session, stmt, SafetyEvent, cursor, size)
