"""An organisation's readiness history, from the audit trail of its commitment records, as people
read it: the commitment, what was done and by whom, and each change in the page's own words
("Where it stands: Not started to In place"), not the stored codes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf import audit, timeline
from psirf.organisations.models import Organisation
from psirf.readiness import commitments
from psirf.readiness.commitments import Status
from psirf.readiness.models import CommitmentRecord
from psirf.timeline import TimelineEntry, Vocabulary
from psirf.web.dates import audited_moment, format_date

ACTIONS = {
    "readiness:record": "recorded",
    "readiness:recount": "counted again",
    "readiness:confirm": "confirmed",
}
FIELDS = {
    "status": "Where it stands",
    "route": "How it is met",
    "note": "Evidence",
    "evidence_on": "Date of the evidence",
    "evidence_url": "Link to the document",
    "count": "Number counted",
    "total": "Out of",
    "named": "Named",
    "staff": "Staff listed",
    "left": "Has left",
    "imported": "Rows imported",
    "confirmed_at": "Confirmed",
    "confirmed_by_id": "Confirmed by",
}


def _route(value) -> str:
    options = {o.key: o.label for c in commitments.all_commitments() for o in c.options}
    return options.get(value, str(value))


WORDS = Vocabulary(
    actions=ACTIONS,
    fields=FIELDS,
    values={
        "status": Status.label_for,
        "route": _route,
        "evidence_on": format_date,
        "confirmed_at": audited_moment,
    },
    people={"confirmed_by_id"},
)


def history(
    session: Session, organisation: Organisation, limit: int = 50
) -> list[tuple[str, TimelineEntry]]:
    """The latest changes to the organisation's readiness, newest first, each with the label of
    the commitment it changed (the audit trail of its records is their history)."""
    keys = dict(
        session.execute(
            select(CommitmentRecord.id, CommitmentRecord.commitment).where(
                CommitmentRecord.organisation_id == organisation.id
            )
        ).all()
    )
    records = session.scalars(
        select(audit.AuditRecord)
        .where(
            audit.AuditRecord.subject_type == CommitmentRecord.__tablename__,
            audit.AuditRecord.subject_id.in_(list(keys)),
        )
        .order_by(audit.AuditRecord.id.desc())
        .limit(limit)
    ).all()
    labels = {c.key: c.label for c in commitments.all_commitments()}
    entries = timeline.build(session, list(records), WORDS)
    return [
        (labels.get(keys[r.subject_id], keys[r.subject_id]), entry)
        for r, entry in zip(records, entries)
    ]
