"""The demo's corrected events: what `make run` shows a lead trying revisions and harm per patient."""

from __future__ import annotations

from sqlalchemy import select

from psirf.audit import AuditRecord
from psirf.engagement import candour
from psirf.events import counts
from psirf.events.models import EventRevision, SafetyEvent
from psirf.triage import services as triage


def test_a_riverside_event_was_corrected_after_triage_as_revision_2(demo):
    session, by_code, _ = demo
    revision = session.scalars(select(EventRevision)).one()
    event = session.get(SafetyEvent, revision.event_id)
    assert event.organisation_id == by_code["D81001"].id
    assert (event.status, event.revision, revision.number) == ("no_further_response", 2, 2)
    assert revision.changes["physical_harm"] == {"before": "low", "after": "moderate"}
    assert event.physical_harm == "moderate"
    assert triage.recommendation_after_correction(session, event) is not None
    assert session.scalar(
        select(AuditRecord.id).where(
            AuditRecord.action == "event:revise", AuditRecord.subject_id == event.id
        )
    )
    assert counts.differences(session) == []  # the counts moved with it


def test_an_event_with_two_patients_is_as_harmful_as_the_worst_and_prompts_candour(demo):
    session, _, _ = demo
    event = next(
        e
        for e in session.scalars(select(SafetyEvent).where(SafetyEvent.theme == "test_results"))
        if len(e.patients) == 2
    )
    assert [p.physical_harm for p in event.patients] == ["low", "severe"]
    assert event.physical_harm == "severe"
    assert event.learning_response is not None
    assert candour.candour_suggested(event.learning_response)
