"""Readiness against the strategy's local commitments: who reads an organisation's readiness and
the map (the SQL scope and, beside it, the check for one organisation), who records it, who
confirms it, and who records a person's syllabus training.

- Reading: the ICB's quality committee, patient safety specialists and administrators read every
  organisation of their ICB; a review panel its PCN or federation and the members; a practice's
  patient safety lead or PSIRF executive lead their own organisation, and the groups it belongs to
  with their members (the PCN sees the same map as the ICB, for its members).
- Recording: a service's patient safety lead or executive lead for their service; a PCN's or
  federation's review panel for the group.
- Confirming: the ICB's patient safety specialists and administrators.
- Syllabus training: whoever records for the organisation, and the person themselves.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select

from psirf.accounts.models import Role
from psirf.organisations.models import Organisation, OrganisationMembership
from psirf.policy.roles import OWN_ORGANISATION_ROLES, NotPermitted, NotVisible, grants

ICB_READERS = frozenset(
    {Role.ICB_QUALITY_COMMITTEE, Role.ICB_PATIENT_SAFETY_SPECIALIST, Role.ADMINISTRATOR}
)
CONFIRMERS = frozenset({Role.ICB_PATIENT_SAFETY_SPECIALIST, Role.ADMINISTRATOR})
READER_ROLES = ICB_READERS | OWN_ORGANISATION_ROLES | {Role.REVIEW_PANEL_MEMBER}


def readiness_scope(user, org_column) -> ColumnElement[bool]:
    """SQL: the organisations whose readiness `user` reads (subqueries, never a long IN list)."""
    conditions = []
    for grant in grants(user):
        if grant.role in ICB_READERS:
            in_icb = select(Organisation.id).where(Organisation.icb_id == grant.organisation_id)
            conditions.append(org_column.in_(in_icb))
        elif grant.role is Role.REVIEW_PANEL_MEMBER:
            members = select(OrganisationMembership.member_id).where(
                OrganisationMembership.group_id == grant.organisation_id
            )
            conditions.append(or_(org_column == grant.organisation_id, org_column.in_(members)))
        elif grant.role in OWN_ORGANISATION_ROLES:
            groups = select(OrganisationMembership.group_id).where(
                OrganisationMembership.member_id == grant.organisation_id
            )
            neighbours = select(OrganisationMembership.member_id).where(
                OrganisationMembership.group_id.in_(groups)
            )
            conditions.append(
                or_(
                    org_column == grant.organisation_id,
                    org_column.in_(groups),
                    org_column.in_(neighbours),
                )
            )
    return or_(*conditions) if conditions else false()


def may_read_readiness(user, organisation: Organisation) -> bool:
    """Whether `user` reads this organisation's readiness: `readiness_scope`'s rule, for one."""
    own_groups = {g.id for g in organisation.groups}
    for grant in grants(user):
        if grant.role in ICB_READERS and organisation.icb_id == grant.organisation_id:
            return True
        if grant.role is Role.REVIEW_PANEL_MEMBER and (
            organisation.id == grant.organisation_id or grant.organisation_id in own_groups
        ):
            return True
        if grant.role in OWN_ORGANISATION_ROLES:
            if organisation.id == grant.organisation_id:
                return True
            mine = _groups_of(user, grant.organisation_id)
            if organisation.id in mine or own_groups & mine:
                return True
    return False


def _groups_of(user, organisation_id: int) -> set[int]:
    """The groups of the organisation a grant names (read from the person's own role rows)."""
    for role in user.roles:
        if role.organisation_id == organisation_id:
            return {g.id for g in role.organisation.groups}
    return set()


def require_readiness_visible(user, organisation: Organisation) -> None:
    if not organisation.kind_enum.is_service and not organisation.kind_enum.is_group:
        raise NotVisible("Page not found")
    if not may_read_readiness(user, organisation):
        raise NotVisible("Page not found")


def may_see_readiness_map(user) -> bool:
    return any(g.role in READER_ROLES for g in grants(user))


def require_readiness_map(user) -> None:
    if not may_see_readiness_map(user):
        raise NotPermitted(
            "Only patient safety leads, review panels and the ICB's teams see readiness."
        )


def may_record_readiness(user, organisation: Organisation) -> bool:
    """A service's patient safety lead or executive lead; a PCN's or federation's review panel."""
    roles = (
        {Role.REVIEW_PANEL_MEMBER} if organisation.kind_enum.is_group else OWN_ORGANISATION_ROLES
    )
    return any(g.role in roles and g.organisation_id == organisation.id for g in grants(user))


def require_may_record_readiness(user, organisation: Organisation) -> None:
    if not may_record_readiness(user, organisation):
        raise NotPermitted(
            "Only the organisation's patient safety lead or executive lead (for a PCN or "
            "federation: its review panel) records its readiness."
        )


def may_confirm_readiness(user, organisation: Organisation) -> bool:
    return any(
        g.role in CONFIRMERS and g.organisation_id == organisation.icb_id for g in grants(user)
    )


def require_may_confirm_readiness(user, organisation: Organisation) -> None:
    if not may_confirm_readiness(user, organisation):
        raise NotPermitted(
            "Only the ICB's patient safety specialists and administrators confirm readiness."
        )


def may_record_training(user, organisation: Organisation, staff_user_id: int | None) -> bool:
    """A member of staff's syllabus training: their organisation's recorders, or the person."""
    if staff_user_id is not None and getattr(user, "id", None) == staff_user_id and grants(user):
        return True
    return may_record_readiness(user, organisation)


def require_may_record_training(user, organisation: Organisation, staff_user_id) -> None:
    if not may_record_training(user, organisation, staff_user_id):
        raise NotPermitted(
            "Only the person, or their organisation's patient safety lead, records their training."
        )


def training_organisations(user) -> list[Organisation]:
    """Where `user` records their own syllabus training: the services and groups they work in."""
    if not grants(user):
        return []
    found = {
        r.organisation_id: r.organisation
        for r in user.roles
        if r.organisation.kind_enum.is_service or r.organisation.kind_enum.is_group
    }
    return sorted(found.values(), key=lambda o: o.name)
