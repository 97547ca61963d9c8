"""The lead plans engagement with a family and records the duty of candour, its steps in order;
the ICB reads it; the demo trust applies its own candour test."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from psirf.accounts.models import User
from psirf.db import unit_of_work
from psirf.demo.trust_response import load_trust_response
from psirf.engagement.models import CandourRecord
from psirf.organisations.services import by_ods_code
from psirf.responses import services
from psirf.responses.models import LearningResponse, ResponseMethod
from tests.support.factories import SafetyEventFactory

pytestmark = pytest.mark.browser


def fill_date(scope, legend: str, d: date) -> None:
    group = scope.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(d.day))
    group.get_by_label("Month").fill(str(d.month))
    group.get_by_label("Year").fill(str(d.year))


def open_review(live_db, ods_code: str, harm: str) -> tuple[int, str]:
    with live_db() as session:
        with unit_of_work(session):
            practice = by_ods_code(session, ods_code)
            lead = session.scalar(select(User).where(User.email == "lead@demo-icb.example.org"))
            incident = SafetyEventFactory(
                organisation=practice, status="learning_response", physical_harm=harm
            )
            response = services.open_response(
                session, incident, ResponseMethod.AFTER_ACTION_REVIEW, lead
            )
            return response.id, response.reference


def seed_overdue_candour(live_db) -> str:
    """Another practice's review where candour was confirmed 40 days ago and nothing done since."""
    response_id, reference = open_review(live_db, "D82001", "severe")
    with live_db() as session:
        with unit_of_work(session):
            session.add(
                CandourRecord(
                    response_id=response_id,
                    decision="applies",
                    criteria=["impairment"],
                    decided_on=date.today() - timedelta(days=40),
                )
            )
    return reference


def record_step(visitor, kind: str, on: date, notes: str = "", shared: bool = True) -> None:
    form = visitor.page.locator("#form-eng_step")
    form.get_by_label("Who was it with?").select_option(index=1)
    form.get_by_label(kind, exact=True).check()
    fill_date(form, "When?", on)
    form.get_by_label("Shared with the family" if shared else "Internal", exact=True).check()
    if notes:
        form.get_by_label("Notes, their question").fill(notes)
    visitor.submit("Record the step")


def test_the_lead_engages_a_family_and_records_the_duty_of_candour(visitor, live_db):
    response_id, reference = open_review(live_db, "D81001", "moderate")
    other = seed_overdue_candour(live_db)
    today = date.today()
    page = visitor.page

    visitor.sign_in("lead@demo-icb.example.org")
    visitor.goto(f"/responses/{response_id}")
    assert "Consider the duty of candour" in visitor.text

    person = page.locator("#form-eng_person")
    person.get_by_label("Family member", exact=True).check()
    person.get_by_label("Name", exact=True).fill("Jo Bloggs")
    person.get_by_label("Relationship to the patient (optional)").fill("Daughter")
    person.get_by_label("Phone", exact=True).check()
    person.get_by_label("Letter", exact=True).check()
    person.get_by_label("When is a good time to contact them? (optional)").fill(
        "Weekday afternoons"
    )
    person.get_by_label("Preferred language (optional)").fill("Polish")
    person.get_by_role("group", name="Do they need an interpreter?").get_by_label("Yes").check()
    person.get_by_label("Fully involved", exact=True).check()
    person.get_by_label("Engagement lead (their single point of contact)").select_option(
        label="Lee Lead"
    )
    visitor.submit("Add the person")
    assert (
        "Jo Bloggs (family member)" in visitor.text
        and "Polish; an interpreter is needed" in visitor.text
    )

    # A step sent with nothing in it comes back with the error summary, and nothing is written.
    visitor.submit("Record the step", status=400)
    assert "There is a problem" in visitor.text and "Choose what happened" in visitor.text
    visitor.goto(f"/responses/{response_id}")

    record_step(
        visitor, "First contact", today - timedelta(days=10), "Introduced myself as their contact"
    )
    record_step(
        visitor,
        "A question they want answered",
        today - timedelta(days=9),
        "Why was the weekly dose issued daily?",
    )
    assert (
        "Why was the weekly dose issued daily?" in page.locator("#questions + p + ol").inner_text()
    )

    attempt = page.locator("#form-eng_attempt")
    attempt.get_by_label("Who did you try to reach?").select_option(index=1)
    fill_date(attempt, "When did you try?", today - timedelta(days=8))
    attempt.get_by_label("Phone", exact=True).check()
    attempt.get_by_label("What happened?").fill("No answer, left a voicemail")
    visitor.submit("Record the attempt")
    record_step(
        visitor,
        "Declined to be involved",
        today - timedelta(days=7),
        "Not ready to talk yet",
        shared=False,
    )
    assert "Declined for now" in visitor.text
    record_step(
        visitor,
        "Being-open conversation",
        today - timedelta(days=2),
        "Met at the surgery; ready to be involved",
    )
    assert "Involved again after a pause" in visitor.text
    assert "No answer, left a voicemail" in visitor.text  # the attempt stays with the declined step

    candour = page.locator("#form-candour")
    candour.get_by_label(
        "Prolonged pain, experienced or likely to be experienced for 28 days or more"
    ).check()
    candour.get_by_label("Applies: this is a notifiable safety incident").check()
    fill_date(candour, "Date of the decision", today)
    visitor.submit("Record the decision")
    assert "local target, not a legal deadline" in visitor.text

    # The secure record keeps both notifications: sent before the written one, it comes back.
    steps = page.locator("#form-candour_steps")
    fill_date(steps, "Date they were told in person or by phone", today)
    steps.get_by_label("In person", exact=True).check()
    steps.get_by_label("Who told them? (optional until they are told)").fill("Dr Priya Shah")
    steps.get_by_role("group", name="Was an apology given?").get_by_label("Yes").check()
    record = "What is the secure written record, and where is it kept?"
    steps.get_by_label(record).fill("Meeting note, document 4471")
    steps.get_by_label("Who confirmed it is kept securely?").fill("Practice manager")
    fill_date(steps, "Date it was confirmed as kept", today)
    visitor.submit("Save the candour steps", status=400)
    assert "Record the written notification before the secure record: it keeps both" in visitor.text
    steps = page.locator("#form-candour_steps")
    assert steps.get_by_label(record).input_value() == "Meeting note, document 4471"
    fill_date(steps, "Date of the written notification", today)
    steps.get_by_label("What support was offered?").fill("A named contact and an interpreter")
    fill_date(steps, "Date the support was offered", today)
    visitor.submit("Save the candour steps")
    assert "In person, by Dr Priya Shah; apology given: yes" in visitor.text
    assert "Meeting note, document 4471; confirmed as kept by Practice manager" in visitor.text
    assert "Past the local target" not in visitor.text
    assert "When the response closes" in visitor.text  # the results of enquiries' own target
    assert "Duty of candour: the secure written record recorded" in visitor.text  # the timeline
    visitor.sign_out()

    visitor.sign_in("icb.quality@demo-icb.example.org")
    visitor.goto(f"/responses/{response_id}")
    assert (
        "Jo Bloggs (family member)" in visitor.text
        and "Why was the weekly dose issued daily?" in visitor.text
    )
    assert page.locator("form[id^='form-eng'], form[id^='form-candour']").count() == 0
    visitor.goto("/oversight/candour")
    assert other in visitor.text and reference not in visitor.text
    with live_db() as session:
        assert session.get(LearningResponse, response_id).state == "planning"
        with unit_of_work(session):
            load_trust_response(session)  # as `seed demo` does
        trust_response = session.scalar(
            select(LearningResponse.id).where(
                LearningResponse.organisation_id == by_ods_code(session, "RDM").id,
                LearningResponse.method == ResponseMethod.CROSS_ORGANISATIONAL.value,
            )
        )
    visitor.sign_out()

    # The demo trust leads a cross-organisational response under its own test.
    visitor.sign_in("trust.lead@demo-icb.example.org")
    visitor.goto(f"/responses/{trust_response}")
    assert "The test for health service bodies" in visitor.text
    assert "Regulation 20 treats an NHS trust as a health service body." in visitor.text
    assert "Moderate harm" in visitor.text and "When the response closes" in visitor.text
