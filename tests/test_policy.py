"""The policy's SQL scope and its per-object checks agree, for every role."""

import pytest
from sqlalchemy import select

from psirf import policy
from psirf.events.models import SafetyEvent
from tests.factories import PracticeFactory, SafetyEventFactory

PEOPLE = ["lead", "other_lead", "reporter", "panel", "other_panel", "icb_quality", "icb_specialist", "admin", "outsider_icb_quality"]


@pytest.mark.parametrize("who", PEOPLE)
def test_the_sql_scope_and_the_object_check_agree(session, world, who):
    federation_practice = PracticeFactory(icb=world.icb, groups=[world.pcn, world.other_pcn])
    for organisation in (world.practice, world.other_practice, federation_practice):
        SafetyEventFactory(organisation=organisation)
    user = getattr(world, who)
    in_sql = set(session.scalars(select(SafetyEvent.id).where(policy.casework_scope(user, SafetyEvent.organisation_id))))
    by_object = {e.id for e in session.scalars(select(SafetyEvent)) if policy.roles_covering(user, e.organisation)}
    assert in_sql == by_object


def test_each_role_sees_the_casework_it_should(session, world):
    def visible(user):
        return {e.organisation.name for e in session.scalars(select(SafetyEvent)) if policy.roles_covering(user, e.organisation)}

    SafetyEventFactory(organisation=world.practice)
    SafetyEventFactory(organisation=world.other_practice)
    assert visible(world.lead) == {"Riverside"}
    assert visible(world.panel) == {"Riverside"}
    assert visible(world.icb_quality) == {"Riverside", "Southfields"}
    assert visible(world.admin) == visible(world.reporter) == visible(world.outsider_icb_quality) == set()


def test_a_protected_reporter_is_known_only_to_the_lead_and_to_themselves(world):
    event = SafetyEventFactory(organisation=world.practice, reporter_user_id=world.reporter.id, identity_protected=True)
    assert policy.can_see_reporter(world.lead, event)
    assert policy.can_see_reporter(world.reporter, event)
    assert not policy.can_see_reporter(world.panel, event)
    assert not policy.can_see_reporter(world.icb_quality, event)
