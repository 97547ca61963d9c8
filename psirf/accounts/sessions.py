"""Sign-ins that end: one row per sign-in, named by a random key the browser holds.

The key is all the session cookie carries (Flask-Login's user id is this key), and only its sha256 is
stored, so a copy of the database cannot be used to sign in. A sign-in ends when the person signs
out, after `idle` without a request, `lifetime` after it began, when an administrator ends it, when
the person changes their password elsewhere, or when the account is deactivated. An ended row is
never used again, so a cookie copied before any of these is refused after it.

Plain functions over a session, no Flask: the caller passes the clock and commits.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session, joinedload

from psirf.accounts.models import User, UserSession

# How stale last-seen may be before a request writes it again: the idle timeout is measured to the
# minute, and most requests write nothing.
TOUCH_EVERY = timedelta(minutes=1)

SIGNED_OUT = "signed_out"
IDLE = "idle"
EXPIRED = "expired"
BY_ADMINISTRATOR = "ended_by_administrator"
PASSWORD_CHANGED = "password_changed"
DEACTIVATED = "deactivated"


@dataclass(frozen=True)
class Limits:
    idle: timedelta
    lifetime: timedelta

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(
            idle=timedelta(minutes=int(config["SESSION_IDLE_MINUTES"])),
            lifetime=timedelta(hours=int(config["SESSION_MAX_HOURS"])),
        )


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(session: Session, user: User, now: datetime) -> str:
    """A new sign-in for `user`; returns its key (set on the user too, for Flask-Login's get_id)."""
    key = secrets.token_urlsafe(32)
    session.add(UserSession(key_hash=_hash(key), user_id=user.id, created_at=now, last_seen_at=now))
    session.flush()
    user.session_key = key
    return key


def _timed_out(record: UserSession, now: datetime, limits: Limits) -> str | None:
    if now - record.created_at >= limits.lifetime:
        return EXPIRED
    if now - record.last_seen_at >= limits.idle:
        return IDLE
    return None


def resume(session: Session, key: str, now: datetime, limits: Limits) -> User | None:
    """The person signed in with `key`, or None if that sign-in has ended (ending it if it just timed out).

    Writes (a touch, or the ending) are left in the session for the caller to commit.
    """
    return resume_with(session, key, now, limits)[0]


def resume_statement(also: Sequence = ()) -> Select:
    """The statement `resume_with` runs: the sign-in named by the parameter "key_hash", with its
    person and their roles, and the values of `also` (scalar subqueries over UserSession.user_id).

    Built once by its caller and run many times: building it, and its cache key, cost more than
    running it (about a millisecond a request, issue 16)."""
    # The person and their roles in the same statement: every page reads both.
    return (
        select(UserSession, *also)
        .where(UserSession.key_hash == bindparam("key_hash"))
        .options(joinedload(UserSession.user).joinedload(User.roles))
    )


def resume_with(
    session: Session, key: str, now: datetime, limits: Limits, statement: Select | None = None
) -> tuple[User | None, tuple]:
    """`resume`, and the values of the other columns of `statement` (from `resume_statement`)
    read in the same statement: what every page reads about the person (the header's unread
    count) costs no round trip of its own. The values are () when nobody is signed in with `key`."""
    if not key:
        return None, ()
    row = (
        session.execute(
            statement if statement is not None else resume_statement(),
            {"key_hash": _hash(key)},
        )
        .unique()
        .one_or_none()
    )
    if row is None:
        return None, ()
    record, values = row[0], tuple(row[1:])
    return _resumed(record, now, limits, key), values


def _resumed(record: UserSession, now: datetime, limits: Limits, key: str) -> User | None:
    if record.ended_at is not None:
        return None
    reason = _timed_out(record, now, limits)
    if reason is not None:
        _end(record, now, reason)
        return None
    if not record.user.active:
        return None
    if now - record.last_seen_at >= TOUCH_EVERY:
        record.last_seen_at = now
    record.user.session_key = key
    return record.user


def _end(record: UserSession, now: datetime, reason: str) -> None:
    record.ended_at = now
    record.end_reason = reason


def end(session: Session, key: str | None, now: datetime, reason: str = SIGNED_OUT) -> bool:
    """End the sign-in named by `key`; False if it had already ended."""
    if not key:
        return False
    return _end_where(session, now, reason, UserSession.key_hash == _hash(key)) > 0


def end_all(
    session: Session, user: User, now: datetime, reason: str, *, keep: str | None = None
) -> int:
    """End every open sign-in of `user`, but for the one named by `keep`; returns how many ended."""
    conditions = [UserSession.user_id == user.id]
    if keep:
        conditions.append(UserSession.key_hash != _hash(keep))
    return _end_where(session, now, reason, *conditions)


def _end_where(session: Session, now: datetime, reason: str, *conditions) -> int:
    return session.execute(
        update(UserSession)
        .where(UserSession.ended_at.is_(None), *conditions)
        .values(ended_at=now, end_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount


def open_counts(
    session: Session, user_ids: list[int], now: datetime, limits: Limits
) -> dict[int, int]:
    """How many sign-ins each person has that are still usable, by user id (absent: none)."""
    if not user_ids:
        return {}
    rows = session.execute(
        select(UserSession.user_id, func.count())
        .where(UserSession.user_id.in_(user_ids), *_usable(now, limits))
        .group_by(UserSession.user_id)
    )
    return {user_id: count for user_id, count in rows}


def _usable(now: datetime, limits: Limits) -> list:
    return [
        UserSession.ended_at.is_(None),
        UserSession.last_seen_at > now - limits.idle,
        UserSession.created_at > now - limits.lifetime,
    ]


def purge(session: Session, now: datetime, limits: Limits) -> int:
    """Delete the sign-ins that can no longer be used (their history is in the audit); returns how many."""
    return session.execute(
        delete(UserSession)
        .where(
            or_(
                UserSession.ended_at.is_not(None),
                UserSession.last_seen_at <= now - limits.idle,
                UserSession.created_at <= now - limits.lifetime,
            )
        )
        .execution_options(synchronize_session=False)
    ).rowcount
