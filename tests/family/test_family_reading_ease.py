"""The family portal is written for patients and families: plain English, checked by measure.

The agreed level of tests/support/reading.py, as for the public report. Every family and join page is
measured as a family member meets it, with a timeline, questions, answers and reports on it; and
the invitation letter the lead prints for them.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from psirf.accounts.models import User
from psirf.extensions import limiter
from psirf.notifications.models import OutboxMessage
from tests.support.engagement import affected_person, joined_person, shared_document, words_of
from tests.support.reading import above_the_level, main_text
from tests.support.factories import ResponseFactory

PASSWORD = "a long new password"


def letter_text(html: str) -> str:
    letter = re.search(r'<div class="psirf-letter" id="letter">(.*?)</div>', html, re.S).group(1)
    return main_text(f"<main>{letter}</main>")


@pytest.fixture
def pages(app, world, sign_in, session):
    """Every family-facing page, filled as a family member would see it part-way through a review."""
    limiter.reset()
    response = ResponseFactory(organisation=world.practice, method="psii")
    today = date.today()
    person = joined_person(response, engagement_lead_id=world.lead.id)
    second = joined_person(
        ResponseFactory(organisation=world.practice), account=session.get(User, person.account_id)
    )
    words_of(person, "We rang you and said who we are.", "first_contact", today - timedelta(days=9))
    words_of(
        person, "We met at the surgery. We said sorry.", "being_open", today - timedelta(days=8)
    )
    words_of(
        person,
        "Why was the dose wrong?",
        "question",
        today - timedelta(days=8),
        answer="The box on the screen was set to daily.",
        answered_on=today - timedelta(days=2),
    )
    words_of(person, "Who checks it now?", "question", today - timedelta(days=1))
    shared_document(person, "draft")
    family = sign_in(session.get(User, person.account_id))
    seen = {
        "/your-response": family.get("/your-response").get_data(as_text=True),
        "/your-response/<id>": family.get(f"/your-response/{person.id}").get_data(as_text=True),
        "/your-response/<id>/preferences": family.get(
            f"/your-response/{person.id}/preferences"
        ).get_data(as_text=True),
    }
    assert second.account_id == person.account_id

    lead = sign_in(world.lead)
    invited = affected_person(response, name="Sam Bloggs", engagement_lead_id=world.lead.id)
    key = f"eng_invite{invited.id}"
    letter = lead.post(
        f"/responses/{response.id}/engagement/people/{invited.id}/invitations",
        data={f"{key}-version": response.version_id, f"{key}-means": "letter"},
    ).get_data(as_text=True)
    seen["letter"] = letter
    code = re.search(r'class="psirf-code">([A-Z0-9-]+)<', letter).group(1)
    session.expire_all()
    key = f"eng_invite{invited.id}"
    version = session.get(type(response), response.id).version_id
    lead.post(
        f"/responses/{response.id}/engagement/people/{invited.id}/invitations",
        data={
            f"{key}-version": version,
            f"{key}-means": "email",
            f"{key}-email": "sam@example.org",
        },
    )
    link = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first().link

    visitor = app.test_client()
    seen["/join"] = visitor.get("/join").get_data(as_text=True)
    seen["/join (wrong code)"] = visitor.post("/join", data={"code": "AAAA"}).get_data(as_text=True)
    seen["/join/<old letter code, now withdrawn>"] = visitor.post(
        "/join", data={"code": code}
    ).get_data(as_text=True)
    visitor.get(link)
    seen["/join/set-password"] = visitor.get("/join/set-password").get_data(as_text=True)
    seen["/join/set-password (too short)"] = visitor.post(
        "/join/set-password", data={"password": "short", "confirm": "short"}
    ).get_data(as_text=True)
    visitor.post("/join/set-password", data={"password": PASSWORD, "confirm": PASSWORD})
    seen["/join/<used link>"] = app.test_client().get(link).get_data(as_text=True)
    return seen


def test_every_family_page_reads_at_a_reading_age_of_about_nine_to_eleven(pages):
    hard = above_the_level(
        {
            path: letter_text(html) if path == "letter" else main_text(html)
            for path, html in pages.items()
        }
    )
    assert hard == {}, f"pages above the agreed reading level (grade, ease): {hard}"


def test_the_measured_pages_are_the_ones_a_family_meets(pages):
    assert "Your reviews" in pages["/your-response"]
    assert (
        "What has happened so far" in pages["/your-response/<id>"]
        and "Who checks it now?" in pages["/your-response/<id>"]
    )
    assert "Your comments on the draft report" in pages["/your-response/<id>"]
    assert "This code cannot be used" in pages["/join/<old letter code, now withdrawn>"]
    assert "Choose a password" in pages["/join/set-password"]
    assert "This link or code cannot be used" in pages["/join/<used link>"]
    assert "Dear Sam Bloggs" in pages["letter"]
