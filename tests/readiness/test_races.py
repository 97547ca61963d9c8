"""Two people at once on one organisation's readiness, each from what their page showed (real
threads, each with its own session and transaction): the ICB's two specialists confirming one
record, two leads recording one commitment, and one leaver marked as left twice. One lands; the
other is told, and the record counts it once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from psirf.accounts.models import Role, User
from psirf.audit import AuditRecord
from psirf.db import ChangedBySomeoneElse
from psirf.extensions import db
from psirf.organisations.models import Organisation
from psirf.problems import InputError
from psirf.readiness import services, training
from psirf.readiness.models import CommitmentRecord, StaffMember
from tests.support import readiness as make
from tests.support.bursts import run_together
from tests.support.factories import UserFactory

KEY = "freedom_to_speak_up"


def _audited(action: str) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count()).select_from(AuditRecord).where(AuditRecord.action == action)
    )


def _reader(user_id: int, organisation_id: int, record_id: int | None = None):
    """What a person's page read: who they are, the organisation and the record's version."""

    def read():
        version = db.session.get(CommitmentRecord, record_id).version_id if record_id else None
        return (
            db.session.get(User, user_id),
            db.session.get(Organisation, organisation_id),
            version,
        )

    return read


def _one_told(outcome, refusal=ChangedBySomeoneElse):
    assert sorted(e is None for e in outcome) == [False, True], outcome
    assert all(isinstance(e, refusal) for e in outcome if e is not None), outcome


@pytest.mark.parametrize("in_turn", [True, False], ids=["one after the other", "at once"])
def test_two_specialists_confirming_one_record_confirm_it_once(app, world, in_turn):
    record = make.record(world.lead, world.practice, KEY)
    colleague = UserFactory(role=(Role.ICB_PATIENT_SAFETY_SPECIALIST, world.icb))

    def confirm(seen):
        user, organisation, version = seen
        services.confirm(db.session, user, organisation, KEY, version)

    readers = [
        _reader(who.id, world.practice.id, record.id) for who in (world.icb_specialist, colleague)
    ]
    _one_told(run_together(app, [(read, confirm) for read in readers], in_turn))
    assert _audited("readiness:confirm") == 1


@pytest.mark.parametrize("in_turn", [True, False], ids=["one after the other", "at once"])
def test_two_leads_recording_one_commitment_keep_one_answer(app, world, in_turn):
    record = make.record(world.lead, world.practice, KEY, status="in_progress")
    second = UserFactory(role=(Role.EXECUTIVE_LEAD, world.practice))

    def recording(note):
        def change(seen):
            user, organisation, version = seen
            services.record_evidence(
                db.session,
                user,
                organisation,
                KEY,
                status="met",
                route=None,
                note=note,
                evidence_on=None,
                evidence_url=None,
                expected_version=version,
            )

        return change

    outcome = run_together(
        app,
        [
            (_reader(world.lead.id, world.practice.id, record.id), recording("Ours")),
            (_reader(second.id, world.practice.id, record.id), recording("Theirs")),
        ],
        in_turn,
    )
    _one_told(outcome)
    db.session.expire_all()
    kept = db.session.get(CommitmentRecord, record.id)
    assert kept.note == ["Ours", "Theirs"][outcome.index(None)]
    assert _audited("readiness:record") == 2  # the first recording, and the one that won


@pytest.mark.parametrize("in_turn", [True, False], ids=["one after the other", "at once"])
def test_a_leaver_marked_twice_at_once_leaves_once(app, world, in_turn):
    ann, bob = make.staff(
        world.lead,
        world.practice,
        ("Ann Able", "ann@example.org"),
        ("Bob Baker", "bob@example.org"),
        level_1=2,
    )
    second = UserFactory(role=(Role.EXECUTIVE_LEAD, world.practice))

    def read_as(user_id):
        return lambda: (db.session.get(User, user_id), db.session.get(StaffMember, ann.id))

    def leave(seen):
        user, member = seen
        training.mark_left(db.session, user, member, date(2026, 5, 1))

    outcome = run_together(
        app, [(read_as(world.lead.id), leave), (read_as(second.id), leave)], in_turn
    )
    _one_told(outcome, InputError)
    assert "already listed as having left" in str(next(e for e in outcome if e is not None))
    assert _audited("readiness:staff_left") == 1
    db.session.expire_all()
    level_1 = db.session.scalar(
        select(CommitmentRecord).where(
            CommitmentRecord.organisation_id == world.practice.id,
            CommitmentRecord.commitment == "syllabus_level_1",
        )
    )
    assert (level_1.count, level_1.total) == (1, 1)
