"""The pharmacy near-miss log: an error caught before a medicine left the pharmacy, recorded at the
bench in a few clicks and kept for the pharmacy's own review. A near miss is not a safety event and
is not sent to LFPSE; promoted, it becomes one (its `event_id`), through the events' own service."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psirf.extensions import Base
from psirf.labels import LabelledEnum
from psirf.organisations.models import Organisation
from psirf.timeutil import utcnow


class ErrorType(LabelledEnum):
    """What was nearly given wrongly."""

    WRONG_MEDICINE = ("wrong_medicine", "Wrong medicine")
    WRONG_STRENGTH = ("wrong_strength", "Wrong strength")
    WRONG_FORM = ("wrong_form", "Wrong form (tablet, capsule, liquid...)")
    WRONG_QUANTITY = ("wrong_quantity", "Wrong quantity")
    WRONG_PATIENT = ("wrong_patient", "Wrong patient")
    WRONG_LABEL = ("wrong_label", "Wrong label or directions")
    OUT_OF_DATE = ("out_of_date", "Out of date")
    OTHER = ("other", "Something else")


class Stage(LabelledEnum):
    """The step at which the error was caught."""

    ACCURACY_CHECK = ("accuracy_check", "Accuracy check")
    CLINICAL_CHECK = ("clinical_check", "Clinical check")
    HAND_OUT = ("hand_out", "Hand-out")
    BY_PATIENT = ("by_patient", "By the patient or carer")


class Cause(LabelledEnum):
    """The likely cause, as the person who caught it sees it."""

    LOOK_ALIKE = ("look_alike", "Look-alike or sound-alike name or packaging")
    PICKING = ("picking", "Picked from the wrong place")
    LABELLING = ("labelling", "Labelling or transcription")
    BUSY = ("busy", "Busy, interrupted or distracted")
    PRESCRIPTION = ("prescription", "Unclear or wrong prescription")
    OTHER = ("other", "Something else")


MEDICINE_MAX = 200
NOTE_MAX = 500


def medicine_key(medicine: str) -> str:
    """The medicine as the summary groups it: lower case, one space between words; within the
    column, as some letters lower to two ("İ" to "i̇")."""
    return " ".join(medicine.lower().split())[:MEDICINE_MAX]


class NearMiss(Base):
    __tablename__ = "near_misses"
    __table_args__ = (
        # The log, newest first, per pharmacy (keyset on created_at, id).
        Index("ix_near_misses_org_created", "organisation_id", "created_at", "id"),
        # The summaries: a pharmacy's months, and a month's medicines.
        Index("ix_near_misses_org_occurred", "organisation_id", "occurred_on", "medicine_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    occurred_on: Mapped[date]
    error_type: Mapped[str] = mapped_column(String(30))
    stage: Mapped[str] = mapped_column(String(30))
    medicine: Mapped[str] = mapped_column(String(MEDICINE_MAX))
    medicine_key: Mapped[str] = mapped_column(String(MEDICINE_MAX))
    # A dm+d concept id (VMP or AMP, 6 to 18 digits), when the pharmacy system gives one.
    dmd_code: Mapped[str | None] = mapped_column(String(18))
    cause: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The safety event it became: set once, by one promotion (unique: never two events).
    event_id: Mapped[int | None] = mapped_column(ForeignKey("safety_events.id"), unique=True)
    promoted_at: Mapped[datetime | None]
    promoted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version_id: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version_id}

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    event = relationship("SafetyEvent", lazy="joined")

    @property
    def error_type_label(self) -> str:
        return ErrorType.label_for(self.error_type)

    @property
    def stage_label(self) -> str:
        return Stage.label_for(self.stage)

    @property
    def cause_label(self) -> str:
        return Cause.label_for(self.cause)
