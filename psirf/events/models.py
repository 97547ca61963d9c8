"""A safety event as LFPSE records it, with the patients it affected."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psirf.extensions import Base
from psirf.labels import LabelledEnum
from psirf.organisations.models import Organisation
from psirf.timeutil import utcnow


class EventStatus(LabelledEnum):
    AWAITING_TRIAGE = ("awaiting_triage", "Awaiting triage")
    LEARNING_RESPONSE = ("learning_response", "Learning response chosen")
    NO_FURTHER_RESPONSE = ("no_further_response", "No further response, kept for insight")
    REFERRED = ("referred", "Referred to another body")


class SafetyEvent(Base):
    __tablename__ = "safety_events"
    __table_args__ = (
        # The triage queue and event lists filter by organisation and status, newest first.
        Index("ix_safety_events_queue", "organisation_id", "status", "created_at", "id"),
        Index("ix_safety_events_org_created", "organisation_id", "created_at", "id"),
        Index("ix_safety_events_reporter", "reporter_user_id", "created_at"),
        # Good care of an area's services by when it happened (a learning bulletin's examples):
        # partial, so it holds only the few good care records among the events.
        Index(
            "ix_safety_events_good_care",
            "organisation_id",
            "occurred_on",
            postgresql_where=text("record_type = 'good_care'"),
            sqlite_where=text("record_type = 'good_care'"),
        ),
        # Bulk import (psirf/imports) is idempotent on the sending system's own reference: one
        # event per reference at an organisation. Events recorded here have none (NULLs differ).
        UniqueConstraint(
            "organisation_id", "source_reference", name="uq_safety_events_source_reference"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    record_type: Mapped[str] = mapped_column(String(20))
    theme: Mapped[str] = mapped_column(String(30))
    occurred_on: Mapped[date]
    service_area: Mapped[str | None] = mapped_column(String(30))
    location: Mapped[str | None] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text)
    immediate_actions: Mapped[str | None] = mapped_column(Text)
    agents: Mapped[list] = mapped_column(JSON, default=list)
    processes: Mapped[list] = mapped_column(JSON, default=list)
    physical_harm: Mapped[str | None] = mapped_column(String(20))
    psychological_harm: Mapped[str | None] = mapped_column(String(20))
    never_event: Mapped[bool] = mapped_column(default=False)
    # Governance, as LFPSE records it: the Never Event type (a key of seed/never_events.yaml; sets
    # never_event) and the national requirement categories someone believes apply (keys of
    # seed/national_requirements.yaml).
    never_event_type: Mapped[str | None] = mapped_column(String(40))
    national_flags: Mapped[list] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    # Diagnosis events only: did the patient have three or more consultations for the same
    # unresolved or escalating symptoms (a RepeatPresentation value; None when not asked).
    repeat_presentation: Mapped[str | None] = mapped_column(String(10))

    status: Mapped[str] = mapped_column(String(30), default=EventStatus.AWAITING_TRIAGE.value)
    triage_rationale: Mapped[str | None] = mapped_column(Text)
    triaged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    triaged_at: Mapped[datetime | None]
    # What triage recommended (a method, "referral" or "no_further_response") and, when the lead
    # chose otherwise, why.
    triage_recommendation: Mapped[str | None] = mapped_column(String(30))
    # The rule it came from (psirf.triage.recommend.Source): a national requirement's row, or the
    # plan, its version and the row, as they stood when the lead decided.
    triage_recommendation_source: Mapped[dict | None] = mapped_column(JSON)
    triage_deviation_reason: Mapped[str | None] = mapped_column(Text)
    # Referred to another body (status "referred"), with or without a local response alongside.
    referral_body: Mapped[str | None] = mapped_column(String(200))
    referred_on: Mapped[date | None]
    referral_reference: Mapped[str | None] = mapped_column(String(100))
    learning_response_id: Mapped[int | None] = mapped_column(
        ForeignKey("learning_responses.id"), index=True
    )

    reporter_kind: Mapped[str] = mapped_column(String(20))
    # An imported event's reference in the system it came from (None when recorded here).
    source_reference: Mapped[str | None] = mapped_column(String(100))
    reporter_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    identity_protected: Mapped[bool] = mapped_column(default=False)
    # Public reports only: how to reach the person who reported, if they chose to say.
    reporter_name: Mapped[str | None] = mapped_column(String(200))
    reporter_contact: Mapped[str | None] = mapped_column(String(254))
    # Public reports: a hash of the private code given at submission, with which the reporter
    # follows the report by its reference without an account.
    follow_code_hash: Mapped[str | None] = mapped_column(String(64))

    # LFPSE's Revision: 1 as reported, one more for each correction saved (psirf.events.revisions).
    revision: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    # Optimistic locking: two people correcting (or triaging) at once cannot both win silently.
    version_id: Mapped[int] = mapped_column(default=1, server_default=text("1"))

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version_id}

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    patients: Mapped[list[EventPatient]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventPatient.sequence"
    )
    learning_response = relationship("LearningResponse", back_populates="events")
    updates: Mapped[list[ReporterUpdate]] = relationship(
        back_populates="event", order_by=lambda: [ReporterUpdate.created_at, ReporterUpdate.id]
    )

    def __repr__(self) -> str:
        return f"<SafetyEvent {self.reference}>"


class EventPatient(Base):
    """One patient affected by an event: LFPSE records harm per patient."""

    __tablename__ = "event_patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("safety_events.id"), index=True)
    sequence: Mapped[int] = mapped_column(default=1)
    physical_harm: Mapped[str | None] = mapped_column(String(20))
    psychological_harm: Mapped[str | None] = mapped_column(String(20))
    age_band: Mapped[str | None] = mapped_column(String(10))
    gender: Mapped[str | None] = mapped_column(String(20))
    ethnicity: Mapped[str | None] = mapped_column(String(30))
    nhs_number: Mapped[str | None] = mapped_column(String(10))

    event: Mapped[SafetyEvent] = relationship(back_populates="patients")


class EventRevision(Base):
    """A correction saved to an event: its number, who, when, why, and each field's before and
    after. Append-only (the database refuses UPDATE and DELETE); revision 1, as reported, is the
    event's own creation, so only corrections have rows. The event row always holds the latest
    values, so counts and dashboards never read this table."""

    __tablename__ = "event_revisions"
    __table_args__ = (UniqueConstraint("event_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("safety_events.id"))
    number: Mapped[int]
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    # {field name: {"before": stored value, "after": stored value}}; "patients" holds the lists.
    changes: Mapped[dict] = mapped_column(JSON)


class ReporterUpdateKind(LabelledEnum):
    ACKNOWLEDGED = ("acknowledged", "We have your report")
    RESPONSE_CHOSEN = ("response_chosen", "What we are doing and why")
    WHAT_CHANGED = ("what_changed", "What changed because of your report")


class ReporterUpdate(Base):
    """A message to the person who reported an event, in plain words: their inbox, or what an
    anonymous reporter sees with their reference and code."""

    __tablename__ = "reporter_updates"
    __table_args__ = (Index("ix_reporter_updates_event", "event_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("safety_events.id"))
    kind: Mapped[str] = mapped_column(String(30))
    body: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[SafetyEvent] = relationship(back_populates="updates")

    @property
    def kind_label(self) -> str:
        return ReporterUpdateKind.label_for(self.kind)
