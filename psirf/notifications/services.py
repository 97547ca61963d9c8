"""Telling people: plain functions over a session, no Flask.

Callers pass the session of the change that causes the message, inside its unit of work, so the
notification and its outbox row commit or roll back with that change. Sending is the worker's job.
Titles and bodies never carry patient identifiers: emails leave the system.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf.accounts.models import User
from psirf.notifications.models import Notification, NotificationKind, OutboxMessage

# The session's info key under which new outbox rows are listed, for the queue after commit.
OUTBOX_IDS = "psirf_outbox_ids"


def _already(session: Session, model, dedupe_key: str | None) -> bool:
    return dedupe_key is not None and session.scalar(select(model.id).where(model.dedupe_key == dedupe_key)) is not None


def send_email(session: Session, *, to_address: str, subject: str, body: str, kind: NotificationKind,
               user_id: int | None = None, dedupe_key: str | None = None) -> OutboxMessage | None:
    """An email in the outbox, sent after the transaction commits; None if `dedupe_key` was used."""
    if _already(session, OutboxMessage, dedupe_key):
        return None
    message = OutboxMessage(to_address=to_address, subject=subject, body=body, kind=kind.value, user_id=user_id,
                            dedupe_key=dedupe_key)
    session.add(message)
    session.flush()
    session.info.setdefault(OUTBOX_IDS, []).append(message.id)
    return message


def notify(session: Session, user: User, kind: NotificationKind, title: str, *, body: str | None = None,
           link: str | None = None, email: bool = True, link_base: str = "",
           dedupe_key: str | None = None) -> Notification | None:
    """An in-app notification for `user` and, when `email`, the same by email.

    `link` is a path in the app; `link_base` (the service's public address) makes it a full
    address in the email. Returns None when `dedupe_key` was used before.
    """
    if _already(session, Notification, dedupe_key):
        return None
    notification = Notification(user_id=user.id, kind=kind.value, title=title, body=body, link=link,
                                dedupe_key=dedupe_key)
    session.add(notification)
    if email and user.active and user.email:
        text = "\n\n".join(part for part in (title, body, f"{link_base}{link}" if link else None) if part)
        send_email(session, to_address=user.email, subject=title, body=text, kind=kind, user_id=user.id,
                   dedupe_key=dedupe_key)
    session.flush()
    return notification
