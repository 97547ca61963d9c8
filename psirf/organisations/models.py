"""Organisations and the groups (PCNs, federations) their services belong to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psirf.extensions import Base
from psirf.labels import LabelledEnum
from psirf.timeutil import utcnow


class OrganisationKind(LabelledEnum):
    ICB = ("icb", "Integrated care board")
    PCN = ("pcn", "Primary care network")
    FEDERATION = ("federation", "GP federation")
    PRACTICE = ("practice", "General practice")
    PHARMACY = ("pharmacy", "Community pharmacy")
    DENTAL = ("dental", "Dental service")
    OPTOMETRY = ("optometry", "Optometry service")
    TRUST = ("trust", "NHS trust")
    OTHER = ("other", "Other partner organisation")

    @property
    def is_group(self) -> bool:
        return self in (OrganisationKind.PCN, OrganisationKind.FEDERATION)

    @property
    def is_service(self) -> bool:
        return self in SERVICE_KINDS


SERVICE_KINDS = frozenset(
    {
        OrganisationKind.PRACTICE,
        OrganisationKind.PHARMACY,
        OrganisationKind.DENTAL,
        OrganisationKind.OPTOMETRY,
    }
)


class Organisation(Base):
    __tablename__ = "organisations"
    # Searched within an ICB and listed by lowered name (psirf/organisations/search.py): on
    # PostgreSQL the lowered name indexed under the "C" collation (migration 0016), as it orders.
    __table_args__ = (
        Index("ix_organisations_icb_lower_name", "icb_id", text("lower(name)")).ddl_if(
            dialect="postgresql"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ods_code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    # Every organisation but an ICB sits in one ICB; scoping by ICB is one indexed column.
    icb_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    icb: Mapped[Organisation | None] = relationship(remote_side=[id])
    groups: Mapped[list[Organisation]] = relationship(
        secondary="organisation_memberships",
        primaryjoin="Organisation.id == OrganisationMembership.member_id",
        secondaryjoin="Organisation.id == OrganisationMembership.group_id",
        order_by="Organisation.name",
        viewonly=True,
    )
    members: Mapped[list[Organisation]] = relationship(
        secondary="organisation_memberships",
        primaryjoin="Organisation.id == OrganisationMembership.group_id",
        secondaryjoin="Organisation.id == OrganisationMembership.member_id",
        order_by="Organisation.name",
        viewonly=True,
    )

    @property
    def kind_enum(self) -> OrganisationKind:
        return OrganisationKind(self.kind)

    @property
    def kind_label(self) -> str:
        return OrganisationKind.label_for(self.kind)

    def __repr__(self) -> str:
        return f"<Organisation {self.ods_code} {self.name!r}>"


class OrganisationMembership(Base):
    """A service's membership of a PCN or federation: a practice may belong to both."""

    __tablename__ = "organisation_memberships"
    __table_args__ = (UniqueConstraint("member_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
