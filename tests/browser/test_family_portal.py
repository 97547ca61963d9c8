"""The family portal, end to end through the real pages: the lead invites a family member on a PSII,
they join with the link, ask two questions that reach the terms of reference (and, by their choice,
the report), comment on the shared draft and download the final report; the link works once, and
staff pages stay closed to them. axe-core runs on every page visited (tests/browser/conftest.py)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from psirf.accounts.models import User
from psirf.db import unit_of_work
from psirf.extensions import limiter
from psirf.notifications.models import OutboxMessage
from psirf.organisations.services import by_ods_code
from psirf.responses import services
from psirf.responses.models import ResponseMethod
from tests.support.factories import SafetyEventFactory

pytestmark = pytest.mark.browser

FAMILY_EMAIL = "jo.bloggs@example.org"
FAMILY_PASSWORD = "my family password"
QUESTIONS = ("Why was the weekly dose given every day?", "Who checks the dose now?")


def open_psii(live_db) -> tuple[int, str]:
    with live_db() as session:
        with unit_of_work(session):
            practice = by_ods_code(session, "D81001")
            lead = session.scalar(select(User).where(User.email == "lead@demo-icb.example.org"))
            incident = SafetyEventFactory(
                organisation=practice,
                status="learning_response",
                physical_harm="moderate",
                never_event=True,
                never_event_type="methotrexate_overdose",
            )
            response = services.open_response(session, incident, ResponseMethod.PSII, lead)
            return response.id, response.reference


def link_from_outbox(live_db) -> str:
    with live_db() as session:
        message = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == FAMILY_EMAIL)
            .order_by(OutboxMessage.id.desc())
        ).first()
        return message.link


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def open_details(page, summary: str) -> None:
    page.locator("summary", has_text=summary).first.click()


def share(visitor, kind_label: str) -> None:
    open_details(visitor.page, "Share a report with Jo Bloggs")
    visitor.page.get_by_label(kind_label, exact=True).check()
    visitor.submit("Share the report")
    assert "The report has been shared" in visitor.text


def test_a_family_member_joins_asks_comments_and_downloads_the_final_report(
    visitor, live_db, live_server
):
    limiter.reset()
    response_id, reference = open_psii(live_db)
    page = visitor.page

    # The lead adds the family member to the plan and invites them: first by letter, then by email.
    visitor.sign_in("lead@demo-icb.example.org")
    visitor.goto(f"/responses/{response_id}")
    person = page.locator("#form-eng_person")
    person.get_by_label("Family member", exact=True).check()
    person.get_by_label("Name", exact=True).fill("Jo Bloggs")
    person.get_by_label("Email", exact=True).check()
    person.get_by_label("Fully involved", exact=True).check()
    person.get_by_label("Engagement lead (their single point of contact)").select_option(
        label="Lee Lead"
    )
    visitor.submit("Add the person")
    assert "Not yet invited." in visitor.text

    open_details(page, "Invite them to the family portal")
    page.get_by_label("Print a letter with a code", exact=True).check()
    visitor.submit("Send the invitation")
    assert "Print this letter now" in visitor.text and "Dear Jo Bloggs" in visitor.text
    letter_code = page.locator(".psirf-code").inner_text()
    visitor.goto(f"/responses/{response_id}")
    open_details(page, "Invite again")
    page.get_by_label("Send a link by email", exact=True).check()
    page.get_by_label("Their email address (for a link by email)").fill(FAMILY_EMAIL)
    visitor.submit("Send the invitation")
    assert "The invitation is on its way by email" in visitor.text
    assert "A printed letter with a code" in visitor.text and "withdrawn" in visitor.text
    visitor.sign_out()

    # The letter's code was withdrawn by the newer invitation.
    visitor.goto("/join")
    page.get_by_label("Your code").fill(letter_code)
    visitor.submit("Go on", status=400)
    assert "This code cannot be used" in visitor.text

    # They join with the emailed link, taken from the outbox: the worker, which would send it on the
    # service's address, is not running here.
    link = link_from_outbox(live_db)
    assert link.startswith("/join/")
    visitor.goto(link)
    assert "Choose a password" in visitor.text and FAMILY_EMAIL in visitor.text
    page.get_by_label("Choose a password", exact=True).fill(FAMILY_PASSWORD)
    page.get_by_label("Type the password again", exact=True).fill(FAMILY_PASSWORD)
    visitor.submit("Join")
    assert (
        "Our review of what happened" in visitor.text and "Your contact is Lee Lead" in visitor.text
    )
    nav = page.locator("a.nhsuk-header__navigation-link").all_inner_texts()
    assert [n.strip() for n in nav] == ["Your response"]
    family_page = page.url

    for question in QUESTIONS:
        page.get_by_label("Your question").fill(question)
        # They choose to have it quoted in the report: only then does the report show it.
        page.get_by_label("You can put my question in the report, in my own words").check()
        visitor.submit("Send your question")
        assert "We have your question" in visitor.text
    for question in QUESTIONS:
        assert question in page.locator("#questions + ol").inner_text()
    assert page.locator("#form-comments").count() == 0  # nothing to comment on yet

    # Staff pages, and the response by number, are closed to them.
    visitor.goto(f"/responses/{response_id}", status=404)
    visitor.goto("/triage", status=403)
    visitor.sign_out()

    # The lead sees both questions in the terms of reference, on the page and in the report, and shares the draft.
    visitor.sign_in("lead@demo-icb.example.org")
    visitor.goto(f"/responses/{response_id}")
    listed = page.locator("#questions + p + ol").inner_text()
    assert all(q in listed for q in QUESTIONS)
    report = page.request.get(f"{live_server}/responses/{response_id}/report.pdf")
    terms = pdf_text(report.body())
    assert "Terms of reference" in terms and all(q in terms for q in QUESTIONS)
    assert "has joined" in visitor.text
    share(visitor, "The draft report, as it is now")
    visitor.sign_out()

    # The family member reads the draft and comments on it.
    visitor.sign_in(FAMILY_EMAIL, FAMILY_PASSWORD)
    assert page.url == family_page
    assert "We shared the draft report with you." in visitor.text
    page.get_by_label("Your comments on the draft report").fill(
        "The date of the second dose is wrong."
    )
    visitor.submit("Send your comments")
    assert "We have your comments on the draft" in visitor.text
    assert "You sent us your comments on the draft report." in visitor.text
    visitor.goto(family_page.replace(live_server, "") + "/preferences")
    page.get_by_label("Which language would you like us to use? (optional)").fill("Polish")
    visitor.submit("Save your choices")
    visitor.sign_out()

    # The lead reads the comments and shares the final report.
    visitor.sign_in("lead@demo-icb.example.org")
    visitor.goto(f"/responses/{response_id}")
    assert "The date of the second dose is wrong." in visitor.text and "Polish" in visitor.text
    share(visitor, "The final report, as it is now")
    visitor.sign_out()

    # They download the final report: a PDF of this response.
    visitor.sign_in(FAMILY_EMAIL, FAMILY_PASSWORD)
    assert "We shared the final report with you." in visitor.text
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the final report").click()
    data = open(download.value.path(), "rb").read()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert reference in text and "Patient safety incident investigation report" in text
    visitor.sign_out()

    # The link worked once.
    visitor.goto(link, status=404)
    assert "This link or code cannot be used" in visitor.text
