"""What the system tells people: in-app notifications, and the email outbox they are sent from.

Both are written in the same transaction as the change that caused them, so a change that is
rolled back tells nobody, and one that commits is never forgotten even if the worker is down.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from psirf.extensions import Base
from psirf.labels import LabelledEnum
from psirf.timeutil import utcnow


class NotificationKind(LabelledEnum):
    INVITATION = ("invitation", "Invitation")
    FAMILY_QUESTION = ("family_question", "A question from someone affected")
    FAMILY_COMMENT = ("family_comment", "Comments from someone affected")
    FAMILY_CHOICE = ("family_choice", "A choice made by someone affected")
    DOCUMENT_SHARED = ("document_shared", "A document shared with you")
    ANSWER = ("answer", "An answer to your question")
    STEP_DUE = ("step_due", "A step due soon")
    STEP_OVERDUE = ("step_overdue", "A step overdue")
    REPORT_UPDATE = ("report_update", "News of a report you made")


class Notification(Base):
    """One message in a person's in-app list."""

    __tablename__ = "notifications"
    __table_args__ = (
        # The list and the unread count read one person's newest first.
        Index("ix_notifications_user_created", "user_id", "created_at", "id"),
        Index("ix_notifications_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    # A path inside the app, never a full address.
    link: Mapped[str | None] = mapped_column(String(500))
    # Reminders carry a key, so that each is made once however often the sweep runs.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    @property
    def kind_label(self) -> str:
        return NotificationKind.label_for(self.kind)


class OutboxStatus(LabelledEnum):
    PENDING = ("pending", "Waiting to be sent")
    SENDING = ("sending", "Being sent")
    SENT = ("sent", "Sent")
    # No SMTP server is configured (development): the message is kept for the outbox page.
    KEPT = ("kept", "Kept in the development outbox")
    FAILED = ("failed", "Failed")


class OutboxMessage(Base):
    """An email to send, written with the change that caused it and sent later by the worker."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_status", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # A path in the app: the worker puts the service's address (PUBLIC_BASE_URL) in front when it
    # sends, so no service function needs to know where the service is published.
    link: Mapped[str | None] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(30))
    # The person it is for, when they have an account (an invitation goes to someone who has not).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]

    @property
    def status_label(self) -> str:
        return OutboxStatus.label_for(self.status)
