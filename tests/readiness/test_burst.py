"""Two leads at one practice at once: every partner named, member of staff listed and level
recorded at the same moment is counted in the record the map reads (each change locks the row it
recounts), checked against the raw rows after a burst from real threads, each with its own session
and transaction."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from psirf.accounts.models import Role, User
from psirf.extensions import db
from psirf.organisations.models import Organisation
from psirf.readiness import services, training
from psirf.readiness.models import (
    CommitmentRecord,
    NamedPerson,
    StaffMember,
    SyllabusCompletion,
)
from tests.support import readiness as make
from tests.support.bursts import run_at_once
from tests.support.factories import UserFactory, one_commit

THREADS = 4


def _run_at_once(app, jobs: list) -> list[BaseException]:
    return run_at_once(app, jobs, THREADS)


def test_changes_made_at_once_are_all_counted(app, world):
    with one_commit():
        second_lead = UserFactory(role=(Role.EXECUTIVE_LEAD, world.practice))
    # The records exist before the burst (the first of each is made by one person).
    make.named(world.lead, world.practice, "patient_safety_partners", "First Partner")
    make.staff(world.lead, world.practice, ("First Staff", "first@example.org"), level_1=1)
    practice_id, leads = world.practice.id, [world.lead.id, second_lead.id]

    def name(n):
        user = db.session.get(User, leads[n % 2])
        services.add_named(
            db.session,
            user,
            db.session.get(Organisation, practice_id),
            "patient_safety_partners",
            f"Partner {n}",
            None,
        )

    def list_and_train(n):
        user = db.session.get(User, leads[n % 2])
        organisation = db.session.get(Organisation, practice_id)
        member = training.add_staff(
            db.session, user, organisation, f"Staff {n}", f"s{n}@example.org"
        )
        if n % 2:
            training.record_completion(db.session, user, member, 1, date(2026, 1, 2))

    jobs = [lambda n=n: name(n) for n in range(8)] + [
        lambda n=n: list_and_train(n) for n in range(8)
    ]

    assert _run_at_once(app, jobs) == []

    db.session.expire_all()

    def record(key):
        return db.session.scalar(
            select(CommitmentRecord).where(
                CommitmentRecord.organisation_id == practice_id, CommitmentRecord.commitment == key
            )
        )

    named = db.session.scalar(select(func.count()).select_from(NamedPerson))
    staff = db.session.scalar(select(func.count()).select_from(StaffMember))
    trained = db.session.scalar(
        select(func.count()).select_from(SyllabusCompletion).where(SyllabusCompletion.level == 1)
    )
    assert (record("patient_safety_partners").count, named) == (9, 9)
    level_1 = record("syllabus_level_1")
    assert (level_1.count, level_1.total) == (trained, staff) == (5, 9)
