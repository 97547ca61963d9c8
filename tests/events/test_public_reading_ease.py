"""The public report is written for patients and families: plain English, checked by measure at
the agreed level (tests/support/reading.py)."""

import re

import pytest

from tests.support.reading import above_the_level, main_text, too_hard

ANSWERS = {
    "/report/kind": {"record_type": "incident"},
    "/report/when": {
        "occurred_on[day]": "3",
        "occurred_on[month]": "11",
        "occurred_on[year]": "2026",
    },
    "/report/what-happened": {
        "description": "My mother was given the wrong tablets at the chemist."
    },
    "/report/harm": {"physical_harm": "low"},
    "/report/theme": {"theme": "medication"},
    "/report/about-you": {"reporter_kind": "family"},
    "/report/contact": {"reporter_name": "", "reporter_contact": ""},
}


@pytest.fixture
def pages(app, client, world):
    """Every page of the public journey, in order, as a member of the public meets it."""
    from sqlalchemy import select

    from psirf.extensions import db
    from psirf.organisations.models import Organisation

    practice_id = db.session.scalar(select(Organisation.id).where(Organisation.name == "Riverside"))
    seen = {"/report": client.get("/report").get_data(as_text=True)}
    seen["/report/service"] = client.get("/report/service?q=Riverside").get_data(as_text=True)
    client.post("/report/service", data={"q": "Riverside", "organisation_id": str(practice_id)})
    for path, answers in ANSWERS.items():
        seen[path] = client.get(path).get_data(as_text=True)
        client.post(path, data=answers)
    seen["/report/check"] = client.get("/report/check").get_data(as_text=True)
    client.post("/report/check")
    seen["/report/done"] = client.get("/report/done").get_data(as_text=True)
    return seen


def test_every_public_page_reads_at_a_reading_age_of_about_nine_to_eleven(pages):
    hard = above_the_level({path: main_text(html) for path, html in pages.items()})
    assert hard == {}, f"pages above the agreed reading level (grade, ease): {hard}"


def test_the_journey_reaches_its_confirmation(pages):
    assert "PSE-" in pages["/report/done"]


# ---- following a report, and the news it carries ------------------------------------------------


@pytest.fixture
def follow_pages(app, client, world, pages):
    """The follow page empty, refused, and showing a report's news as its reporter sees it."""
    from sqlalchemy import select

    from psirf.db import unit_of_work
    from psirf.events import feedback
    from psirf.events.models import ReporterUpdate, SafetyEvent
    from psirf.extensions import db

    reference = re.search(r"PSE-\d{4}-\d{6}", pages["/report/done"]).group()
    code = re.search(r'id="follow-code">([A-Z0-9-]+)<', pages["/report/done"]).group(1)
    event = db.session.scalar(select(SafetyEvent).where(SafetyEvent.reference == reference))
    with unit_of_work(db.session):
        feedback.response_chosen(db.session, event, "after_action_review", world.lead)
        db.session.add(
            ReporterUpdate(
                event_id=event.id,
                kind="what_changed",
                created_by_id=world.lead.id,
                body=feedback.words()["demo_what_changed"]["medication"],
            )
        )
    return {
        "/follow": client.get("/follow").get_data(as_text=True),
        "/follow (wrong code)": client.post(
            "/follow", data={"reference": reference, "code": "AAAAA-AAAAA"}
        ).get_data(as_text=True),
        "/follow (news)": client.post(
            "/follow", data={"reference": reference, "code": code}
        ).get_data(as_text=True),
        "/report/done (again)": client.get("/report/done").get_data(as_text=True),
    }


def test_the_follow_pages_read_at_a_reading_age_of_about_nine_to_eleven(follow_pages):
    assert "What changed because of your report" in follow_pages["/follow (news)"]
    hard = above_the_level({path: main_text(html) for path, html in follow_pages.items()})
    assert hard == {}, f"pages above the agreed reading level (grade, ease): {hard}"


def _texts(data, path=""):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _texts(value, f"{path}/{key}")
    else:
        yield path, str(data)


def test_every_plain_words_text_for_reporters_reads_at_the_agreed_level():
    """Each update is read on its own, so each text must pass by itself, not only on a page."""
    from psirf.events import feedback

    texts = dict(_texts(feedback.words()))
    assert len(texts) >= len(feedback.OUTCOMES) + 4
    hard = above_the_level(
        {path: text.format(reference="PSE-2026-000123") for path, text in texts.items()}
    )
    assert hard == {}, f"texts above the agreed reading level (grade, ease): {hard}"
    # Referral with a local response alongside: the joined words are read together.
    for method in (
        "after_action_review",
        "swarm_huddle",
        "mdt_review",
        "psii",
        "cross_organisational",
    ):
        assert too_hard(feedback.choice_words("referral", method)) is None, method
