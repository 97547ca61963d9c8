"""The rules of engagement with the people affected, exercised through the services (the duty of
candour: test_candour.py and test_candour_steps.py)."""

from __future__ import annotations

from datetime import date

import pytest

from psirf import policy
from psirf.db import unit_of_work
from psirf.engagement import page, services
from psirf.engagement.candour_steps import CandourTargets

from psirf.responses import services as responses
from psirf.responses.models import Contributor
from tests.support.engagement import affected_person, decide, response_with_harm
from tests.support.factories import ResponseFactory
from psirf.problems import InputError

TODAY = date(2026, 3, 23)  # a Monday


def _step(session, world, response, person, kind, on, **kwargs):
    with unit_of_work(session):
        return services.add_step(
            session,
            world.lead,
            response,
            person_id=person.id,
            kind=kind,
            occurred_on=on,
            shared=kwargs.pop("shared", True),
            notes=kwargs.pop("notes", None),
            expected_version=None,
            today=TODAY,
        )


def _attempt(session, world, response, person, on, means="phone", outcome="No answer"):
    with unit_of_work(session):
        return services.add_attempt(
            session,
            world.lead,
            response,
            purpose="engagement",
            person_id=person.id,
            attempted_on=on,
            means=means,
            outcome=outcome,
            expected_version=None,
            today=TODAY,
        )


def test_declined_is_recorded_with_the_attempts_made_and_involvement_can_resume(world, session):
    response = ResponseFactory(organisation=world.practice)
    person = affected_person(response)
    with pytest.raises(InputError) as error:
        _step(session, world, response, person, "declined", date(2026, 3, 2))
    assert "attempts" in str(error.value)
    _attempt(session, world, response, person, date(2026, 3, 2), "phone", "No answer")
    _attempt(session, world, response, person, date(2026, 3, 3), "letter", "Letter sent")
    declined = _step(
        session,
        world,
        response,
        person,
        "declined",
        date(2026, 3, 4),
        shared=False,
        notes="Said they were not ready to talk",
    )
    assert [(a.attempted_on, a.means) for a in declined.attempts] == [
        (date(2026, 3, 2), "phone"),
        (date(2026, 3, 3), "letter"),
    ]
    assert services.involvement_status(services.steps_of(session, response)) == "Declined for now"
    _step(
        session,
        world,
        response,
        person,
        "first_contact",
        date(2026, 3, 16),
        notes="Called back; ready to be involved",
    )
    steps = services.steps_of(session, response)
    assert [s.kind for s in steps] == ["declined", "first_contact"]
    assert services.involvement_status(steps) == "Involved again after a pause"
    # The next "could not be reached" needs new attempts: the earlier ones belong to the declined step.
    with pytest.raises(InputError):
        _step(session, world, response, person, "not_reached", date(2026, 3, 18))


def test_questions_are_listed_for_the_terms_of_reference_with_their_answers(world, session):
    response = ResponseFactory(organisation=world.practice)
    person = affected_person(response)
    _step(session, world, response, person, "first_contact", date(2026, 3, 2))
    with pytest.raises(InputError) as error:
        _step(session, world, response, person, "question", date(2026, 3, 3), notes=" ")
    assert error.value.field == "notes"
    first = _step(
        session,
        world,
        response,
        person,
        "question",
        date(2026, 3, 3),
        notes="Why was the dose not checked?",
    )
    _step(
        session,
        world,
        response,
        person,
        "question",
        date(2026, 3, 4),
        notes="Will this happen to someone else?",
    )
    with unit_of_work(session):
        services.answer_question(
            session,
            world.lead,
            response,
            first.id,
            answer="The check was skipped at a busy time.",
            answered_on=TODAY,
            expected_version=None,
            today=TODAY,
        )
    questions = services.questions_for(session, response)
    assert [(q.notes, q.answer) for q in questions] == [
        ("Why was the dose not checked?", "The check was skipped at a busy time."),
        ("Will this happen to someone else?", None),
    ]


def test_their_account_is_kept_in_their_words(world, session):
    response = ResponseFactory(organisation=world.practice)
    person = affected_person(response)
    words = "I rang twice that week and nobody called me back."
    _step(session, world, response, person, "account", date(2026, 3, 5), notes=words)
    assert services.steps_of(session, response)[0].notes == words


def test_every_change_is_on_the_response_timeline_without_names(world, session):
    response = response_with_harm(world, "moderate")
    with unit_of_work(session):
        person = services.add_person(
            session,
            world.lead,
            response,
            {
                "kind": "family_member",
                "name": "Jo Bloggs",
                "involvement": "fully",
                "contact_by": ["phone"],
                "engagement_lead_id": str(world.lead.id),
            },
            None,
        )
    _step(
        session,
        world,
        response,
        person,
        "question",
        date(2026, 3, 3),
        notes="Why was the dose not checked?",
    )
    decide(session, world.lead, response, TODAY)
    entries = responses.timeline(session, world.lead, response)
    actions = [e.action for e in entries]
    assert "Person affected added to the engagement plan" in actions
    assert "Engagement step recorded" in actions
    assert "Duty of candour test recorded" in actions
    text = repr([(e.changes, e.comment) for e in entries])
    assert "Jo Bloggs" not in text and "dose not checked" not in text


def test_the_engagement_lead_is_one_of_the_organisations_staff(world, session):
    response = ResponseFactory(organisation=world.practice)
    with pytest.raises(InputError) as error:
        with unit_of_work(session):
            services.add_person(
                session,
                world.lead,
                response,
                {
                    "kind": "patient",
                    "name": "A Patient",
                    "involvement": "fully",
                    "engagement_lead_id": str(world.other_lead.id),
                },
                None,
            )
    assert error.value.field == "engagement_lead_id"


def test_support_for_staff_involved_is_kept_only_for_staff(world, session):
    response = ResponseFactory(organisation=world.practice)
    values = {
        "name": "Sam Nurse",
        "involvement": "kept_informed",
        "supporter": "Practice manager",
        "wellbeing_signposted": True,
        "support_notes": "Offered time off the rota",
    }
    with unit_of_work(session):
        staff = services.add_person(
            session, world.lead, response, {**values, "kind": "staff"}, None
        )
        family = services.add_person(
            session, world.lead, response, {**values, "name": "Jo", "kind": "family_member"}, None
        )
    assert (staff.supporter, staff.wellbeing_signposted) == ("Practice manager", True)
    assert (family.supporter, family.wellbeing_signposted, family.support_notes) == (
        None,
        None,
        None,
    )


def test_only_the_lead_organisations_patient_safety_lead_edits_and_not_once_closed(world, session):
    def may_edit(user, response):
        return policy.may_edit_engagement(user, response, responses.state_of(response))

    response = ResponseFactory(organisation=world.practice)
    assert may_edit(world.lead, response)
    for reader in (world.panel, world.icb_quality, world.icb_specialist):
        assert policy.may_see_engagement(reader, response) and not may_edit(reader, response)
    closed = ResponseFactory(organisation=world.practice, state="closed")
    assert policy.may_see_engagement(world.lead, closed) and not may_edit(world.lead, closed)
    with pytest.raises(policy.NotPermitted):
        services.check_edit(world.panel, response, None)


def test_contributors_see_no_engagement_data(world, session):
    response = ResponseFactory(
        organisation=world.practice,
        method="cross_organisational",
        state="contributions",
        contributors=[Contributor(organisation_id=world.other_practice.id)],
    )
    affected_person(response)
    assert policy.response_roles(world.other_lead, response) == {policy.CONTRIBUTOR}
    assert not policy.may_see_engagement(world.other_lead, response)
    assert policy.may_see_engagement(world.lead, response)
    view = page.view_for(session, world.other_lead, response, TODAY, CandourTargets())
    assert view.visible is False and view.people == [] and view.questions == []
    with pytest.raises(policy.NotPermitted):
        services.check_edit(world.other_lead, response, None)
