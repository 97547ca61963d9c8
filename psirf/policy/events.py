"""Safety events: who sees one (the casework scope over its organisation), who triages it, who
reports at an organisation and who may know a protected reporter."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from psirf.accounts.models import Role
from psirf.organisations.models import Organisation
from psirf.policy.casework import casework_scope, require_casework_visible, roles_covering
from psirf.policy.roles import NotPermitted, grants, has_role


def event_scope(user) -> ColumnElement[bool]:
    """SQL: the events `user` sees, as `require_event_visible` decides for one."""
    from psirf.events.models import SafetyEvent

    return casework_scope(user, SafetyEvent.organisation_id)


def require_event_visible(user, event) -> set[Role]:
    return require_casework_visible(user, event.organisation)


def may_triage(user, event) -> bool:
    """Triage is the event organisation's patient safety lead's."""
    return Role.PATIENT_SAFETY_LEAD in roles_covering(user, event.organisation)


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


def require_triage_queue(user) -> None:
    if not has_role(user, Role.PATIENT_SAFETY_LEAD):
        raise NotPermitted("Only patient safety leads have a triage queue.")


def triage_queue_organisations(user) -> list[int]:
    return [g.organisation_id for g in grants(user) if g.role is Role.PATIENT_SAFETY_LEAD]
