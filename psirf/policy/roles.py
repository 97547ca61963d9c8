"""Who holds which role where: the grants every other rule reads, the special roles that no one
is given but that rules hand out (a contributor, an action's owner, a plan's author), and the two
refusals.

Two kinds of refusal, so that a page never reveals what a person may not know exists:
- `NotVisible`: the object is outside the person's organisations (the web answers 404);
- `NotPermitted`: it is inside, but the person's role may not do this (the web answers 403).
"""

from __future__ import annotations

from dataclasses import dataclass

from psirf.accounts.models import AccountKind, Role, User

ICB_ROLES = frozenset({Role.ICB_QUALITY_COMMITTEE, Role.ICB_PATIENT_SAFETY_SPECIALIST})
# Roles whose holders see their own organisation's casework.
OWN_ORGANISATION_ROLES = frozenset({Role.PATIENT_SAFETY_LEAD, Role.EXECUTIVE_LEAD})
CASEWORK_ROLES = OWN_ORGANISATION_ROLES | {Role.REVIEW_PANEL_MEMBER} | ICB_ROLES
# Acts in a cross-organisational response's contributing states; not a role anyone is given.
CONTRIBUTOR = "contributor"
# Carries out a safety action: the person named as its owner, or the patient safety lead of the
# owner's organisation (for an owner without an account). Not a role anyone is given either.
ACTION_OWNER = "action_owner"
# Writes, agrees and cancels a safety action: whoever runs its response's organisation's casework.
ACTION_LEAD = "action_lead"
# Sees a safety action because it covers the owner's organisation; acts on nothing by it alone.
OWNER_ORGANISATION = "owner_organisation"
# Writes a PCN's or federation's PSIRF plan and submits it: the group's review panel.
PLAN_AUTHOR = "plan_author"
# Decides on a plan: a quality committee member of the group's ICB.
PLAN_APPROVER = "plan_approver"
# Reads a plan: its group's member services and the ICB's roles once it is submitted.
PLAN_READER = "plan_reader"
# Steps nobody takes by hand (a plan's review date passing, its successor coming into force).
SYSTEM = "system"


class Denied(Exception):
    """A refusal; the message is safe to show."""


class NotVisible(Denied):
    pass


class NotPermitted(Denied):
    pass


@dataclass(frozen=True)
class Grant:
    role: Role
    organisation_id: int


def grants(user: User | None) -> list[Grant]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return [Grant(Role(r.role), r.organisation_id) for r in user.roles]


def has_role(user: User | None, *roles: Role) -> bool:
    return any(g.role in roles for g in grants(user))


def is_staff(user: User | None) -> bool:
    return bool(grants(user)) and user.kind == AccountKind.STAFF.value


def require_staff(user: User | None, refusal: str) -> None:
    """Pages for anyone working in the organisations (their own actions, the shared learning)."""
    if not is_staff(user):
        raise NotPermitted(refusal)
