"""Personal API tokens: made by a person for themselves, shown once, kept as a keyed hash.

A token is `psirf_<prefix>_<secret>`: the prefix (8 hex characters) is kept in clear and shown on
the pages so that a person can tell their tokens apart; the whole token is kept only as
HMAC-SHA256 under the service's key.

Why HMAC and not argon2, which the passwords use: a password is short and guessable, so its hash
must be slow to make each guess dear. A token's secret is 256 random bits: no guess will ever land,
however fast each is, so a slow hash would only slow every API request (a hash on each one). The
key means that a copy of the table alone cannot even test a token. One lookup by the digest finds
the row: there is no per-row salt to try in turn.

Plain functions over a session; the caller wraps them in `unit_of_work()`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from psirf import audit, policy
from psirf.accounts.models import ApiToken, ApiTokenReveal, TokenScope, User
from psirf.accounts.services import organisations_in_icbs, people_in_icbs
from psirf.engagement.models import AffectedPerson
from psirf.problems import InputError
from psirf.responses.models import LearningResponse
from psirf.web.pagination import Page, keyset_page

NAME_MAX = 100
# A token is a standing key to patient safety records: a year at most, three months unless chosen.
LONGEST_DAYS = 365
DEFAULT_DAYS = 90
# Each token has its own request limit (API_RATE_LIMIT): a cap on the working tokens one person
# holds keeps what they can send within a known multiple of it.
MOST_WORKING = 10
# Last used is written at most this often: not a write on every request.
LAST_USED_EVERY = timedelta(minutes=1)

_SHAPE = re.compile(r"psirf_([0-9a-f]{8})_[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the whole token: shown to its holder once, then never again


def key_from(config) -> bytes:
    """The key tokens are hashed under, from the app's settings: the service's SECRET_KEY, so
    changing it ends every token (as it ends every sign-in)."""
    return str(config["SECRET_KEY"]).encode()


def digest(secret: str, key: bytes) -> str:
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def _checked_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise InputError("name", "Enter a name for the token, like the program that will use it")
    if len(name) > NAME_MAX:
        raise InputError("name", f"Enter no more than {NAME_MAX} characters")
    return name


def _checked_scope(user: User, scope: str | None) -> str:
    allowed = [s.value for s in policy.require_token_holder(user)]
    if scope not in allowed:
        if scope == TokenScope.WRITE.value:
            raise InputError("scope", "Your account may hold read-only tokens")
        raise InputError("scope", "Select what the token may do")
    return scope


def _checked_expiry(expires_on, today: date) -> date:
    if not isinstance(expires_on, date):
        raise InputError("expires_on", "Enter the last day the token works")
    if expires_on < today:
        raise InputError("expires_on", "The last day must be today or later")
    if expires_on > today + timedelta(days=LONGEST_DAYS):
        raise InputError("expires_on", f"A token can work for {LONGEST_DAYS} days at most")
    return expires_on


def _checked_room(session: Session, user: User, today: date) -> None:
    working = session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_on >= today,
        )
    )
    if working >= MOST_WORKING:
        raise InputError(
            "name",
            f"You hold {MOST_WORKING} tokens that still work: revoke one you no longer use first",
        )


def create(
    session: Session,
    user: User,
    *,
    name: str | None,
    scope: str | None,
    expires_on,
    key: bytes,
    now: datetime,
) -> NewToken:
    """A new token for `user`, audited; the secret is in the answer and nowhere else."""
    name = _checked_name(name)
    scope = _checked_scope(user, scope)
    expires_on = _checked_expiry(expires_on, now.date())
    _checked_room(session, user, now.date())
    prefix = secrets.token_hex(4)
    secret = f"psirf_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=prefix,
        secret_hash=digest(secret, key),
        scope=scope,
        created_at=now,
        expires_on=expires_on,
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        action="api_token:create",
        subject=token,
        organisation_id=None,
        changes={
            "name": {"before": None, "after": name},
            "prefix": {"before": None, "after": prefix},
            "scope": {"before": None, "after": scope},
            "expires_on": {"before": None, "after": expires_on.isoformat()},
        },
    )
    return NewToken(token, secret)


# How long after it is made a new token's page may still show its secret: the redirect to it is
# followed at once; a reveal not shown by then never is.
REVEAL_FOR = timedelta(minutes=10)


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def seal(session: Session, token: ApiToken, secret: str, now: datetime) -> str:
    """Hold a new token's secret for the one page that shows it, in two halves: a random pad in
    the database, and what this returns (the secret masked by the pad) for the maker's session
    cookie. Neither half alone is the secret; `reveal` joins them once. So the answer to the form
    is a redirect, and reloading the page never makes a second token nor shows the secret again."""
    raw = secret.encode()
    pad = secrets.token_bytes(len(raw))
    session.add(ApiTokenReveal(token_id=token.id, pad=pad.hex(), created_at=now))
    return _xor(raw, pad).hex()


def reveal(
    session: Session, token: ApiToken, masked: str | None, key: bytes, now: datetime
) -> str | None:
    """The secret `seal` held for `token`, once: its pad is deleted as it is read (one conditional
    DELETE, so of two requests at once only one has it). None when it was shown already, is older
    than REVEAL_FOR, or `masked` (from the session cookie) is missing or not its match."""
    pad = session.scalar(
        delete(ApiTokenReveal)
        .where(ApiTokenReveal.token_id == token.id, ApiTokenReveal.created_at > now - REVEAL_FOR)
        .returning(ApiTokenReveal.pad)
    )
    session.execute(delete(ApiTokenReveal).where(ApiTokenReveal.token_id == token.id))
    if pad is None or not masked:
        return None
    try:
        secret = _xor(bytes.fromhex(masked), bytes.fromhex(pad)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return secret if hmac.compare_digest(digest(secret, key), token.secret_hash) else None


def revoke(session: Session, token: ApiToken, actor: User, now: datetime) -> bool:
    """Revoke `token` (its holder's, or an administrator's act); False when it already was."""
    # Revoked only if still live, in one conditional UPDATE: of two people revoking at once (the
    # holder and an administrator, say) exactly one revokes and is audited.
    revoked = session.execute(
        update(ApiToken)
        .where(ApiToken.id == token.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if revoked != 1:
        return False
    token.revoked_at, token.revoked_by_id = now, actor.id
    audit.record(
        session,
        actor_id=actor.id,
        action="api_token:revoke",
        subject=token,
        organisation_id=None,
        changes={"revoked_at": {"before": None, "after": now.isoformat()}},
    )
    return True


def is_usable(token: ApiToken, now: datetime) -> bool:
    return token.revoked_at is None and now.date() <= token.expires_on and token.user.is_active


def authenticate(session: Session, presented: str | None, key: bytes, now: datetime):
    """The usable token `presented` names, or None (unknown, mangled, expired, revoked, or its
    holder deactivated). Notes when it was used, at most once a minute."""
    if not presented or not _SHAPE.fullmatch(presented):
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.secret_hash == digest(presented, key)))
    if token is None or not is_usable(token, now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        token.last_used_at = now
    return token


def get(session: Session, token_id: int) -> ApiToken | None:
    return session.get(ApiToken, token_id)


def of_holder(session: Session, user: User, cursor: str | None, size: int) -> Page:
    """A person's own tokens, newest first, revoked and expired ones included."""
    stmt = select(ApiToken).where(ApiToken.user_id == user.id)
    return keyset_page(session, stmt, ApiToken, cursor, size)


def _holders_in_icbs(icb_ids: list[int]):
    """Whether a token's holder is the ICBs' to answer for: staff with a role there, and the
    patients and families invited to a learning response run there (they hold no role, but their
    tokens read its engagement and must be revocable too)."""
    invited = (
        select(AffectedPerson.account_id)
        .join(LearningResponse, LearningResponse.id == AffectedPerson.response_id)
        .where(LearningResponse.organisation_id.in_(organisations_in_icbs(icb_ids)))
    )
    return people_in_icbs(icb_ids) | User.id.in_(invited)


def in_icbs(session: Session, icb_ids: list[int], cursor: str | None, size: int) -> Page:
    """Every token held by a person of the ICBs (an administrator's list), newest first."""
    stmt = select(ApiToken).join(ApiToken.user).where(_holders_in_icbs(icb_ids))
    return keyset_page(session, stmt, ApiToken, cursor, size)


def is_held_in_icbs(session: Session, token: ApiToken, icb_ids: list[int]) -> bool:
    """Whether `token` is on the ICBs' administrators' list: one row asked for."""
    found = select(User.id).where(User.id == token.user_id, _holders_in_icbs(icb_ids))
    return session.scalar(found) is not None
