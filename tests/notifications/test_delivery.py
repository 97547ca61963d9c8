"""The worker's delivery task, run through a real huey queue in a SQLite file (and a real consumer),
sending by SMTP to a fake server on a real socket, or keeping the email for the development outbox."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update

from psirf.db import unit_of_work
from psirf.notifications import delivery
from psirf.notifications.models import NotificationKind, OutboxMessage
from psirf.notifications.services import send_email
from psirf.timeutil import utcnow
from tests.support.notifications import run_queued, running_consumer, wait_until


def write_email(
    session,
    to="family@example.org",
    subject="You are invited",
    body="Follow the link.\n\nhttps://x.example/j/1",
    link=None,
):
    with unit_of_work(session):
        message = send_email(
            session,
            to_address=to,
            subject=subject,
            body=body,
            kind=NotificationKind.INVITATION,
            link=link,
        )
    return message.id


def row(session, message_id) -> OutboxMessage:
    session.expire_all()
    return session.get(OutboxMessage, message_id)


def test_without_an_email_server_the_worker_keeps_the_email_for_the_outbox(app, session, queue):
    message_id = write_email(session)
    assert run_queued(queue) == ["kept"]
    message = row(session, message_id)
    assert (message.status, message.attempts, message.sent_at, message.last_error) == (
        "kept",
        1,
        None,
        None,
    )


def test_with_an_email_server_the_worker_sends_it_by_smtp(app, session, queue, smtp):
    message_id = write_email(
        session, to="family@example.org", subject="You are invited", body="Follow the link."
    )
    assert run_queued(queue) == ["sent"]
    message = row(session, message_id)
    assert message.status == "sent" and message.attempts == 1 and message.sent_at is not None
    [(recipients, sent)] = smtp.messages
    assert recipients == ["family@example.org"]
    assert (sent["To"], sent["Subject"], sent["From"]) == (
        "family@example.org",
        "You are invited",
        "PSIRF <no-reply@psirf.example.org>",
    )
    assert sent.get_payload(decode=True).decode().strip() == "Follow the link."
    # Stable: built from the outbox row, so it is the same however often the row were tried.
    assert (
        sent["Message-ID"]
        == f"<outbox-{message_id}.{message.created_at:%Y%m%d%H%M%S}@psirf.example.org>"
    )


def test_a_link_is_sent_as_a_full_address_on_the_service_s_public_address(
    app, session, queue, smtp
):
    app.config["PUBLIC_BASE_URL"] = "https://psirf.example.org"
    write_email(session, body="A question about LR-2026-000001.", link="/responses/1")
    assert run_queued(queue) == ["sent"]
    [(_, sent)] = smtp.messages
    assert sent.get_payload(decode=True).decode().replace("\r\n", "\n").strip() == (
        "A question about LR-2026-000001.\n\nhttps://psirf.example.org/responses/1"
    )


def test_an_invitation_s_single_use_link_is_dropped_from_the_outbox_once_sent(
    app, session, queue, smtp
):
    message_id = write_email(
        session, body="Use this link to set a password:", link="/join/secret-token"
    )
    assert run_queued(queue) == ["sent"]
    [(_, sent)] = smtp.messages
    assert "/join/secret-token" in sent.get_payload(decode=True).decode()
    assert row(session, message_id).link is None


def test_a_task_enqueued_three_times_sends_once_even_with_two_workers_racing(
    app, session, queue, smtp
):
    message_id = write_email(session)  # queued once by the commit...
    queue.deliver(message_id)  # ...and twice more, as a retry and a sweep might
    queue.deliver(message_id)
    with running_consumer(queue, workers=2):
        wait_until(
            lambda: queue.huey.pending_count() == 0 and row(session, message_id).status == "sent"
        )
    assert len(smtp.messages) == 1
    assert row(session, message_id).attempts == 1


def test_a_sent_email_is_never_sent_again_by_a_retry(app, session, queue, smtp):
    message_id = write_email(session)
    assert run_queued(queue) == ["sent"]
    queue.deliver(message_id)
    assert run_queued(queue) == [None]
    assert len(smtp.messages) == 1


def test_a_server_that_is_down_is_tried_again_by_the_sweep_a_bounded_number_of_times(
    app, session, queue, smtp, monkeypatch
):
    monkeypatch.setattr(delivery, "MAX_ATTEMPTS", 3)
    smtp.refuse_data = "451 Try again later"
    message_id = write_email(session)
    assert run_queued(queue) == ["pending"]
    message = row(session, message_id)
    assert (message.status, message.attempts) == ("pending", 1) and "451" in message.last_error

    # The sweep picks it up once a minute has passed since the last attempt, not before.
    assert delivery.sweep(session, message.claimed_at + timedelta(seconds=30)).due == []
    later = message.claimed_at + timedelta(minutes=2)
    assert delivery.sweep(session, later).due == [message_id]
    mailer = delivery.Mailer.from_config(app.config)
    assert delivery.deliver_message(session, message_id, mailer) == "pending"
    assert (
        delivery.deliver_message(session, message_id, mailer) == "failed"
    )  # the third attempt is the last
    assert delivery.sweep(session, later + timedelta(minutes=5)).due == []
    assert delivery.deliver_message(session, message_id, mailer) is None
    message = row(session, message_id)
    assert (message.status, message.attempts) == ("failed", 3)
    assert smtp.messages == []


def test_a_server_that_comes_back_gets_the_email_once(app, session, queue, smtp):
    smtp.refuse_data = "421 Busy"
    message_id = write_email(session)
    assert run_queued(queue) == ["pending"]
    smtp.refuse_data = None
    found = delivery.sweep(session, utcnow() + timedelta(minutes=2))
    for due in found.due:
        queue.deliver(due)
    assert run_queued(queue) == ["sent"]
    assert len(smtp.messages) == 1 and row(session, message_id).attempts == 2


def test_an_address_refused_for_good_fails_at_once(app, session, queue, smtp):
    smtp.refuse_recipients = "550 No such mailbox"
    message_id = write_email(session)
    assert run_queued(queue) == ["failed"]
    message = row(session, message_id)
    assert (message.status, message.attempts) == ("failed", 1) and "550" in message.last_error


def test_no_server_listening_is_an_error_worth_retrying(app, session, queue, smtp_server):
    smtp_server.stop()  # its port now refuses connections
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_USE_TLS=False)
    message_id = write_email(session)
    assert run_queued(queue) == ["pending"]
    assert "ConnectionRefusedError" in row(session, message_id).last_error


def test_an_email_a_crash_left_sending_is_not_sent_again_but_reported(
    app, session, queue, smtp, caplog
):
    stuck, recent = write_email(session), write_email(session, to="other@example.org")
    run_queued(queue)  # both sent; now pretend the worker died mid-send, long ago and just now
    smtp.messages.clear()
    now = utcnow()
    with unit_of_work(session):
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == stuck)
            .values(status="sending", claimed_at=now - timedelta(minutes=11), sent_at=None)
        )
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == recent)
            .values(status="sending", claimed_at=now - timedelta(minutes=1), sent_at=None)
        )
    queue.deliver(stuck)
    assert run_queued(queue) == [None]

    with caplog.at_level(logging.WARNING, logger="psirf.notifications.delivery"):
        found = delivery.sweep(session, now)
    assert found.interrupted == 1 and found.due == []
    assert "interrupted while sending" in caplog.text
    assert (row(session, stuck).status, row(session, stuck).last_error) == (
        "failed",
        delivery.INTERRUPTED_ERROR,
    )
    # One claimed a minute ago may still be talking to the server: left alone.
    assert row(session, recent).status == "sending"
    assert smtp.messages == []


def test_the_periodic_sweep_sends_what_was_never_queued(app, session, queue):
    message_id = write_email(session)
    queue.huey.flush()  # the enqueue after commit was lost
    with unit_of_work(session):
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(created_at=utcnow() - timedelta(minutes=5))
        )
    fresh = write_email(session, to="fresh@example.org")
    queue.huey.flush()
    queue.sweep_outbox()  # as the consumer's scheduler enqueues it each minute
    run_queued(queue)
    assert row(session, message_id).status == "kept"
    assert (
        row(session, fresh).status == "pending"
    )  # a few seconds old: its own enqueue may be on its way


def test_the_sweep_runs_every_minute_and_the_reminders_every_ten(queue):
    def periodic_at(minute):
        return {task.name for task in queue.huey.read_periodic(datetime(2026, 3, 23, 9, minute))}

    # The LFPSE export's sender shares the worker (psirf/lfpse/tasks.py), every minute too.
    assert periodic_at(7) == {"sweep_outbox", "send_lfpse_exports"}
    assert periodic_at(10) == {"sweep_outbox", "send_due_reminders", "send_lfpse_exports"}


def test_sending_happens_outside_the_database_transaction(app, session, queue, smtp, monkeypatch):
    seen = []
    original = delivery.send_smtp

    def spy(email, mailer):
        # The claim is committed before the network is touched: another session sees 'sending'.
        with app.app_context():
            from psirf.extensions import db

            seen.append(
                db.session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == email.id))
            )
        return original(email, mailer)

    monkeypatch.setattr(delivery, "send_smtp", spy)
    write_email(session)
    assert run_queued(queue) == ["sent"]
    assert seen == ["sending"]
