"""A notification and its email are written with the change that caused them, and the email is
queued for the worker only once that change has committed."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from psirf.db import unit_of_work
from psirf.notifications import delivery
from psirf.notifications.models import Notification, NotificationKind, OutboxMessage
from psirf.notifications.services import OUTBOX_IDS, notify, send_email
from psirf.timeutil import utcnow


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def queued_ids(queue) -> list[int]:
    return [task.args[0] for task in queue.huey.pending()]


def test_a_notification_and_its_email_commit_with_the_change_and_are_queued_after(
    world, session, queue
):
    with unit_of_work(session):
        notification = notify(
            session,
            world.lead,
            NotificationKind.STEP_DUE,
            "LR-2026-000001 is due on 5 May 2026",
            link="/responses/1",
        )
        # Not yet: the worker must never look for a row that is not committed.
        assert queue.huey.pending_count() == 0
    message = session.scalar(select(OutboxMessage))
    assert count(session, Notification) == 1 and notification.user_id == world.lead.id
    assert (message.to_address, message.subject, message.status) == (
        world.lead.email,
        "LR-2026-000001 is due on 5 May 2026",
        "pending",
    )
    assert message.link == "/responses/1"
    assert queued_ids(queue) == [message.id]
    assert OUTBOX_IDS not in session.info


def test_a_rolled_back_change_tells_nobody_and_queues_nothing(world, session, queue):
    with pytest.raises(RuntimeError):
        with unit_of_work(session):
            notify(session, world.lead, NotificationKind.STEP_DUE, "LR-2026-000001 is due")
            raise RuntimeError("the change failed")
    assert count(session, Notification) == 0
    assert count(session, OutboxMessage) == 0
    assert queue.huey.pending_count() == 0
    # ...and the next commit does not queue the rolled-back ids either.
    with unit_of_work(session):
        kept = send_email(
            session,
            to_address="someone@example.org",
            subject="Hello",
            body="Hello",
            kind=NotificationKind.INVITATION,
        )
    assert queued_ids(queue) == [kept.id]


def test_a_notification_without_email_queues_nothing(world, session, queue):
    with unit_of_work(session):
        notify(
            session,
            world.lead,
            NotificationKind.REPORT_UPDATE,
            "Your report PSE-2026-000001 was triaged",
            email=False,
        )
    assert count(session, Notification) == 1 and count(session, OutboxMessage) == 0
    assert queue.huey.pending_count() == 0


def test_a_dedupe_key_makes_the_notification_and_email_once(world, session, queue):
    for _ in range(2):
        with unit_of_work(session):
            notify(
                session,
                world.lead,
                NotificationKind.STEP_OVERDUE,
                "LR-2026-000001 is overdue",
                dedupe_key="k:1",
            )
    assert count(session, Notification) == 1 and count(session, OutboxMessage) == 1
    assert queue.huey.pending_count() == 1


def test_a_lost_enqueue_does_not_fail_the_committed_change_and_the_sweep_sends_it(
    world, session, queue, monkeypatch, caplog
):
    def queue_down(*args, **kwargs):
        raise ConnectionError("the queue is down")

    monkeypatch.setattr(queue, "deliver", queue_down)
    with caplog.at_level(logging.WARNING, logger="psirf.notifications.queue"):
        with unit_of_work(session):
            notify(session, world.lead, NotificationKind.STEP_DUE, "LR-2026-000001 is due")
    message = session.scalar(select(OutboxMessage))
    assert message.status == "pending"
    assert "the sweep will send it" in caplog.text
    monkeypatch.undo()

    # Within the first minute the sweep leaves it alone: its enqueue may still be on its way.
    assert delivery.sweep(session, utcnow()).due == []
    found = delivery.sweep(session, utcnow() + timedelta(minutes=2))
    assert found.due == [message.id]
