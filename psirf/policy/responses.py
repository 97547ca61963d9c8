"""Learning responses: the roles a person holds over one (with a contributing organisation's),
the SQL scope that lists the same responses, and what those roles may do to the record."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select

from psirf.accounts.models import Role
from psirf.policy.casework import casework_scope, roles_covering
from psirf.policy.roles import (
    CONTRIBUTOR,
    OWN_ORGANISATION_ROLES,
    NotPermitted,
    NotVisible,
    grants,
)
from psirf.responses.states import CrossOrganisationalState


def own_organisation_ids(user) -> set[int]:
    """Where `user` does casework for their own organisation (a lead or an executive lead)."""
    return {g.organisation_id for g in grants(user) if g.role in OWN_ORGANISATION_ROLES}


def contributing_organisations(user, response) -> set[int]:
    """The contributing organisations of a cross-organisational response where `user` works."""
    # A response's own organisation never contributes to it (contributors.add refuses it), so a
    # person whose own organisations are only that one contributes nothing: no need to load the
    # contributors, which every transition's role check would otherwise read.
    own = own_organisation_ids(user) - {response.organisation_id}
    if not own:
        return set()
    return {c.organisation_id for c in response.contributors} & own


def response_scope(user) -> ColumnElement[bool]:
    """SQL: the responses `user` sees: their casework, and any they contribute to."""
    from psirf.responses.models import Contributor, LearningResponse

    contributed = select(Contributor.response_id).where(
        Contributor.organisation_id.in_(own_organisation_ids(user))
    )
    return or_(
        casework_scope(user, LearningResponse.organisation_id), LearningResponse.id.in_(contributed)
    )


def response_roles(user, response) -> set:
    """The roles `user` holds over this response; CONTRIBUTOR for a contributing organisation's staff."""
    roles: set = set(roles_covering(user, response.organisation))
    if contributing_organisations(user, response):
        roles.add(CONTRIBUTOR)
    return roles


def may_see_response(user, response) -> bool:
    return bool(response_roles(user, response))


def require_response_visible(user, response) -> set:
    roles = response_roles(user, response)
    if not roles:
        raise NotVisible("Page not found")
    return roles


def may_edit_response(user, response, acting_role: str | None) -> bool:
    """The role named as acting in the current state edits the record; everyone else reads it."""
    if acting_role is None:
        return False
    return Role(acting_role) in response_roles(user, response)


def may_see_engagement(user, response) -> bool:
    """The people affected, their engagement and the duty of candour belong to the lead
    organisation's casework: whoever sees the response through it reads them; a contributing
    organisation (CONTRIBUTOR alone) sees none of it."""
    return bool(response_roles(user, response) - {CONTRIBUTOR})


def may_link_responses(user, response) -> bool:
    """Linking is casework: a contributing organisation works on its contribution only."""
    return bool(response_roles(user, response) - {CONTRIBUTOR})


def may_tell_reporters(user, response) -> bool:
    """Telling reporters what changed is the lead organisation's patient safety lead's: the owner of
    the response's casework, not a contributing organisation, a panel or the ICB."""
    return Role.PATIENT_SAFETY_LEAD in roles_covering(user, response.organisation)


def require_may_tell_reporters(user, response) -> None:
    require_response_visible(user, response)
    if not may_tell_reporters(user, response):
        raise NotPermitted(
            "Only the lead organisation's patient safety lead tells reporters what changed."
        )


# The checks below take `state`, the workflow state the response is in (its definition's
# `state(response.state)`): who acts there and what they edit is the workflow file's to say, whether
# this person is that role is the policy's.


def response_parts(user, response, state) -> tuple[str, ...]:
    """The parts of the record `user` changes in `state`: what the acting role edits there, and a
    contributing organisation's own contribution while the state takes contributions."""
    parts = state.edits if may_edit_response(user, response, state.acts) else ()
    if state.contributors and contributing_organisations(user, response):
        parts = (*parts, "contribution")
    return parts


def require_response_part(user, response, part: str, state) -> None:
    require_response_visible(user, response)
    if part not in response_parts(user, response, state):
        raise NotPermitted("That part of the record cannot be changed by you at this step.")


def may_agree_extension(user, response, state) -> bool:
    """The lead organisation's patient safety lead, while the response is still running."""
    return not state.final and may_edit_response(user, response, Role.PATIENT_SAFETY_LEAD.value)


def require_may_agree_extension(user, response, state) -> None:
    require_response_visible(user, response)
    if not may_agree_extension(user, response, state):
        raise NotPermitted(
            "Only the lead organisation's patient safety lead can agree an extension."
        )


def may_reset_due_date(user, response, state) -> bool:
    """Whoever may move the target date may restart it from a change of course."""
    return may_agree_extension(user, response, state)


def require_may_reset_due_date(user, response, state) -> None:
    require_response_visible(user, response)
    if not may_reset_due_date(user, response, state):
        raise NotPermitted(
            "Only the lead organisation's patient safety lead can reset the target date."
        )


# The cross-organisational workflow's sign-off state, where contributors record their agreement.
SIGN_OFF = CrossOrganisationalState.SIGN_OFF


def may_agree_to_sign_off(user, response, state) -> bool:
    """A contributing organisation records its agreement while the lead signs the response off."""
    return state.name == SIGN_OFF and "contribution" in response_parts(user, response, state)


def require_may_link_responses(user, response) -> None:
    require_response_visible(user, response)
    if not may_link_responses(user, response):
        raise NotPermitted("Contributing organisations cannot link responses.")


def may_offer_link(user, response, state) -> bool:
    """The response page offers linking while the response runs; an ended one keeps its links."""
    return not state.final and may_link_responses(user, response)
