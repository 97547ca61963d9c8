"""A PCN's or federation's PSIRF plan, its approval by the ICB, and every version kept.

A plan's sections are data (`content`, edited by the panel) beside the insight drawn from the
system's own records when it was generated (`profile`): both are JSON, shaped by
psirf/plans/content.py, because a plan is a document whose tables the authors reshape, not rows
other features query. Triage reads only the effective plan's local focus, which is parsed and
checked like seed/local_focus.yaml.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psirf.extensions import Base
from psirf.organisations.models import Organisation
from psirf.plans.states import PlanState
from psirf.timeutil import utcnow

# The states in which a plan is the one in force for its organisation.
IN_FORCE = (PlanState.PUBLISHED, PlanState.REVIEW_DUE)


class PsirfPlan(Base):
    __tablename__ = "psirf_plans"
    __table_args__ = (
        UniqueConstraint("organisation_id", "number"),
        Index("ix_psirf_plans_state", "state", "review_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The organisation's first, second, ... plan; each submission of it is a revision.
    number: Mapped[int]
    revision: Mapped[int] = mapped_column(default=0)
    period_months: Mapped[int] = mapped_column(default=12)
    lookback_months: Mapped[int] = mapped_column(default=12)
    starts_on: Mapped[date]
    content: Mapped[dict] = mapped_column(JSON)
    profile: Mapped[dict] = mapped_column(JSON)

    workflow_name: Mapped[str] = mapped_column(String(40))
    workflow_version: Mapped[int]
    state: Mapped[str] = mapped_column(String(40))
    version_id: Mapped[int] = mapped_column(default=1)

    # The ICB quality committee's decision.
    decided_on: Mapped[date | None]
    minute_reference: Mapped[str | None] = mapped_column(String(100))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # In force from publication until the review date; a published plan is read by anyone through
    # its public link, an unguessable token (ids would let anyone count the drafts).
    effective_from: Mapped[date | None]
    review_on: Mapped[date | None]
    public_token: Mapped[str | None] = mapped_column(String(43), unique=True)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("psirf_plans.id"))

    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version_id}

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    supersedes: Mapped[PsirfPlan | None] = relationship(remote_side=[id])
    revisions: Mapped[list[PlanRevision]] = relationship(
        back_populates="plan", order_by="PlanRevision.number", cascade="all, delete-orphan"
    )

    @property
    def version_label(self) -> str:
        """Document control's version: plan number, then submissions so far (1.0 a first draft, 1.2
        the first plan as resubmitted once)."""
        return f"{self.number}.{self.revision}"

    def __repr__(self) -> str:
        return f"<PsirfPlan {self.organisation_id} #{self.number}>"


class PlanRevision(Base):
    """The plan as it was submitted (or resubmitted): what the committee saw, kept for comparison."""

    __tablename__ = "psirf_plan_revisions"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("psirf_plans.id"))
    number: Mapped[int]
    content: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[PsirfPlan] = relationship(back_populates="revisions")
