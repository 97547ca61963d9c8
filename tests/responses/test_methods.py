"""Each learning response method run through its workflow, without the web."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from psirf import policy
from psirf.accounts.models import Role
from psirf.actions import services as actions
from psirf.audit import AuditRecord
from psirf.db import unit_of_work
from psirf.learning import services as learning
from psirf.responses import contributors, course, services, thematic
from psirf.responses.models import LearningResponse, ResponseMethod
from psirf.workflow import runner
from psirf.workflow.runner import TransitionRefused
from tests.support.responses import fire, save
from tests.support.factories import (
    OrganisationFactory,
    ResponseFactory,
    SafetyEventFactory,
    UserFactory,
)
from psirf.problems import InputError


def add_action(session, response, actor):
    """A SMART safety action, drafted on the response and agreed: a response closes only with those."""
    details = actions.Details(
        description="Forcing function in the template",
        owner="Clinical system lead",
        owner_organisation_id=response.organisation_id,
        due_on=date.today() + timedelta(days=30),
        measure_kind="process",
        measure="Share of methotrexate prescriptions issued weekly, audited monthly",
        strength="stronger",
    )
    with unit_of_work(session):
        action = actions.add(session, actor, response, details, response.version_id)
    with unit_of_work(session):
        actions.fire(session, actor, action, "agree", action.version_id)


def add_finding_with_factor(session, response, actor, factor="tools"):
    with unit_of_work(session):
        finding = learning.add_finding(
            session,
            actor,
            response,
            "Repeat templates allow daily methotrexate",
            response.version_id,
        )
    with unit_of_work(session):
        learning.add_factor(
            session,
            actor,
            response,
            finding_id=finding.id,
            factor=factor,
            description="The template had no weekly default",
            expected_version=response.version_id,
        )


def opened(session, method, organisation, actor, event=None):
    event = event or SafetyEventFactory(organisation=organisation, status="learning_response")
    with unit_of_work(session):
        return services.open_response(session, event, ResponseMethod(method), actor)


def test_any_response_can_be_escalated_to_a_psii(session, world):
    aar = opened(session, "after_action_review", world.practice, world.lead)
    with pytest.raises(TransitionRefused):
        fire(session, aar, "escalate", world.lead)  # a reason is needed
    session.rollback()
    fire(
        session,
        aar,
        "escalate",
        world.lead,
        comment="Death thought more likely than not due to care",
    )
    psii = course.successor_of(session, aar)
    assert psii.method == "psii" and psii.state == "terms_of_reference"
    assert psii.due_on == date.today() + timedelta(days=90)


def test_a_psii_runs_from_terms_of_reference_to_sign_off_by_the_executive_lead(session, world):
    executive = UserFactory(role=(Role.EXECUTIVE_LEAD, world.practice))
    psii = opened(session, "psii", world.practice, world.lead)
    with pytest.raises(TransitionRefused) as refused:
        fire(session, psii, "agree_terms", world.lead)
    assert "Answer 'Questions raised by the patient or family'." in refused.value.problems
    session.rollback()
    save(
        session,
        psii,
        "terms",
        world.lead,
        investigator="Dr Okafor",
        scope="Methotrexate dosing",
        family_questions="Why was the dose not checked?",
    )
    fire(session, psii, "agree_terms", world.lead)
    save(
        session,
        psii,
        "information",
        world.lead,
        records="Prescribing record",
        interviews="Prescriber, pharmacist",
    )
    fire(session, psii, "start_analysis", world.lead)
    add_finding_with_factor(session, psii, world.lead)
    fire(session, psii, "start_draft", world.lead)
    save(session, psii, "draft", world.lead, summary="S", background="B", findings_narrative="F")
    add_action(session, psii, world.lead)
    fire(session, psii, "share_draft", world.lead)
    save(
        session,
        psii,
        "sharing",
        world.lead,
        shared_on=date.today(),
        shared_with="The patient's daughter",
        comments="She asked that the timeline include her calls",
    )
    fire(session, psii, "finalise", world.lead)
    save(
        session,
        psii,
        "final",
        world.lead,
        involvement="Met twice",
        areas_for_improvement="Templates",
    )
    fire(session, psii, "send_for_sign_off", world.lead)
    with pytest.raises(policy.NotPermitted):
        fire(
            session, psii, "sign_off", world.lead
        )  # the lead cannot sign off their own investigation
    session.rollback()
    fire(session, psii, "sign_off", executive)
    assert psii.state == "closed" and psii.closed_at is not None


def test_an_extension_needs_a_reason_and_past_six_months_the_agreement_of_those_affected(
    session, world
):
    psii = opened(session, "psii", world.practice, world.lead)
    with pytest.raises(InputError, match="Say why"):
        services.agree_extension(
            session,
            world.lead,
            psii,
            new_due_on=psii.due_on + timedelta(days=30),
            reason=" ",
            agreed_with_affected=False,
            expected_version=psii.version_id,
        )
    with pytest.raises(InputError, match="agreement of the patient or family"):
        services.agree_extension(
            session,
            world.lead,
            psii,
            new_due_on=date.today() + timedelta(days=200),
            reason="Expert opinion awaited",
            agreed_with_affected=False,
            expected_version=psii.version_id,
        )
    with unit_of_work(session):
        services.agree_extension(
            session,
            world.lead,
            psii,
            new_due_on=date.today() + timedelta(days=200),
            reason="Expert opinion awaited",
            agreed_with_affected=True,
            expected_version=psii.version_id,
        )
    assert psii.due_on == date.today() + timedelta(days=200)
    comment = session.scalars(
        select(AuditRecord.comment).where(AuditRecord.action == "response:extension")
    ).one()
    assert comment == "Expert opinion awaited (agreed with those affected)"


def test_an_mdt_review_holds_one_or_more_meetings(session, world):
    mdt = opened(session, "mdt_review", world.practice, world.lead)
    save(
        session,
        mdt,
        "scope",
        world.lead,
        scope="Delayed cancer referral",
        facilitator="Dr Lee",
        professions="GP, trust",
    )
    fire(session, mdt, "start_preparing", world.lead)
    save(
        session,
        mdt,
        "preparation",
        world.lead,
        timeline="Three contacts",
        notes="GP and hospital notes",
    )
    fire(session, mdt, "start_meetings", world.lead)
    with pytest.raises(TransitionRefused, match="more information"):
        fire(session, mdt, "start_summary", world.lead)
    session.rollback()
    for n in (1, 2):
        save(
            session,
            mdt,
            "meetings",
            world.lead,
            held_on=date.today(),
            attendees=f"Meeting {n}: GP, trust",
            discussion="Gaps",
        )
    assert len(mdt.record["meetings"]) == 2
    fire(session, mdt, "start_summary", world.lead)


def test_a_thematic_review_snapshots_the_events_its_filters_choose(session, world):
    quarter_start = date.today() - timedelta(days=90)
    chosen = [
        SafetyEventFactory(
            organisation=world.practice,
            theme="medication",
            occurred_on=quarter_start + timedelta(days=d),
        )
        for d in (1, 20, 60)
    ]
    SafetyEventFactory(
        organisation=world.practice,
        theme="diagnosis",
        occurred_on=quarter_start + timedelta(days=5),
    )
    SafetyEventFactory(
        organisation=world.other_practice,
        theme="medication",
        occurred_on=quarter_start + timedelta(days=5),
    )
    selection = thematic.Selection(
        occurred_from=quarter_start, occurred_to=date.today(), theme="medication"
    )
    with pytest.raises(policy.NotPermitted):
        thematic.start(session, world.lead, world.pcn, selection)
    with unit_of_work(session):
        review = thematic.start(session, world.panel, world.pcn, selection)
    assert {e.id for e in review.reviewed_events} == {e.id for e in chosen}
    SafetyEventFactory(organisation=world.practice, theme="medication", occurred_on=date.today())
    session.expire_all()
    assert (
        len(session.get(LearningResponse, review.id).reviewed_events) == 3
    )  # a snapshot, not a live query
    assert policy.response_roles(world.panel, review) and not policy.response_roles(
        world.other_lead, review
    )


def test_a_cross_organisational_response_lets_the_trust_contribute_and_see_nothing_else(
    session, world
):
    trust = OrganisationFactory(kind="trust", ods_code="RXA", name="Demo Hospitals", icb=world.icb)
    trust_lead = UserFactory(role=(Role.PATIENT_SAFETY_LEAD, trust))
    other = ResponseFactory(organisation=world.practice)
    response = opened(session, "cross_organisational", world.practice, world.lead)
    assert not policy.response_roles(trust_lead, response)
    with unit_of_work(session):
        contributors.add(session, world.lead, response, trust, response.version_id)
    save(
        session,
        response,
        "terms",
        world.lead,
        scope="Delayed referral",
        questions="Where did the letter go?",
    )
    fire(session, response, "share_terms", world.lead)
    assert policy.response_roles(trust_lead, response) == {policy.CONTRIBUTOR}
    assert not policy.response_roles(trust_lead, other)
    assert services.editable_parts(trust_lead, response) == ("contribution",)
    with pytest.raises(TransitionRefused):
        fire(session, response, "request_joint_review", world.lead)
    session.rollback()
    with unit_of_work(session):
        contributors.contribute(
            session,
            trust_lead,
            response,
            "The referral was received but not triaged",
            response.version_id,
        )
    fire(session, response, "request_joint_review", world.lead)
    with pytest.raises(policy.NotPermitted):
        fire(session, response, "complete_joint_review", world.lead)  # the ICB coordinates
    session.rollback()
    save(
        session,
        response,
        "joint_review",
        world.icb_specialist,
        held_on=date.today(),
        coordinator="ICB PSS",
        findings_summary="F",
    )
    add_finding_with_factor(session, response, world.icb_specialist, factor="organisation")
    fire(session, response, "complete_joint_review", world.icb_specialist)
    save(session, response, "signoff", world.lead, learning_summary="Shared referral tracking")
    add_action(session, response, world.lead)
    with pytest.raises(TransitionRefused, match="more information"):
        fire(session, response, "sign_off", world.lead)
    session.rollback()
    with unit_of_work(session):
        contributors.agree(session, trust_lead, response, response.version_id)
    fire(session, response, "sign_off", world.lead)
    assert response.state == "closed" and response.contributors[0].agreed_by_id == trust_lead.id


def test_responses_are_linked_as_related_when_both_are_visible(session, world):
    a = ResponseFactory(organisation=world.practice)
    b = ResponseFactory(organisation=world.practice)
    elsewhere = ResponseFactory(organisation=world.other_practice)
    with pytest.raises(InputError, match="you can see"):
        course.link(session, a, elsewhere.reference, world.lead)
    with unit_of_work(session):
        course.link(session, a, b.reference.lower(), world.lead)
    assert course.links_of(session, b)[0][1].id == a.id


def test_a_thematic_review_can_cover_some_of_the_groups_services(session, world):
    from tests.support.factories import PracticeFactory

    second = PracticeFactory(icb=world.icb, groups=[world.pcn])
    start = date.today() - timedelta(days=30)
    mine = SafetyEventFactory(
        organisation=second, theme="medication", occurred_on=start + timedelta(days=1)
    )
    SafetyEventFactory(
        organisation=world.practice, theme="medication", occurred_on=start + timedelta(days=1)
    )
    selection = thematic.Selection(
        occurred_from=start,
        occurred_to=date.today(),
        organisation_ids=[second.id, world.other_practice.id],
    )
    with unit_of_work(session):
        review = thematic.start(session, world.panel, world.pcn, selection)
    assert [e.id for e in review.reviewed_events] == [
        mine.id
    ]  # another PCN's practice is never included


def test_a_thematic_review_can_cover_earlier_learning_responses(session, world):
    earlier = [
        ResponseFactory(organisation=world.practice, method="after_action_review") for _ in range(2)
    ]
    ResponseFactory(organisation=world.practice, method="swarm_huddle")
    ResponseFactory(organisation=world.other_practice, method="after_action_review")
    selection = thematic.Selection(
        occurred_from=date.today() - timedelta(days=1),
        occurred_to=date.today(),
        cover="responses",
        method="after_action_review",
    )
    with unit_of_work(session):
        review = thematic.start(session, world.panel, world.pcn, selection)
    assert {r.id for r in review.reviewed_responses} == {r.id for r in earlier}
    assert review.reviewed_events == []
    assert runner.failing_guards(runner.definition_of(review), "start_analysis", review) == [
        "Answer 'What questions will the review answer?'.",
        "Answer 'Who leads the review?'.",
        "Answer 'Which data sources will it use?'.",
    ]  # covering responses satisfies the coverage guard
