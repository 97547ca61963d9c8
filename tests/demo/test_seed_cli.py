"""`flask --app app seed demo` loads the demo events once; running it again adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from psirf.accounts.models import User
from psirf.audit import AuditRecord
from psirf.events.models import EventPatient, SafetyEvent
from psirf.organisations.models import Organisation
from psirf.responses.models import LearningResponse, SafetyAction


def _counts(session) -> dict[str, int]:
    models = (Organisation, User, SafetyEvent, EventPatient, LearningResponse, SafetyAction, AuditRecord)
    return {m.__name__: session.scalar(select(func.count()).select_from(m)) for m in models}


def test_seeding_twice_adds_nothing_the_second_time(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0, first.output
    assert "Loaded 3,000 demo safety events" in first.output
    after_first = _counts(session)
    assert after_first["SafetyEvent"] == 3000

    second = runner.invoke(args=["seed", "demo"])
    assert second.exit_code == 0, second.output
    assert "already present" in second.output
    session.expire_all()
    assert _counts(session) == after_first
