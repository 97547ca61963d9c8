"""The staff form: one page, the core first, the details optional."""

from __future__ import annotations

from sqlalchemy import select

from psirf.accounts.models import Role
from psirf.audit import AuditRecord
from psirf.events.models import SafetyEvent
from tests.support.events import INVALID_NHS_NUMBER, VALID_NHS_NUMBER, counts, staff_form_data
from tests.support.factories import PracticeFactory, UserFactory
from tests.support.queries import counting_queries


def test_the_form_offers_only_the_services_where_the_person_holds_a_role(sign_in):
    mine = PracticeFactory(name="My Surgery")
    PracticeFactory(name="Other Surgery")
    client = sign_in(UserFactory(role=(Role.REPORTER, mine)))
    page = client.get("/events/new").get_data(as_text=True)
    assert "My Surgery" in page and "Other Surgery" not in page
    assert "Protect my identity: only the patient safety lead will see who reported this" in page
    assert "<title>Report a patient safety event - " in page


def test_submitting_the_staff_form_records_one_event_with_an_audit_record(sign_in, session):
    practice = PracticeFactory()
    user = UserFactory(role=(Role.REPORTER, practice))
    client = sign_in(user)
    response = client.post(
        "/events/new",
        data=staff_form_data(
            practice,
            agents=["medication", "it_system"],
            processes="prescribing",
            age_band="65-74",
            gender="female",
            nhs_number="943 476 5919",
            location="practice_building",
        ),
    )
    assert response.status_code == 302
    event = session.scalars(select(SafetyEvent)).one()
    assert response.headers["Location"].endswith(f"/events/{event.id}/recorded")
    assert (event.organisation_id, event.record_type, event.theme) == (
        practice.id,
        "incident",
        "medication",
    )
    assert (event.reporter_kind, event.reporter_user_id, event.identity_protected) == (
        "staff",
        user.id,
        False,
    )
    assert (event.physical_harm, event.psychological_harm) == ("low", "none")
    assert event.agents == ["medication", "it_system"] and event.processes == ["prescribing"]
    [patient] = event.patients
    assert (patient.sequence, patient.age_band, patient.gender, patient.nhs_number) == (
        1,
        "65-74",
        "female",
        VALID_NHS_NUMBER,
    )
    audit = session.scalars(select(AuditRecord)).one()
    assert (audit.action, audit.actor_id, audit.subject_id) == ("event:create", user.id, event.id)

    confirmation = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"<strong>{event.reference}</strong>" in confirmation


def test_bad_input_shows_the_error_summary_keeps_what_was_typed_and_writes_nothing(
    sign_in, session
):
    practice = PracticeFactory()
    client = sign_in(UserFactory(role=(Role.REPORTER, practice)))
    response = client.post(
        "/events/new",
        data=staff_form_data(
            practice, theme=None, nhs_number=INVALID_NHS_NUMBER, **{"occurred_on[year]": "2O25"}
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "<title>Error: Report a patient safety event" in page
    assert "Select what the event was mostly about" in page
    assert "Enter a valid NHS number" in page
    assert "Enter a real date for when did it happen" in page
    assert "Warfarin dose was copied wrongly onto the repeat template." in page
    assert f'value="{INVALID_NHS_NUMBER}"' in page
    assert 'value="2O25"' in page
    assert counts(session) == (0, 0, 0)


def test_harm_is_needed_for_an_incident_but_not_for_good_care(sign_in, session):
    practice = PracticeFactory()
    client = sign_in(UserFactory(role=(Role.REPORTER, practice)))
    refused = client.post("/events/new", data=staff_form_data(practice, physical_harm=None))
    assert "Select the physical harm to the patient" in refused.get_data(as_text=True)
    assert counts(session)[0] == 0

    accepted = client.post(
        "/events/new",
        data=staff_form_data(
            practice, record_type="good_care", physical_harm=None, psychological_harm=None
        ),
    )
    assert accepted.status_code == 302
    event = session.scalars(select(SafetyEvent)).one()
    assert event.patients == [] and event.physical_harm is None


def test_a_staff_member_cannot_report_for_an_organisation_where_they_hold_no_role(sign_in, session):
    mine, theirs = PracticeFactory(), PracticeFactory()
    client = sign_in(UserFactory(role=(Role.REPORTER, mine)))
    response = client.post("/events/new", data=staff_form_data(theirs))
    assert response.status_code == 400
    assert "Select a service where you work" in response.get_data(as_text=True)
    assert counts(session) == (0, 0, 0)


def test_a_person_with_no_role_at_a_service_cannot_open_the_form(sign_in):
    from tests.support.factories import PcnFactory

    client = sign_in(UserFactory(role=(Role.REVIEW_PANEL_MEMBER, PcnFactory())))
    assert client.get("/events/new").status_code == 403


def test_the_form_needs_a_signed_in_person(client):
    response = client.get("/events/new")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_the_reporter_can_protect_their_identity(sign_in, session):
    practice = PracticeFactory()
    client = sign_in(UserFactory(role=(Role.REPORTER, practice)))
    client.post("/events/new", data=staff_form_data(practice, identity_protected="y"))
    assert session.scalars(select(SafetyEvent)).one().identity_protected is True


def test_someone_else_cannot_see_the_confirmation_page(sign_in, session):
    practice = PracticeFactory()
    client = sign_in(UserFactory(role=(Role.REPORTER, practice)))
    location = client.post("/events/new", data=staff_form_data(practice)).headers["Location"]
    other = sign_in(UserFactory(role=(Role.REPORTER, practice)))
    assert other.get(location).status_code == 404


def test_recording_an_event_reads_back_nothing_it_has_just_written(sign_in, session):
    """The reporter's acknowledgement, its notification and email are new rows: no query looks for
    them first, and the new event is not read again after the commit to find its page. (The rollups'
    own GROUP BY over the new event is how they are kept exact, psirf/events/counts.py, not a
    read-back. Nor is the sign-in's own statement, which reads the header's unread count with the
    person before anything is written.)"""
    practice = PracticeFactory()
    client = sign_in(UserFactory(role=(Role.REPORTER, practice)))
    with counting_queries() as statements:
        response = client.post("/events/new", data=staff_form_data(practice))
    assert response.status_code == 302
    assert "FROM user_sessions" in statements[0]
    reads = [
        s
        for s in statements[1:]
        if s.lstrip().upper().startswith("SELECT") and "GROUP BY" not in s.upper()
    ]
    for table in ("safety_events", "notifications", "outbox_messages", "reporter_updates"):
        assert not [s for s in reads if f"FROM {table}" in s], table


def test_recording_an_event_costs_the_same_statements_however_many_patients(sign_in):
    """Each rollup is one upsert from the new event's own values (psirf/events/counts.py): no
    grouped read, whatever the event holds. (PostgreSQL writes the patients in one INSERT; SQLite's
    driver, one each.)"""
    practice = PracticeFactory()
    client = sign_in(UserFactory(role=(Role.REPORTER, practice)))
    more = {
        f"patients-{n}-{harm}": "moderate"
        for n in (1, 2)
        for harm in ("physical_harm", "psychological_harm")
    } | {"patients-1-gender": "female", "patients-2-age_band": "65-74"}
    sent = []
    for extra in ({}, more):
        with counting_queries() as statements:
            assert (
                client.post("/events/new", data=staff_form_data(practice, **extra)).status_code
                == 302
            )
        sent.append(statements)
    one, three = (
        [s for s in statements if not s.startswith("INSERT INTO event_patients")]
        for statements in sent
    )
    assert len(one) == len(three)
    assert not [s for s in one + three if "GROUP BY" in s.upper()]
    assert [s.split()[2] for s in three if "ON CONFLICT" in s.upper()] == [
        "event_counts",
        "theme_rollups",
        "equality_rollups",
    ]
