"""Safety improvement plans: one programme gathering actions from many responses, the PSIRF plan's
priorities and good care, with a measure read over time."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psirf.extensions import Base
from psirf.labels import LabelledEnum
from psirf.organisations.models import Organisation
from psirf.timeutil import utcnow


class ItemKind(LabelledEnum):
    PRIORITY = ("priority", "Priority from the PSIRF plan")
    GOOD_CARE = ("good_care", "Good care to spread")


improvement_plan_actions = Table(
    "improvement_plan_actions",
    Base.metadata,
    Column("plan_id", ForeignKey("improvement_plans.id"), primary_key=True),
    Column("action_id", ForeignKey("safety_actions.id"), primary_key=True, index=True),
)


class ImprovementPlan(Base):
    __tablename__ = "improvement_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A practice, or a PCN or federation for a programme across its members.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    aim: Mapped[str] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(Text)  # the programme's own measure, read over time
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version_id}

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    actions = relationship(
        "SafetyAction", secondary=improvement_plan_actions, order_by="SafetyAction.due_on"
    )
    items: Mapped[list[PlanItem]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanItem.id"
    )
    readings: Mapped[list[MeasureReading]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="MeasureReading.measured_on"
    )


class PlanItem(Base):
    """A priority the plan takes on from the PSIRF plan, or good care it sets out to spread."""

    __tablename__ = "improvement_plan_items"
    __table_args__ = (UniqueConstraint("plan_id", "kind", "source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("improvement_plans.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The priority's key in the plan, or the library entry's id, so the same one is not added twice.
    source_key: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    library_entry_id: Mapped[int | None] = mapped_column(ForeignKey("library_entries.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[ImprovementPlan] = relationship(back_populates="items")
    library_entry = relationship("LibraryEntry")

    @property
    def kind_label(self) -> str:
        return ItemKind.label_for(self.kind)


class MeasureReading(Base):
    __tablename__ = "improvement_measure_readings"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("improvement_plans.id"), index=True)
    measured_on: Mapped[date]
    value: Mapped[float]
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[ImprovementPlan] = relationship(back_populates="readings")
