"""The policy's SQL scope and its per-object checks agree, for every role."""

import pytest
from sqlalchemy import select

from psirf import policy
from psirf.events.models import SafetyEvent
from tests.support.factories import PracticeFactory, SafetyEventFactory
from tests.support.world import PEOPLE


@pytest.mark.parametrize("who", PEOPLE)
def test_the_sql_scope_and_the_object_check_agree(session, world, who):
    federation_practice = PracticeFactory(icb=world.icb, groups=[world.pcn, world.other_pcn])
    for organisation in (world.practice, world.other_practice, federation_practice):
        SafetyEventFactory(organisation=organisation)
    user = getattr(world, who)
    in_sql = set(
        session.scalars(
            select(SafetyEvent.id).where(policy.casework_scope(user, SafetyEvent.organisation_id))
        )
    )
    by_object = {
        e.id
        for e in session.scalars(select(SafetyEvent))
        if policy.roles_covering(user, e.organisation)
    }
    assert in_sql == by_object


def test_each_role_sees_the_casework_it_should(session, world):
    def visible(user):
        return {
            e.organisation.name
            for e in session.scalars(select(SafetyEvent))
            if policy.roles_covering(user, e.organisation)
        }

    SafetyEventFactory(organisation=world.practice)
    SafetyEventFactory(organisation=world.other_practice)
    assert visible(world.lead) == {"Riverside"}
    assert visible(world.panel) == {"Riverside"}
    assert visible(world.icb_quality) == {"Riverside", "Southfields"}
    assert (
        visible(world.admin)
        == visible(world.reporter)
        == visible(world.outsider_icb_quality)
        == set()
    )


def test_a_protected_reporter_is_known_only_to_the_lead_and_to_themselves(world):
    event = SafetyEventFactory(
        organisation=world.practice, reporter_user_id=world.reporter.id, identity_protected=True
    )
    assert policy.can_see_reporter(world.lead, event)
    assert policy.can_see_reporter(world.reporter, event)
    assert not policy.can_see_reporter(world.panel, event)
    assert not policy.can_see_reporter(world.icb_quality, event)


# ---- safety actions -------------------------------------------------------------------------


@pytest.mark.parametrize("who", PEOPLE)
def test_the_action_scope_and_the_action_check_agree(session, world, who):
    from psirf.actions.models import SafetyAction
    from tests.support.factories import ResponseFactory, SafetyActionFactory

    SafetyActionFactory(response=ResponseFactory(organisation=world.practice))
    # A Riverside review's action owned by Southfields: Southfields sees the action, not the review.
    SafetyActionFactory(
        response=ResponseFactory(organisation=world.practice),
        owner_organisation_id=world.other_practice.id,
    )
    SafetyActionFactory(response=ResponseFactory(organisation=world.other_practice))
    user = getattr(world, who)
    in_sql = set(session.scalars(select(SafetyAction.id).where(policy.action_scope(user))))
    by_object = {
        a.id for a in session.scalars(select(SafetyAction)) if policy.action_roles(user, a)
    }
    assert in_sql == by_object


def test_a_partner_owner_carries_out_the_action_but_only_the_lead_organisation_agrees_or_cancels_it(
    session, world
):
    from tests.support.factories import ResponseFactory, SafetyActionFactory

    action = SafetyActionFactory(
        response=ResponseFactory(organisation=world.practice),
        owner_organisation_id=world.other_practice.id,
    )
    assert policy.ACTION_OWNER in policy.action_roles(world.other_lead, action)
    assert not policy.response_roles(world.other_lead, action.response)
    assert policy.may_fire(world.other_lead, action, "complete")
    assert not policy.may_fire(world.other_lead, action, "cancel")
    assert policy.may_fire(world.lead, action, "cancel")
    assert not policy.may_fire(world.lead, action, "complete")  # Riverside does not own it
    assert not policy.may_fire(world.panel, action, "complete")


# ---- the shared learning library ---------------------------------------------------------------


def test_a_library_entry_is_read_by_its_audience_only(session, world):
    from psirf.library.models import LibraryEntry

    entry = LibraryEntry(
        kind="response",
        organisation_id=world.practice.id,
        title="T",
        summary="S",
        service_kind="practice",
        learned_on=world.practice.created_at.date(),
        audience_group_id=world.pcn.id,
        published_by_id=world.lead.id,
    )
    session.add(entry)
    session.commit()

    def readers():
        return {
            who
            for who in PEOPLE
            if session.scalar(
                select(LibraryEntry.id).where(policy.library_scope(getattr(world, who)))
            )
        }

    assert readers() == {"lead", "reporter", "panel"}
    entry.audience_icb_id = world.icb.id
    session.commit()
    assert readers() == {
        "lead",
        "reporter",
        "panel",
        "other_lead",
        "other_panel",
        "icb_quality",
        "icb_specialist",
        "admin",
    }
