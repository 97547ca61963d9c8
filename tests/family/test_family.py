"""The family portal's rules, without the web: invitations, joining, and what a family member sees and does."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from psirf import policy
from psirf.accounts import passwords
from psirf.accounts.models import User
from psirf.audit import AuditRecord
from psirf.db import unit_of_work
from psirf.engagement import invitations, services, sharing
from psirf.engagement.models import EngagementStep, Invitation, SharedDocument
from psirf.family import joining, portal
from psirf.notifications.models import Notification, OutboxMessage
from psirf.timeutil import utcnow
from tests.support.engagement import (
    affected_person,
    family_account,
    joined_person,
    shared_document,
    words_of,
)
from tests.support.factories import TEST_PASSWORD, ResponseFactory
from psirf.problems import InputError

NEW_PASSWORD = "a long new password"


def _invite(session, world, response, person, means="email", email="jo@example.org", now=None):
    with unit_of_work(session):
        return invitations.invite(
            session,
            world.lead,
            response,
            person.id,
            means=means,
            email=email,
            expected_version=None,
            now=now or utcnow(),
            link_days=7,
            letter_days=28,
            organisation_name="Riverside",
        )


def _token(invited) -> str:
    return invited.link.rsplit("/", 1)[1]


def _join(session, invitation, email=None, password=NEW_PASSWORD, now=None):
    with unit_of_work(session):
        return joining.accept(
            session,
            invitation,
            email=email,
            password=password,
            confirm=password,
            now=now or utcnow(),
        )


@pytest.fixture
def planned(world):
    response = ResponseFactory(organisation=world.practice, method="psii")
    person = affected_person(response, engagement_lead_id=world.lead.id)
    return response, person


def test_an_email_invitation_sends_a_full_link_and_keeps_only_a_hash(world, session, planned):
    response, person = planned
    invited = _invite(session, world, response, person)
    assert invited.link.startswith("/join/")
    stored = session.scalars(select(Invitation)).one()
    assert _token(invited) not in stored.secret_hash and len(stored.secret_hash) == 64
    assert stored.expires_at - stored.created_at == timedelta(days=7)
    (email,) = session.scalars(select(OutboxMessage)).all()
    assert email.to_address == "jo@example.org" and email.link == invited.link
    assert person.name not in email.body and "Lee Lead" in email.body


def test_a_link_works_once(world, session, planned):
    response, person = planned
    token = _token(_invite(session, world, response, person))
    invitation = joining.find_by_link(session, token, utcnow())
    assert invitation is not None
    user = _join(session, invitation)
    assert joining.find_by_link(session, token, utcnow()) is None
    with pytest.raises(InputError):
        _join(session, invitation)
    assert session.scalars(select(User).where(User.kind == "family")).all() == [user]


def test_a_link_does_not_work_after_it_expires(world, session, planned):
    response, person = planned
    sent = utcnow() - timedelta(days=8)
    token = _token(_invite(session, world, response, person, now=sent))
    assert joining.find_by_link(session, token, sent + timedelta(days=6)) is not None
    assert joining.find_by_link(session, token, utcnow()) is None


def test_a_new_invitation_revokes_the_earlier_unused_one(world, session, planned):
    response, person = planned
    first = _token(_invite(session, world, response, person))
    second = _token(_invite(session, world, response, person, email="jo.new@example.org"))
    assert joining.find_by_link(session, first, utcnow()) is None
    assert joining.find_by_link(session, second, utcnow()).email == "jo.new@example.org"
    statuses = sorted(
        invitations.status_of(i, utcnow()) for i in session.scalars(select(Invitation))
    )
    assert statuses == ["waiting", "withdrawn"]


def test_the_lead_can_withdraw_an_invitation(world, session, planned):
    response, person = planned
    invited = _invite(session, world, response, person)
    with unit_of_work(session):
        invitations.withdraw(
            session,
            world.lead,
            response,
            invited.invitation.id,
            expected_version=None,
            now=utcnow(),
        )
    assert joining.find_by_link(session, _token(invited), utcnow()) is None


def test_a_letter_has_a_short_readable_code_typed_in_any_case(world, session, planned):
    response, person = planned
    invited = _invite(session, world, response, person, means="letter", email=None)
    code = invited.code
    assert invited.link is None and len(code) == 12 and set(code) <= set(invitations.CODE_ALPHABET)
    assert not set(code) & set("0O1IL5S8B")
    stored = session.scalars(select(Invitation)).one()
    assert stored.expires_at - stored.created_at == timedelta(days=28) and stored.email is None
    assert session.scalars(select(OutboxMessage)).all() == []
    typed = invitations.format_code(code).lower().replace("-", " - ")
    found = joining.find_by_code(session, typed, utcnow())
    assert found is not None
    # A letter's code is not a link's token, and the other way round.
    assert joining.find_by_link(session, code, utcnow()) is None
    # The code joins through a link sent to the address its holder gives.
    with pytest.raises(InputError):
        _join(session, found, email="Jo.Bloggs@Example.org")
    with unit_of_work(session):
        joining.send_link_for_letter(
            session, found, "Jo.Bloggs@Example.org", now=utcnow(), link_days=7
        )
    sent = session.scalars(select(OutboxMessage)).one()
    assert sent.to_address == "jo.bloggs@example.org"
    user = _join(session, joining.find_by_link(session, sent.link.rsplit("/", 1)[1], utcnow()))
    assert user.email == "jo.bloggs@example.org"
    assert joining.find_by_code(session, code, utcnow()) is None


def test_joining_makes_a_family_account_linked_to_the_person_and_audited(world, session, planned):
    response, person = planned
    invitation = joining.find_by_link(
        session, _token(_invite(session, world, response, person)), utcnow()
    )
    user = _join(session, invitation)
    assert user.kind == "family" and user.roles == [] and user.name == person.name
    assert passwords.verify(user.password_hash, NEW_PASSWORD)
    assert person.account_id == user.id and invitation.used_at is not None
    assert policy.is_family(user) and not policy.is_staff(user)
    joined = session.scalars(select(AuditRecord).where(AuditRecord.action == "family:joined")).one()
    assert joined.actor_id == user.id and joined.subject_id == response.id
    assert "jo@example.org" not in str(joined.changes) and person.name not in str(joined.changes)


def test_a_short_password_or_a_second_password_that_differs_is_refused(world, session, planned):
    response, person = planned
    invitation = joining.find_by_link(
        session, _token(_invite(session, world, response, person)), utcnow()
    )
    with pytest.raises(InputError, match="at least 12"):
        _join(session, invitation, password="short")
    with pytest.raises(InputError) as refused:
        joining.accept(
            session,
            invitation,
            email=None,
            password=NEW_PASSWORD,
            confirm="something else",
            now=utcnow(),
        )
    assert refused.value.field == "confirm"
    session.rollback()
    assert invitation.used_at is None and person.account_id is None


def test_an_existing_family_account_is_linked_only_with_its_password(world, session, planned):
    response, person = planned
    existing = family_account(email="jo@example.org")
    other_response = ResponseFactory(organisation=world.practice)
    earlier = joined_person(other_response, account=existing)
    invitation = joining.find_by_link(
        session, _token(_invite(session, world, response, person)), utcnow()
    )
    with pytest.raises(InputError) as refused:
        _join(session, invitation, password="not the right password")
    assert refused.value.field == "password"
    session.rollback()
    assert person.account_id is None
    user = _join(session, invitation, password=TEST_PASSWORD)
    assert (
        user.id == existing.id
        and person.account_id == existing.id
        and earlier.account_id == existing.id
    )
    assert {p.id for p in portal.people_of(session, existing)} == {earlier.id, person.id}


def test_staff_and_joined_people_are_not_invited_and_a_staff_address_is_refused(
    world, session, planned
):
    response, person = planned
    staff = affected_person(response, kind="staff", name="Dr A")
    with pytest.raises(InputError):
        _invite(session, world, response, staff)
    with pytest.raises(InputError, match="staff account"):
        _invite(session, world, response, person, email=world.reporter.email)
    joined = joined_person(response)
    with pytest.raises(InputError, match="already joined"):
        _invite(session, world, response, joined)
    with pytest.raises(policy.NotPermitted):
        invitations.invite(
            session,
            world.panel,
            response,
            person.id,
            means="letter",
            email=None,
            expected_version=None,
            now=utcnow(),
            link_days=7,
            letter_days=28,
        )


def test_a_question_from_the_family_joins_the_terms_of_reference_and_tells_their_lead(
    world, session, planned
):
    response, person = planned
    account = family_account()
    person.account_id = account.id
    session.commit()
    with unit_of_work(session):
        step = portal.ask_question(
            session, account, person.id, "  Why was the dose not checked?  ", today=date.today()
        )
    assert step.kind == "question" and step.shared and step.created_by_id == account.id
    assert [q.notes for q in services.questions_for(session, response)] == [
        "Why was the dose not checked?"
    ]
    note = session.scalars(select(Notification)).one()
    assert (
        note.user_id == world.lead.id
        and note.kind == "family_question"
        and note.link == f"/responses/{response.id}#questions"
    )
    assert person.name not in note.title and response.reference in note.title
    audit = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "family:question")
    ).one()
    assert audit.actor_id == account.id and "dose" not in str(audit.changes)


def test_an_answer_tells_the_family_member_who_asked(world, session, planned):
    response, person = planned
    account = family_account()
    person.account_id = account.id
    session.commit()
    with unit_of_work(session):
        question = portal.ask_question(session, account, person.id, "Why?", today=date.today())
    with unit_of_work(session):
        services.answer_question(
            session,
            world.lead,
            response,
            question.id,
            answer="Because.",
            answered_on=date.today(),
            expected_version=None,
        )
    answer = session.scalars(select(Notification).where(Notification.user_id == account.id)).one()
    assert answer.kind == "answer" and answer.link == services.family_page(person.id)
    assert (
        session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == account.id)).one().link
        == f"/your-response/{person.id}"
    )


def test_comments_are_only_taken_once_a_draft_is_shared(world, session, planned):
    response, person = planned
    account = family_account()
    person.account_id = account.id
    session.commit()
    with pytest.raises(policy.NotPermitted):
        portal.comment_on_draft(session, account, person.id, "Looks wrong", today=date.today())
    shared_document(person, "draft")
    with unit_of_work(session):
        step = portal.comment_on_draft(
            session, account, person.id, "The date is wrong", today=date.today()
        )
    assert step.kind == "comment" and step.shared
    assert (
        session.scalars(select(Notification).where(Notification.kind == "family_comment"))
        .one()
        .user_id
        == world.lead.id
    )
    with pytest.raises(InputError):
        portal.comment_on_draft(session, account, person.id, "   ", today=date.today())


def test_family_members_change_their_own_preferences_and_the_audit_holds_no_values(
    world, session, planned
):
    response, person = planned
    account = family_account()
    person.account_id = account.id
    session.commit()
    with unit_of_work(session):
        changed = portal.update_preferences(
            session,
            account,
            person.id,
            {
                "contact_by": ["email", "not-a-means"],
                "contact_when": "Mornings",
                "language": "Welsh",
                "interpreter_needed": True,
                "accessibility_needs": "Large print",
                "involvement": "kept_informed",
            },
        )
    assert set(changed) == {
        "How to contact",
        "When to contact",
        "Language",
        "Interpreter",
        "Accessibility needs",
        "How involved",
    }
    assert (
        person.contact_by == ["email"]
        and person.language == "Welsh"
        and person.involvement == "kept_informed"
    )
    audit = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "family:preferences")
    ).one()
    assert "Welsh" not in str(audit.changes) and audit.actor_id == account.id
    with pytest.raises(InputError):
        portal.update_preferences(session, account, person.id, {"involvement": "all of it"})


def test_a_shared_document_is_a_snapshot_recorded_as_a_shared_step(world, session, planned):
    response, person = planned
    account = family_account()
    person.account_id = account.id
    session.commit()
    built = iter([b"%PDF first", b"%PDF second"])
    with unit_of_work(session):
        draft = sharing.share_document(
            session,
            world.lead,
            response,
            person.id,
            "draft",
            expected_version=None,
            today=date.today(),
            build_pdf=lambda r: next(built),
        )
    with unit_of_work(session):
        final = sharing.share_document(
            session,
            world.lead,
            response,
            person.id,
            "final",
            expected_version=None,
            today=date.today(),
            build_pdf=lambda r: next(built),
        )
    session.expire_all()
    assert session.get(SharedDocument, draft.id).content == b"%PDF first"
    assert session.get(SharedDocument, final.id).content == b"%PDF second"
    steps = session.scalars(
        select(EngagementStep).where(EngagementStep.person_id == person.id)
    ).all()
    assert [(s.kind, s.shared) for s in steps] == [("draft_shared", True), ("final_shared", True)]
    notes = session.scalars(select(Notification).where(Notification.user_id == account.id)).all()
    assert [n.kind for n in notes] == ["document_shared", "document_shared"]


def test_documents_are_shared_only_with_people_who_have_joined_and_by_the_lead(
    world, session, planned
):
    response, person = planned
    with pytest.raises(InputError, match="join"):
        sharing.share_document(
            session,
            world.lead,
            response,
            person.id,
            "draft",
            expected_version=None,
            today=date.today(),
            build_pdf=lambda r: b"%PDF",
        )
    with pytest.raises(policy.NotPermitted):
        sharing.share_document(
            session,
            world.icb_quality,
            response,
            person.id,
            "draft",
            expected_version=None,
            today=date.today(),
            build_pdf=lambda r: b"%PDF",
        )


def test_the_final_report_can_be_shared_once_closed_but_not_a_draft(world, session):
    response = ResponseFactory(organisation=world.practice, method="psii", state="closed")
    person = joined_person(response)
    with pytest.raises(policy.NotPermitted):
        sharing.share_document(
            session,
            world.lead,
            response,
            person.id,
            "draft",
            expected_version=None,
            today=date.today(),
            build_pdf=lambda r: b"%PDF",
        )
    with unit_of_work(session):
        sharing.share_document(
            session,
            world.lead,
            response,
            person.id,
            "final",
            expected_version=None,
            today=date.today(),
            build_pdf=lambda r: b"%PDF",
        )


def test_the_family_view_holds_only_shared_steps_their_own_record_and_their_contact(
    world, session, planned
):
    response, person = planned
    account = family_account()
    person.account_id = account.id
    other = affected_person(response, name="Another Relative")
    today = date.today()
    words_of(
        person,
        "Phoned and introduced ourselves",
        "first_contact",
        today,
        created_by_id=world.lead.id,
    )
    words_of(
        person,
        "INTERNAL: staff worried",
        "being_open",
        today,
        shared=False,
        created_by_id=world.lead.id,
    )
    words_of(other, "Someone else's question", "question", today)
    view = portal.view_for(session, account, person.id)
    assert [item.text for item in view.timeline] == ["We first got in touch with you."]
    assert view.timeline[0].notes == "Phoned and introduced ourselves"
    assert view.questions == [] and view.contact_name == "Lee Lead" and not view.may_comment
    with pytest.raises(policy.NotVisible):
        portal.view_for(session, account, other.id)
    with pytest.raises(policy.NotVisible):
        portal.view_for(session, world.lead, person.id)


def test_no_one_is_invited_until_their_engagement_lead_is_named(world, session):
    response = ResponseFactory(organisation=world.practice, method="psii")
    person = affected_person(response)
    with pytest.raises(InputError, match="engagement lead") as refused:
        _invite(session, world, response, person)
    assert refused.value.field == "means"
    assert session.scalar(select(Invitation).where(Invitation.person_id == person.id)) is None


def _person_values(person, **changes) -> dict:
    values = {name: getattr(person, name) for name in services.PERSON_FIELDS}
    return {**values, **changes}


def test_the_lead_stays_named_once_they_are_invited_or_have_joined(world, session, planned):
    response, person = planned
    _invite(session, world, response, person)
    with pytest.raises(InputError, match="engagement lead") as refused, unit_of_work(session):
        services.update_person(
            session,
            world.lead,
            response,
            person,
            _person_values(person, engagement_lead_id=None),
            None,
        )
    assert refused.value.field == "engagement_lead_id"
    session.refresh(person)
    assert person.engagement_lead_id == world.lead.id

    joined = joined_person(response, engagement_lead_id=world.lead.id)
    with pytest.raises(InputError, match="engagement lead"), unit_of_work(session):
        services.update_person(
            session,
            world.lead,
            response,
            joined,
            _person_values(joined, engagement_lead_id=None),
            None,
        )


def test_a_person_never_invited_may_have_their_lead_taken_off(world, session, planned):
    response, person = planned
    with unit_of_work(session):
        services.update_person(
            session,
            world.lead,
            response,
            person,
            _person_values(person, engagement_lead_id=None),
            None,
        )
    session.refresh(person)
    assert person.engagement_lead_id is None
