"""Inviting a person affected to the family portal: the lead's side. Their joining with the
invitation is the portal's (psirf.family.joining).

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

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf import policy
from psirf.accounts import services as accounts
from psirf.accounts.models import AccountKind
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


# The portal names their contact from the first page they see: never "someone, soon".
NEEDS_LEAD = "Name their engagement lead before you invite them, so they know who to contact"


def refusal(person: AffectedPerson) -> str | None:
    """Why this person cannot be invited to the family portal now; None when they can be."""
    if person.is_staff:
        return "Staff involved are supported through the organisation, not invited to the family portal"
    if person.account_id is not None:
        return "They have already joined"
    if person.engagement_lead_id is None:
        return NEEDS_LEAD
    return None


def _check_person(session: Session, person: AffectedPerson) -> None:
    problem = refusal(person)
    if problem is not None:
        raise InputError("means", problem)


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
