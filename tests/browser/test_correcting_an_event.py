"""A lead corrects an event after triage in Chromium: another patient added without a script,
revision 2 in the history, and the warning that triage would now recommend something else."""

from datetime import datetime

import pytest

from psirf.db import unit_of_work
from psirf.events.models import EventPatient
from psirf.organisations.services import by_ods_code
from tests.support.factories import SafetyEventFactory

pytestmark = pytest.mark.browser


def triaged_event(live_db) -> tuple[int, str]:
    with live_db() as session:
        with unit_of_work(session):
            event = SafetyEventFactory(
                organisation=by_ods_code(session, "D81001"),
                description="Two patients' prescriptions were swapped at the front desk.",
                status="no_further_response",
                triaged_at=datetime(2026, 5, 13, 10, 0),
                triage_recommendation="no_further_response",
                patients=[EventPatient(sequence=1, physical_harm="low", psychological_harm="none")],
            )
            return event.id, event.reference


def test_a_lead_corrects_an_event_after_triage_and_adds_the_second_patient(visitor, live_db):
    event_id, reference = triaged_event(live_db)
    page = visitor.page
    visitor.sign_in("lead@demo-icb.example.org")
    visitor.goto(f"/events/{event_id}")
    visitor.follow("Correct this event")
    assert page.get_by_label("What happened?").input_value().startswith("Two patients'")

    visitor.submit("Add another patient")
    second = page.get_by_role("group", name="Physical harm to patient 2")
    second.get_by_label("Severe physical harm").check()
    page.get_by_role("group", name="Psychological harm to patient 2").get_by_label(
        "Moderate psychological harm"
    ).check()
    page.get_by_label("Why are you correcting it?").fill(
        "The second patient took the other's tablets and was admitted."
    )
    visitor.submit("Save the correction")

    assert f"Revision 2 of {reference} saved." in visitor.text
    assert "Since the correction, triage recommends something else" in visitor.text
    assert "What changed in revision 2" in visitor.text
    history = page.locator("table", has_text="What changed in revision 2")
    assert "Severe physical harm" in history.inner_text()
    assert "Patient 2" in history.inner_text()
