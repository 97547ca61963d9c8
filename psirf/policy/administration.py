"""Administration: the ICBs an administrator manages, and the development outbox."""

from __future__ import annotations

from psirf.accounts.models import Role
from psirf.organisations.models import Organisation
from psirf.policy.roles import NotPermitted, NotVisible, grants, has_role


def may_see_outbox(user) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


def require_outbox_viewer(user) -> None:
    """The development outbox shows every email the service has written, to anyone: administrators only."""
    if not may_see_outbox(user):
        raise NotPermitted("Only administrators can see the outbox.")


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
