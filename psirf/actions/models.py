"""Safety actions: SMART changes that answer an area for improvement, each run by its own workflow."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psirf.extensions import Base
from psirf.labels import LabelledEnum
from psirf.organisations.models import Organisation
from psirf.timeutil import utcnow


class Strength(LabelledEnum):
    # The hierarchy of intervention effectiveness: the stronger, the less it leans on memory and vigilance.
    STRONGER = ("stronger", "Stronger")
    INTERMEDIATE = ("intermediate", "Intermediate")
    WEAKER = ("weaker", "Weaker")


# The domain reference's examples of each strength, shown as guidance beside the choice.
STRENGTH_EXAMPLES = {
    Strength.STRONGER: (
        "Physical or architectural change; new devices tested for usability before purchase; forcing "
        "functions and engineering controls; simplifying a process; standardising equipment or a process; "
        "tangible action by leaders"
    ),
    Strength.INTERMEDIATE: (
        "Redundancy; more staff or less workload; software changes; fewer distractions; checklists and "
        "cognitive aids; removing look-alikes and sound-alikes; read-back; standardised communication or "
        "documentation"
    ),
    Strength.WEAKER: "Double checks; warnings and labels; a new policy, procedure or memo; training; further study",
}


class MeasureKind(LabelledEnum):
    PROCESS = ("process", "Process: is the change being done as planned?")
    OUTCOME = ("outcome", "Outcome: is care safer for patients?")
    BALANCING = ("balancing", "Balancing: has the change caused a problem elsewhere?")

    @property
    def short(self) -> str:
        return self.label.split(":")[0]


class Effect(LabelledEnum):
    WORKED = ("worked", "It worked")
    PARTLY = ("partly", "It partly worked")
    DID_NOT_WORK = ("did_not_work", "It did not work")


class SafetyAction(Base):
    __tablename__ = "safety_actions"
    __table_args__ = (
        # The boards and the reminders read only the actions still to be done, by due date.
        Index(
            "ix_safety_actions_open_due",
            "due_on",
            postgresql_where=text("closed_at IS NULL"),
            sqlite_where=text("closed_at IS NULL"),
        ),
        # A board by organisation, and the ICB dashboard's completion figures (not cancelled,
        # completed, overdue) from the index alone, never the wide rows with their descriptions.
        Index(
            "ix_safety_actions_figures",
            "organisation_id",
            "state",
            "completed_at",
            "closed_at",
            "due_on",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("learning_responses.id"), index=True)
    # The response's organisation, kept on the row so a board is one indexed query (by
    # ix_safety_actions_figures, which leads with it).
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    # The area for improvement it answers.
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    # The owner: a person (with an account, or named) and their organisation, which may be a partner.
    owner: Mapped[str | None] = mapped_column(String(200))
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    owner_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    due_on: Mapped[date | None]
    measure_kind: Mapped[str | None] = mapped_column(String(20))
    measure: Mapped[str | None] = mapped_column(Text)  # what is measured, and how it will be read
    strength: Mapped[str | None] = mapped_column(String(20))
    review_on: Mapped[date | None]  # when to review whether it worked
    evidence: Mapped[str | None] = mapped_column(Text)
    effect: Mapped[str | None] = mapped_column(String(20))
    effect_notes: Mapped[str | None] = mapped_column(Text)
    workflow_name: Mapped[str] = mapped_column(String(60))
    workflow_version: Mapped[int]
    state: Mapped[str] = mapped_column(String(40), index=True)
    version_id: Mapped[int] = mapped_column(default=1)
    completed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]  # reviewed or cancelled: nothing more is due
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version_id}

    response = relationship("LearningResponse", back_populates="safety_actions")
    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    owner_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[owner_organisation_id]
    )
    owner_user = relationship("User", foreign_keys=[owner_user_id])
    finding = relationship("Finding")

    @property
    def strength_label(self) -> str:
        return Strength.label_for(self.strength) if self.strength else "Not chosen"

    @property
    def measure_kind_label(self) -> str:
        return MeasureKind(self.measure_kind).short if self.measure_kind else "Not chosen"

    @property
    def effect_label(self) -> str | None:
        return Effect.label_for(self.effect) if self.effect else None

    def __repr__(self) -> str:
        return f"<SafetyAction {self.id} {self.state}>"
