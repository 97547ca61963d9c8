"""The safety action's rules, without the web: SMART before agreement, evidence before completion,
the owner's account at the owner's organisation, and who may take each step."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from psirf import policy
from psirf.accounts.models import Role
from psirf.actions import services as actions
from psirf.actions.models import SafetyAction
from psirf.audit import AuditRecord
from psirf.db import unit_of_work
from psirf.workflow import runner
from psirf.workflow.runner import TransitionRefused
from tests.support.factories import (
    OrganisationFactory,
    ResponseFactory,
    SafetyActionFactory,
    UserFactory,
)
from psirf.problems import InputError

SOON = date.today() + timedelta(days=30)


def smart(organisation, **overrides) -> actions.Details:
    values = dict(
        description="Default the methotrexate template to weekly",
        owner="Clinical system lead",
        owner_organisation_id=organisation.id,
        due_on=SOON,
        measure_kind="process",
        measure="Share of methotrexate issued weekly, audited monthly",
        strength="stronger",
    )
    return actions.Details(**{**values, **overrides})


def draft(session, user, response, details) -> SafetyAction:
    with unit_of_work(session):
        return actions.add(session, user, response, details, response.version_id)


def fire(session, user, action, trigger, comment=None):
    with unit_of_work(session):
        return actions.fire(session, user, action, trigger, action.version_id, comment)


@pytest.fixture
def aar(world):
    return ResponseFactory(organisation=world.practice, state="in_review")


def test_a_drafted_action_needs_only_what_will_change_and_starts_being_written(session, world, aar):
    action = draft(session, world.lead, aar, actions.Details(description="Protect checking time"))
    assert action.state == "draft" and action.organisation_id == world.practice.id
    assert [a.id for a in aar.safety_actions] == [action.id]
    logged = session.scalars(
        select(AuditRecord.action).where(AuditRecord.subject_type == "safety_actions")
    ).all()
    assert logged == ["action:create"]
    with pytest.raises(InputError, match="Say what will change") as refused:
        actions.add(session, world.lead, aar, actions.Details(description="  "), aar.version_id)
    assert refused.value.field == "description"


def test_agreeing_is_refused_until_the_action_is_smart_and_says_what_is_missing_in_plain_english(
    session, world, aar
):
    action = draft(session, world.lead, aar, actions.Details(description="Protect checking time"))
    with pytest.raises(TransitionRefused) as refused:
        fire(session, world.lead, action, "agree")
    assert refused.value.problems == [
        "To agree this action, name the owner and their organisation.",
        "To agree this action, give a due date.",
        "To agree this action, say how it will be measured.",
        "To agree this action, choose its strength.",
    ]
    session.expire_all()
    assert session.get(SafetyAction, action.id).state == "draft"

    with unit_of_work(session):
        actions.update_details(
            session, world.lead, action, smart(world.practice), action.version_id
        )
    fire(session, world.lead, action, "agree")
    assert action.state == "in_progress"


def test_completing_is_refused_without_evidence_and_records_when_it_was_done(session, world, aar):
    action = SafetyActionFactory(response=aar)
    with pytest.raises(TransitionRefused) as refused:
        fire(session, world.lead, action, "complete")
    assert refused.value.problems == ["Record the evidence that the action is done."]
    session.rollback()
    with pytest.raises(InputError, match="Describe the evidence"):
        actions.record_evidence(session, world.lead, action, "  ", action.version_id)
    with unit_of_work(session):
        actions.record_evidence(
            session,
            world.lead,
            action,
            "Template changed on 3 March; audit attached",
            action.version_id,
        )
    fire(session, world.lead, action, "complete")
    assert action.state == "completed" and action.completed_at is not None


def test_the_owners_account_must_work_at_the_owners_organisation(session, world, aar):
    elsewhere = smart(world.practice, owner=None, owner_email=world.other_lead.email)
    with pytest.raises(
        InputError, match="No account with that email address works at the owner's organisation"
    ) as refused:
        actions.add(session, world.lead, aar, elsewhere, aar.version_id)
    assert refused.value.field == "owner_email"
    session.rollback()

    action = draft(
        session,
        world.lead,
        aar,
        smart(world.practice, owner=None, owner_email=world.reporter.email.upper()),
    )
    assert action.owner_user_id == world.reporter.id and action.owner == "Robin Reporter"
    assert policy.ACTION_OWNER in policy.action_roles(world.reporter, action)


def test_a_due_date_in_the_past_is_refused(session, world, aar):
    with pytest.raises(InputError, match="today or in the future") as refused:
        actions.add(
            session,
            world.lead,
            aar,
            smart(world.practice, due_on=date.today() - timedelta(days=1)),
            aar.version_id,
        )
    assert refused.value.field == "due_on"


def test_an_organisation_outside_the_icb_cannot_own_an_action(session, world, aar):
    far = OrganisationFactory()  # in an ICB of its own
    with pytest.raises(InputError, match="Choose an organisation in this ICB"):
        actions.add(session, world.lead, aar, smart(far), aar.version_id)


def test_a_partner_organisation_owning_the_action_completes_it_but_cannot_agree_or_cancel_it(
    session, world, aar
):
    trust = OrganisationFactory(icb=world.icb, name="County Hospital")
    trust_lead = UserFactory(role=(Role.PATIENT_SAFETY_LEAD, trust))
    action = draft(session, world.lead, aar, smart(trust, owner="Discharge team lead"))
    assert not policy.response_roles(trust_lead, aar)  # it sees the action, never the response
    assert policy.ACTION_OWNER in policy.require_action_visible(trust_lead, action)

    with pytest.raises(policy.NotPermitted):
        fire(session, trust_lead, action, "agree")
    fire(session, world.lead, action, "agree")  # the response's patient safety lead agrees it
    with pytest.raises(policy.NotPermitted):
        fire(session, trust_lead, action, "cancel", comment="We cannot do this")
    assert actions.editable_parts(trust_lead, action) == ("evidence",)
    with unit_of_work(session):
        actions.record_evidence(
            session,
            trust_lead,
            action,
            "Discharge letters now list medicines changed",
            action.version_id,
        )
    fire(session, trust_lead, action, "complete")
    assert action.state == "completed"


def test_an_outsider_can_neither_see_nor_act_on_an_action(session, world, aar):
    action = SafetyActionFactory(response=aar)
    with pytest.raises(policy.NotVisible):
        policy.require_action_visible(world.other_lead, action)
    with pytest.raises(policy.NotVisible):
        fire(session, world.other_lead, action, "complete")


def test_cancelling_needs_a_comment_and_closes_the_action(session, world, aar):
    action = SafetyActionFactory(response=aar)
    with pytest.raises(TransitionRefused) as refused:
        fire(session, world.lead, action, "cancel")
    assert "Write a comment saying what needs to change." in refused.value.problems
    session.rollback()
    fire(session, world.lead, action, "cancel", comment="Replaced by a stronger action")
    assert action.state == "cancelled" and action.closed_at is not None
    comment = session.scalars(
        select(AuditRecord.comment).where(AuditRecord.action == "transition:cancel")
    ).one()
    assert comment == "Replaced by a stronger action"


def test_reviewing_needs_whether_it_worked(session, world, aar):
    action = SafetyActionFactory(response=aar, state="completed", evidence="Done")
    with pytest.raises(TransitionRefused):
        fire(session, world.lead, action, "review")
    session.rollback()
    with pytest.raises(InputError, match="Say what the measure showed"):
        actions.record_effect(session, world.lead, action, "worked", " ", action.version_id)
    with unit_of_work(session):
        actions.record_effect(
            session,
            world.lead,
            action,
            "partly",
            "Weekly issues rose from 60% to 85%",
            action.version_id,
        )
    fire(session, world.lead, action, "review")
    assert action.state == "reviewed" and action.closed_at is not None


def test_each_state_offers_its_own_part_to_its_own_people(world, aar):
    assert actions.editable_parts(world.lead, SafetyActionFactory(response=aar, state="draft")) == (
        "details",
    )
    assert (
        actions.editable_parts(world.panel, SafetyActionFactory(response=aar, state="draft")) == ()
    )
    assert actions.editable_parts(world.lead, SafetyActionFactory(response=aar)) == ("evidence",)
    assert actions.editable_parts(
        world.lead, SafetyActionFactory(response=aar, state="completed")
    ) == ("effect",)
    assert (
        actions.editable_parts(world.lead, SafetyActionFactory(response=aar, state="reviewed"))
        == ()
    )


def test_a_response_cannot_be_approved_while_an_action_lacks_an_owner_a_due_date_or_a_measure(
    session, world
):
    aar = ResponseFactory(organisation=world.practice, ready_for_panel=True, state="panel_review")
    unfinished = SafetyActionFactory(
        response=aar,
        state="draft",
        owner=None,
        owner_organisation_id=None,
        due_on=None,
        measure_kind=None,
        measure=None,
    )
    with pytest.raises(TransitionRefused) as refused:
        with unit_of_work(session):
            runner.fire(session, aar, "approve", world.panel, aar.version_id)
    assert refused.value.problems == [
        "Safety action 2: name the owner and their organisation; give a due date; say how it will be measured."
    ]
    session.expire_all()
    assert aar.state == "panel_review"

    fire(session, world.lead, unfinished, "cancel", comment="Folded into the first action")
    with unit_of_work(session):
        runner.fire(session, aar, "approve", world.panel, aar.version_id)
    assert aar.state == "closed"


def test_a_response_cannot_be_approved_while_an_action_is_still_being_written(session, world):
    aar = ResponseFactory(organisation=world.practice, ready_for_panel=True, state="panel_review")
    SafetyActionFactory(response=aar, state="draft")
    with pytest.raises(TransitionRefused) as refused:
        with unit_of_work(session):
            runner.fire(session, aar, "approve", world.panel, aar.version_id)
    assert refused.value.problems == [
        "Safety action 2 is still being written: agree it or cancel it."
    ]


def test_all_weaker_counts_only_actions_in_play_with_a_strength(world, aar):
    weaker = SafetyActionFactory(response=aar, strength="weaker")
    assert actions.all_weaker([weaker])
    assert actions.all_weaker([weaker, SafetyActionFactory(response=aar, strength=None)])
    assert actions.all_weaker(
        [weaker, SafetyActionFactory(response=aar, strength="stronger", state="cancelled")]
    )
    assert not actions.all_weaker(
        [weaker, SafetyActionFactory(response=aar, strength="intermediate")]
    )
    assert not actions.all_weaker([])
