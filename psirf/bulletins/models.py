"""Learning bulletins: a PCN's, federation's or the ICB's learning over a period (a quarter by
default), drafted from its records, edited by a person, then published to its member services."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psirf.extensions import Base
from psirf.labels import LabelledEnum
from psirf.organisations.models import Organisation
from psirf.timeutil import utcnow


class BulletinState(LabelledEnum):
    DRAFT = ("draft", "Draft")
    PUBLISHED = ("published", "Published")


class Section(LabelledEnum):
    """The bulletin's sections in the order it reads; each has its own editable text and points."""

    THEMES = ("themes", "Themes and trends")
    LEARNING = ("learning", "Learning from responses")
    GOOD_CARE = ("good_care", "Good care")
    ACTIONS = ("actions", "Safety actions taken")


# The text each section's column holds, by section.
TEXT_FIELDS = {
    "introduction": "Introduction",
    **{f"{s.value}_text": s.label for s in Section},
}


class Bulletin(Base):
    __tablename__ = "bulletins"
    __table_args__ = (
        # One bulletin per area and period: generating it twice finds the first.
        UniqueConstraint("organisation_id", "period_start", "period_end"),
        # The list: an area's bulletins by state, newest first (keyset on created_at, id).
        Index("ix_bulletins_organisation_state", "organisation_id", "state", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The area: a PCN, a federation or an ICB.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    period_start: Mapped[date]
    period_end: Mapped[date]  # the first day after the period
    state: Mapped[str] = mapped_column(String(20), default=BulletinState.DRAFT.value)
    title: Mapped[str] = mapped_column(String(200))
    introduction: Mapped[str] = mapped_column(Text, default="")
    themes_text: Mapped[str] = mapped_column(Text, default="")
    learning_text: Mapped[str] = mapped_column(Text, default="")
    good_care_text: Mapped[str] = mapped_column(Text, default="")
    actions_text: Mapped[str] = mapped_column(Text, default="")
    # Headline figures, frozen when drafted, so the bulletin shows what its authors saw.
    events_total: Mapped[int] = mapped_column(default=0)
    events_previous: Mapped[int] = mapped_column(default=0)
    good_care_total: Mapped[int] = mapped_column(default=0)
    actions_agreed: Mapped[int] = mapped_column(default=0)
    actions_completed: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None]
    version_id: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version_id}

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    points: Mapped[list[BulletinPoint]] = relationship(
        back_populates="bulletin",
        cascade="all, delete-orphan",
        order_by="(BulletinPoint.section, BulletinPoint.position)",
    )

    @property
    def is_draft(self) -> bool:
        return self.state == BulletinState.DRAFT.value

    @property
    def state_label(self) -> str:
        return BulletinState.label_for(self.state)

    def points_in(self, section: str) -> list[BulletinPoint]:
        return sorted(
            (p for p in self.points if p.section == section), key=lambda p: (p.position, p.id)
        )

    def text_of(self, section: str) -> str:
        return getattr(self, f"{section}_text")


class BulletinPoint(Base):
    """One learning point: a theme with its figures, a library summary, good care or an action."""

    __tablename__ = "bulletin_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    bulletin_id: Mapped[int] = mapped_column(ForeignKey("bulletins.id"), index=True)
    section: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    # A theme's events this period and the one before; None for other points.
    count: Mapped[int | None]
    previous: Mapped[int | None]
    # What it was drawn from ("theme:medication", "library:12", "event:40", "action:7").
    source: Mapped[str] = mapped_column(String(40))

    bulletin: Mapped[Bulletin] = relationship(back_populates="points")
