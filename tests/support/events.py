"""Shared test data for the events tests."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from psirf.audit import AuditRecord
from psirf.events.models import EventPatient, SafetyEvent

VALID_NHS_NUMBER = "9434765919"
INVALID_NHS_NUMBER = "9434765918"  # wrong check digit


def counts(session) -> tuple[int, int, int]:
    """(events, patients, audit records): to prove that nothing was written."""
    session.rollback()
    return (
        session.scalar(select(func.count()).select_from(SafetyEvent)),
        session.scalar(select(func.count()).select_from(EventPatient)),
        session.scalar(select(func.count()).select_from(AuditRecord)),
    )


def staff_form_data(organisation, **overrides) -> dict:
    when = date.today() - timedelta(days=3)
    data = {
        "record_type": "incident",
        "organisation_id": str(organisation.id),
        "occurred_on[day]": str(when.day),
        "occurred_on[month]": str(when.month),
        "occurred_on[year]": str(when.year),
        "description": "Warfarin dose was copied wrongly onto the repeat template.",
        "immediate_actions": "Patient called back and dose corrected.",
        "theme": "medication",
        "physical_harm": "low",
        "psychological_harm": "none",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
