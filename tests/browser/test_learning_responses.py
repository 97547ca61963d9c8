"""Every method through the browser, as the people involved would run it."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from psirf.accounts.models import User
from psirf.db import unit_of_work
from psirf.organisations.services import by_ods_code
from psirf.responses import services
from psirf.responses.models import ResponseMethod
from tests.support.browser import add_agreed_action, fill_date
from tests.support.factories import SafetyEventFactory

pytestmark = pytest.mark.browser


def open_response(live_db, method: str, ods_code: str = "D81001", **event) -> int:
    with live_db() as session:
        with unit_of_work(session):
            practice = by_ods_code(session, ods_code)
            lead = session.scalar(select(User).where(User.email == "lead@demo-icb.example.org"))
            incident = SafetyEventFactory(
                organisation=practice, status="learning_response", **event
            )
            return services.open_response(session, incident, ResponseMethod(method), lead).id


def fill(page, answers: dict) -> None:
    for label, value in answers.items():
        page.get_by_label(label, exact=True).fill(value)


def add_safety_action(visitor, response_url: str) -> None:
    add_agreed_action(
        visitor,
        response_url,
        description="Lock the template to weekly dosing",
        owner="Clinical system lead",
        due=date.today() + timedelta(days=60),
        strength="Stronger",
        measure="Weekly medicines issued with a daily dose: a monthly search, expected to be none.",
    )


def add_finding_and_factor(visitor) -> None:
    page = visitor.page
    page.get_by_label("Area for improvement", exact=True).check()
    page.get_by_label("What did the review find?").fill(
        "The repeat template defaulted to daily dosing"
    )
    visitor.submit("Add the finding")
    page.get_by_label("Which finding did it contribute to?").select_option(index=1)
    page.get_by_label("Tools and technology").check()
    page.get_by_label("How did it contribute?").fill("No weekly default in the prescribing system")
    visitor.submit("Add the contributory factor")


def test_a_swarm_huddle_goes_on_as_an_after_action_review_on_the_same_page(visitor, live_db):
    swarm = open_response(live_db, "swarm_huddle")
    visitor.sign_in("lead@demo-icb.example.org")
    visitor.goto(f"/responses/{swarm}")
    assert "Huddle under way" in visitor.text
    fill(
        visitor.page,
        {
            "Who facilitated the huddle?": "Dr Priya Shah",
            "What happened?": "Methotrexate issued daily",
        },
    )
    fill_date(visitor.page, "When was the huddle held?", date.today())
    visitor.submit("Save phase 1: set the scene")
    visitor.page.get_by_label("Why: continue as an after action review").fill(
        "Needs the pharmacy there: a cold review"
    )
    visitor.submit("Continue as an after action review")
    # One case: the same page and reference, now the review's, with the huddle's record below.
    assert visitor.page.url.endswith(f"/responses/{swarm}")
    assert "Planning the review" in visitor.text
    assert "Began as a SWARM huddle on" in visitor.text
    assert "Continued from" not in visitor.text
    assert "What the SWARM huddle recorded" in visitor.text
    assert "Dr Priya Shah" in visitor.text  # the huddle's record is kept, read-only
    assert "When the response began, on" in visitor.text


def test_a_psii_through_the_draft_shared_with_the_family_to_sign_off(visitor, live_db):
    psii = open_response(live_db, "psii", never_event=True)
    page = visitor.page
    visitor.sign_in("lead@demo-icb.example.org")
    visitor.goto(f"/responses/{psii}")
    fill(
        page,
        {
            "Who leads the investigation?": "Dr Ade Okafor",
            "What will the investigation cover?": "Weekly methotrexate prescribing",
            "Questions raised by the patient or family": "Why was the dose not checked at the pharmacy?",
        },
    )
    visitor.submit("Save terms of reference")
    visitor.submit("Terms of reference agreed")
    fill(
        page,
        {
            "Records and documents reviewed": "Prescribing and dispensing records",
            "Conversations held": "Prescriber, pharmacist",
        },
    )
    visitor.submit("Save information gathered")
    visitor.submit("Information gathered, start the analysis")
    add_finding_and_factor(visitor)
    visitor.submit("Analysis done, write the draft")
    fill(
        page,
        {
            "Summary": "A weekly medicine was prescribed daily.",
            "Background and context": "A busy repeat prescribing day.",
            "What the investigation found": "The template offered daily dosing first.",
        },
    )
    visitor.submit("Save draft report")
    add_safety_action(visitor, f"/responses/{psii}")
    visitor.submit("Share the draft with those affected")
    assert "Draft shared with those affected" in visitor.text
    fill_date(page, "When was the draft shared?", date.today())
    fill(
        page,
        {
            "Who was it shared with?": "The patient's daughter",
            "Their comments": "She asked for her calls to the surgery to be in the timeline.",
        },
    )
    visitor.submit("Save draft shared with those affected")
    visitor.submit("Comments recorded, write the final report")
    fill(
        page,
        {
            "How those affected were involved": "Met the family twice; they shaped the questions.",
            "Areas for improvement": "Prescribing templates for weekly medicines.",
        },
    )
    visitor.submit("Save final report")
    visitor.submit("Send for sign-off")
    assert "Awaiting sign-off by the executive lead" in visitor.text
    visitor.sign_out()

    visitor.sign_in("exec@demo-icb.example.org")
    visitor.goto(f"/responses/{psii}")
    visitor.submit("Sign off the report")
    assert "Signed off and closed" in visitor.text


def test_a_thematic_review_of_last_quarters_medication_events_across_north_pcn(visitor, live_db):
    start = date.today() - timedelta(days=90)
    with live_db() as session:
        north = [by_ods_code(session, code) for code in ("D81001", "D81002", "D81003")]
        for n, practice in enumerate(north * 2):
            SafetyEventFactory(
                organisation=practice,
                theme="medication",
                occurred_on=start + timedelta(days=10 + n),
            )
        SafetyEventFactory(
            organisation=by_ods_code(session, "D82001"),
            theme="medication",
            occurred_on=start + timedelta(days=3),
        )
    visitor.sign_in("panel@demo-icb.example.org")
    visitor.goto("/responses")
    visitor.follow("Start a thematic review")
    page = visitor.page
    page.get_by_label("PCN or federation").select_option(label="North PCN")
    page.get_by_label("Theme").select_option(
        label="Medication (prescribing, dispensing, monitoring)"
    )
    fill_date(page, "Events from", start)
    fill_date(page, "Events to", date.today())
    visitor.submit("Count the matching events")
    matched = int(visitor.text.split(" events match")[0].split()[-1])
    assert matched >= 6
    visitor.submit("Start the review")
    assert (
        "Thematic review" in visitor.text and f"{matched} events kept as a snapshot" in visitor.text
    )
    fill(
        page,
        {
            "What questions will the review answer?": "Where do medication errors start?",
            "Who leads the review?": "Pat Panel",
        },
    )
    visitor.submit("Save scope and questions")
    fill(page, {"Which data sources will it use?": "The events chosen and the practices' SEA logs"})
    visitor.submit("Save data sources")
    visitor.submit("Scope agreed, start the analysis")
    assert "Coding and analysis against SEIPS" in visitor.text


def test_a_cross_organisational_response_with_a_trust_contributing_and_seeing_nothing_else(
    visitor, live_db
):
    response = open_response(live_db, "cross_organisational", theme="referral")
    other = open_response(live_db, "after_action_review")
    page = visitor.page
    visitor.sign_in("lead@demo-icb.example.org")
    visitor.goto(f"/responses/{response}")
    fill(
        page,
        {
            "What will the response look at, across the organisations?": "A two-week-wait referral that was not seen",
            "Questions to answer": "Where did the referral stop?",
        },
    )
    visitor.submit("Save shared terms of reference")
    # The lead's choice is a search of the ICB, not a list of all of it (it works without JavaScript).
    page.get_by_label("Search for an organisation").first.fill("demo hosp")
    with page.expect_navigation():
        page.get_by_role("button", name="Search", exact=True).first.click()
    visitor.check()
    page.get_by_label("Demo Hospitals NHS Trust (NHS trust)", exact=True).check()
    visitor.submit("Add the organisation")
    visitor.submit("Share the terms of reference")
    assert "Organisations contributing" in visitor.text
    visitor.sign_out()

    visitor.sign_in("trust.lead@demo-icb.example.org")
    visitor.goto("/responses")
    assert "Cross-organisational learning response" in visitor.text
    visitor.goto(f"/responses/{response}")
    page.get_by_label("Your organisation's contribution").fill(
        "The referral arrived but sat in an unmonitored inbox."
    )
    visitor.submit("Save your contribution")
    assert "unmonitored inbox" in visitor.text
    visitor.goto(f"/responses/{other}", status=404)
    visitor.goto("/triage")
    assert (
        "No events match" in visitor.text
    )  # the trust's own queue, empty: nothing of the practice's


def test_triage_of_a_never_event_recommends_a_psii_and_a_different_choice_needs_a_reason(
    visitor, live_db
):
    with live_db() as session:
        event = SafetyEventFactory(
            organisation=by_ods_code(session, "D81001"),
            status="awaiting_triage",
            never_event=True,
            never_event_type="methotrexate_overdose",
            physical_harm="moderate",
        )
        event_id, reference = event.id, event.reference
    page = visitor.page
    visitor.sign_in("lead@demo-icb.example.org")
    visitor.goto(f"/triage/events/{event_id}")
    assert "National requirement" in visitor.text and "Never Event" in visitor.text
    assert (
        page.get_by_label("Patient safety incident investigation (PSII) (recommended)").count() == 1
    )
    page.get_by_label("After action review").check()
    page.get_by_label("Why did you choose this response?").fill(
        "The team wants to learn quickly first."
    )
    visitor.submit("Record the decision", status=400)
    assert "There is a problem" in visitor.text  # choosing otherwise demands a reason
    page.get_by_label("Why are you choosing differently from the recommendation?").fill(
        "The ICB agreed an AAR first, with a PSII decision at the panel."
    )
    visitor.submit("Record the decision")
    assert "Planning the review" in visitor.text
    visitor.goto(f"/events/{event_id}")
    assert "The ICB agreed an AAR first" in visitor.text
    with live_db() as session:
        from psirf.audit import AuditRecord

        record = session.scalars(
            select(AuditRecord).where(
                AuditRecord.action == "event:triage", AuditRecord.subject_id == event_id
            )
        ).one()
        assert "The ICB agreed an AAR first" in (record.comment or "") + str(record.changes)
    assert reference
