"""`flask --app app seed demo` loads the demo events once; running it again adds nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from psirf.accounts.models import User
from psirf.audit import AuditRecord
from psirf.events.models import EventPatient, EventRevision, SafetyEvent
from psirf.organisations.models import Organisation
from psirf.actions.models import SafetyAction
from psirf.improvement.models import ImprovementPlan
from psirf.library.models import LibraryEntry
from psirf.extensions import db
from psirf.responses.models import LearningResponse
from tests.support.app import demo_app


def _counts(session) -> dict[str, int]:
    models = (
        Organisation,
        User,
        SafetyEvent,
        EventPatient,
        EventRevision,
        LearningResponse,
        SafetyAction,
        LibraryEntry,
        ImprovementPlan,
        AuditRecord,
    )
    return {m.__name__: session.scalar(select(func.count()).select_from(m)) for m in models}


def test_seeding_twice_adds_nothing_the_second_time(seeded_demo):
    """The first seeding is the suite's shared demo (tests/conftest.py seeded_demo)."""
    assert "Loaded 3,000 demo safety events" in seeded_demo[1]
    with demo_app(seeded_demo) as app:
        _seeding_again_adds_nothing(app, db.session)


def _seeding_again_adds_nothing(app, session):
    runner = app.test_cli_runner()
    after_first = _counts(session)
    # The year's 3,000, and the event with two patients reported through the service
    # (psirf/demo/revisions.py).
    assert after_first["SafetyEvent"] == 3001 and after_first["EventRevision"] == 1
    _the_demo_shares_learning_and_gathers_two_reviews_actions_into_a_pcn_plan(session)

    second = runner.invoke(args=["seed", "demo"])
    assert second.exit_code == 0, second.output
    assert "already present" in second.output
    session.expire_all()
    assert _counts(session) == after_first


def _the_demo_shares_learning_and_gathers_two_reviews_actions_into_a_pcn_plan(session):
    """Checked within the test above: seeding costs seconds, on PostgreSQL most of ten."""
    entries = session.scalars(select(LibraryEntry).order_by(LibraryEntry.id)).all()
    assert {e.kind for e in entries} == {"response", "good_care"}
    assert {(e.audience_group_id is not None, e.audience_icb_id is not None) for e in entries} == {
        (True, True),
        (False, True),
    }
    plan = session.scalars(select(ImprovementPlan)).one()
    assert plan.organisation.name == "North PCN"
    assert len({a.response_id for a in plan.actions}) == 2
    assert {i.kind for i in plan.items} == {"priority", "good_care"} and len(plan.readings) == 4
    actions = session.scalars(select(SafetyAction)).all()
    overdue = [a for a in actions if a.completed_at is None and a.due_on < date.today()]
    assert overdue and {a.state for a in actions} >= {"in_progress", "completed", "reviewed"}
    assert (
        len({a.owner_organisation_id for a in actions}) >= 3
    )  # the practice, the PCN and a partner trust
