"""The bulletins' SQL scope lists exactly the bulletins the object check lets each person read, and
who writes an area's bulletin."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from psirf import policy
from psirf.bulletins.models import Bulletin
from psirf.extensions import db
from tests.support.bulletins import make_bulletin
from psirf.accounts.models import Role
from psirf.organisations.models import OrganisationMembership
from tests.support.factories import PcnFactory, UserFactory


def test_the_scope_and_the_check_agree_for_every_person_and_bulletin(world):
    federation = PcnFactory(icb=world.icb, name="Fed", kind="federation")
    db.session.add(OrganisationMembership(member_id=world.practice.id, group_id=federation.id))
    fed_panel = UserFactory(role=(Role.REVIEW_PANEL_MEMBER, federation))
    bulletins = []
    for area, author in (
        (world.pcn, world.panel),
        (world.other_pcn, world.other_panel),
        (federation, fed_panel),
        (world.icb, world.icb_quality),
    ):
        for n, state in enumerate(("draft", "published")):
            start = date(2026, 1 + 3 * n, 1)
            bulletins.append(
                make_bulletin(area, author, state=state, start=start, end=date(2026, 4 + 3 * n, 1))
            )
    people = {**world.people(), "fed_panel": fed_panel}
    for name, person in people.items():
        listed = set(
            db.session.scalars(select(Bulletin.id).where(policy.bulletin_scope(person, Bulletin)))
        )
        checked = {b.id for b in bulletins if policy.may_read_bulletin(person, b)}
        assert listed == checked, name
    # A few of the rules, spelled out.
    draft, published = bulletins[0], bulletins[1]
    assert policy.may_read_bulletin(world.panel, draft)
    assert not policy.may_read_bulletin(world.lead, draft)
    assert policy.may_read_bulletin(world.lead, published)
    assert not policy.may_read_bulletin(world.other_lead, published)
    assert policy.may_read_bulletin(world.lead, bulletins[5])  # the federation's, published
    assert policy.may_read_bulletin(world.other_lead, bulletins[7])  # the ICB's, published
    assert not policy.may_read_bulletin(world.outsider_icb_quality, bulletins[7])


def test_a_groups_panel_writes_its_bulletin_and_the_icb_roles_write_the_icbs(world):
    assert policy.may_write_bulletin(world.panel, world.pcn)
    assert not policy.may_write_bulletin(world.panel, world.other_pcn)
    assert not policy.may_write_bulletin(world.panel, world.icb)
    assert policy.may_write_bulletin(world.icb_quality, world.icb)
    assert policy.may_write_bulletin(world.icb_specialist, world.icb)
    assert not policy.may_write_bulletin(world.icb_quality, world.pcn)
    assert not policy.may_write_bulletin(world.lead, world.pcn)
    assert not policy.may_write_bulletin(world.admin, world.icb)
    assert [p for p in world.people() if policy.may_write_bulletins(world.people()[p])] == [
        "panel",
        "other_panel",
        "icb_quality",
        "icb_specialist",
        "outsider_icb_quality",
    ]
