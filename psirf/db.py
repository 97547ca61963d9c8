"""The unit of work, and the one way to change a record.

Services take a session and never commit; the caller (a view, a command, a test) wraps a
use case in `unit_of_work()` so that everything it wrote lands together or not at all.

A versioned record (SQLAlchemy `version_id_col`) changes in one way, `record_change`: the version
the person saw is checked, the change bumps the version, and the audit record keeps the before and
after by field name. Losing a race, however it shows (a stale version, a duplicate row, a
transaction the database rolled back), is one error: `ChangedBySomeoneElse`.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from psirf import audit
from psirf.timeutil import utcnow

# SQLSTATEs of a lost race on PostgreSQL: a unique key taken a moment ago, and the two ways it
# gives up a transaction that collided with another (serialisation failure, deadlock).
_DUPLICATE = "23505"
_ROLLED_BACK = {"40001", "40P01"}


class ChangedBySomeoneElse(Exception):
    def __init__(self):
        super().__init__(
            "This record was changed by someone else while you were looking at it. "
            "Check the latest version below and try again."
        )


def lost_race(error: BaseException) -> bool:
    """Whether a database error means someone else got there first, not that something broke."""
    if isinstance(error, StaleDataError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    state = getattr(error.orig, "sqlstate", None)
    if isinstance(error, IntegrityError):
        # SQLite names no state, only the constraint kind.
        return state == _DUPLICATE or "UNIQUE constraint failed" in str(error.orig)
    return state in _ROLLED_BACK


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    try:
        yield session
        session.commit()
    except BaseException as error:
        session.rollback()
        if lost_race(error):
            raise ChangedBySomeoneElse() from error
        raise


@contextmanager
def races_refused() -> Iterator[None]:
    """A lost race inside the block (at a flush, or at a query's autoflush) raises ChangedBySomeoneElse."""
    try:
        yield
    except (StaleDataError, DBAPIError) as error:
        if lost_race(error):
            raise ChangedBySomeoneElse() from error
        raise


def flush(session: Session) -> None:
    """Flush now, so a lost race is known here rather than at the commit."""
    with races_refused():
        session.flush()


def check_version(record, expected_version: int | None) -> None:
    """Refuse a change made from a page that showed an older version of the record."""
    if expected_version is not None and expected_version != record.version_id:
        raise ChangedBySomeoneElse()


def record_change(
    session: Session,
    record,
    *,
    actor_id: int | None,
    action: str,
    changes: dict,
    organisation_id: int | None = None,
    comment: str | None = None,
) -> None:
    """Bump the record's version (its row is written even when only its parts changed, so a second
    editor or a stale tab is refused), then audit `changes`: {field name: {"before", "after"}}.
    Nothing changed is no change: no new version, no audit record."""
    if not changes:
        return
    record.updated_at = utcnow()
    flush(session)
    audit.record(
        session,
        actor_id=actor_id,
        action=action,
        subject=record,
        organisation_id=record.organisation_id if organisation_id is None else organisation_id,
        changes=changes,
        comment=comment,
    )
    session.flush()
