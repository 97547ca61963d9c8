"""PSIRF plans: the roles a person holds over a PCN's or federation's plan beside the SQL scope
that lists the same plans; who writes a new one and who decides on it."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select

from psirf.accounts.models import Role
from psirf.organisations.models import Organisation, OrganisationMembership
from psirf.policy.dashboards import panel_groups
from psirf.policy.roles import (
    ICB_ROLES,
    OWN_ORGANISATION_ROLES,
    PLAN_APPROVER,
    PLAN_AUTHOR,
    PLAN_READER,
    NotPermitted,
    NotVisible,
    grants,
)


def plan_roles(user, plan) -> set:
    """The group's panel writes it; its member services read it; the group's ICB reads it once it
    has been submitted, and its quality committee decides on it. Another ICB never sees it here
    (a published plan has a public link for everyone)."""
    roles: set = set()
    group = plan.organisation
    for grant in grants(user):
        if grant.role is Role.REVIEW_PANEL_MEMBER and grant.organisation_id == group.id:
            roles |= {PLAN_AUTHOR, PLAN_READER}
        elif (
            grant.role in ICB_ROLES and grant.organisation_id == group.icb_id and plan.revision > 0
        ):
            roles.add(PLAN_READER)
            if grant.role is Role.ICB_QUALITY_COMMITTEE:
                roles.add(PLAN_APPROVER)
        elif grant.role in OWN_ORGANISATION_ROLES and any(
            m.id == grant.organisation_id for m in group.members
        ):
            roles.add(PLAN_READER)
    return roles


def require_plan_visible(user, plan) -> set:
    roles = plan_roles(user, plan)
    if not roles:
        raise NotVisible("Page not found")
    return roles


def require_plan_approver(user, plan) -> None:
    if PLAN_APPROVER not in require_plan_visible(user, plan):
        raise NotPermitted("Only a member of the ICB quality committee records its decision.")


def may_edit_plan(user, plan, acting_role: str | None) -> bool:
    return acting_role == PLAN_AUTHOR and PLAN_AUTHOR in plan_roles(user, plan)


def plan_scope(user, plan_model) -> ColumnElement[bool]:
    """SQL: the plans `user` sees (the same rule as plan_roles)."""
    conditions = []
    for grant in grants(user):
        if grant.role is Role.REVIEW_PANEL_MEMBER:
            conditions.append(plan_model.organisation_id == grant.organisation_id)
        elif grant.role in ICB_ROLES:
            in_icb = select(Organisation.id).where(Organisation.icb_id == grant.organisation_id)
            conditions.append((plan_model.organisation_id.in_(in_icb)) & (plan_model.revision > 0))
        elif grant.role in OWN_ORGANISATION_ROLES:
            groups = select(OrganisationMembership.group_id).where(
                OrganisationMembership.member_id == grant.organisation_id
            )
            conditions.append(plan_model.organisation_id.in_(groups))
    return or_(*conditions) if conditions else false()


def require_plan_author(user, group: Organisation) -> None:
    """Generating a new plan: the group's review panel only."""
    if group.id in panel_groups(user):
        return
    members = {m.id for m in group.members}
    reads = any(
        (g.role in OWN_ORGANISATION_ROLES and g.organisation_id in members)
        or (g.role in ICB_ROLES and g.organisation_id == group.icb_id)
        for g in grants(user)
    )
    if reads:
        raise NotPermitted("Only the review panel of a PCN or federation writes its PSIRF plan.")
    raise NotVisible("Page not found")


def may_edit_plan_now(user, plan, state) -> bool:
    """The plan's author edits it in the states whose workflow lets the plan be edited (a draft,
    or changes requested); `state` is the workflow state the plan is in."""
    return "plan" in state.edits and may_edit_plan(user, plan, state.acts)


def require_may_edit_plan(user, plan, state) -> None:
    require_plan_visible(user, plan)
    if not may_edit_plan_now(user, plan, state):
        raise NotPermitted(
            "Only the review panel edits the plan, while it is a draft or changes are requested."
        )


def may_decide_on_plan(user, plan) -> bool:
    """The ICB's quality committee records the decision on a submitted plan."""
    return PLAN_APPROVER in plan_roles(user, plan)


def may_write_next_plan(user, plan) -> bool:
    """The group's panel writes the plan that will follow one in force."""
    return PLAN_AUTHOR in plan_roles(user, plan)


def may_generate_plans(user) -> bool:
    """Whoever sits on a PCN's or federation's review panel generates its plans."""
    return bool(panel_groups(user))


def require_plan_generator(user) -> None:
    if not may_generate_plans(user):
        raise NotPermitted("Only the review panel of a PCN or federation generates its PSIRF plan.")
