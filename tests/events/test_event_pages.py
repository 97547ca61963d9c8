"""The event page for casework, and a reporter's own list of reports."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from psirf.accounts.models import Role
from psirf.events.models import EventPatient
from tests.support.events import VALID_NHS_NUMBER
from tests.support.factories import PcnFactory, PracticeFactory, SafetyEventFactory, UserFactory


@pytest.fixture
def protected_event():
    """An event whose reporter protected their identity, at a practice in a PCN."""
    pcn = PcnFactory()
    practice = PracticeFactory(icb=pcn.icb, groups=[pcn])
    reporter = UserFactory(name="Rowan Reporter", role=(Role.REPORTER, practice))
    event = SafetyEventFactory(
        organisation=practice,
        reporter_user_id=reporter.id,
        identity_protected=True,
        patients=[EventPatient(sequence=1, physical_harm="low", nhs_number=VALID_NHS_NUMBER)],
    )
    return event, practice, pcn, reporter


def test_a_lead_sees_who_reported_a_protected_event(sign_in, protected_event):
    event, practice, _, _ = protected_event
    page = sign_in(UserFactory(role=(Role.PATIENT_SAFETY_LEAD, practice))).get(
        f"/events/{event.id}"
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Rowan Reporter" in text
    assert f"<title>Event {event.reference} - " in text


def test_a_panel_member_sees_identity_protected_not_the_reporter(sign_in, protected_event):
    event, _, pcn, _ = protected_event
    page = sign_in(UserFactory(role=(Role.REVIEW_PANEL_MEMBER, pcn))).get(f"/events/{event.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Identity protected" in text
    assert "Rowan Reporter" not in text


def test_a_reporter_who_did_not_protect_their_identity_is_shown_to_the_panel(
    sign_in, protected_event, session
):
    event, _, pcn, _ = protected_event
    event.identity_protected = False
    session.commit()
    text = (
        sign_in(UserFactory(role=(Role.REVIEW_PANEL_MEMBER, pcn)))
        .get(f"/events/{event.id}")
        .get_data(as_text=True)
    )
    assert "Rowan Reporter" in text and "Identity protected" not in text


def test_the_event_page_shows_the_recorded_fields_with_labels(sign_in, protected_event):
    event, practice, _, _ = protected_event
    text = (
        sign_in(UserFactory(role=(Role.PATIENT_SAFETY_LEAD, practice)))
        .get(f"/events/{event.id}")
        .get_data(as_text=True)
    )
    for expected in (
        "Patient safety incident (including near misses)",
        "Medication (prescribing, dispensing, monitoring)",
        "Awaiting triage",
        "Low physical harm",
        "A repeat prescription was issued at the wrong dose.",
        "943 476 5919",
        practice.name,
    ):
        assert expected in text, expected


def test_each_patient_is_shown_in_a_card_headed_with_their_number(sign_in):
    practice = PracticeFactory()
    event = SafetyEventFactory(
        organisation=practice,
        patients=[
            EventPatient(sequence=1, physical_harm="low"),
            EventPatient(sequence=2, physical_harm="none"),
        ],
    )
    text = (
        sign_in(UserFactory(role=(Role.PATIENT_SAFETY_LEAD, practice)))
        .get(f"/events/{event.id}")
        .get_data(as_text=True)
    )
    for number in (1, 2):
        assert f'<h3 class="nhsuk-card__heading">Patient {number}</h3>' in text


def test_a_public_reporters_name_and_contact_are_shown_to_casework(sign_in, session):
    practice = PracticeFactory()
    event = SafetyEventFactory(
        organisation=practice,
        reporter_kind="family",
        reporter_name="Sam Smith",
        reporter_contact="sam@example.org",
    )
    text = (
        sign_in(UserFactory(role=(Role.PATIENT_SAFETY_LEAD, practice)))
        .get(f"/events/{event.id}")
        .get_data(as_text=True)
    )
    assert "Sam Smith (family member)" in text and "sam@example.org" in text


@pytest.mark.parametrize("role", [Role.PATIENT_SAFETY_LEAD, Role.REPORTER])
def test_the_event_page_is_not_found_for_people_of_another_practice(sign_in, protected_event, role):
    event, practice, _, _ = protected_event
    other = PracticeFactory(icb=practice.icb)
    assert sign_in(UserFactory(role=(role, other))).get(f"/events/{event.id}").status_code == 404


def test_the_event_page_is_not_found_for_an_administrator(sign_in, protected_event):
    event, practice, _, _ = protected_event
    assert (
        sign_in(UserFactory(role=(Role.ADMINISTRATOR, practice.icb)))
        .get(f"/events/{event.id}")
        .status_code
        == 404
    )


def test_the_event_page_is_not_found_for_the_reporter_role_at_the_same_practice(
    sign_in, protected_event
):
    event, _, _, reporter = protected_event
    assert sign_in(reporter).get(f"/events/{event.id}").status_code == 404


def test_an_unknown_event_is_not_found(sign_in):
    practice = PracticeFactory()
    assert (
        sign_in(UserFactory(role=(Role.PATIENT_SAFETY_LEAD, practice)))
        .get("/events/999999")
        .status_code
        == 404
    )


def test_my_reports_lists_only_my_own_events_newest_first_including_protected_ones(
    sign_in, session
):
    practice = PracticeFactory()
    me = UserFactory(role=(Role.REPORTER, practice))
    colleague = UserFactory(role=(Role.REPORTER, practice))
    now = datetime(2026, 3, 1, 12, 0)
    older = SafetyEventFactory(
        organisation=practice,
        reporter_user_id=me.id,
        created_at=now - timedelta(days=2),
        theme="referral",
    )
    newer = SafetyEventFactory(
        organisation=practice,
        reporter_user_id=me.id,
        created_at=now,
        identity_protected=True,
        status="no_further_response",
    )
    theirs = SafetyEventFactory(
        organisation=practice, reporter_user_id=colleague.id, created_at=now - timedelta(days=1)
    )
    public = SafetyEventFactory(organisation=practice, reporter_kind="patient")

    text = sign_in(me).get("/events/mine").get_data(as_text=True)
    assert newer.reference in text and older.reference in text
    assert theirs.reference not in text and public.reference not in text
    assert text.index(newer.reference) < text.index(older.reference)
    assert "No further response, kept for insight" in text and "Referral and follow-up" in text


def test_my_reports_pages_by_keyset(app, sign_in, session):
    app.config["PAGE_SIZE"] = 2
    practice = PracticeFactory()
    me = UserFactory(role=(Role.REPORTER, practice))
    start = datetime(2026, 3, 1, 12, 0)
    events = [
        SafetyEventFactory(
            organisation=practice, reporter_user_id=me.id, created_at=start + timedelta(hours=i)
        )
        for i in range(5)
    ]
    client = sign_in(me)
    seen = []
    url = "/events/mine"
    while url:
        text = client.get(url).get_data(as_text=True)
        on_page = [e.reference for e in events if e.reference in text]
        assert len(on_page) <= 2
        seen.extend(sorted(on_page, key=text.index))
        url = (
            text.split('<a href="')[-1].split('">Older reports')[0].replace("&amp;", "&")
            if "Older reports" in text
            else None
        )
    assert seen == [e.reference for e in reversed(events)]


def test_a_mangled_cursor_starts_from_the_top(sign_in):
    practice = PracticeFactory()
    me = UserFactory(role=(Role.REPORTER, practice))
    assert sign_in(me).get("/events/mine?after=not-a-cursor").status_code == 200


def test_free_text_is_escaped_on_the_event_page(sign_in):
    practice = PracticeFactory()
    event = SafetyEventFactory(
        organisation=practice, description="<script>alert(1)</script>\nsecond line"
    )
    lead = sign_in(UserFactory(role=(Role.PATIENT_SAFETY_LEAD, practice)))
    text = lead.get(f"/events/{event.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>second line" in text


def test_a_triaged_event_shows_the_decision_and_links_to_its_learning_response(
    session, sign_in, world
):
    from tests.support.factories import AfterActionReviewFactory

    aar = AfterActionReviewFactory(organisation=world.practice)
    event = SafetyEventFactory(
        organisation=world.practice,
        status="learning_response",
        learning_response_id=aar.id,
        triage_rationale="The team can learn together.",
    )
    page = sign_in(world.icb_quality).get(f"/events/{event.id}").get_data(as_text=True)
    assert "The team can learn together." in page
    assert f'href="/responses/{aar.id}"' in page
