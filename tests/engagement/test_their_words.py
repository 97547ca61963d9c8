"""Whether the words of those affected are quoted in the report is their choice: made in the family
portal, or told to their engagement lead, who records it. Only their own shared accounts and
questions can be quoted; each choice is audited without the words."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from psirf import policy
from psirf.audit import AuditRecord
from psirf.db import ChangedBySomeoneElse, unit_of_work
from psirf.engagement import services, sharing, words
from psirf.family import portal
from psirf.notifications.models import Notification
from psirf.problems import InputError
from psirf.responses.reports import build_report
from psirf.workflow import runner
from tests.support.engagement import affected_person, joined_person, words_of
from tests.support.factories import ResponseFactory

TODAY = date(2026, 3, 10)
ACCOUNT = "The pharmacist said the box on the screen was set to daily, not weekly."


def _quoted(session, response) -> list[str]:
    return [q.words for q in words.quotes_for(session, response)]


def test_the_lead_records_their_choice_for_a_step_and_the_audit_holds_no_words(world, session):
    response = ResponseFactory(organisation=world.practice, method="psii")
    person = affected_person(response)
    with unit_of_work(session):
        step = services.add_step(
            session,
            world.lead,
            response,
            person_id=person.id,
            kind="account",
            occurred_on=date(2026, 3, 2),
            shared=True,
            notes=ACCOUNT,
            expected_version=None,
            today=TODAY,
            in_report=True,
        )
    assert step.in_report and _quoted(session, response) == [ACCOUNT]

    with unit_of_work(session):
        services.choose_for_report(
            session, world.lead, response, step.id, False, expected_version=response.version_id
        )
    assert not step.in_report and _quoted(session, response) == []
    audits = session.scalars(
        select(AuditRecord).where(
            AuditRecord.action.in_(["engagement:step", "engagement:in_report"])
        )
    ).all()
    assert [a.changes["in_report"]["after"] for a in audits] == ["quoted", "left out"]
    assert all("daily" not in str(a.changes) for a in audits)

    # A stale page is refused; an unchanged choice writes nothing.
    with pytest.raises(ChangedBySomeoneElse):
        services.choose_for_report(session, world.lead, response, step.id, True, expected_version=1)
    session.rollback()
    before = session.scalar(select(AuditRecord.id).order_by(AuditRecord.id.desc()).limit(1))
    with unit_of_work(session):
        services.choose_for_report(
            session, world.lead, response, step.id, False, expected_version=None
        )
    assert session.scalar(select(AuditRecord.id).order_by(AuditRecord.id.desc()).limit(1)) == before


@pytest.mark.parametrize(
    ("kind", "shared", "person_kind"),
    [
        ("being_open", True, "family_member"),  # the lead's note of a conversation, not their words
        ("account", False, "family_member"),  # internal: they cannot see what would be quoted
        ("account", True, "staff"),  # staff are heard by role in the review itself
    ],
)
def test_only_their_own_shared_accounts_and_questions_can_be_quoted(
    world, session, kind, shared, person_kind
):
    response = ResponseFactory(organisation=world.practice)
    person = affected_person(response, kind=person_kind)
    step = words_of(person, "Something said", kind=kind, shared=shared)
    with pytest.raises(InputError) as refused:
        services.choose_for_report(
            session, world.lead, response, step.id, True, expected_version=None
        )
    assert refused.value.field == "in_report"
    session.rollback()
    with pytest.raises(InputError):
        with unit_of_work(session):
            services.add_step(
                session,
                world.lead,
                response,
                person_id=person.id,
                kind=kind,
                occurred_on=TODAY,
                shared=shared,
                notes="Something else said",
                expected_version=None,
                today=TODAY,
                in_report=True,
            )
    assert (
        session.scalar(select(AuditRecord.id).where(AuditRecord.action == "engagement:step"))
        is None
    )  # nothing half written


def test_a_step_of_another_response_is_not_found(world, session):
    response = ResponseFactory(organisation=world.practice)
    other = words_of(affected_person(ResponseFactory(organisation=world.practice)))
    with pytest.raises(policy.NotVisible):
        services.choose_for_report(
            session, world.lead, response, other.id, True, expected_version=None
        )


def test_a_family_member_chooses_for_their_own_words_and_their_lead_is_told(world, session):
    response = ResponseFactory(organisation=world.practice, method="psii")
    person = joined_person(response, engagement_lead_id=world.lead.id)
    account = session.get(type(world.lead), person.account_id)
    with unit_of_work(session):
        question = portal.ask_question(
            session, account, person.id, "Who checks the dose now?", today=TODAY, in_report=True
        )
        private = portal.ask_question(session, account, person.id, "Was it my fault?", today=TODAY)
    assert _quoted(session, response) == ["Who checks the dose now?"]

    with unit_of_work(session):
        portal.choose_for_report(session, account, person.id, private.id, True)
        portal.choose_for_report(session, account, person.id, question.id, False)
    assert _quoted(session, response) == ["Was it my fault?"]
    view = portal.view_for(session, account, person.id)
    assert [(w.notes, w.in_report) for w in view.words] == [
        ("Who checks the dose now?", False),
        ("Was it my fault?", True),
    ]
    told = session.scalars(select(Notification).where(Notification.kind == "family_choice")).all()
    assert len(told) == 2 and {n.user_id for n in told} == {world.lead.id}
    assert all(person.name not in n.title and "fault" not in n.title for n in told)

    # Another person's words are not theirs to choose for.
    sister = words_of(affected_person(response, name="Sam Sister"), "Why?")
    with pytest.raises(policy.NotVisible):
        portal.choose_for_report(session, account, person.id, sister.id, True)


def test_the_report_shared_with_the_family_holds_the_words_chosen_when_it_was_shared(
    world, session
):
    response = ResponseFactory(organisation=world.practice, method="psii", state="drafting")
    person = joined_person(response, engagement_lead_id=world.lead.id)
    step = words_of(person, ACCOUNT, kind="account", in_report=True)

    def pdf(r):
        return build_report(r, runner.definition_of(r))

    with unit_of_work(session):
        shared = sharing.share_document(
            session,
            world.lead,
            response,
            person.id,
            "draft",
            expected_version=None,
            today=TODAY,
            build_pdf=pdf,
        )
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(shared.content)).pages
    )
    assert "In their own words" in text and "set to daily, not weekly." in text
    assert step.in_report
