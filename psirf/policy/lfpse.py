"""The LFPSE export's pages: an event's export state and the list of exports not yet sent are the
patient safety lead's (who answers for reporting to LFPSE); the counts by state are the ICB's
(its quality committee and patient safety specialists: psirf.policy.dashboards)."""

from __future__ import annotations

from psirf.accounts.models import Role
from psirf.policy.casework import roles_covering
from psirf.policy.roles import NotPermitted, grants, has_role


def may_see_export_state(user, event) -> bool:
    return Role.PATIENT_SAFETY_LEAD in roles_covering(user, event.organisation)


def require_export_list(user) -> None:
    if not has_role(user, Role.PATIENT_SAFETY_LEAD):
        raise NotPermitted("Only patient safety leads see their organisations' LFPSE exports.")


def export_organisations(user) -> list[int]:
    """SQL scope of the list: the organisations where `user` is the patient safety lead, as
    `may_see_export_state` decides for one event."""
    return [g.organisation_id for g in grants(user) if g.role is Role.PATIENT_SAFETY_LEAD]
