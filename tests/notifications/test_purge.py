"""The worker's hourly purge: sign-ins that ended and public report drafts that expired."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from psirf.accounts import sessions
from psirf.accounts.models import UserSession
from psirf.events import drafts
from psirf.events.drafts import PublicReportDraft
from psirf.timeutil import utcnow
from tests.support.factories import UserFactory
from tests.support.notifications import run_queued


def test_the_purge_runs_hourly(queue):
    def periodic_at(minute):
        return {task.name for task in queue.huey.read_periodic(datetime(2026, 3, 23, 9, minute))}

    assert "purge_expired" in periodic_at(30)
    assert "purge_expired" not in periodic_at(0) | periodic_at(10) | periodic_at(31)


def test_the_purge_keeps_what_can_still_be_used(session, queue):
    now = utcnow()
    person = UserFactory()
    sessions.start(session, person, now)
    sessions.end(session, sessions.start(session, person, now), now)
    drafts.save(session, drafts.new_key(), {"theme": "medication"}, now)
    drafts.save(
        session, drafts.new_key(), {"theme": "referral"}, now - drafts.IDLE - timedelta(minutes=1)
    )
    session.commit()
    queue.purge_expired()
    assert run_queued(queue) == [{"sign-ins": 1, "public report drafts": 1}]
    session.expire_all()
    assert session.scalars(select(UserSession.ended_at)).all() == [None]  # the one still signed in
    assert session.scalars(select(PublicReportDraft.answers)).all() == [{"theme": "medication"}]
