"""National patient safety alerts: an alert recorded by the ICB or a PCN, the actions it requires,
the services it applies to, and each service's confirmation of each action with its history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psirf.extensions import Base
from psirf.labels import LabelledEnum
from psirf.organisations.models import Organisation
from psirf.timeutil import utcnow


class AlertState(LabelledEnum):
    DRAFT = ("draft", "Draft")
    ISSUED = ("issued", "Issued")


class ConfirmationStatus(LabelledEnum):
    AWAITING = ("awaiting", "Not yet confirmed")
    IN_PROGRESS = ("in_progress", "In progress")
    DONE = ("done", "Done")
    NOT_APPLICABLE = ("not_applicable", "Not applicable")


# An action confirmed in one of these is finished: it cannot be overdue.
FINISHED = frozenset({ConfirmationStatus.DONE.value, ConfirmationStatus.NOT_APPLICABLE.value})


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("organisation_id", "reference"),
        Index("ix_alerts_icb_created", "icb_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The ICB the alert belongs to, and who recorded it: the ICB itself, or a PCN or federation.
    icb_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    reference: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    issued_on: Mapped[date]  # the date on the national alert
    link: Mapped[str] = mapped_column(String(500))
    # The kinds of service it applies to (OrganisationKind values), comma-separated.
    service_kinds: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20), default=AlertState.DRAFT.value)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # When it was sent to the services here (not the national issue date).
    sent_at: Mapped[datetime | None]
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version_id: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version_id}

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id], lazy="joined")
    actions: Mapped[list[AlertAction]] = relationship(
        back_populates="alert",
        cascade="all, delete-orphan",
        order_by="(AlertAction.deadline, AlertAction.id)",
    )

    @property
    def kinds(self) -> list[str]:
        return [k for k in (self.service_kinds or "").split(",") if k]

    @property
    def is_issued(self) -> bool:
        return self.state == AlertState.ISSUED.value

    @property
    def state_label(self) -> str:
        return AlertState.label_for(self.state)


class AlertAction(Base):
    __tablename__ = "alert_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    alert: Mapped[Alert] = relationship(back_populates="actions")


class AlertRecipient(Base):
    """A service the alert applies to, fixed when it is issued."""

    __tablename__ = "alert_recipients"
    __table_args__ = (
        UniqueConstraint("alert_id", "organisation_id"),
        Index("ix_alert_recipients_organisation", "organisation_id", "alert_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class AlertConfirmation(Base):
    """One service's answer to one action: made "not yet confirmed" when the alert is issued, then
    changed by the service's lead, each change versioned (two people at once: one wins, the other
    is told) and kept in the history."""

    __tablename__ = "alert_confirmations"
    __table_args__ = (
        UniqueConstraint("action_id", "organisation_id"),
        Index("ix_alert_confirmations_alert", "alert_id", "organisation_id"),
        # Overdue lists: a service's (or a scope's) unfinished actions by deadline.
        Index(
            "ix_alert_confirmations_overdue",
            "organisation_id",
            "status",
            "deadline",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"))
    action_id: Mapped[int] = mapped_column(ForeignKey("alert_actions.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    # The action's deadline, copied when issued (actions are fixed from then): overdue is one index.
    deadline: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default=ConfirmationStatus.AWAITING.value)
    note: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)  # why it does not apply
    expected_on: Mapped[date | None]  # when an action in progress is expected to be done
    done_on: Mapped[date | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version_id}

    alert: Mapped[Alert] = relationship()
    action: Mapped[AlertAction] = relationship()
    organisation: Mapped[Organisation] = relationship()
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id])

    @property
    def status_label(self) -> str:
        return ConfirmationStatus.label_for(self.status)

    def is_overdue(self, today: date) -> bool:
        return self.status not in FINISHED and self.deadline < today


class ConfirmationEntry(Base):
    """Append-only: every confirmation as it was given, who gave it and when."""

    __tablename__ = "alert_confirmation_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    confirmation_id: Mapped[int] = mapped_column(ForeignKey("alert_confirmations.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    expected_on: Mapped[date | None]
    done_on: Mapped[date | None]
    confirmed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime]

    confirmed_by = relationship("User")

    @property
    def status_label(self) -> str:
        return ConfirmationStatus.label_for(self.status)
