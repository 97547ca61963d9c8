"""Accounts: creating people, signing them in, and the roles they hold."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from psirf import audit
from psirf.accounts import passwords, sessions
from psirf.accounts.models import AccountKind, Role, RoleAssignment, User
from psirf.organisations.models import Organisation, OrganisationKind
from psirf.timeutil import utcnow
from psirf.problems import InputError
from psirf.web.pagination import Page, keyset_page


log = logging.getLogger(__name__)


# Which kinds of organisation each role is held in.
_SERVICES = {
    OrganisationKind.PRACTICE,
    OrganisationKind.PHARMACY,
    OrganisationKind.DENTAL,
    OrganisationKind.OPTOMETRY,
}
_PARTNERS = {OrganisationKind.TRUST, OrganisationKind.OTHER}
_GROUPS = {OrganisationKind.PCN, OrganisationKind.FEDERATION}
ROLE_ORGANISATION_KINDS: dict[Role, set[OrganisationKind]] = {
    # Partners' staff hold roles too, so they can contribute to cross-organisational responses.
    Role.REPORTER: _SERVICES | _PARTNERS,
    Role.PATIENT_SAFETY_LEAD: _SERVICES | _PARTNERS,
    Role.EXECUTIVE_LEAD: _SERVICES | _GROUPS | _PARTNERS,
    Role.REVIEW_PANEL_MEMBER: _GROUPS,
    Role.ICB_QUALITY_COMMITTEE: {OrganisationKind.ICB},
    Role.ICB_PATIENT_SAFETY_SPECIALIST: {OrganisationKind.ICB},
    Role.ADMINISTRATOR: {OrganisationKind.ICB},
}


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: Role,
    organisation: Organisation,
    actor_id: int | None = None,
) -> User:
    if find_by_email(session, email):
        raise InputError("email", "An account with that email address already exists")
    if len(password) < passwords.MIN_LENGTH:
        raise InputError(
            "password", f"The password must be at least {passwords.MIN_LENGTH} characters"
        )
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=passwords.hash_password(password),
        kind=AccountKind.STAFF.value,
        session_token=secrets.token_hex(16),
    )
    session.add(user)
    session.flush()
    grant_role(session, user, role, organisation, actor_id=actor_id)
    audit.record(
        session,
        actor_id=actor_id,
        action="account:create",
        subject=user,
        organisation_id=organisation.id,
        changes={"email": {"before": None, "after": user.email}},
    )
    return user


def grant_role(
    session: Session, user: User, role: Role, organisation: Organisation, actor_id=None
) -> RoleAssignment:
    if organisation.kind_enum not in ROLE_ORGANISATION_KINDS[role]:
        raise InputError(
            "role", f"A {role.label.lower()} cannot be held at a {organisation.kind_label.lower()}"
        )
    assignment = RoleAssignment(user=user, organisation=organisation, role=role.value)
    session.add(assignment)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="account:grant_role",
        subject=user,
        organisation_id=organisation.id,
        changes={"role": {"before": None, "after": f"{role.value}@{organisation.ods_code}"}},
    )
    return assignment


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = find_by_email(session, email)
    if not passwords.verify(user.password_hash if user else None, password):
        return None
    if not user.active:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_signed_in_at = utcnow()
    return user


# Signing in and out is logged, not audited: the audit trail holds changes to records and accounts,
# and every person's every sign-in would bury them.
def sign_in(session: Session, user: User, now: datetime) -> str:
    """A new sign-in for a person who has just proved who they are; returns its key."""
    key = sessions.start(session, user, now)
    log.info("user %s signed in", user.id)
    return key


def sign_out(session: Session, user: User, key: str | None, now: datetime) -> None:
    if sessions.end(session, key, now, sessions.SIGNED_OUT):
        log.info("user %s signed out", user.id)


def end_sessions(session: Session, user: User, actor_id: int, now: datetime) -> int:
    """An administrator ends every sign-in of `user`; returns how many were open."""
    ended = sessions.end_all(session, user, now, sessions.BY_ADMINISTRATOR)
    audit.record(
        session,
        actor_id=actor_id,
        action="account:end_sessions",
        subject=user,
        organisation_id=None,
        changes={"open_sign_ins": {"before": ended, "after": 0}},
    )
    return ended


def change_password(
    session: Session,
    user: User,
    *,
    current: str,
    new: str,
    confirm: str,
    keep: str | None,
    now: datetime,
) -> int:
    """Change a person's own password and end their other sign-ins (`keep` names this one).

    Returns how many other sign-ins ended. Raises InputError naming the field to fix.
    """
    if not passwords.verify(user.password_hash, current or ""):
        raise InputError("current", "Your current password is not right. Type it again")
    if len(new or "") < passwords.MIN_LENGTH:
        raise InputError(
            "new", f"The new password must be at least {passwords.MIN_LENGTH} characters"
        )
    if new != confirm:
        raise InputError("confirm", "The two new passwords are not the same. Type them again")
    if new == current:
        raise InputError("new", "The new password must be different from your current one")
    user.password_hash = passwords.hash_password(new)
    ended = sessions.end_all(session, user, now, sessions.PASSWORD_CHANGED, keep=keep)
    # The audit says that it changed, never anything of the password itself.
    audit.record(
        session,
        actor_id=user.id,
        action="account:password_change",
        subject=user,
        organisation_id=None,
        changes={
            "password": {"before": "set", "after": "changed"},
            "other_sign_ins_ended": {"before": None, "after": ended},
        },
    )
    return ended


def set_active(
    session: Session, user: User, active: bool, actor_id: int, now: datetime | None = None
) -> None:
    before = user.active
    user.active = active
    if not active:
        # Deactivating ends every open sign-in of that person at once.
        sessions.end_all(session, user, now or utcnow(), sessions.DEACTIVATED)
    audit.record(
        session,
        actor_id=actor_id,
        action="account:activate" if active else "account:deactivate",
        subject=user,
        organisation_id=None,
        changes={"active": {"before": before, "after": active}},
    )


def organisations_in_icbs(icb_ids: list[int]):
    """SQL: the ids of the ICBs and of the organisations within them."""
    return select(Organisation.id).where(
        (Organisation.icb_id.in_(icb_ids)) | (Organisation.id.in_(icb_ids))
    )


def people_in_icbs(icb_ids: list[int]):
    """Whether a person holds a role in one of the ICBs or an organisation within them."""
    return User.id.in_(
        select(RoleAssignment.user_id).where(
            RoleAssignment.organisation_id.in_(organisations_in_icbs(icb_ids))
        )
    )


def listing(session: Session, icb_ids: list[int], cursor: str | None, size: int) -> Page:
    """A page of the people in the ICBs, newest first, with their roles (and each role's
    organisation, joined in) loaded in one more statement, not one per person."""
    stmt = select(User).where(people_in_icbs(icb_ids)).options(selectinload(User.roles))
    return keyset_page(session, stmt, User, cursor, size)


def is_in_icbs(session: Session, user: User, icb_ids: list[int]) -> bool:
    """One row asked for, not the ICBs' people listed."""
    return (
        session.scalar(select(User.id).where(User.id == user.id, people_in_icbs(icb_ids)))
        is not None
    )
