"""Telling people: plain functions over a session, no Flask.

Callers pass the session of the change that causes the message, inside its unit of work, so the
notification and its outbox row commit or roll back with that change. Sending is the worker's job.
Titles and bodies never carry patient identifiers: emails leave the system.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, ScalarSelect, func, select, update
from sqlalchemy.orm import Session

from psirf.accounts.models import User
from psirf.notifications.models import Notification, NotificationKind, OutboxMessage
from psirf.timeutil import utcnow
from psirf.web.pagination import Page, keyset_page

# The session's info key under which new outbox rows are listed, for the queue after commit.
OUTBOX_IDS = "psirf_outbox_ids"


def _already(session: Session, model, dedupe_key: str | None, key_is_new: bool) -> bool:
    """Whether `dedupe_key` was used before. A key named after a row this transaction wrote
    (`key_is_new`) cannot have been: no query, and the unique key still refuses a second use."""
    return (
        dedupe_key is not None
        and not key_is_new
        and session.scalar(select(model.id).where(model.dedupe_key == dedupe_key)) is not None
    )


def send_email(
    session: Session,
    *,
    to_address: str,
    subject: str,
    body: str,
    kind: NotificationKind,
    link: str | None = None,
    user_id: int | None = None,
    dedupe_key: str | None = None,
    key_is_new: bool = False,
) -> OutboxMessage | None:
    """An email in the outbox, sent after the transaction commits; None if `dedupe_key` was used.

    `link`, a path in the app, ends the email as a full address (the worker knows the service's).
    """
    if _already(session, OutboxMessage, dedupe_key, key_is_new):
        return None
    message = OutboxMessage(
        to_address=to_address,
        subject=subject,
        body=body,
        link=link,
        kind=kind.value,
        user_id=user_id,
        dedupe_key=dedupe_key,
    )
    session.add(message)
    session.flush()
    session.info.setdefault(OUTBOX_IDS, []).append(message.id)
    return message


def notify(
    session: Session,
    user: User,
    kind: NotificationKind,
    title: str,
    *,
    body: str | None = None,
    link: str | None = None,
    email: bool = True,
    dedupe_key: str | None = None,
    key_is_new: bool = False,
) -> Notification | None:
    """An in-app notification for `user` and, when `email`, the same by email.

    `link` is a path in the app. Returns None when `dedupe_key` was used before; `key_is_new` says
    the key names a row written in this transaction, so no query looks for it.
    """
    if _already(session, Notification, dedupe_key, key_is_new):
        return None
    notification = Notification(
        user_id=user.id, kind=kind.value, title=title, body=body, link=link, dedupe_key=dedupe_key
    )
    session.add(notification)
    if email and user.active and user.email:
        text = "\n\n".join(part for part in (title, body) if part)
        send_email(
            session,
            to_address=user.email,
            subject=title,
            body=text,
            kind=kind,
            link=link,
            user_id=user.id,
            dedupe_key=dedupe_key,
            key_is_new=key_is_new,
        )
    session.flush()
    return notification


# ---- reading them -------------------------------------------------------------------------------


def notifications_for(session: Session, user_id: int, cursor: str | None, size: int) -> Page:
    """One person's notifications, newest first (the (user_id, created_at, id) index serves it)."""
    return keyset_page(
        session,
        select(Notification).where(Notification.user_id == user_id),
        Notification,
        cursor,
        size,
    )


def unread_count(session: Session, user_id: int) -> int:
    """For the header on every page: one count on the (user_id, read_at) index."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def unread_count_of(user_id: ColumnElement[int]) -> ScalarSelect[int]:
    """`unread_count` as a scalar subquery of a statement that names the person's id, so the
    header's count is read with the sign-in (psirf.accounts.views.load_user)."""
    return (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def mark_read(
    session: Session, user_id: int, notification_id: int, now: datetime | None = None
) -> Notification | None:
    """Mark one of the person's own notifications read; None when it is not theirs (or not there)."""
    notification = session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user_id
        )
    )
    if notification is not None and notification.read_at is None:
        notification.read_at = now or utcnow()
        session.flush()
    return notification


def mark_all_read(session: Session, user_id: int, now: datetime | None = None) -> int:
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def outbox_page(session: Session, cursor: str | None, size: int) -> Page:
    """Every email the service has written, newest first: the development outbox."""
    return keyset_page(session, select(OutboxMessage), OutboxMessage, cursor, size)
