"""Recording readiness: each commitment's status and evidence, the people an organisation names
and the ICB's confirmation (staff and their syllabus training: psirf/readiness/training.py).

Who may do what is the policy's (`psirf.policy.readiness`); these functions ask it. Each change is
audited in its transaction. The row the map reads (`CommitmentRecord`) is locked before a change
that recounts it (names, staff, training), so two people changing one organisation at once count
each other's change; a record changed from a page that showed an older version is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from psirf import audit, policy
from psirf.db import ChangedBySomeoneElse, check_version, flush, record_change
from psirf.organisations.models import Organisation
from psirf.plans.models import IN_FORCE, PsirfPlan
from psirf.problems import InputError
from psirf.readiness import commitments
from psirf.readiness.commitments import Commitment, Status
from psirf.readiness.models import CommitmentRecord, NamedPerson
from psirf.timeutil import utcnow

URL = re.compile(r"https://[^\s<>\"']{3,490}")
EVIDENCE_FIELDS = ("status", "route", "note", "evidence_on", "evidence_url")


# ---- reading ------------------------------------------------------------------------------------


def get_organisation(session: Session, organisation_id: int) -> Organisation | None:
    return session.get(Organisation, organisation_id, options=[selectinload(Organisation.groups)])


@dataclass
class Standing:
    """One commitment as an organisation stands against it."""

    commitment: Commitment
    record: CommitmentRecord | None
    status: str
    plan: PsirfPlan | None = None  # the plan in force that makes PSIRF adopted

    @property
    def status_label(self) -> str:
        return Status.label_for(self.status)

    @property
    def version(self) -> int:
        return self.record.version_id if self.record is not None else 0

    @property
    def summary(self) -> str:
        return describe(self.commitment, self.record, self.plan)


def describe(commitment: Commitment, record: CommitmentRecord | None, plan=None) -> str:
    """The cell's words: the status, with the count or the plan that makes it."""
    status = record.status if record is not None else Status.NOT_STARTED.value
    if commitment.measure == "plan" and plan is not None:
        return f"In place: {plan.organisation.name}'s plan"
    if commitment.measure == "named":
        count = record.count if record is not None and record.count is not None else 0
        if count > commitment.minimum:
            # More than asked for: "3 of 2" would read as a mistake.
            return f"{Status.label_for(status)}: {count} named"
        return f"{Status.label_for(status)}: {count} of {commitment.minimum} named"
    if commitment.measure == "syllabus":
        if record is None or not record.total:
            return "No staff listed"
        return f"{Status.label_for(status)}: {record.count} of {record.total} staff"
    return Status.label_for(status)


def plan_in_force(session: Session, organisation: Organisation) -> PsirfPlan | None:
    """The PSIRF plan that covers the organisation: its own, or its PCN's or federation's."""
    ids = [organisation.id] + [g.id for g in organisation.groups]
    return session.scalar(
        select(PsirfPlan)
        .where(PsirfPlan.organisation_id.in_(ids), PsirfPlan.state.in_(IN_FORCE))
        .options(selectinload(PsirfPlan.organisation))
        .order_by(PsirfPlan.organisation_id != organisation.id, PsirfPlan.number.desc())
        .limit(1)
    )


def standings(session: Session, organisation: Organisation) -> list[Standing]:
    records = {
        r.commitment: r
        for r in session.scalars(
            select(CommitmentRecord)
            .where(CommitmentRecord.organisation_id == organisation.id)
            .options(
                selectinload(CommitmentRecord.recorded_by),
                selectinload(CommitmentRecord.confirmed_by),
            )
        )
    }
    plan = plan_in_force(session, organisation)
    found = []
    for commitment in commitments.all_commitments():
        if not commitment.applies(organisation.kind):
            continue
        record = records.get(commitment.key)
        status = record.status if record is not None else Status.NOT_STARTED.value
        derived = plan if commitment.measure == "plan" else None
        if derived is not None:
            status = Status.MET.value
        found.append(Standing(commitment, record, status, derived))
    return found


def named_people(session: Session, organisation: Organisation) -> dict[str, list[NamedPerson]]:
    rows = session.scalars(
        select(NamedPerson)
        .where(NamedPerson.organisation_id == organisation.id)
        .order_by(NamedPerson.name, NamedPerson.id)
    )
    found: dict[str, list[NamedPerson]] = {c.key: [] for c in commitments.named()}
    for person in rows:
        found.setdefault(person.commitment, []).append(person)
    return found


# ---- the record the map reads -------------------------------------------------------------------


def commitment_for(organisation: Organisation, key: str) -> Commitment:
    commitment = commitments.by_key(key)
    if commitment is None or not commitment.applies(organisation.kind):
        raise InputError("commitment", "Choose a commitment that applies to this organisation")
    return commitment


def _existing(session: Session, organisation_id: int, key: str) -> CommitmentRecord | None:
    return session.scalar(
        select(CommitmentRecord).where(
            CommitmentRecord.organisation_id == organisation_id,
            CommitmentRecord.commitment == key,
        )
    )


def record_row(session: Session, organisation_id: int, key: str, lock: bool) -> CommitmentRecord:
    """The organisation's row for the commitment, made if it has none; locked when `lock`, so a
    recount waits for another change to the same row rather than counting past it."""
    stmt = select(CommitmentRecord).where(
        CommitmentRecord.organisation_id == organisation_id, CommitmentRecord.commitment == key
    )
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    record = session.scalar(stmt)
    if record is None:
        record = CommitmentRecord(
            organisation_id=organisation_id, commitment=key, status=Status.NOT_STARTED.value
        )
        session.add(record)
        flush(session)  # a row made at the same moment by someone else: ChangedBySomeoneElse
    return record


def status_from(count: int, needed: int) -> str:
    if needed and count >= needed:
        return Status.MET.value
    return Status.IN_PROGRESS.value if count else Status.NOT_STARTED.value


def recount(
    session: Session,
    user,
    record: CommitmentRecord,
    count: int,
    total: int | None,
    status: str,
    why: dict,
) -> None:
    before = audit.snapshot(record, ("status", "count", "total"))
    record.count, record.total, record.status = count, total, status
    changes = audit.diff(before, audit.snapshot(record, ("status", "count", "total"))) | why
    if record.confirmed_at is not None and "status" in changes:
        changes["confirmed_at"] = {"before": record.confirmed_at.isoformat(), "after": None}
        record.confirmed_at, record.confirmed_by_id = None, None
    record_change(session, record, actor_id=user.id, action="readiness:recount", changes=changes)


# ---- recording a status and its evidence ---------------------------------------------------------


def check_evidence(note: str | None, evidence_on: date | None, evidence_url: str | None) -> None:
    if evidence_on is not None and evidence_on > utcnow().date():
        raise InputError("evidence_on", "The date of the evidence must be today or in the past")
    if evidence_url and not URL.fullmatch(evidence_url):
        raise InputError(
            "evidence_url",
            "Enter the link to the document as a web address starting https://, up to 500 characters",
        )


def record_evidence(
    session: Session,
    user,
    organisation: Organisation,
    key: str,
    *,
    status: str | None,
    route: str | None,
    note: str | None,
    evidence_on: date | None,
    evidence_url: str | None,
    expected_version: int | None,
) -> CommitmentRecord:
    """Record where the organisation stands on one commitment and the evidence for it. A status is
    recorded for the commitments measured by status; the others are counted, and take evidence only."""
    policy.require_may_record_readiness(user, organisation)
    commitment = commitment_for(organisation, key)
    note, evidence_url = (note or "").strip() or None, (evidence_url or "").strip() or None
    check_evidence(note, evidence_on, evidence_url)
    record = _existing(session, organisation.id, key)
    if record is not None:
        check_version(record, expected_version)  # version 0: the page saw no record yet
    elif expected_version:
        raise ChangedBySomeoneElse()  # a version of a record that does not exist
    else:
        record = record_row(session, organisation.id, key, lock=False)
    before = audit.snapshot(record, EVIDENCE_FIELDS)
    if commitment.recorded_by_hand:
        if status not in {s.value for s in Status}:
            raise InputError("status", "Choose where the organisation stands on this commitment")
        record.status = status
        if commitment.options:
            if route not in {o.key for o in commitment.options}:
                if status == Status.MET.value:
                    raise InputError("route", "Say how the commitment is met")
                route = None
            record.route = route
    record.note, record.evidence_on, record.evidence_url = note, evidence_on, evidence_url
    changes = audit.diff(before, audit.snapshot(record, EVIDENCE_FIELDS))
    if not changes:
        return record
    record.recorded_by_id, record.recorded_at = user.id, utcnow()
    if record.confirmed_at is not None:
        # What the ICB confirmed is no longer what is recorded.
        changes["confirmed_at"] = {"before": record.confirmed_at.isoformat(), "after": None}
        record.confirmed_at, record.confirmed_by_id = None, None
    record_change(session, record, actor_id=user.id, action="readiness:record", changes=changes)
    return record


def confirm(
    session: Session, user, organisation: Organisation, key: str, expected_version: int | None
) -> CommitmentRecord:
    """The ICB confirms what the organisation recorded (it is cleared when the record changes)."""
    policy.require_may_confirm_readiness(user, organisation)
    commitment_for(organisation, key)
    record = _existing(session, organisation.id, key)
    if record is None or (record.recorded_at is None and record.count is None):
        raise InputError(None, "There is nothing recorded to confirm yet")
    check_version(record, expected_version)
    before = audit.snapshot(record, ("confirmed_by_id", "confirmed_at"))
    record.confirmed_by_id, record.confirmed_at = user.id, utcnow()
    record_change(
        session,
        record,
        actor_id=user.id,
        action="readiness:confirm",
        changes=audit.diff(before, audit.snapshot(record, ("confirmed_by_id", "confirmed_at"))),
    )
    return record


# ---- named people -------------------------------------------------------------------------------


def _recount_named(session: Session, user, organisation: Organisation, commitment, why: dict):
    record = record_row(session, organisation.id, commitment.key, lock=True)
    count = session.scalar(
        select(func.count(NamedPerson.id)).where(
            NamedPerson.organisation_id == organisation.id,
            NamedPerson.commitment == commitment.key,
        )
    )
    recount(session, user, record, count, None, status_from(count, commitment.minimum), why)
    return record


def add_named(
    session: Session, user, organisation: Organisation, key: str, name: str, since: date | None
) -> NamedPerson:
    policy.require_may_record_readiness(user, organisation)
    commitment = commitment_for(organisation, key)
    if commitment.measure != "named":
        raise InputError("commitment", "People are named only for leads and partners")
    name = (name or "").strip()
    if not name:
        raise InputError("name", "Enter the person's name")
    if len(name) > 200:
        raise InputError("name", "Enter a name of 200 characters or fewer")
    if since is not None and since > utcnow().date():
        raise InputError("since", "The date they started must be today or in the past")
    # Lock first, so two people naming at once both count.
    record_row(session, organisation.id, key, lock=True)
    person = NamedPerson(
        organisation_id=organisation.id,
        commitment=key,
        name=name,
        since=since,
        added_by_id=user.id,
    )
    session.add(person)
    flush(session)
    _recount_named(
        session, user, organisation, commitment, {"named": {"before": None, "after": name}}
    )
    return person


def remove_named(
    session: Session, user, organisation: Organisation, key: str, person_id: int
) -> None:
    policy.require_may_record_readiness(user, organisation)
    person = session.get(NamedPerson, person_id)
    if person is None or (person.organisation_id, person.commitment) != (organisation.id, key):
        raise policy.NotVisible("Page not found")
    commitment = commitment_for(organisation, person.commitment)
    record_row(session, organisation.id, commitment.key, lock=True)
    name = person.name
    session.delete(person)
    flush(session)
    _recount_named(
        session, user, organisation, commitment, {"named": {"before": name, "after": None}}
    )
