"""The append-only audit record: who did what, when, and what changed.

The database refuses UPDATE and DELETE on this table (triggers in the migration), so the
trail cannot be rewritten even by code that forgets the rule.

Changes are keyed by field name (the attribute or form field), never by the label a page shows:
labels change with wording, and the timeline (`psirf.timeline`) finds each feature's words for
them. A change may name what it was about under "of" (the organisation a contribution came from).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Iterable

from sqlalchemy import JSON, ForeignKey, Index, String, Text, and_, inspect, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from psirf.extensions import Base
from psirf.timeutil import utcnow


class AuditRecord(Base):
    __tablename__ = "audit_records"
    __table_args__ = (Index("ix_audit_records_subject", "subject_type", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    comment: Mapped[str | None] = mapped_column(Text)


# A field name, or the path to one in a JSON document (`local_focus[added_1].label`): lower case
# first and no spaces, which no label ("Due date", "open sign-ins") is.
FIELD_NAME = re.compile(r"[a-z]\S*")


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Only the fields that changed, each as {"before": ..., "after": ...}."""
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    subject: Any,
    organisation_id: int | None,
    changes: dict | None = None,
    comment: str | None = None,
) -> AuditRecord:
    """Add a record; `changes` is {field name: {"before": ..., "after": ...}}."""
    labels = [key for key in changes or {} if not FIELD_NAME.fullmatch(key)]
    if labels:
        raise ValueError(f"Audit changes are keyed by field name, not by label: {labels}")
    entry = AuditRecord(
        actor_id=actor_id,
        action=action,
        subject_type=inspect(subject).mapper.class_.__tablename__,
        subject_id=subject.id,
        organisation_id=organisation_id,
        changes=changes or {},
        comment=comment,
    )
    session.add(entry)
    return entry


def trail(session: Session, subjects: list[tuple[str, int]]) -> list[AuditRecord]:
    """The records for several subjects (a response and its events, say), oldest first."""
    if not subjects:
        return []
    condition = or_(
        *[and_(AuditRecord.subject_type == t, AuditRecord.subject_id == i) for t, i in subjects]
    )
    return list(session.scalars(select(AuditRecord).where(condition).order_by(AuditRecord.id)))
