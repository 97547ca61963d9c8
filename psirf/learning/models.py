"""Findings and their contributory factors, analysed with SEIPS: one component for every method."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psirf.extensions import Base
from psirf.labels import LabelledEnum
from psirf.timeutil import utcnow


class SeipsFactor(LabelledEnum):
    # The SEIPS 3.0 work system, the person at its centre.
    PERSON = ("person", "Person or people")
    TASKS = ("tasks", "Tasks")
    TOOLS = ("tools", "Tools and technology")
    ORGANISATION = ("organisation", "Organisation")
    INTERNAL_ENVIRONMENT = ("internal_environment", "Internal environment")
    EXTERNAL_ENVIRONMENT = ("external_environment", "External environment")


class FindingKind(LabelledEnum):
    FINDING = ("finding", "Finding")
    AREA_FOR_IMPROVEMENT = ("area_for_improvement", "Area for improvement")
    # Safety-II: what went well, so that it can be kept and spread.
    WENT_WELL = ("went_well", "What went well")


class Finding(Base):
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("learning_responses.id"), index=True)
    kind: Mapped[str] = mapped_column(
        String(30), default=FindingKind.FINDING.value, server_default="finding"
    )
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    response = relationship("LearningResponse", back_populates="findings")
    factors: Mapped[list[ContributoryFactor]] = relationship(
        back_populates="finding",
        cascade="all, delete-orphan",
        order_by="ContributoryFactor.id",
        lazy="selectin",
    )

    @property
    def kind_label(self) -> str:
        return FindingKind.label_for(self.kind)


class ContributoryFactor(Base):
    """A part of the work system that contributed to a finding; never a person as "the cause"."""

    __tablename__ = "contributory_factors"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    factor: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    finding: Mapped[Finding] = relationship(back_populates="factors")

    @property
    def factor_label(self) -> str:
        return SeipsFactor.label_for(self.factor)
