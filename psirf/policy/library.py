"""The shared learning library: who publishes an organisation's learning and which entries a
person reads (the SQL scope and, beside it, the check for one entry)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select

from psirf.accounts.models import Role
from psirf.events.lfpse import RecordType
from psirf.organisations.models import Organisation, OrganisationMembership
from psirf.policy.casework import roles_covering
from psirf.policy.events import require_event_visible
from psirf.policy.responses import require_response_visible
from psirf.policy.roles import Denied, NotPermitted, NotVisible, grants, is_staff


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


# ---- sharing learning into the library ----------------------------------------------------------


def require_may_share_response(user, response, closed: bool) -> None:
    """404 unless the response is visible; 403 unless the user shares the organisation's learning
    and the response is `closed` as itself (not continued as another method, escalated or
    widened: the library service says which)."""
    require_response_visible(user, response)
    if not may_publish_learning(user, response.organisation):
        raise NotPermitted("Only the organisation's patient safety lead can share its learning.")
    if not closed:
        raise NotPermitted("Learning can be shared once the response is approved and closed.")


def may_share_response(user, response, closed: bool) -> bool:
    try:
        require_may_share_response(user, response, closed)
    except Denied:
        return False
    return True


def require_may_share_good_care(user, event) -> None:
    """404 unless the event is visible and is a good care record; 403 unless the user is its
    organisation's patient safety lead."""
    require_event_visible(user, event)
    if event.record_type != RecordType.GOOD_CARE.value:
        raise NotVisible("Page not found")
    if not may_publish_learning(user, event.organisation):
        raise NotPermitted("Only the organisation's patient safety lead can share its good care.")


def may_share_good_care(user, event) -> bool:
    try:
        require_may_share_good_care(user, event)
    except Denied:
        return False
    return True


def may_widen_to_icb(user, entry) -> bool:
    """Learning shared with a PCN or federation may later be shared with everyone in the ICB, by
    whoever could have published it. Audiences only widen: what was read cannot be unread."""
    return entry.audience_icb_id is None and may_publish_learning(user, entry.organisation)


def require_may_widen_to_icb(user, entry) -> None:
    if not may_widen_to_icb(user, entry):
        raise NotPermitted(
            "Only the organisation's patient safety lead can share this more widely."
        )
