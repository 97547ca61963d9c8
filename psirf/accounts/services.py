"""Accounts: creating people, signing them in, and the roles they hold."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from psirf import audit
from psirf.accounts import passwords
from psirf.accounts.models import AccountKind, Role, RoleAssignment, User
from psirf.organisations.models import Organisation, OrganisationKind
from psirf.timeutil import utcnow


class AccountError(ValueError):
    """The account cannot be made as asked; `field` names what to fix."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


# Which kinds of organisation each role is held in.
_SERVICES = {OrganisationKind.PRACTICE, OrganisationKind.PHARMACY, OrganisationKind.DENTAL, OrganisationKind.OPTOMETRY}
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
        raise AccountError("email", "An account with that email address already exists")
    if len(password) < passwords.MIN_LENGTH:
        raise AccountError("password", f"The password must be at least {passwords.MIN_LENGTH} characters")
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


def grant_role(session: Session, user: User, role: Role, organisation: Organisation, actor_id=None) -> RoleAssignment:
    if organisation.kind_enum not in ROLE_ORGANISATION_KINDS[role]:
        raise AccountError("role", f"A {role.label.lower()} cannot be held at a {organisation.kind_label.lower()}")
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


def load_for_session(session: Session, session_id: str) -> User | None:
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = session.get(User, int(user_id))
    if user is None or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def set_active(session: Session, user: User, active: bool, actor_id: int) -> None:
    before = user.active
    user.active = active
    # Deactivating ends every open session of that person at once.
    user.session_token = secrets.token_hex(16)
    audit.record(
        session,
        actor_id=actor_id,
        action="account:activate" if active else "account:deactivate",
        subject=user,
        organisation_id=None,
        changes={"active": {"before": before, "after": active}},
    )


def users_in_icbs(session: Session, icb_ids: list[int]) -> list[User]:
    in_icb = select(Organisation.id).where((Organisation.icb_id.in_(icb_ids)) | (Organisation.id.in_(icb_ids)))
    user_ids = select(RoleAssignment.user_id).where(RoleAssignment.organisation_id.in_(in_icb))
    return list(session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.name)))
