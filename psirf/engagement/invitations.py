"""Inviting a person affected to the family portal, and their joining with the invitation.

An invitation is a secret the person holds: a link's token, sent by email, or a short code printed
in a letter. Only its sha256 is kept on the invitation, it works once, it expires, and a newer
invitation to the same person revokes the older ones. A letter's code does not join by itself: it
sends a link to the address its holder gives, so every account's address is one its holder reads.
The link waits in the email's outbox row until the worker has sent it, then the worker drops it
(delivery.SECRET_LINKS), so a copy of the database taken later cannot be used to join.

Plain functions over a session, no Flask: the views pass the clock and the number of days an
invitation lasts.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from psirf import audit, policy
from psirf.accounts import passwords
from psirf.accounts import services as accounts
from psirf.accounts.models import AccountKind, User
from psirf.engagement.models import AffectedPerson, Invitation, InvitationMeans
from psirf.engagement.services import _done, get_person, check_edit
from psirf.notifications.models import NotificationKind
from psirf.notifications.services import send_email
from psirf.responses.models import LearningResponse
from psirf.problems import InputError

# No 0/O, 1/I/L, 5/S or 8/B: a code read from paper and typed in should not be misread.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXYZ234679"
CODE_LENGTH = 12
CODE_GROUP = 4
JOIN_PATH = "/join"
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# ---- secrets -------------------------------------------------------------------------------------


def _hash(means: InvitationMeans, secret: str) -> str:
    # The means is part of what is hashed, so a link's token typed as a letter's code never matches.
    return hashlib.sha256(f"{means.value}:{secret}".encode()).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(typed: str) -> str:
    """What a person types from the letter: any case, with or without spaces and dashes."""
    return re.sub(r"[\s\-]", "", typed or "").upper()


def format_code(code: str) -> str:
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


# ---- the lead invites ----------------------------------------------------------------------------


@dataclass
class Invited:
    invitation: Invitation
    # The secret, known only now: the link (sent by email) or the code (printed in the letter).
    link: str | None = None
    code: str | None = None


def _check_person(session: Session, person: AffectedPerson) -> None:
    if person.is_staff:
        raise InputError(
            "means",
            "Staff involved are supported through the organisation, not invited to the family portal",
        )
    if person.account_id is not None:
        raise InputError("means", "They have already joined")


def _revoke_unused(
    session: Session, person: AffectedPerson, now: datetime, means: InvitationMeans | None = None
) -> int:
    unused = [
        Invitation.person_id == person.id,
        Invitation.used_at.is_(None),
        Invitation.revoked_at.is_(None),
    ]
    if means is not None:
        unused.append(Invitation.means == means.value)
    earlier = session.scalars(select(Invitation).where(*unused)).all()
    for invitation in earlier:
        invitation.revoked_at = now
    return len(earlier)


def invite(
    session: Session,
    user,
    response: LearningResponse,
    person_id: int,
    *,
    means: str,
    email: str | None,
    expected_version: int | None,
    now: datetime,
    link_days: int,
    letter_days: int,
    organisation_name: str = "",
) -> Invited:
    """Invite a person in the plan by a link sent by email, or by a letter with a code."""
    check_edit(user, response, expected_version)
    person = get_person(session, response, int(person_id))
    try:
        means_enum = InvitationMeans(means)
    except ValueError:
        raise InputError("means", "Choose how to invite them") from None
    _check_person(session, person)
    address = accounts.normalise_email(email or "") or None
    if means_enum is InvitationMeans.EMAIL:
        if not address or not EMAIL_SHAPE.match(address):
            raise InputError("email", "Enter their email address, like name@example.org")
        existing = accounts.find_by_email(session, address)
        if existing is not None and existing.kind != AccountKind.FAMILY.value:
            raise InputError(
                "email", "That address belongs to a staff account: use their own email address"
            )
    else:
        address = None  # a letter's recipient gives theirs when they join
    revoked = _revoke_unused(session, person, now)
    if means_enum is InvitationMeans.EMAIL:
        secret = secrets.token_urlsafe(32)
        days = link_days
    else:
        secret = new_code()
        days = letter_days
    invitation = Invitation(
        response_id=response.id,
        person_id=person.id,
        means=means_enum.value,
        email=address,
        secret_hash=_hash(means_enum, secret),
        created_by_id=user.id,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(invitation)
    session.flush()
    invited = Invited(invitation)
    if means_enum is InvitationMeans.EMAIL:
        invited.link = f"{JOIN_PATH}/{secret}"
        send_email(
            session,
            to_address=address,
            subject="Your invitation to follow a review of your care",
            body=invitation_email(
                invitation.expires_at,
                organisation_name,
                person.engagement_lead.name if person.engagement_lead else None,
            ),
            link=invited.link,
            kind=NotificationKind.INVITATION,
        )
    else:
        invited.code = secret
    # The audit says how and to whom by kind, never the address or the secret.
    changes = {
        "invitation": {
            "before": "earlier invitation withdrawn" if revoked else None,
            "after": f"{means_enum.label.lower()}, to a {person.kind_label.lower()}",
        }
    }
    _done(session, user, response, "engagement:invited", changes)
    return invited


def invitation_email(expires_at: datetime, organisation_name: str, contact: str | None) -> str:
    """The words; the worker adds the link at the end, as it does for every email."""
    who = organisation_name or "Your GP practice"
    lines = [
        "Hello,",
        f"{who} is looking at what happened in your care. You can follow it online.",
        f"The link below works once. It stops working on {expires_at.strftime('%-d %B %Y')}.",
    ]
    if contact:
        lines.append(f"If you have questions, ask {contact}, your contact at {who}.")
    lines.append("If you did not expect this email, you can ignore it.")
    lines.append("Use this link to set a password:")
    return "\n\n".join(lines)


def withdraw(
    session: Session,
    user,
    response: LearningResponse,
    invitation_id: int,
    *,
    expected_version: int | None,
    now: datetime,
) -> None:
    check_edit(user, response, expected_version)
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.response_id != response.id:
        raise policy.NotVisible("Page not found")
    if invitation.used_at is not None or invitation.revoked_at is not None:
        raise InputError("invitation", "This invitation can no longer be withdrawn")
    invitation.revoked_at = now
    session.flush()
    _done(
        session,
        user,
        response,
        "engagement:invitation_withdrawn",
        {
            "invitation": {
                "before": invitation.means_label.lower(),
                "after": "withdrawn",
            }
        },
    )


def invitations_of(session: Session, response: LearningResponse) -> list[Invitation]:
    return list(
        session.scalars(
            select(Invitation)
            .where(Invitation.response_id == response.id)
            .order_by(Invitation.created_at, Invitation.id)
        )
    )


def status_of(invitation: Invitation, now: datetime) -> str:
    if invitation.used_at is not None:
        return "used"
    if invitation.revoked_at is not None:
        return "withdrawn"
    if invitation.expires_at <= now:
        return "expired"
    return "waiting"


# ---- the person joins ----------------------------------------------------------------------------


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
