"""Staff and their NHS patient safety syllabus training: listed by their lead, recorded by the
lead, by the person themselves or from a CSV file (psirf/readiness/importing.py); each change
recounts the organisation's syllabus records (their rows locked first, so changes made at once are
all counted) and is audited.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, or_, select, update
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


STILL_THERE = StaffMember.left_on.is_(None)


def staff(session: Session, organisation: Organisation) -> list[StaffMember]:
    """Those working there now, whose training is counted, by name."""
    return list(
        session.scalars(
            select(StaffMember)
            .where(StaffMember.organisation_id == organisation.id, STILL_THERE)
            .order_by(StaffMember.name, StaffMember.id)
        )
    )


def member_of(
    session: Session, organisation: Organisation, member_id: int | None
) -> StaffMember | None:
    """The member of staff with this id if they are listed at `organisation`, else None."""
    if member_id is None:
        return None
    member = session.get(StaffMember, member_id)
    return member if member is not None and member.organisation_id == organisation.id else None


def everyone_listed(organisation: Organisation, *, current_only: bool = False):
    """SELECT of everyone listed at `organisation`, those who left too unless `current_only`."""
    stmt = select(StaffMember).where(StaffMember.organisation_id == organisation.id)
    return stmt.where(STILL_THERE) if current_only else stmt


def former_staff(session: Session, organisation: Organisation) -> list[StaffMember]:
    """Those who have left, most recent first: kept with their training, no longer counted."""
    return list(
        session.scalars(
            select(StaffMember)
            .where(StaffMember.organisation_id == organisation.id, StaffMember.left_on.is_not(None))
            .order_by(StaffMember.left_on.desc(), StaffMember.id)
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
        select(func.count(StaffMember.id)).where(
            StaffMember.organisation_id == organisation_id, STILL_THERE
        )
    )
    done = dict(
        session.execute(
            select(SyllabusCompletion.level, func.count(SyllabusCompletion.id))
            .join(StaffMember, StaffMember.id == SyllabusCompletion.staff_member_id)
            .where(StaffMember.organisation_id == organisation_id, STILL_THERE)
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
    listed = session.scalar(
        select(StaffMember).where(
            StaffMember.organisation_id == organisation.id, StaffMember.email == email
        )
    )
    if listed is not None and listed.left_on is None:
        raise InputError("email", "Someone with this email address is already listed")
    if listed is not None:
        _set_left(session, user, listed, None, "readiness:staff_returned")
        if recount:
            _recount_syllabus(
                session, user, organisation.id, {"staff": {"before": None, "after": listed.name}}
            )
        return listed
    member = StaffMember(organisation_id=organisation.id, name=name, email=email)
    session.add(member)
    flush(session)
    if recount:
        _recount_syllabus(
            session, user, organisation.id, {"staff": {"before": None, "after": name}}
        )
    return member


def _set_left(session: Session, user, member: StaffMember, left_on, action: str) -> None:
    """Mark them as left on `left_on` (or back, with None), only from the other state: of two
    people doing it at once, one changes it and the other is told it is done already."""
    was = None if left_on is not None else member.left_on
    changed = session.execute(
        update(StaffMember)
        .where(
            StaffMember.id == member.id,
            STILL_THERE if left_on is not None else StaffMember.left_on.is_not(None),
        )
        .values(left_on=left_on)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise InputError(
            "member_id",
            f"{member.name} is already listed as having left"
            if left_on is not None
            else f"{member.name} is already listed",
        )
    session.refresh(member, ["left_on"])
    audit.record(
        session,
        actor_id=user.id,
        action=action,
        subject=member,
        organisation_id=member.organisation_id,
        changes={
            "left_on": {
                "before": was.isoformat() if was else None,
                "after": left_on.isoformat() if left_on else None,
            }
        },
        comment=member.name,
    )


def mark_left(session: Session, user, member: StaffMember, left_on: date | None) -> StaffMember:
    """They have left: kept on the list with their training, no longer counted in the syllabus
    shares (so an organisation whose leavers had not trained can reach 100% again)."""
    organisation = session.get(Organisation, member.organisation_id)
    policy.require_may_record_readiness(user, organisation)
    if left_on is None:
        raise InputError("left_on", "Enter the date they left")
    if left_on > utcnow().date():
        raise InputError("left_on", "The date they left must be today or in the past")
    _lock_syllabus(session, organisation)
    _set_left(session, user, member, left_on, "readiness:staff_left")
    _recount_syllabus(
        session, user, organisation.id, {"left": {"before": None, "after": member.name}}
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
    if member.left_on is not None:
        raise InputError(
            "member_id", f"{member.name} has left: their training is no longer counted"
        )
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
    if member is not None and member.left_on is not None:
        raise InputError("organisation_id", f"You are listed as having left {organisation.name}")
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
