"""Learning responses, the method-specific records they carry, and their safety actions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
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
    due_on: Mapped[date | None]
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # Two people acting at once: the second UPDATE matches no row and is refused.
    __mapper_args__ = {"version_id_col": version_id}

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    events = relationship("SafetyEvent", back_populates="learning_response", order_by="SafetyEvent.id")
    after_action_review: Mapped[AfterActionReview | None] = relationship(
        back_populates="response", uselist=False, cascade="all, delete-orphan"
    )
    safety_actions: Mapped[list[SafetyAction]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="SafetyAction.id"
    )

    @property
    def method_label(self) -> str:
        return ResponseMethod.label_for(self.method)

    def __repr__(self) -> str:
        return f"<LearningResponse {self.reference} {self.state}>"


class AfterActionReview(Base):
    """What an after action review plans and records: the four questions and the learning."""

    __tablename__ = "after_action_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("learning_responses.id"), unique=True)
    conductor: Mapped[str | None] = mapped_column(String(200))
    participants: Mapped[str | None] = mapped_column(Text)
    review_on: Mapped[date | None]
    expected: Mapped[str | None] = mapped_column(Text)
    actual: Mapped[str | None] = mapped_column(Text)
    difference: Mapped[str | None] = mapped_column(Text)
    learned: Mapped[str | None] = mapped_column(Text)
    learning_summary: Mapped[str | None] = mapped_column(Text)

    response: Mapped[LearningResponse] = relationship(back_populates="after_action_review")


class SafetyActionStatus(LabelledEnum):
    OPEN = ("open", "Open")
    COMPLETED = ("completed", "Completed")


class SafetyAction(Base):
    __tablename__ = "safety_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("learning_responses.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default=SafetyActionStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    response: Mapped[LearningResponse] = relationship(back_populates="safety_actions")
