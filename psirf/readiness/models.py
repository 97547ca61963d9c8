"""Readiness records: each organisation's standing against each local commitment, the people it
names (patient safety leads and partners), its staff and their patient safety syllabus training.

`CommitmentRecord` is the one row the map reads per organisation and commitment: a recorded
status with its evidence, or, for the commitments counted from names and training, the count kept
up to date in the same transaction as each change (so the map aggregates in SQL, never by reading
every member of staff). History is the audit trail of these rows.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psirf.accounts.models import User
from psirf.extensions import Base
from psirf.labels import LabelledEnum
from psirf.organisations.models import Organisation
from psirf.timeutil import utcnow


class CompletionSource(LabelledEnum):
    SELF = ("self", "Recorded by the person")
    LEAD = ("lead", "Recorded by their lead")
    IMPORT = ("import", "Imported from a CSV file")


class CommitmentRecord(Base):
    __tablename__ = "readiness_records"
    __table_args__ = (
        UniqueConstraint("organisation_id", "commitment"),
        # The map's totals and gaps: organisations by commitment and status.
        Index("ix_readiness_records_commitment_status", "commitment", "status", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    commitment: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), default="not_started")
    # For the commitments counted from names or training: how many, out of how many staff.
    count: Mapped[int | None]
    total: Mapped[int | None]
    # The way it is met, where the commitment names ways (an LFPSE administrator account...).
    route: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    evidence_on: Mapped[date | None]
    # Evidence documents stay where the organisation keeps them: a link, never an upload.
    evidence_url: Mapped[str | None] = mapped_column(String(500))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version_id}

    organisation: Mapped[Organisation] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])


class NamedPerson(Base):
    """A patient safety lead or a lay patient safety partner an organisation names."""

    __tablename__ = "readiness_named_people"
    __table_args__ = (Index("ix_readiness_named_people_org", "organisation_id", "commitment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    commitment: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    since: Mapped[date | None]
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffMember(Base):
    """Someone who works (or worked) at the organisation, whose syllabus training is counted
    while they are there."""

    __tablename__ = "readiness_staff"
    __table_args__ = (
        UniqueConstraint("organisation_id", "email"),
        Index("ix_readiness_staff_org_name", "organisation_id", "name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    # Their account, when they have one: they then record their own training.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The day they left: kept on the list, with their training, but no longer counted.
    left_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    completions: Mapped[list[SyllabusCompletion]] = relationship(
        back_populates="staff_member", order_by="SyllabusCompletion.level", lazy="selectin"
    )

    def completed(self, level: int) -> SyllabusCompletion | None:
        return next((c for c in self.completions if c.level == level), None)


class SyllabusCompletion(Base):
    __tablename__ = "readiness_syllabus_completions"
    __table_args__ = (UniqueConstraint("staff_member_id", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_member_id: Mapped[int] = mapped_column(ForeignKey("readiness_staff.id"))
    level: Mapped[int]
    completed_on: Mapped[date]
    source: Mapped[str] = mapped_column(String(20))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    staff_member: Mapped[StaffMember] = relationship(back_populates="completions")

    @property
    def source_label(self) -> str:
        return CompletionSource.label_for(self.source)
