"""Correcting an event on its pages: the correction form, the event's revision history, a
reporter's own report, several patients on the staff form, and a public follower seeing none of it."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select

from psirf.db import unit_of_work
from psirf.events import feedback, revisions, services
from psirf.events.models import EventPatient, EventRevision, SafetyEvent
from tests.support.events import staff_form_data
from tests.support.factories import SafetyEventFactory
from tests.support.page_forms import as_shown, forms_on

ORIGINAL = "The repeat template doubled the warfarin dose."
CORRECTED = "The repeat template doubled the warfarin dose; the INR was 9."
REASON = "The discharge letter came: the patient was admitted."


def text_of(answer) -> str:
    return answer.get_data(as_text=True)


def triaged_event(world, **overrides):
    values = {
        "organisation": world.practice,
        "description": ORIGINAL,
        "status": "no_further_response",
        "triaged_at": datetime(2026, 5, 13, 10, 0),
        "triage_recommendation": "no_further_response",
        "patients": [EventPatient(sequence=1, physical_harm="low", psychological_harm="none")],
    }
    return SafetyEventFactory(**(values | overrides))


def correction(client, event, **changes) -> dict:
    """The correction form as its page shows it (the event as it stands), with `changes`."""
    url = f"/events/{event.id}/correct"
    [form] = [f for f in forms_on(url, text_of(client.get(url))) if f.action == url]
    return as_shown(form) | {"action": ["save"]} | {n: [v] for n, v in changes.items()}


def test_the_correction_form_starts_from_the_event_as_it_stands(sign_in, world):
    event = triaged_event(world)
    page = text_of(sign_in(world.lead).get(f"/events/{event.id}/correct"))
    assert f"<title>Correct event {event.reference} - " in page
    assert ORIGINAL in page
    assert re.search(r'value="low"\s+checked', page)
    assert f'name="version" type="hidden" value="{event.version_id}"' in page
    assert "Saving makes revision 2" in page


def test_a_lead_corrects_the_harm_and_the_event_page_shows_revision_2_and_the_first_text(
    sign_in, session, world
):
    event = triaged_event(world)
    lead = sign_in(world.lead)
    sent = correction(
        lead,
        event,
        **{
            "patients-0-physical_harm": "severe",
            "description": CORRECTED,
            "reason": REASON,
        },
    )
    answer = lead.post(f"/events/{event.id}/correct", data=sent)
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/events/{event.id}#revisions")

    page = text_of(lead.get(f"/events/{event.id}"))
    assert f"Revision 2 of {event.reference} saved." in page
    assert "This is revision 2 of" in page and "Revision 1: as reported" in page
    assert "Corrected by" in page and "Lee Lead" in page and REASON in page
    changes = page[page.index("What changed in revision 2") :]
    assert re.search(
        r"Worst physical harm.*?Low physical harm.*?Severe physical harm", changes, re.S
    )
    assert re.search(
        r"Patient 1: physical harm.*?Low physical harm.*?Severe physical harm", changes, re.S
    )
    first = page[page.index("As first sent, for what has been corrected since") :]
    assert ORIGINAL in first  # the reporter's own words stay readable
    assert "Worst physical harm" in page and "Severe physical harm" in page


def test_a_correction_without_a_reason_keeps_what_was_typed_and_writes_nothing(
    sign_in, session, world
):
    event = triaged_event(world)
    lead = sign_in(world.lead)
    sent = correction(lead, event, description=CORRECTED, reason="")
    answer = lead.post(f"/events/{event.id}/correct", data=sent)
    page = text_of(answer)
    assert answer.status_code == 400
    assert "There is a problem" in page and "Say why you are correcting the event" in page
    assert CORRECTED in page
    session.expire_all()
    assert session.get(SafetyEvent, event.id).description == ORIGINAL
    assert session.scalar(select(func.count()).select_from(EventRevision)) == 0


def test_a_correction_from_a_stale_page_is_refused_and_shows_what_was_typed(
    sign_in, session, world
):
    event = triaged_event(world)
    lead = sign_in(world.lead)
    stale = correction(lead, event, description=CORRECTED, reason=REASON)
    with unit_of_work(session):  # someone else corrects it first
        revisions.revise_event(
            session,
            event,
            world.lead,
            _with_theme(event, "diagnosis"),
            "Another lead corrected the theme.",
            event.version_id,
        )
    answer = lead.post(f"/events/{event.id}/correct", data=stale)
    page = text_of(answer)
    assert answer.status_code == 409
    assert "changed by someone else" in page and CORRECTED in page
    assert f'name="version" type="hidden" value="{event.version_id}"' in page
    assert session.scalar(select(func.count()).select_from(EventRevision)) == 1


def _with_theme(event, theme):
    details = revisions.details_of(event)
    details.theme = theme
    return details


def test_add_another_patient_works_without_javascript_and_saves_nothing(sign_in, session, world):
    event = triaged_event(world)
    lead = sign_in(world.lead)
    sent = correction(lead, event, description=CORRECTED, action="add_patient")
    answer = lead.post(f"/events/{event.id}/correct", data=sent)
    page = text_of(answer)
    assert answer.status_code == 200 and "There is a problem" not in page
    assert 'name="patients-1-physical_harm"' in page and "Physical harm to patient 2" in page
    assert CORRECTED in page  # what was typed stays
    assert "Remove patient 2" in page
    assert session.get(SafetyEvent, event.id).revision == 1

    removed = lead.post(
        f"/events/{event.id}/correct",
        data=sent | {"patients-1-physical_harm": ["severe"], "action": ["remove_patient-1"]},
    )
    assert 'name="patients-1-physical_harm"' not in text_of(removed)


def test_the_staff_form_records_each_patient_and_the_worst_harm(sign_in, session, world):
    client = sign_in(world.reporter)
    data = staff_form_data(world.practice) | {
        "patients-1-physical_harm": "severe",
        "patients-1-psychological_harm": "low",
        "patients-1-age_band": "85+",
    }
    assert client.post("/events/new", data=data).status_code == 302
    event = session.scalars(select(SafetyEvent)).one()
    assert [(p.sequence, p.physical_harm) for p in event.patients] == [(1, "low"), (2, "severe")]
    assert (event.physical_harm, event.psychological_harm) == ("severe", "low")


def test_every_patient_of_an_incident_needs_their_harm(sign_in, session, world):
    client = sign_in(world.reporter)
    data = staff_form_data(world.practice) | {"patients-1-age_band": "85+"}
    answer = client.post("/events/new", data=data)
    page = text_of(answer)
    assert answer.status_code == 400
    assert re.search(
        r'href="#patients-1-physical_harm">\s*Select the physical harm to patient 2', page
    )
    assert session.scalar(select(func.count()).select_from(SafetyEvent)) == 0


def test_the_reporter_corrects_their_report_before_triage_and_not_after(sign_in, session, world):
    event = triaged_event(
        world, reporter_user_id=world.reporter.id, status="awaiting_triage", triaged_at=None
    )
    reporter = sign_in(world.reporter)
    own = text_of(reporter.get(f"/events/mine/{event.id}"))
    assert "Correct your report" in own and "This is revision 1 of" in own
    sent = correction(reporter, event, description=CORRECTED, reason="I left out the INR.")
    answer = reporter.post(f"/events/{event.id}/correct", data=sent)
    assert answer.headers["Location"].endswith(f"/events/mine/{event.id}#revisions")
    own = text_of(reporter.get(answer.headers["Location"]))
    assert "This is revision 2 of" in own and "I left out the INR." in own

    session.refresh(event)  # the page moved its version on
    event.status = "no_further_response"
    session.commit()
    refused = reporter.get(f"/events/{event.id}/correct")
    assert refused.status_code == 403
    assert "only the patient safety lead can correct it now" in text_of(refused)
    assert "Correct your report" not in text_of(reporter.get(f"/events/mine/{event.id}"))


def test_a_protected_reporter_s_correction_is_not_named_to_the_panel(sign_in, session, world):
    event = SafetyEventFactory(
        organisation=world.practice, reporter_user_id=world.reporter.id, identity_protected=True
    )
    with unit_of_work(session):
        revisions.revise_event(
            session, event, world.reporter, _with_theme(event, "diagnosis"), "Wrong theme.", None
        )
    panel = text_of(sign_in(world.panel).get(f"/events/{event.id}"))
    assert "Identity protected" in panel and "Robin Reporter" not in panel
    assert "Wrong theme." in panel
    assert "Robin Reporter" in text_of(sign_in(world.lead).get(f"/events/{event.id}"))


def test_the_lead_is_shown_when_a_correction_changes_what_triage_recommends(
    sign_in, session, world
):
    event = triaged_event(world)
    lead = sign_in(world.lead)
    sent = correction(lead, event, **{"patients-0-physical_harm": "severe", "reason": REASON})
    lead.post(f"/events/{event.id}/correct", data=sent)
    page = text_of(lead.get(f"/events/{event.id}"))
    assert "Since the correction, triage recommends something else" in page
    assert "No further response, kept for insight" in page
    assert "The triage decision stands" in page
    panel = text_of(sign_in(world.panel).get(f"/events/{event.id}"))
    assert "Since the correction" not in panel  # the lead decides; others read the history
    assert "Correct this event" not in panel


def test_a_member_of_the_public_following_their_report_sees_no_staff_correction(
    client, session, world
):
    with unit_of_work(session):
        event = services.record_event(
            session,
            organisation=world.practice,
            record_type="incident",
            occurred_on=datetime(2026, 5, 1).date(),
            description="My dad was given the wrong inhaler.",
            theme="medication",
            reporter_kind="family",
            patients=[{"physical_harm": "low"}],
        )
        code = feedback.issue_follow_code(session, event)
    with unit_of_work(session):
        details = revisions.details_of(event)
        details.description = "Staff wording: salbutamol dispensed for a tiotropium prescription."
        revisions.revise_event(
            session, event, world.lead, details, "Pharmacy records checked.", event.version_id
        )
    page = text_of(client.post("/follow", data={"reference": event.reference, "code": code}))
    assert "We have your report" in page
    for staff_only in ("salbutamol", "Pharmacy records checked.", "Revision", "revision"):
        assert staff_only not in page
