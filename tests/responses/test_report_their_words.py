"""The words of those affected in the report (PDF read back with pypdf, and the response page): the
accounts and questions they chose to share, verbatim and dated, beside the lead's summary, with the
names of people replaced; nothing they kept out, nothing internal, nothing from staff."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from psirf.responses.reports import build_report
from psirf.workflow import runner
from tests.support.engagement import affected_person, words_of
from tests.support.factories import ResponseFactory

ACCOUNT = (
    "Dad rang Riverside on Monday morning. Sunita on reception put him through to Dr Patel, who "
    "said it was a virus. Nobody asked Frank to come in."
)
# As the report quotes it: the people named are replaced, the practice's own name is kept.
QUOTED = (
    "Dad rang Riverside on Monday morning. [name] on reception put him through to [name], who "
    "said it was a virus. Nobody asked [name] to come in."
)
SUMMARY = "We met the family twice and shared the draft; their comments changed the findings."


def text_of(response) -> str:
    pdf = build_report(response, runner.definition_of(response))
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


def assert_in_order(text: str, parts: list[str]) -> None:
    at = 0
    for part in parts:
        found = text.find(part, at)
        assert found >= 0, f"{part!r} missing after position {at}"
        at = found + len(part)


def _psii_with_words(world, session):
    psii = ResponseFactory(
        organisation=world.practice, method="psii", record={"final": {"involvement": SUMMARY}}
    )
    affected_person(psii, kind="patient", name="Frank Morgan")
    son = affected_person(psii, name="Chris Morgan", relationship_to_patient="Son")
    words_of(son, ACCOUNT, kind="account", occurred_on=date(2026, 3, 2), in_report=True)
    words_of(
        son, "Why was his breathing not checked?", occurred_on=date(2026, 3, 3), in_report=True
    )
    words_of(son, "Is the doctor still working there?", occurred_on=date(2026, 3, 4))
    words_of(son, "I was too upset to say more.", kind="account", occurred_on=date(2026, 3, 5))
    # Chosen, but never shared with him: he cannot see it, so it is not quoted as his.
    words_of(son, "Noted by the lead: he was angry.", kind="account", shared=False, in_report=True)
    nurse = affected_person(psii, kind="staff", name="Nina Nurse")
    words_of(nurse, "I was covering two clinics.", kind="account", in_report=True)
    session.commit()
    return psii


def test_a_psii_quotes_what_the_family_chose_to_share_beside_the_leads_summary(world, session):
    text = text_of(_psii_with_words(world, session))

    assert_in_order(
        text,
        [
            "How those affected were involved",
            SUMMARY,
            "In their own words",
            "Their account: A family member (son), 2 March 2026",
            f"\u201c{QUOTED}\u201d",
            "Their question: A family member (son), 3 March 2026",
            "\u201cWhy was his breathing not checked?\u201d",
            "The names of people are replaced with [name]",
            "Draft shared with those affected",
        ],
    )
    for kept_out in (
        "Is the doctor still working there?",
        "I was too upset to say more.",
        "Noted by the lead",
        "I was covering two clinics.",
    ):
        assert kept_out not in text, kept_out
    for name in ("Sunita", "Patel", "Frank", "Chris Morgan", "Nina"):
        assert name not in text, name


def test_the_other_methods_reports_quote_them_too_and_say_when_nobody_chose_to(world, session):
    review = ResponseFactory(organisation=world.practice)
    mother = affected_person(review, relationship_to_patient="Mother")
    words_of(mother, "Nobody told us the dose had changed.", kind="account", in_report=True)
    session.commit()
    assert_in_order(
        text_of(review),
        [
            "How those affected were involved",
            "In their own words",
            "Their account: A family member (mother)",
            "\u201cNobody told us the dose had changed.\u201d",
            "Findings and contributory factors",
        ],
    )

    huddle = ResponseFactory(organisation=world.practice, method="swarm_huddle")
    assert "None of those affected has chosen to share their words in this report." in text_of(
        huddle
    )


def test_the_response_page_shows_the_lead_what_the_report_will_quote(world, session, sign_in):
    psii = _psii_with_words(world, session)
    html = sign_in(world.lead).get(f"/responses/{psii.id}").get_data(as_text=True)
    part = html[html.index('id="their-words"') : html.index('id="questions"')]

    assert "Their account, a family member (son), 2 March 2026" in part
    assert QUOTED in part and "Why was his breathing not checked?" in part
    assert "Is the doctor still working there?" not in part and "Sunita" not in part
    # Each of his accounts and questions says whether it is quoted, with a way to change it.
    assert html.count("Quoted, by their choice") == 2 and html.count("Not quoted") == 2
    assert html.count("They want it left out") == 2 and html.count("They want it quoted") == 2
