"""The demo's feedback to reporters: the demo reporter's inbox tells the whole story."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from psirf.accounts.models import User
from psirf.audit import AuditRecord
from psirf.db import unit_of_work
from psirf.demo.feedback import load_feedback
from psirf.events import feedback
from psirf.events.models import ReporterUpdate, SafetyEvent
from psirf.extensions import db
from psirf.notifications.models import Notification
from psirf.responses.models import LearningResponse
from tests.support.app import demo_app


@pytest.fixture(scope="module")
def demo(seeded_demo):
    """The seeded demo's session, and how many reporter updates its seeding wrote (all there are)."""
    with demo_app(seeded_demo):
        yield db.session, db.session.scalar(select(func.count()).select_from(ReporterUpdate))


def test_every_event_is_acknowledged_and_every_triaged_one_says_what_was_chosen(demo):
    session, written = demo
    kinds = Counter(session.scalars(select(ReporterUpdate.kind)))
    events = session.scalar(select(func.count()).select_from(SafetyEvent))
    triaged = session.scalar(
        select(func.count()).select_from(SafetyEvent).where(SafetyEvent.triaged_at.is_not(None))
    )
    assert kinds["acknowledged"] == events and kinds["response_chosen"] == triaged
    assert written == sum(kinds.values())
    texts = set(
        session.scalars(select(ReporterUpdate.body).where(ReporterUpdate.kind == "response_chosen"))
    )
    assert texts <= {feedback.choice_words(o) for o in feedback.OUTCOMES}


def test_the_demo_reporter_was_told_what_changed_on_one_closed_review_and_notified(demo):
    session, _ = demo
    reporter = session.scalar(select(User).where(User.email == "reporter@demo-icb.example.org"))
    told = session.execute(
        select(ReporterUpdate, SafetyEvent)
        .join(SafetyEvent, SafetyEvent.id == ReporterUpdate.event_id)
        .where(ReporterUpdate.kind == "what_changed", SafetyEvent.reporter_user_id == reporter.id)
    ).all()
    assert len(told) == 1
    update, event = told[0]
    response = session.get(LearningResponse, event.learning_response_id)
    assert response.state == "closed" and update.created_at > response.closed_at
    assert update.body == feedback.words()["demo_what_changed"]["medication"]
    note = session.scalars(select(Notification).where(Notification.user_id == reporter.id)).one()
    assert note.link == f"/events/mine/{event.id}" and event.reference in note.title
    assert (
        session.scalars(select(AuditRecord).where(AuditRecord.action == "response:what_changed"))
        .one()
        .subject_id
        == response.id
    )
    # The other closed review is left without, so the response page shows the reminder.
    closed = session.scalars(
        select(LearningResponse).where(LearningResponse.state == "closed")
    ).all()
    assert sum(feedback.what_changed_written(session, r) is None for r in closed) >= 1


def test_loading_again_adds_nothing(demo):
    session, _ = demo
    before = session.scalar(select(func.count()).select_from(ReporterUpdate))
    with unit_of_work(session):
        assert load_feedback(session) == 0
    assert session.scalar(select(func.count()).select_from(ReporterUpdate)) == before
