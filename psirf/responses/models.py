"""Learning responses and the method-specific records they carry."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psirf.extensions import Base
from psirf.labels import LabelledEnum
from psirf.organisations.models import Organisation
from psirf.timeutil import utcnow


class ResponseMethod(LabelledEnum):
    AFTER_ACTION_REVIEW = ("after_action_review", "After action review")
    SWARM_HUDDLE = ("swarm_huddle", "SWARM huddle")
    MDT_REVIEW = ("mdt_review", "Multidisciplinary team review")
    THEMATIC_REVIEW = ("thematic_review", "Thematic review")
    PSII = ("psii", "Patient safety incident investigation")
    CROSS_ORGANISATIONAL = ("cross_organisational", "Cross-organisational learning response")


class LearningResponse(Base):
    __tablename__ = "learning_responses"
    __table_args__ = (
        Index("ix_learning_responses_queue", "organisation_id", "state", "created_at", "id"),
        # The overdue lists read only open responses, by due date.
        Index(
            "ix_learning_responses_open_due",
            "organisation_id",
            "due_on",
            postgresql_where=text("closed_at IS NULL"),
            sqlite_where=text("closed_at IS NULL"),
        ),
        # The ICB dashboard's figures by method (open, overdue, closed on time, started, offered
        # involvement) read only these columns: from the index alone, never the wide rows with
        # their record (SQLite always; PostgreSQL with random_page_cost set for SSD).
        Index(
            "ix_learning_responses_figures",
            "organisation_id",
            "method",
            "closed_at",
            "created_at",
            "due_on",
            "due_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    method: Mapped[str] = mapped_column(String(30))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    # The workflow it started under stays with it when the workflow file changes.
    workflow_name: Mapped[str] = mapped_column(String(60))
    workflow_version: Mapped[int]
    state: Mapped[str] = mapped_column(String(40))
    version_id: Mapped[int] = mapped_column(default=1)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The answers to the sections the workflow file declares: {section: {field: value}}, or
    # {section: [entry, ...]} for a repeatable one. Dates are ISO strings.
    record: Mapped[dict] = mapped_column(JSON, default=dict)
    due_on: Mapped[date | None]
    # The moment it falls due, when its target counts in hours (a SWARM huddle's 48); None when
    # it is due by the end of `due_on`. Set with `due_on` (psirf.workflow.deadlines).
    due_at: Mapped[datetime | None]
    extension_reason: Mapped[str | None] = mapped_column(Text)
    # Why the lead restarted the target from when the current method began, after changing course.
    due_reset_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # Two people acting at once: the second UPDATE matches no row and is refused.
    __mapper_args__ = {"version_id_col": version_id}

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    events = relationship(
        "SafetyEvent", back_populates="learning_response", order_by="SafetyEvent.id"
    )
    reviewed_events = relationship(
        "SafetyEvent", secondary="thematic_review_events", order_by="SafetyEvent.created_at"
    )
    reviewed_responses = relationship(
        "LearningResponse",
        secondary="thematic_review_responses",
        primaryjoin="LearningResponse.id == thematic_review_responses.c.response_id",
        secondaryjoin="LearningResponse.id == thematic_review_responses.c.covered_id",
        order_by="LearningResponse.created_at",
    )
    contributors: Mapped[list[Contributor]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="Contributor.id"
    )
    findings = relationship(
        "Finding", back_populates="response", cascade="all, delete-orphan", order_by="Finding.id"
    )
    safety_actions = relationship(
        "SafetyAction",
        back_populates="response",
        cascade="all, delete-orphan",
        order_by="SafetyAction.id",
    )
    # The methods it ran as before the current one, oldest first (see MethodStage).
    earlier_stages: Mapped[list[MethodStage]] = relationship(
        back_populates="response",
        cascade="all, delete-orphan",
        order_by="MethodStage.position",
    )

    @property
    def method_label(self) -> str:
        return ResponseMethod.label_for(self.method)

    def __repr__(self) -> str:
        return f"<LearningResponse {self.reference} {self.state}>"


thematic_review_events = Table(
    "thematic_review_events",
    Base.metadata,
    Column("response_id", ForeignKey("learning_responses.id"), primary_key=True),
    Column("event_id", ForeignKey("safety_events.id"), primary_key=True, index=True),
)


thematic_review_responses = Table(
    "thematic_review_responses",
    Base.metadata,
    Column("response_id", ForeignKey("learning_responses.id"), primary_key=True),
    Column("covered_id", ForeignKey("learning_responses.id"), primary_key=True, index=True),
)


class Contributor(Base):
    """An organisation contributing to a cross-organisational response, and what it gave."""

    __tablename__ = "response_contributors"
    __table_args__ = (UniqueConstraint("response_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("learning_responses.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    contribution: Mapped[str | None] = mapped_column(Text)
    contributed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    agreed_at: Mapped[datetime | None]
    agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    response: Mapped[LearningResponse] = relationship(back_populates="contributors")
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class MethodStage(Base):
    """A method a response ran as before it changed course: the same case, one reference.

    When a response goes on as another method (a SWARM huddle continued as an after action
    review, a review widened to a cross-organisational response), the method it leaves is kept
    here, with the workflow version it ran under, the state it reached and the sections it
    recorded, read-only from then on; the response itself moves onto the new method's workflow.
    The current method is the response row's own, so nothing is kept twice.
    """

    __tablename__ = "response_method_stages"
    __table_args__ = (UniqueConstraint("response_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("learning_responses.id"))
    position: Mapped[int]  # 1 for the method the response began as
    method: Mapped[str] = mapped_column(String(30))
    workflow_name: Mapped[str] = mapped_column(String(60))
    workflow_version: Mapped[int]
    state_reached: Mapped[str] = mapped_column(String(40))
    record: Mapped[dict] = mapped_column(JSON, default=dict)
    due_on: Mapped[date | None]
    due_at: Mapped[datetime | None]
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    went_on_as: Mapped[str] = mapped_column(String(20))  # a LinkKind: became or widened_to
    reason: Mapped[str | None] = mapped_column(Text)

    response: Mapped[LearningResponse] = relationship(back_populates="earlier_stages")
    ended_by = relationship("User", lazy="joined", foreign_keys=[ended_by_id])

    @property
    def method_label(self) -> str:
        return ResponseMethod.label_for(self.method)


class LinkKind(LabelledEnum):
    BECAME = ("became", "Continued as")
    ESCALATED_TO = ("escalated_to", "Escalated to")
    WIDENED_TO = ("widened_to", "Widened to")
    RELATED = ("related", "Related to")


class ResponseLink(Base):
    """One response leading to, or related to, another: the history stays with both."""

    __tablename__ = "response_links"
    __table_args__ = (UniqueConstraint("from_id", "to_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    from_id: Mapped[int] = mapped_column(ForeignKey("learning_responses.id"), index=True)
    to_id: Mapped[int] = mapped_column(ForeignKey("learning_responses.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    source: Mapped[LearningResponse] = relationship(foreign_keys=[from_id], lazy="joined")
    target: Mapped[LearningResponse] = relationship(foreign_keys=[to_id], lazy="joined")
