"""The shared learning library: summaries stripped of identifiers, published to a PCN or federation, the ICB, or both."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psirf.extensions import Base
from psirf.labels import LabelledEnum
from psirf.organisations.models import Organisation
from psirf.timeutil import utcnow


class EntryKind(LabelledEnum):
    RESPONSE = ("response", "Learning from a response")
    GOOD_CARE = ("good_care", "Learning from good care")


class LibraryEntry(Base):
    __tablename__ = "library_entries"
    __table_args__ = (
        Index("ix_library_entries_group", "audience_group_id", "published_at", "id"),
        Index("ix_library_entries_icb", "audience_icb_id", "published_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    # What it came from: a closed response, or a good care record. Each is shared once.
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("learning_responses.id"), unique=True
    )
    event_id: Mapped[int | None] = mapped_column(ForeignKey("safety_events.id"), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    # Only the text after identifiers were stripped and the lead confirmed it is ever stored.
    summary: Mapped[str] = mapped_column(Text)
    # Kept for filtering: copied when published, so the library is read without joins.
    theme: Mapped[str | None] = mapped_column(String(40), index=True)
    method: Mapped[str | None] = mapped_column(String(30), index=True)
    service_kind: Mapped[str] = mapped_column(String(20), index=True)
    learned_on: Mapped[date] = mapped_column(
        index=True
    )  # when the event happened, for the period filter
    # Who may read it: the members of one PCN or federation, everyone in the ICB, or both.
    audience_group_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    audience_icb_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    audience_group: Mapped[Organisation | None] = relationship(foreign_keys=[audience_group_id])
    response = relationship("LearningResponse")
    event = relationship("SafetyEvent")

    @property
    def kind_label(self) -> str:
        return EntryKind.label_for(self.kind)
