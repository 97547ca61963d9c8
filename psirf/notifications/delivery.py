"""Sending one outbox message, at most once: plain functions over a session, no Flask, no queue.

The worker calls `deliver_message` for an outbox id, however many times the id was enqueued:

1. claim: one UPDATE moves the row from 'pending' to 'sending' and commits. Only one caller can
   win it (the WHERE names the status), so a task enqueued twice, retried, or run by two workers at
   once sends once; the losers find nothing to do.
2. send, outside any transaction: by SMTP when MAIL_SERVER is set; otherwise the message is
   'kept' for the development outbox page.
3. record the outcome: 'sent' (with sent_at), or back to 'pending' with the error for the sweep
   to retry about a minute later, or 'failed' once MAX_ATTEMPTS is reached or the server refuses
   it for good (a 5xx reply).

The crash window: a worker that dies between claiming and recording leaves the row 'sending', and
nobody can tell whether the server accepted the email. It is never re-sent blindly: `sweep` marks
such a row 'failed' with an error saying it may have gone, logs a warning, and the outbox page
shows it, so a person decides. A duplicate to a grieving family is worse than a late one.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from psirf.db import unit_of_work
from psirf.notifications.models import NotificationKind, OutboxMessage, OutboxStatus
from psirf.timeutil import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A pending row this old was not picked up after its commit (or failed and waits for a retry).
SWEEP_AFTER = timedelta(minutes=1)
# Far beyond SMTP_TIMEOUT: a row still 'sending' after this was left by a worker that died.
INTERRUPTED_AFTER = timedelta(minutes=10)
SMTP_TIMEOUT = 30
SWEEP_LIMIT = 500
INTERRUPTED_ERROR = "Interrupted while sending: it may have been sent. Not sent again automatically, so nobody gets it twice."

PENDING, SENDING, SENT, KEPT, FAILED = (s.value for s in OutboxStatus)
# Kinds whose link is a secret (an invitation's single-use token): dropped from the row once sent.
SECRET_LINKS = frozenset({NotificationKind.INVITATION.value})


@dataclass(frozen=True)
class Mailer:
    """Where email goes. No server: development, and messages are kept for the outbox page."""

    server: str | None = None
    port: int = 587
    username: str | None = None
    password: str | None = None
    use_tls: bool = True
    sender: str = "PSIRF responses <no-reply@psirf.invalid>"
    # The service's public address, put in front of each message's link (a path in the app).
    link_base: str = ""

    @classmethod
    def from_config(cls, config) -> Mailer:
        return cls(
            server=config.get("MAIL_SERVER") or None,
            port=int(config.get("MAIL_PORT") or 587),
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            use_tls=bool(config.get("MAIL_USE_TLS")),
            sender=config.get("MAIL_FROM") or cls.sender,
            link_base=config.get("PUBLIC_BASE_URL") or "",
        )

    @property
    def domain(self) -> str:
        address = parseaddr(self.sender)[1]
        return address.rpartition("@")[2] or "psirf.invalid"


@dataclass(frozen=True)
class Email:
    """What is sent, read while the claim's transaction is open, so no transaction spans the network."""

    id: int
    to_address: str
    subject: str
    body: str
    created_at: datetime


class PermanentFailure(Exception):
    """The server refused the message for good: retrying would not help."""


def claim(session: Session, message_id: int, now: datetime) -> bool:
    """Move one pending row to 'sending'; True for the one caller that won it."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == PENDING)
        .values(status=SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _finish(session: Session, message_id: int, **values) -> None:
    # Only from 'sending': a row the sweep has already called interrupted keeps that verdict.
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == SENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def email_text(body: str, link: str | None, link_base: str) -> str:
    """The body as sent: the message's link, made a full address, ends it."""
    return f"{body}\n\n{link_base}{link}" if link else body


def message_id_header(email: Email, mailer: Mailer) -> str:
    """Stable for the outbox row: should the same row ever reach a server twice, it is one message."""
    return f"<outbox-{email.id}.{email.created_at:%Y%m%d%H%M%S}@{mailer.domain}>"


def build_message(email: Email, mailer: Mailer) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mailer.sender
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = format_datetime(email.created_at.replace(tzinfo=timezone.utc))
    message["Message-ID"] = message_id_header(email, mailer)
    message.set_content(email.body)
    return message


def send_smtp(email: Email, mailer: Mailer) -> None:
    try:
        with smtplib.SMTP(mailer.server, mailer.port, timeout=SMTP_TIMEOUT) as smtp:
            if mailer.use_tls:
                smtp.starttls()
            if mailer.username:
                smtp.login(mailer.username, mailer.password or "")
            smtp.send_message(build_message(email, mailer))
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        if codes and all(code >= 500 for code in codes):
            raise PermanentFailure(f"Recipient refused: {codes[0]}") from error
        raise
    except smtplib.SMTPResponseException as error:
        if error.smtp_code >= 500:
            raise PermanentFailure(f"Refused by the mail server: {error.smtp_code}") from error
        raise


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def deliver_message(session: Session, message_id: int, mailer: Mailer, now=utcnow) -> str | None:
    """Deliver one outbox message if it is still pending; the status it reached, or None if another
    caller had it (or it was already handled)."""
    with unit_of_work(session):
        if not claim(session, message_id, now()):
            return None
        row = session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.to_address,
                OutboxMessage.subject,
                OutboxMessage.body,
                OutboxMessage.link,
                OutboxMessage.kind,
                OutboxMessage.created_at,
                OutboxMessage.attempts,
            ).where(OutboxMessage.id == message_id)
        ).one()
    email = Email(
        row.id,
        row.to_address,
        row.subject,
        email_text(row.body, row.link, mailer.link_base),
        row.created_at,
    )

    if not mailer.server:
        with unit_of_work(session):
            _finish(session, message_id, status=KEPT, last_error=None)
        return KEPT

    try:
        send_smtp(email, mailer)
    except PermanentFailure as error:
        outcome, values = FAILED, {"last_error": _error_text(error)}
    except (smtplib.SMTPException, OSError) as error:
        # Connection refused, timed out, a 4xx: worth another try, a bounded number of times.
        outcome = FAILED if row.attempts >= MAX_ATTEMPTS else PENDING
        values = {"last_error": _error_text(error)}
    else:
        outcome, values = SENT, {"sent_at": now(), "last_error": None}
        if row.kind in SECRET_LINKS:
            values["link"] = None
    if outcome != SENT:
        log.warning(
            "outbox message %s: attempt %s did not send (%s), now %s",
            message_id,
            row.attempts,
            values["last_error"],
            outcome,
        )
    with unit_of_work(session):
        _finish(session, message_id, status=outcome, **values)
    return outcome


@dataclass
class Sweep:
    due: list[int]  # pending ids to enqueue again
    interrupted: int  # rows left 'sending' by a worker that died, now marked failed


def sweep(session: Session, now: datetime) -> Sweep:
    """What the periodic sweep finds: pending rows nobody picked up within a minute (their enqueue
    was lost, the worker was down, or they wait for a retry), and rows a crash left 'sending'."""
    with unit_of_work(session):
        interrupted = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.status == SENDING, OutboxMessage.claimed_at < now - INTERRUPTED_AFTER
            )
            .values(status=FAILED, last_error=INTERRUPTED_ERROR)
            .execution_options(synchronize_session=False)
        ).rowcount
        due = list(
            session.scalars(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.status == PENDING,
                    func.coalesce(OutboxMessage.claimed_at, OutboxMessage.created_at)
                    < now - SWEEP_AFTER,
                )
                .order_by(OutboxMessage.created_at, OutboxMessage.id)
                .limit(SWEEP_LIMIT)
            )
        )
    if interrupted:
        log.warning(
            "%s outbox message(s) were interrupted while sending; marked failed, not re-sent",
            interrupted,
        )
    return Sweep(due=due, interrupted=interrupted)
