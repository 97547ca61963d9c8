"""Safety events: who sees one (the casework scope over its organisation), who triages it, who
reports at an organisation, who corrects a report and reads its corrections, and who may know a
protected reporter."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from psirf.accounts.models import Role
from psirf.events.lfpse import ReporterKind
from psirf.events.models import EventStatus
from psirf.organisations.models import Organisation
from psirf.policy.casework import casework_scope, require_casework_visible, roles_covering
from psirf.policy.roles import Denied, NotPermitted, grants, has_role


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


def _own_staff_report(user, event) -> bool:
    """The event is `user`'s own report, and they still work where it happened."""
    return (
        user is not None
        and event.reporter_kind == ReporterKind.STAFF.value
        and event.reporter_user_id == getattr(user, "id", None)
        and can_report_for(user, event.organisation)
    )


def _awaiting_triage(event) -> bool:
    return event.status == EventStatus.AWAITING_TRIAGE.value


def require_can_correct(user, event) -> None:
    """An event is corrected by its organisation's patient safety lead, and by the member of staff
    who reported it until it is triaged (after that, what triage read is the lead's to change)."""
    if _own_staff_report(user, event) and _awaiting_triage(event):
        return
    if Role.PATIENT_SAFETY_LEAD in roles_covering(user, event.organisation):
        return
    if _own_staff_report(user, event):
        raise NotPermitted(
            "Your report has been triaged, so only the patient safety lead can correct it now. "
            "Tell them what needs correcting."
        )
    require_event_visible(user, event)
    raise NotPermitted("Only the organisation's patient safety lead can correct this event.")


def may_correct(user, event) -> bool:
    try:
        require_can_correct(user, event)
    except Denied:
        return False
    return True


def may_see_revisions(user, event) -> bool:
    """The corrections of an event, and what its reporter first sent, are read by whoever sees the
    event's casework and by the member of staff who reported it. Nobody else: not a member of the
    public following their report by its code."""
    return _own_staff_report(user, event) or bool(roles_covering(user, event.organisation))


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
