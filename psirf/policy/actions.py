"""Safety actions: the roles a person holds over one (its response's casework, its owner, the
owner's organisation) beside the SQL scope that lists the same actions."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select

from psirf.policy.casework import casework_scope, roles_covering, runs_casework
from psirf.policy.responses import contributing_organisations, own_organisation_ids
from psirf.policy.roles import (
    ACTION_LEAD,
    ACTION_OWNER,
    CONTRIBUTOR,
    OWNER_ORGANISATION,
    NotPermitted,
    NotVisible,
    grants,
)


def action_roles(user, action) -> set:
    """The roles `user` holds over a safety action.

    Whoever sees its response sees the action; so do the owner and the casework roles covering
    the owner's organisation (a partner organisation sees the actions it owns, not the response).
    ACTION_LEAD (who runs the response organisation's casework) writes, agrees and cancels it;
    ACTION_OWNER (the owner's account, or who runs the owner organisation's casework) carries it out.
    """
    roles: set = set(roles_covering(user, action.organisation))
    if action.response is not None and contributing_organisations(user, action.response):
        roles.add(CONTRIBUTOR)
    if runs_casework(user, action.organisation):
        roles.add(ACTION_LEAD)
    owner = action.owner_organisation
    if owner is not None and roles_covering(user, owner):
        roles.add(OWNER_ORGANISATION)
    user_id = getattr(user, "id", None)
    if grants(user) and (
        (user_id is not None and action.owner_user_id == user_id)
        or (owner and runs_casework(user, owner))
    ):
        roles.add(ACTION_OWNER)
    return roles


def require_action_visible(user, action) -> set:
    roles = action_roles(user, action)
    if not roles:
        raise NotVisible("Page not found")
    return roles


def action_scope(user) -> ColumnElement[bool]:
    """SQL: the safety actions `user` sees, as `action_roles` decides for one."""
    from psirf.actions.models import SafetyAction
    from psirf.responses.models import Contributor

    if not grants(user):
        return false()
    contributed = select(Contributor.response_id).where(
        Contributor.organisation_id.in_(own_organisation_ids(user))
    )
    return or_(
        casework_scope(user, SafetyAction.organisation_id),
        casework_scope(user, SafetyAction.owner_organisation_id),
        SafetyAction.owner_user_id == user.id,
        SafetyAction.response_id.in_(contributed),
    )


def may_edit_action(user, action, acting_role: str | None) -> bool:
    if acting_role is None:
        return False
    return acting_role in action_roles(user, action)


def action_parts(user, action, state) -> tuple[str, ...]:
    """The parts of the action `user` changes in `state` (the workflow state it is in): what the
    role acting there edits, if `user` holds that role over the action."""
    return state.edits if may_edit_action(user, action, state.acts) else ()


def require_action_part(user, action, part: str, state) -> None:
    require_action_visible(user, action)
    if part not in action_parts(user, action, state):
        raise NotPermitted("That part of the action cannot be changed by you at this step.")
