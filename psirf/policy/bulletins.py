"""Learning bulletins: who drafts and publishes an area's bulletin, and which bulletins a person
reads (the SQL scope and, beside it, the check for one bulletin).

Who writes: a PCN's or federation's bulletin is its review panel's (the people who already run
its thematic reviews and its PSIRF plan); the ICB's bulletin is its quality committee's and its
patient safety specialists' (the ICB roles). They alone see a draft.
Who reads a published bulletin: everyone working in the area it was published to: the staff of a
PCN's or federation's member services (and the group's own staff), for the ICB's bulletin everyone
working in the ICB; and the ICB's roles read every published bulletin of their ICB's groups.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select

from psirf.accounts.models import Role
from psirf.organisations.models import Organisation, OrganisationMembership
from psirf.policy.roles import ICB_ROLES, NotPermitted, NotVisible, grants, is_staff

PUBLISHED = "published"


def bulletin_areas(user) -> set[int]:
    """The ids of the areas (PCNs, federations, ICBs) whose bulletins `user` writes."""
    return {
        g.organisation_id
        for g in grants(user)
        if g.role is Role.REVIEW_PANEL_MEMBER or g.role in ICB_ROLES
    }


def may_write_bulletin(user, area: Organisation) -> bool:
    """A group's panel writes its bulletin; an ICB's quality committee and specialists write its."""
    kind = area.kind_enum
    for grant in grants(user):
        if grant.organisation_id != area.id:
            continue
        if kind.is_group and grant.role is Role.REVIEW_PANEL_MEMBER:
            return True
        if kind.value == "icb" and grant.role in ICB_ROLES:
            return True
    return False


def may_read_bulletins(user) -> bool:
    """Whether `user` reads any area's bulletins: everyone working in care reads the published
    bulletins of the areas they work in, and their authors write them (the list and the header)."""
    return is_staff(user)


def may_write_bulletins(user) -> bool:
    """Whether `user` writes any area's bulletin (the list offers to draft one)."""
    return is_staff(user) and any(
        r.organisation.kind_enum.is_group
        if Role(r.role) is Role.REVIEW_PANEL_MEMBER
        else r.organisation.kind_enum.value == "icb" and Role(r.role) in ICB_ROLES
        for r in user.roles
    )


def bulletin_scope(user, bulletin_model) -> ColumnElement[bool]:
    """SQL: the bulletins `user` reads: every one of the areas they write, and the published ones
    of the areas they work in (see the module's docstring)."""
    if not is_staff(user):
        return false()
    own = {g.organisation_id for g in grants(user)}
    groups = select(OrganisationMembership.group_id).where(
        OrganisationMembership.member_id.in_(own)
    )
    icbs = select(Organisation.icb_id).where(Organisation.id.in_(own))
    overseen = {g.organisation_id for g in grants(user) if g.role in ICB_ROLES}
    in_overseen = select(Organisation.id).where(Organisation.icb_id.in_(overseen))
    column = bulletin_model.organisation_id
    writes = bulletin_areas(user)
    return or_(
        column.in_(writes) if writes else false(),
        and_(
            bulletin_model.state == PUBLISHED,
            or_(
                column.in_(own),
                column.in_(groups),
                column.in_(icbs),
                column.in_(in_overseen) if overseen else false(),
            ),
        ),
    )


def may_read_bulletin(user, bulletin) -> bool:
    """Whether `user` reads this bulletin: the rule `bulletin_scope` writes in SQL, for one."""
    if not is_staff(user):
        return False
    area = bulletin.organisation
    if area.id in bulletin_areas(user):
        return True
    if bulletin.state != PUBLISHED:
        return False
    mine = [r.organisation for r in user.roles]
    own = {o.id for o in mine}
    groups = {group.id for organisation in mine for group in organisation.groups}
    icbs = {o.icb_id for o in mine} - {None}
    overseen = {g.organisation_id for g in grants(user) if g.role in ICB_ROLES}
    return area.id in own | groups | icbs or (area.icb_id is not None and area.icb_id in overseen)


def require_bulletin_visible(user, bulletin) -> None:
    if not may_read_bulletin(user, bulletin):
        raise NotVisible("Page not found")


def require_may_write_bulletin(user, bulletin) -> None:
    """404 unless the bulletin is visible; 403 unless `user` writes its area's bulletins and it
    is still a draft (a published bulletin is not changed: its readers have read it)."""
    require_bulletin_visible(user, bulletin)
    if not may_write_bulletin(user, bulletin.organisation):
        raise NotPermitted(
            "Only the review panel (for the ICB: its quality committee or patient safety "
            "specialists) edits and publishes this bulletin."
        )
    if bulletin.state == PUBLISHED:
        raise NotPermitted("This bulletin has been published and can no longer be changed.")


def require_bulletin_writer(user) -> None:
    if not may_write_bulletins(user):
        raise NotPermitted(
            "Only a PCN's or federation's review panel, or the ICB's quality committee or "
            "patient safety specialists, draft learning bulletins."
        )
