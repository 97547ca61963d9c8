"""Staff and their NHS patient safety syllabus training: listed by their lead, recorded by the
lead, by the person themselves or from a CSV file (psirf/readiness/importing.py); each change
recounts the organisation's syllabus records (their rows locked first, so changes made at once are
all counted) and is audited.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from psirf import audit, policy
from psirf.db import flush
from psirf.organisations.models import Organisation
from psirf.problems import InputError
from psirf.readiness import commitments
from psirf.readiness.models import CompletionSource, StaffMember, SyllabusCompletion
from psirf.readiness.services import recount, record_row, status_from
from psirf.timeutil import utcnow

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def staff(session: Session, organisation: Organisation) -> list[StaffMember]:
    return list(
        session.scalars(
            select(StaffMember)
            .where(StaffMember.organisation_id == organisation.id)
            .order_by(StaffMember.name, StaffMember.id)
        )
    )


# ---- staff and the patient safety syllabus -------------------------------------------------------


def _recount_syllabus(session: Session, user, organisation_id: int, why: dict) -> None:
    """Recount every syllabus level's record of the organisation (their rows locked first)."""
    levels = commitments.syllabus()
    organisation = session.get(Organisation, organisation_id)
    for commitment in levels:
        if commitment.applies(organisation.kind):
            record_row(session, organisation_id, commitment.key, lock=True)
    total = session.scalar(
        select(func.count(StaffMember.id)).where(StaffMember.organisation_id == organisation_id)
    )
    done = dict(
        session.execute(
            select(SyllabusCompletion.level, func.count(SyllabusCompletion.id))
            .join(StaffMember, StaffMember.id == SyllabusCompletion.staff_member_id)
            .where(StaffMember.organisation_id == organisation_id)
            .group_by(SyllabusCompletion.level)
        ).all()
    )
    for commitment in levels:
        if not commitment.applies(organisation.kind):
            continue
        record = record_row(session, organisation_id, commitment.key, lock=False)
        count = int(done.get(commitment.level, 0))
        recount(session, user, record, count, total, status_from(count, total), why)


def _lock_syllabus(session: Session, organisation: Organisation) -> None:
    for commitment in commitments.syllabus():
        if commitment.applies(organisation.kind):
            record_row(session, organisation.id, commitment.key, lock=True)


def _normal_email(email: str | None) -> str:
    email = (email or "").strip().lower()
    if not EMAIL.fullmatch(email) or len(email) > 254:
        raise InputError("email", "Enter their email address, like name@example.nhs.uk")
    return email


def add_staff(
    session: Session, user, organisation: Organisation, name: str, email: str, *, recount=True
) -> StaffMember:
    policy.require_may_record_readiness(user, organisation)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InputError("name", "Enter their name, up to 200 characters")
    email = _normal_email(email)
    _lock_syllabus(session, organisation)
    if session.scalar(
        select(StaffMember.id).where(
            StaffMember.organisation_id == organisation.id, StaffMember.email == email
        )
    ):
        raise InputError("email", "Someone with this email address is already listed")
    member = StaffMember(organisation_id=organisation.id, name=name, email=email)
    session.add(member)
    flush(session)
    if recount:
        _recount_syllabus(
            session, user, organisation.id, {"staff": {"before": None, "after": name}}
        )
    return member


def own_staff_member(session: Session, user, organisation: Organisation) -> StaffMember | None:
    return session.scalar(
        select(StaffMember).where(
            StaffMember.organisation_id == organisation.id,
            or_(StaffMember.user_id == user.id, StaffMember.email == user.email.lower()),
        )
    )


def record_completion(
    session: Session,
    user,
    member: StaffMember,
    level: int,
    completed_on: date | None,
    *,
    source: str | None = None,
    recount: bool = True,
) -> SyllabusCompletion:
    """Record (or correct the date of) a member of staff's completion of a syllabus level."""
    organisation = session.get(Organisation, member.organisation_id)
    policy.require_may_record_training(user, organisation, member.user_id)
    if level not in {c.level for c in commitments.syllabus()}:
        raise InputError("level", "Choose level 1 or level 2")
    if completed_on is None:
        raise InputError("completed_on", "Enter the date they completed it")
    if completed_on > utcnow().date():
        raise InputError("completed_on", "The date they completed it must be today or in the past")
    if source is None:
        source = (
            CompletionSource.SELF.value
            if member.user_id == user.id
            else CompletionSource.LEAD.value
        )
    _lock_syllabus(session, organisation)
    completion = session.scalar(
        select(SyllabusCompletion).where(
            SyllabusCompletion.staff_member_id == member.id, SyllabusCompletion.level == level
        )
    )
    before = completion.completed_on.isoformat() if completion is not None else None
    if completion is None:
        completion = SyllabusCompletion(
            staff_member_id=member.id,
            level=level,
            completed_on=completed_on,
            source=source,
            recorded_by_id=user.id,
        )
        session.add(completion)
    elif completion.completed_on == completed_on:
        return completion
    else:
        completion.completed_on, completion.source = completed_on, source
        completion.recorded_by_id = user.id
    flush(session)
    audit.record(
        session,
        actor_id=user.id,
        action="readiness:training",
        subject=completion,
        organisation_id=organisation.id,
        changes={"completed_on": {"before": before, "after": completed_on.isoformat()}},
        comment=f"Level {level}",
    )
    if recount:
        _recount_syllabus(
            session,
            user,
            organisation.id,
            {f"level_{level}": {"before": None, "after": member.name}},
        )
    return completion


def record_own_completion(
    session: Session, user, organisation: Organisation, level: int, completed_on: date | None
) -> SyllabusCompletion:
    """A person records their own training at an organisation where they work (listed there,
    by their account, the first time)."""
    if organisation.id not in {o.id for o in policy.training_organisations(user)}:
        raise InputError("organisation_id", "Choose an organisation where you work")
    member = own_staff_member(session, user, organisation)
    if member is None:
        _lock_syllabus(session, organisation)
        member = StaffMember(
            organisation_id=organisation.id,
            name=user.name,
            email=user.email.lower(),
            user_id=user.id,
        )
        session.add(member)
        flush(session)
    elif member.user_id is None:
        member.user_id = user.id
    return record_completion(session, user, member, level, completed_on)


def own_training(session: Session, user) -> list[tuple[Organisation, StaffMember | None]]:
    return [(o, own_staff_member(session, user, o)) for o in policy.training_organisations(user)]


def recount_after_import(session: Session, user, organisation_id: int, rows: int) -> None:
    _recount_syllabus(session, user, organisation_id, {"imported": {"before": None, "after": rows}})
