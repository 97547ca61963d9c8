"""The shared learning library: who publishes an organisation's learning and which entries a
person reads (the SQL scope and, beside it, the check for one entry)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select

from psirf.accounts.models import Role
from psirf.organisations.models import Organisation, OrganisationMembership
from psirf.policy.casework import roles_covering
from psirf.policy.roles import NotVisible, grants, is_staff


def may_publish_learning(user, organisation: Organisation) -> bool:
    """The organisation's patient safety lead shares its learning (a PCN-wide review: its panel)."""
    roles = roles_covering(user, organisation)
    if organisation.kind_enum.is_group:
        return Role.REVIEW_PANEL_MEMBER in roles
    return Role.PATIENT_SAFETY_LEAD in roles


def library_scope(user) -> ColumnElement[bool]:
    """SQL: the library entries `user` may read.

    An entry is read by its audience only: the PCN or federation it was published to (its panel
    and the staff of its member organisations), and, when also published to the ICB, everyone
    working in that ICB. The publishing organisation always reads its own.
    """
    from psirf.library.models import LibraryEntry

    if not is_staff(user):
        return false()
    own = {g.organisation_id for g in grants(user)}
    groups = select(OrganisationMembership.group_id).where(
        OrganisationMembership.member_id.in_(own)
    )
    icbs = select(Organisation.icb_id).where(Organisation.id.in_(own))
    return or_(
        LibraryEntry.organisation_id.in_(own),
        LibraryEntry.audience_group_id.in_(own),
        LibraryEntry.audience_group_id.in_(groups),
        LibraryEntry.audience_icb_id.in_(own),
        LibraryEntry.audience_icb_id.in_(icbs),
    )


def may_read_library_entry(user, entry) -> bool:
    """Whether `user` reads this entry: the rule `library_scope` writes in SQL, for one entry."""
    if not is_staff(user):
        return False
    own = {g.organisation_id for g in grants(user)}
    mine = [r.organisation for r in user.roles if r.organisation_id in own]
    groups = {group.id for organisation in mine for group in organisation.groups}
    # SQL's IN never matches NULL; an entry with no ICB audience must not match an ICB's own null.
    icbs = {organisation.icb_id for organisation in mine} - {None}
    return (
        entry.organisation_id in own
        or entry.audience_group_id in own | groups
        or entry.audience_icb_id in own | icbs
    )


def require_library_entry_visible(user, entry) -> None:
    if not may_read_library_entry(user, entry):
        raise NotVisible("Page not found")
