"""The demo's corrected events, made through the services a lead uses (so they are revised,
derived, counted and audited as a real correction is):

- Riverside Surgery's latest medication incident kept for insight with low harm is corrected by
  its lead (lead@demo-icb.example.org) to moderate harm once the hospital letter came: revision 2
  in its history, the counts and the plans following it, and the event page telling the lead that
  triage would now recommend something else;
- a test results incident at Riverside, reported by its lead, that affected two patients, one
  with low and one with severe harm: the event's worst harm is severe, and the learning response triage opened for it
  prompts the duty of candour test.

Loaded once, after the rest of the demo: the step does nothing when any revision exists.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf.accounts.models import User
from psirf.events import revisions, services
from psirf.events.models import EventRevision, EventStatus, SafetyEvent
from psirf.organisations.models import Organisation
from psirf.timeutil import utcnow
from psirf.triage import services as triage

RIVERSIDE = "D81001"
LEAD = "lead@demo-icb.example.org"
REASON = (
    "The hospital discharge letter came after the report: the patient was admitted overnight "
    "with bleeding and needed vitamin K, which is moderate harm, not low."
)
TWO_PATIENTS = (
    "Two patients with the same surname and date of birth had their blood results filed to each "
    "other's records. One was told a normal result and was not harmed beyond a repeat test; the "
    "other was started on the wrong treatment and was admitted with a severe reaction."
)


def load_revisions(session: Session, today: date | None = None) -> list[str]:
    """Make the demo's corrections once; returns the references of the events they touch."""
    if session.scalar(select(EventRevision.id).limit(1)) is not None:
        return []
    today = today or utcnow().date()
    riverside = session.scalar(select(Organisation).where(Organisation.ods_code == RIVERSIDE))
    lead = session.scalar(select(User).where(User.email == LEAD))
    corrected = _correct_a_triaged_event(session, riverside, lead, today)
    two = _report_two_patients(session, riverside, lead, today)
    return [event.reference for event in (corrected, two) if event is not None]


def _correct_a_triaged_event(session, riverside, lead, today) -> SafetyEvent | None:
    event = session.scalar(
        select(SafetyEvent)
        .where(
            SafetyEvent.organisation_id == riverside.id,
            SafetyEvent.status == EventStatus.NO_FURTHER_RESPONSE.value,
            SafetyEvent.record_type == "incident",
            SafetyEvent.theme == "medication",
            SafetyEvent.physical_harm == "low",
        )
        .order_by(SafetyEvent.created_at.desc(), SafetyEvent.id.desc())
        .limit(1)
    )
    if event is None:
        return None
    details = revisions.details_of(event)
    first, *others = details.patients
    first.physical_harm, first.psychological_harm = "moderate", first.psychological_harm or "low"
    details.patients = [first, *others]
    revisions.revise_event(session, event, lead, details, REASON, event.version_id, today=today)
    return event


def _report_two_patients(session, riverside, lead, today) -> SafetyEvent:
    """Reported by the lead, who triages it too (a small practice's lead often does both)."""
    event = services.record_event(
        session,
        organisation=riverside,
        record_type="incident",
        occurred_on=today - timedelta(days=4),
        description=TWO_PATIENTS,
        immediate_actions="Both records corrected, both patients contacted and the treatment stopped.",
        theme="test_results",
        reporter_kind="staff",
        reporter_user=lead,
        patients=[
            services.PatientDetails("low", "low", "45-64", "female"),
            services.PatientDetails("severe", "moderate", "75-84", "female"),
        ],
        today=today,
    )
    recommended = triage.recommendation_for(session, event, today)
    triage.decide(
        session,
        event,
        lead,
        recommended.method,
        "Two patients harmed, one severely: the team and the laboratory review it together.",
        today=today,
    )
    return event
