"""Who may see and do what, by organisation and role: the one place it is decided.

Two kinds of refusal, so that a page never reveals what a person may not know exists:
- `NotVisible`: the object is outside the person's organisations (the web answers 404);
- `NotPermitted`: it is inside, but the person's role may not do this (the web answers 403).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select

from psirf.accounts.models import AccountKind, Role, User
from psirf.organisations.models import Organisation, OrganisationMembership

ICB_ROLES = frozenset({Role.ICB_QUALITY_COMMITTEE, Role.ICB_PATIENT_SAFETY_SPECIALIST})
CASEWORK_ROLES = frozenset({Role.PATIENT_SAFETY_LEAD, Role.REVIEW_PANEL_MEMBER}) | ICB_ROLES


class Denied(Exception):
    """A refusal; the message is safe to show."""


class NotVisible(Denied):
    pass


class NotPermitted(Denied):
    pass


@dataclass(frozen=True)
class Grant:
    role: Role
    organisation_id: int


def grants(user: User | None) -> list[Grant]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return [Grant(Role(r.role), r.organisation_id) for r in user.roles]


def has_role(user: User | None, *roles: Role) -> bool:
    return any(g.role in roles for g in grants(user))


def is_staff(user: User | None) -> bool:
    return bool(grants(user)) and user.kind == AccountKind.STAFF.value


# ---- scope: which organisations' casework a person sees --------------------------------


def casework_scope(user: User | None, org_column) -> ColumnElement[bool]:
    """A SQL condition on an organisation id column: true where `user` may see the casework.

    Built as subqueries so an ICB-wide scope stays one indexed query, never a long IN list.
    """
    conditions = []
    for grant in grants(user):
        if grant.role is Role.PATIENT_SAFETY_LEAD:
            conditions.append(org_column == grant.organisation_id)
        elif grant.role is Role.REVIEW_PANEL_MEMBER:
            members = select(OrganisationMembership.member_id).where(
                OrganisationMembership.group_id == grant.organisation_id
            )
            conditions.append(org_column.in_(members))
        elif grant.role in ICB_ROLES:
            in_icb = select(Organisation.id).where(Organisation.icb_id == grant.organisation_id)
            conditions.append(org_column.in_(in_icb))
    return or_(*conditions) if conditions else false()


def _grant_covers(grant: Grant, organisation: Organisation) -> bool:
    if grant.role is Role.PATIENT_SAFETY_LEAD:
        return organisation.id == grant.organisation_id
    if grant.role is Role.REVIEW_PANEL_MEMBER:
        return any(group.id == grant.organisation_id for group in organisation.groups)
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


# ---- events -----------------------------------------------------------------------------


def require_event_visible(user, event) -> set[Role]:
    return require_casework_visible(user, event.organisation)


def require_can_triage(user, event) -> None:
    roles = require_event_visible(user, event)
    if Role.PATIENT_SAFETY_LEAD not in roles:
        raise NotPermitted("Only the organisation's patient safety lead can triage this event.")


def can_report_for(user, organisation: Organisation) -> bool:
    """Any staff member may report an event at an organisation where they hold a role."""
    return organisation.kind_enum.is_service and any(
        g.organisation_id == organisation.id for g in grants(user)
    )


def can_see_reporter(user, event) -> bool:
    """A reporter who protected their identity is known only to the event's patient safety lead."""
    if not event.identity_protected:
        return True
    if user is not None and event.reporter_user_id == getattr(user, "id", None):
        return True
    return Role.PATIENT_SAFETY_LEAD in roles_covering(user, event.organisation)


def triage_queue_organisations(user) -> list[int]:
    return [g.organisation_id for g in grants(user) if g.role is Role.PATIENT_SAFETY_LEAD]


# ---- learning responses and their workflow ------------------------------------------------

# Who may fire each trigger. A workflow whose trigger is missing here fails the contract test.
TRANSITION_RULES: dict[tuple[str, str], Role] = {
    ("after_action_review", "hold_review"): Role.PATIENT_SAFETY_LEAD,
    ("after_action_review", "send_to_panel"): Role.PATIENT_SAFETY_LEAD,
    ("after_action_review", "return_to_lead"): Role.REVIEW_PANEL_MEMBER,
    ("after_action_review", "approve"): Role.REVIEW_PANEL_MEMBER,
}


def require_response_visible(user, response) -> set[Role]:
    return require_casework_visible(user, response.organisation)


def may_fire(user, response, trigger: str) -> bool:
    role = TRANSITION_RULES.get((response.workflow_name, trigger))
    return role is not None and role in roles_covering(user, response.organisation)


def require_can_fire(user, response, trigger: str) -> None:
    require_response_visible(user, response)
    if not may_fire(user, response, trigger):
        raise NotPermitted("Your role cannot take this step.")


def may_edit_response(user, response, acting_role: str | None) -> bool:
    """The role named as acting in the current state edits the record; everyone else reads it."""
    if acting_role is None:
        return False
    return Role(acting_role) in roles_covering(user, response.organisation)


def require_can_edit_response(user, response, acting_role: str | None) -> None:
    require_response_visible(user, response)
    if not may_edit_response(user, response, acting_role):
        raise NotPermitted("This record cannot be changed by you at this step.")


# ---- administration ----------------------------------------------------------------------


def administered_icbs(user) -> list[int]:
    return [g.organisation_id for g in grants(user) if g.role is Role.ADMINISTRATOR]


def require_administrator(user) -> list[int]:
    icbs = administered_icbs(user)
    if not icbs:
        raise NotPermitted("Only administrators can manage organisations and accounts.")
    return icbs


def require_administers(user, organisation: Organisation) -> None:
    icbs = require_administrator(user)
    if organisation.id not in icbs and organisation.icb_id not in icbs:
        raise NotVisible("Page not found")
