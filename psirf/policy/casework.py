"""Which organisations' casework a person sees: the SQL scope and, beside it, the object check
(`roles_covering`) that must agree with it; every other casework rule is built on these two."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select

from psirf.accounts.models import Role, User
from psirf.organisations.models import Organisation, OrganisationMembership
from psirf.policy.roles import (
    CASEWORK_ROLES,
    ICB_ROLES,
    OWN_ORGANISATION_ROLES,
    Grant,
    NotPermitted,
    NotVisible,
    grants,
    has_role,
)


def casework_scope(user: User | None, org_column) -> ColumnElement[bool]:
    """A SQL condition on an organisation id column: true where `user` may see the casework.

    Built as subqueries so an ICB-wide scope stays one indexed query, never a long IN list.
    """
    conditions = []
    for grant in grants(user):
        if grant.role in OWN_ORGANISATION_ROLES:
            conditions.append(org_column == grant.organisation_id)
        elif grant.role is Role.REVIEW_PANEL_MEMBER:
            members = select(OrganisationMembership.member_id).where(
                OrganisationMembership.group_id == grant.organisation_id
            )
            conditions.append(or_(org_column == grant.organisation_id, org_column.in_(members)))
        elif grant.role in ICB_ROLES:
            in_icb = select(Organisation.id).where(Organisation.icb_id == grant.organisation_id)
            conditions.append(org_column.in_(in_icb))
    return or_(*conditions) if conditions else false()


def _grant_covers(grant: Grant, organisation: Organisation) -> bool:
    if grant.role in OWN_ORGANISATION_ROLES:
        return organisation.id == grant.organisation_id
    if grant.role is Role.REVIEW_PANEL_MEMBER:
        # The panel's own casework (a PCN-wide thematic review) and its members'.
        return organisation.id == grant.organisation_id or any(
            group.id == grant.organisation_id for group in organisation.groups
        )
    if grant.role in ICB_ROLES:
        return organisation.icb_id == grant.organisation_id
    return False


def roles_covering(user: User | None, organisation: Organisation) -> set[Role]:
    return {g.role for g in grants(user) if _grant_covers(g, organisation)}


def require_casework_visible(user: User | None, organisation: Organisation) -> set[Role]:
    roles = roles_covering(user, organisation)
    if not roles:
        raise NotVisible("Page not found")
    return roles


def require_casework_role(
    user, refusal: str = "Your role does not include learning responses."
) -> None:
    if not has_role(user, *CASEWORK_ROLES):
        raise NotPermitted(refusal)


def runs_casework(user, organisation: Organisation) -> bool:
    """Whether `user` runs the organisation's own casework: its patient safety lead, or for a PCN
    or federation (which has none) its review panel."""
    role = Role.REVIEW_PANEL_MEMBER if organisation.kind_enum.is_group else Role.PATIENT_SAFETY_LEAD
    return any(g.role is role and g.organisation_id == organisation.id for g in grants(user))
