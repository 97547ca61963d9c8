"""Safety improvement plans: who runs an organisation's plans, the SQL scope of the plans a
person reads and, beside it, the check for one; who starts a thematic review."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select

from psirf.accounts.models import Role
from psirf.organisations.models import Organisation, OrganisationMembership
from psirf.policy.casework import casework_scope, roles_covering
from psirf.policy.library import may_publish_learning
from psirf.policy.roles import OWN_ORGANISATION_ROLES, NotPermitted, NotVisible, grants


def may_manage_improvement_plan(user, organisation: Organisation) -> bool:
    """A practice's patient safety lead runs its plans; a PCN's or federation's panel runs its."""
    return may_publish_learning(user, organisation)


def improvement_plan_scope(user, org_column) -> ColumnElement[bool]:
    """SQL: the plans `user` reads: the casework scope (a panel reads its PCN's and members',
    the ICB reads all in the ICB), and the plans of the groups the user's organisation belongs to."""
    own = {g.organisation_id for g in grants(user) if g.role in OWN_ORGANISATION_ROLES}
    groups = select(OrganisationMembership.group_id).where(
        OrganisationMembership.member_id.in_(own)
    )
    return or_(casework_scope(user, org_column), org_column.in_(groups))


def may_start_thematic_review(user, organisation: Organisation) -> bool:
    return (
        Role.REVIEW_PANEL_MEMBER in roles_covering(user, organisation)
        and organisation.kind_enum.is_group
    )


def may_read_improvement_plan(user, plan) -> bool:
    """Whether `user` reads this plan: the rule `improvement_plan_scope` writes in SQL, for one."""
    group_members = {m.id for m in plan.organisation.members}
    return bool(roles_covering(user, plan.organisation)) or any(
        g.role in OWN_ORGANISATION_ROLES and g.organisation_id in group_members
        for g in grants(user)
    )


def require_improvement_plan_visible(user, plan) -> None:
    if not may_read_improvement_plan(user, plan):
        raise NotVisible("Page not found")


def require_may_manage_improvement_plan(user, plan) -> None:
    if not may_manage_improvement_plan(user, plan.organisation):
        raise NotPermitted(
            "Only the organisation's patient safety lead (for a PCN or federation: its review panel) changes this plan."
        )
