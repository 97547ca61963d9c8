"""Bulk import of events: administrators import for the services of the ICBs they administer, and
see their ICBs' imports."""

from __future__ import annotations

from psirf.organisations.models import Organisation
from psirf.policy.administration import administered_icbs
from psirf.policy.roles import NotPermitted, NotVisible


def may_import(user) -> bool:
    return bool(administered_icbs(user))


def require_importer(user) -> list[int]:
    """The ICBs whose services `user` may import events for; NotPermitted for anyone else."""
    if not may_import(user):
        raise NotPermitted("Only administrators can import events.")
    return administered_icbs(user)


def may_import_for(user, organisation: Organisation) -> bool:
    """An event is imported at a service of an ICB the person administers, as it is recorded at a
    service where the reporter works."""
    icbs = administered_icbs(user)
    return organisation.kind_enum.is_service and organisation.icb_id in icbs


def require_import_visible(user, record) -> None:
    """An import is seen by the administrators of the ICB it was made in (404 for any other ICB's)."""
    if record.icb_id not in require_importer(user):
        raise NotVisible("Page not found")
