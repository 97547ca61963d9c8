"""The export queue: one row for each revision of each event that LFPSE is to receive."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psirf.events.models import SafetyEvent
from psirf.extensions import Base
from psirf.labels import LabelledEnum
from psirf.timeutil import utcnow


class ExportState(LabelledEnum):
    PENDING = ("pending", "Not yet sent")
    # Claimed by a sender, which is sending it now (or died doing so: see exports.CLAIM_LEASE).
    SENDING = ("sending", "Being sent")
    SENT = ("sent", "Sent")
    FAILED = ("failed", "Failed, to be tried again")
    NOT_REPORTABLE = ("not_reportable", "Not reportable")


# The rows a sender may take: waiting, or failed and due again.
WAITING = (ExportState.PENDING.value, ExportState.FAILED.value)


class LfpseExport(Base):
    """One revision of one event, on its way to LFPSE. The unique (event, revision) pair is what
    makes "nothing is sent twice for one revision" a rule of the database, not of the code."""

    __tablename__ = "lfpse_exports"
    __table_args__ = (
        UniqueConstraint("event_id", "revision", name="uq_lfpse_exports_event_revision"),
        # The senders' "what is due" and the leads' list: by state and when, per organisation.
        Index("ix_lfpse_exports_due", "state", "next_attempt_at", "id"),
        Index("ix_lfpse_exports_org_state", "organisation_id", "state", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("safety_events.id"))
    # The event's, copied: the pages scope and count by it without joining the events.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    revision: Mapped[int]
    state: Mapped[str] = mapped_column(String(20), default=ExportState.PENDING.value)
    # Why it failed (the last attempt) or why it is not reportable.
    reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[SafetyEvent] = relationship()

    @property
    def state_label(self) -> str:
        return ExportState.label_for(self.state)
