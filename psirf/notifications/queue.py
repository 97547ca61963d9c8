"""The job queue that sends notifications' email off the request: huey, and the worker command.

- Storage: a SQLite file under the instance folder (HUEY_SQLITE_PATH) by default, Redis when
  REDIS_URL is set. Web processes enqueue; `flask --app app worker` runs the consumer.
- Enqueue after commit: `notify`/`send_email` list the new outbox ids in the session's info; once
  the transaction commits they are enqueued, and a rollback forgets them. The outbox row, not the
  queue, is the record: if the enqueue is lost (a crash between commit and enqueue, Redis down),
  the sweep below finds the row a minute later.
- Periodic tasks (the worker runs them): `sweep_outbox` every minute, `send_due_reminders` every
  ten minutes, and `purge_expired` hourly: sign-ins that have ended and public report drafts that
  have expired (both also refuse an expired row when read, so the purge only keeps the tables small).

Each app gets its own huey instance and tasks, bound to it, so tasks run in that app's context
(the consumer's worker threads do not inherit the command's).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import click
from flask import Flask, current_app, g, has_app_context, has_request_context
from flask.cli import with_appcontext
from flask_login import current_user
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from redis import ConnectionPool
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError

from psirf.accounts import sessions
from psirf.db import unit_of_work
from psirf.events import drafts
from psirf.extensions import db
from psirf.notifications import delivery, reminders, services
from psirf.notifications.header import recount_after_commit
from psirf.notifications.services import OUTBOX_IDS
from psirf.timeutil import utcnow

log = logging.getLogger(__name__)
EXTENSION = "psirf_notifications"


@dataclass
class NotificationQueue:
    huey: Huey
    deliver: TaskWrapper
    sweep_outbox: TaskWrapper
    send_due_reminders: TaskWrapper
    purge_expired: TaskWrapper


# A request enqueues after its commit: with Redis down it must fail fast, not hang, since the
# outbox row is already written and the sweep sends it. Reads outlast the consumer's 1 s blocking pop.
REDIS_CONNECT_SECONDS = 1
REDIS_READ_SECONDS = 5


def redis_pool(url: str) -> ConnectionPool:
    return ConnectionPool.from_url(
        url, socket_connect_timeout=REDIS_CONNECT_SECONDS, socket_timeout=REDIS_READ_SECONDS
    )


def create_huey(config) -> Huey:
    # HUEY_NAME is for tests that share a Redis with a running worker; it is not a setting to change.
    name = config.get("HUEY_NAME", "psirf")
    if config.get("REDIS_URL"):
        # An enqueue is one LPUSH over a pooled connection: no file, no fsync on the request.
        return RedisHuey(name, connection_pool=redis_pool(config["REDIS_URL"]), results=False)
    path = Path(config["HUEY_SQLITE_PATH"])
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(path), results=False)


def create_queue(app: Flask) -> NotificationQueue:
    huey = create_huey(app.config)

    @huey.task(name="deliver")
    def deliver(message_id: int):
        with app.app_context():
            return delivery.deliver_message(
                db.session, message_id, delivery.Mailer.from_config(app.config)
            )

    @huey.periodic_task(crontab(minute="*"), name="sweep_outbox")
    def sweep_outbox():
        with app.app_context():
            found = delivery.sweep(db.session, utcnow())
        for message_id in found.due:
            deliver(message_id)
        return found

    @huey.periodic_task(crontab(minute="*/10"), name="send_due_reminders")
    def send_due_reminders():
        with app.app_context():
            with unit_of_work(db.session):
                # Their emails are enqueued by the after-commit listener, like any other.
                return reminders.send_reminders(
                    db.session,
                    today=utcnow().date(),
                    candour_working_days=int(app.config.get("CANDOUR_TARGET_WORKING_DAYS", 10)),
                    candour_results_days=app.config.get("CANDOUR_RESULTS_TARGET_WORKING_DAYS"),
                )

    @huey.periodic_task(crontab(minute="30"), name="purge_expired")
    def purge_expired():
        with app.app_context():
            with unit_of_work(db.session):
                now = utcnow()
                return {
                    "sign-ins": sessions.purge(
                        db.session, now, sessions.Limits.from_config(app.config)
                    ),
                    "public report drafts": drafts.purge(db.session, now),
                }

    return NotificationQueue(huey, deliver, sweep_outbox, send_due_reminders, purge_expired)


def queue_of(app: Flask) -> NotificationQueue:
    return app.extensions[EXTENSION]


# ---- enqueue after commit ------------------------------------------------------------------------


def _enqueue_after_commit(session) -> None:
    ids = session.info.pop(OUTBOX_IDS, None)
    if not ids or not has_app_context():
        return
    queue = current_app.extensions.get(EXTENSION)
    if queue is None:
        return
    for message_id in ids:
        try:
            queue.deliver(message_id)
        except Exception:  # noqa: BLE001 - the change is committed: never fail the request now
            log.warning(
                "could not enqueue outbox message %s; the sweep will send it",
                message_id,
                exc_info=True,
            )


def _forget_on_rollback(session) -> None:
    session.info.pop(OUTBOX_IDS, None)


def listen_for_commits() -> None:
    # On Flask-SQLAlchemy's Session class, so once per process however many apps are made (tests
    # make one per test): each commit finds its own app's queue through current_app.
    for name, listener in (
        ("after_commit", _enqueue_after_commit),
        ("after_commit", recount_after_commit),
        ("after_rollback", _forget_on_rollback),
    ):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


# ---- the header's unread count -------------------------------------------------------------------


def unread_notifications() -> int | None:
    """The signed-in person's unread count, once per request; None for nobody, or if it cannot be read."""
    # A page rendered outside a request (none do yet) has nobody signed in.
    if not has_request_context() or not current_user.is_authenticated:
        return None
    if "unread_notifications" not in g:
        try:
            g.unread_notifications = services.unread_count(db.session, current_user.id)
        except SQLAlchemyError:
            # The error page for a failing database must still render.
            g.unread_notifications = None
    return g.unread_notifications


def _header_count() -> dict:
    """The header's count, read in the request before a page renders, so the template reads a
    number and never reaches the database itself. Every page extends the layout, which shows it
    to a signed-in person; for anyone else no query runs."""
    return {"unread_notifications": unread_notifications()}


# ---- the worker ----------------------------------------------------------------------------------


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Threads executing tasks.")
@click.option(
    "--periodic/--no-periodic",
    default=True,
    show_default=True,
    help="Also schedule the sweep, reminders and purge. Exactly one worker of a deployment should.",
)
@with_appcontext
def worker_command(workers: int, periodic: bool) -> None:
    """Run the job queue's consumer: sends email from the outbox, sweeps it, sends reminders."""
    # Their lines reach the root's redacting handler (psirf/web/logging.py).
    for name in ("huey", __name__, delivery.__name__):
        logging.getLogger(name).setLevel(logging.INFO)
    queue = queue_of(current_app)
    # Not the URL itself: it may carry Redis's password.
    where = (
        "Redis" if current_app.config.get("REDIS_URL") else current_app.config["HUEY_SQLITE_PATH"]
    )
    click.echo(
        f"psirf worker: queue at {where}; email {'by SMTP to ' + current_app.config['MAIL_SERVER'] if current_app.config.get('MAIL_SERVER') else 'kept in the development outbox'}"
    )
    # Every consumer with periodic on enqueues each periodic task: more than one would duplicate them.
    consumer = queue.huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic)
    consumer.run()


def configure_notifications(app: Flask) -> None:
    """The queue, the after-commit enqueue, the pages and the header's unread count.

    The worker command is registered with the others, in configure_commands.
    """
    from psirf.notifications.views import bp

    app.extensions[EXTENSION] = create_queue(app)
    listen_for_commits()
    app.register_blueprint(bp)
    app.context_processor(_header_count)
