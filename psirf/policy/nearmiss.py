"""The pharmacy near-miss log: kept for the pharmacy's own review. Its staff (anyone holding a role
at the pharmacy) log near misses and read the log and its summaries; its patient safety lead
promotes one to a safety event. Nobody else sees the log, not the PCN nor the ICB: a near miss
reaches them only once promoted, as the event it became."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false

from psirf.accounts.models import AccountKind, Role
from psirf.organisations.models import Organisation, OrganisationKind
from psirf.policy.roles import NotPermitted, NotVisible, grants


def near_miss_pharmacies(user) -> list[int]:
    """The pharmacies whose near-miss log `user` keeps and reads: where they hold a staff role."""
    if user is None or getattr(user, "kind", None) != AccountKind.STAFF.value:
        return []
    held = {g.organisation_id for g in grants(user) if g.role is not Role.ADMINISTRATOR}
    return sorted(
        {
            r.organisation_id
            for r in user.roles
            if r.organisation_id in held and r.organisation.kind == OrganisationKind.PHARMACY.value
        }
    )


def near_miss_scope(user, org_column) -> ColumnElement[bool]:
    """SQL: the near misses `user` reads, as `may_read_near_miss` decides for one."""
    pharmacies = near_miss_pharmacies(user)
    return org_column.in_(pharmacies) if pharmacies else false()


def may_log_near_misses(user, organisation: Organisation | None = None) -> bool:
    """Anyone on a pharmacy's staff logs its near misses (at `organisation`, or at any of theirs)."""
    pharmacies = near_miss_pharmacies(user)
    if organisation is None:
        return bool(pharmacies)
    return organisation.id in pharmacies


def require_near_miss_log(user) -> list[int]:
    """The pages of the log are for a pharmacy's staff; anyone else is refused (403)."""
    pharmacies = near_miss_pharmacies(user)
    if not pharmacies:
        raise NotPermitted("The near-miss log is for community pharmacy staff.")
    return pharmacies


def may_read_near_miss(user, near_miss) -> bool:
    return near_miss.organisation_id in near_miss_pharmacies(user)


def require_near_miss_visible(user, near_miss) -> None:
    if not may_read_near_miss(user, near_miss):
        raise NotVisible("Page not found")


def may_promote_near_miss(user, near_miss) -> bool:
    """Whether a near miss needs a full safety event is the pharmacy's patient safety lead's call."""
    return any(
        g.role is Role.PATIENT_SAFETY_LEAD and g.organisation_id == near_miss.organisation_id
        for g in grants(user)
    )


def require_may_promote_near_miss(user, near_miss) -> None:
    require_near_miss_visible(user, near_miss)
    if not may_promote_near_miss(user, near_miss):
        raise NotPermitted(
            "Only the pharmacy's patient safety lead can make a near miss a safety event."
        )
