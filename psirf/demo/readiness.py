"""The demo's readiness (seed/readiness.yaml): the people each organisation names, its staff and
their syllabus training, and the statuses recorded, so the ICB's readiness map has gaps to show
(practices without a second patient safety partner, staff without level 1). Loaded once: a
second run adds nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from psirf import audit
from psirf.accounts.models import User
from psirf.demo.history import audit_entry
from psirf.demo.organisations import read_seed
from psirf.organisations.models import Organisation
from psirf.readiness import commitments
from psirf.readiness.commitments import Status
from psirf.readiness.models import (
    CommitmentRecord,
    CompletionSource,
    NamedPerson,
    StaffMember,
    SyllabusCompletion,
)
from psirf.readiness.services import EVIDENCE_FIELDS
from psirf.timeutil import utcnow


# A record before anything is recorded, as readiness.services starts one.
NEW_RECORD = {"status": Status.NOT_STARTED.value}


def _status(count: int, needed: int) -> str:
    if needed and count >= needed:
        return Status.MET.value
    return Status.IN_PROGRESS.value if count else Status.NOT_STARTED.value


def load_readiness(session: Session) -> int:
    """Returns how many organisations it loaded (none when readiness is there already)."""
    if session.scalar(select(func.count(CommitmentRecord.id))):
        return 0
    data = read_seed("readiness.yaml")
    now = utcnow()
    today = now.date()
    users = {u.email: u for u in session.scalars(select(User))}
    default_by = users[data["recorded_by"]]
    loaded = 0
    recorded: list[tuple[CommitmentRecord, object, User]] = []
    for code, spec in data["organisations"].items():
        organisation = session.scalar(select(Organisation).where(Organisation.ods_code == code))
        if organisation is None:
            continue
        loaded += 1
        by = users.get(spec.get("recorded_by"), default_by)

        def record(key: str, organisation_id: int = organisation.id, **values) -> CommitmentRecord:
            row = CommitmentRecord(organisation_id=organisation_id, commitment=key, **values)
            session.add(row)
            return row

        for commitment in commitments.named():
            names = spec.get(commitment.key, [])
            for name in names:
                session.add(
                    NamedPerson(
                        organisation_id=organisation.id,
                        commitment=commitment.key,
                        name=name,
                        added_by_id=by.id,
                    )
                )
            record(
                commitment.key,
                status=_status(len(names), commitment.minimum),
                count=len(names),
            )
        staff = [p for p in spec.get("staff", []) if "left" not in p]
        former = [p for p in spec.get("staff", []) if "left" in p]
        done = {c.level: 0 for c in commitments.syllabus()}
        for person in staff + former:
            member = StaffMember(
                organisation_id=organisation.id,
                name=person["name"],
                email=person["email"],
                user_id=users[person["email"]].id if person["email"] in users else None,
                # `left`: days ago they left; kept on the list, no longer counted.
                left_on=today - timedelta(days=person["left"]) if "left" in person else None,
            )
            session.add(member)
            for level in done:
                days = person.get(f"level_{level}")
                if days is None:
                    continue
                if "left" not in person:  # a leaver's training no longer counts
                    done[level] += 1
                member.completions.append(
                    SyllabusCompletion(
                        level=level,
                        completed_on=today - timedelta(days=days),
                        source=CompletionSource.LEAD.value,
                        recorded_by_id=by.id,
                    )
                )
        if staff:
            for commitment in commitments.syllabus():
                count = done[commitment.level]
                record(
                    commitment.key,
                    status=_status(count, len(staff)),
                    count=count,
                    total=len(staff),
                )
        for key, values in (spec.get("status") or {}).items():
            at = now - timedelta(days=values.get("days_ago", 0))
            row = record(
                key,
                status=values["status"],
                route=values.get("route"),
                note=values.get("note", data["note"]),
                evidence_on=at.date(),
                recorded_by_id=by.id,
                recorded_at=at,
            )
            recorded.append((row, at, by))
    session.flush()
    # What the lead recorded by hand has its history, as readiness.services would have written it.
    session.add_all(
        audit_entry(
            row,
            at,
            by.id,
            "readiness:record",
            audit.diff(NEW_RECORD, audit.snapshot(row, EVIDENCE_FIELDS)),
        )
        for row, at, by in sorted(recorded, key=lambda r: r[1])  # the history's order
    )
    session.flush()
    return loaded
