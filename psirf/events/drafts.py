"""The public report's answers between its pages, kept on the server.

A cookie holds only a random key; the answers wait in a short-lived row found by that key's sha256,
so a long answer in any script survives (a browser drops a cookie past about 4 KB, and 2,000
Chinese characters are 6 KB as UTF-8 before signing). A draft lasts `IDLE` after its last save;
expired rows are deleted when a new draft starts and by the worker's hourly purge.

Plain functions over a session, no Flask: the view holds the key and passes the clock.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import JSON, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from psirf.extensions import Base

IDLE = timedelta(hours=2)


class PublicReportDraft(Base):
    __tablename__ = "public_report_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


def new_key() -> str:
    return secrets.token_urlsafe(32)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _find(session: Session, key: str | None, now: datetime) -> PublicReportDraft | None:
    if not key:
        return None
    draft = session.scalar(
        select(PublicReportDraft).where(PublicReportDraft.key_hash == _hash(key))
    )
    return draft if draft is not None and draft.expires_at > now else None


def answers(session: Session, key: str | None, now: datetime) -> dict:
    """The answers kept under `key`; empty when there are none or they have expired."""
    draft = _find(session, key, now)
    return dict(draft.answers) if draft else {}


def save(session: Session, key: str, values: dict, now: datetime) -> dict:
    """Add `values` to the answers under `key` (a new draft if it has none) and keep them `IDLE` longer."""
    draft = _find(session, key, now)
    if draft is None:
        purge(session, now)
        draft = PublicReportDraft(key_hash=_hash(key), answers={}, created_at=now)
        session.add(draft)
    # A new dict, so the JSON column sees the change.
    draft.answers = {**(draft.answers or {}), **values}
    draft.expires_at = now + IDLE
    session.flush()
    return dict(draft.answers)


def discard(session: Session, key: str | None) -> None:
    if key:
        session.execute(delete(PublicReportDraft).where(PublicReportDraft.key_hash == _hash(key)))


def purge(session: Session, now: datetime) -> int:
    """Delete the drafts that have expired; returns how many."""
    return session.execute(
        delete(PublicReportDraft).where(PublicReportDraft.expires_at <= now)
    ).rowcount
