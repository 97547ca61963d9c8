"""Joining the family portal with an invitation: a link's token, or a letter's code that sends a
link to the address its holder gives. The invitation was issued by the lead
(psirf.engagement.invitations, which says how its secrets are kept).

Plain functions over a session, no Flask: the views pass the clock and the number of days a link
lasts.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from psirf import audit
from psirf.accounts import passwords
from psirf.accounts import services as accounts
from psirf.accounts.models import AccountKind, User
from psirf.engagement.invitations import (
    CODE_LENGTH,
    EMAIL_SHAPE,
    JOIN_PATH,
    _hash,
    _revoke_unused,
    invitation_email,
    normalise_code,
    status_of,
)
from psirf.engagement.models import Invitation, InvitationMeans
from psirf.engagement.services import _done
from psirf.notifications.models import NotificationKind
from psirf.notifications.services import send_email
from psirf.problems import InputError
from psirf.responses.models import LearningResponse


def _usable(invitation: Invitation | None, now: datetime) -> Invitation | None:
    if invitation is None or status_of(invitation, now) != "waiting":
        return None
    if invitation.person.is_staff or invitation.person.account_id is not None:
        return None
    return invitation


def find_by_link(session: Session, token: str, now: datetime) -> Invitation | None:
    """The invitation a link's token opens, if it can still be used; None says nothing of why."""
    if not token or len(token) > 200:
        return None
    found = session.scalar(
        select(Invitation).where(Invitation.secret_hash == _hash(InvitationMeans.EMAIL, token))
    )
    return _usable(found, now)


def find_by_code(session: Session, typed: str, now: datetime) -> Invitation | None:
    code = normalise_code(typed)
    if len(code) != CODE_LENGTH:
        return None
    found = session.scalar(
        select(Invitation).where(Invitation.secret_hash == _hash(InvitationMeans.LETTER, code))
    )
    return _usable(found, now)


def usable(session: Session, invitation_id: int | None, now: datetime) -> Invitation | None:
    """The invitation a joining person opened earlier in their visit, if it can still be used."""
    return _usable(session.get(Invitation, invitation_id) if invitation_id else None, now)


def send_link_for_letter(
    session: Session, letter: Invitation, email: str, *, now: datetime, link_days: int
) -> None:
    """A letter's code and the address its holder gives: an email to that address, with a link to join.

    The page after says the same whatever the address belongs to, and the work is alike (one email
    either way), so holding a letter tells nobody whose address is whose. Only who reads the mailbox
    joins: an address of a staff or closed account gets an email saying it cannot be used, not a
    link. The code keeps working until someone joins, so a mistyped address can be put right; each
    address given withdraws the links sent before it.
    """
    if letter.means != InvitationMeans.LETTER.value or _usable(letter, now) is None:
        raise InputError("invitation", "This invitation cannot be used")
    address = accounts.normalise_email(email or "")
    if not address or not EMAIL_SHAPE.match(address):
        raise InputError("email", "Enter your email address, like name@example.org")
    # The same reads and writes whoever the address belongs to, but for the link's own row.
    response = session.get(LearningResponse, letter.response_id)
    who = response.organisation.name if response.organisation else ""
    person = letter.person
    contact = person.engagement_lead.name if person.engagement_lead else None
    # Two columns, not the account (whose roles would be a second query for an address that has one).
    existing = session.execute(
        select(User.kind, User.active).where(func.lower(User.email) == address)
    ).first()
    _revoke_unused(session, person, now, means=InvitationMeans.EMAIL)
    if existing is not None and (existing.kind != AccountKind.FAMILY.value or not existing.active):
        send_email(
            session,
            to_address=address,
            subject="This email address cannot be used to join",
            body=cannot_join_email(who),
            kind=NotificationKind.INVITATION,
        )
        return
    secret = secrets.token_urlsafe(32)
    expires_at = now + timedelta(days=link_days)
    # Flushed with the email, in one go.
    session.add(
        Invitation(
            response_id=letter.response_id,
            person_id=person.id,
            means=InvitationMeans.EMAIL.value,
            email=address,
            secret_hash=_hash(InvitationMeans.EMAIL, secret),
            created_by_id=letter.created_by_id,
            created_at=now,
            expires_at=expires_at,
        )
    )
    send_email(
        session,
        to_address=address,
        subject="Your invitation to follow a review of your care",
        body=invitation_email(expires_at, who, contact),
        link=f"{JOIN_PATH}/{secret}",
        kind=NotificationKind.INVITATION,
    )


def cannot_join_email(organisation_name: str) -> str:
    who = organisation_name or "your GP practice"
    return "\n\n".join(
        [
            "Hello,",
            f"Someone typed this email address to follow a review of care at {who}, using the code in a letter.",
            "This email address cannot be used for that. If it was you, go back and type a different email address.",
            "If it was not you, you can ignore this email.",
        ]
    )


def accept(
    session: Session,
    invitation: Invitation,
    *,
    email: str | None,
    password: str,
    now: datetime,
    confirm: str | None = None,
) -> User:
    """Join with an emailed invitation: a new family account, or the person's existing one, linked to them.

    Only a link joins (a letter's code sends one: send_link_for_letter), so the address is always one
    its holder reads. An address that already has a family account is linked only with that
    account's password, so an invitation never gives anyone a way into someone else's account.
    """
    if _usable(invitation, now) is None or invitation.means != InvitationMeans.EMAIL.value:
        raise InputError("invitation", "This invitation cannot be used")
    address = accounts.normalise_email(invitation.email or email or "")
    if not address or not EMAIL_SHAPE.match(address):
        raise InputError("email", "Enter your email address, like name@example.org")
    existing = accounts.find_by_email(session, address)
    if existing is not None:
        if existing.kind != AccountKind.FAMILY.value or not existing.active:
            raise InputError("email", "You cannot use this email address here. Use a different one")
        if not passwords.verify(existing.password_hash, password or ""):
            raise InputError(
                "password",
                "You already have an account with this email address. Enter its password",
            )
        user = existing
        action = "family:linked"
    else:
        if len(password or "") < passwords.MIN_LENGTH:
            raise InputError(
                "password", f"Your password must be at least {passwords.MIN_LENGTH} characters"
            )
        if confirm is not None and confirm != password:
            raise InputError("confirm", "The two passwords are not the same. Type them again")
        user = User(
            email=address,
            name=invitation.person.name,
            password_hash=passwords.hash_password(password),
            kind=AccountKind.FAMILY.value,
            session_token=secrets.token_hex(16),
            created_at=now,
        )
        session.add(user)
        session.flush()
        audit.record(
            session,
            actor_id=user.id,
            action="account:create",
            subject=user,
            organisation_id=None,
            changes={"kind": {"before": None, "after": AccountKind.FAMILY.value}},
        )
        action = "family:joined"
    # Claimed in the same transaction as the account is made, and only if still unused: of two
    # people joining with the same invitation at once, exactly one succeeds.
    claimed = session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise InputError("invitation", "This invitation cannot be used")
    user.last_signed_in_at = now
    invitation.used_at = now
    invitation.email = address
    invitation.person.account_id = user.id
    # The person has joined: the letter or other links they were sent are done with.
    _revoke_unused(session, invitation.person, now)
    response = session.get(LearningResponse, invitation.response_id)
    _done(
        session,
        user,
        response,
        action,
        {
            "family_portal": {
                "before": None,
                "after": f"a {invitation.person.kind_label.lower()} joined",
            }
        },
    )
    return user
