"""With REDIS_URL set the same queue runs on Redis (127.0.0.1:6379 on every machine here, so these
tests never skip: a Redis that does not answer fails them). Each test has a queue name of its own,
so parallel runs and a worker on this machine share nothing."""

from __future__ import annotations

import os
import socket
import uuid

import pytest
from huey import RedisHuey, SqliteHuey
from sqlalchemy import select

from psirf import create_app
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.notifications.models import NotificationKind, OutboxMessage
from psirf.notifications.queue import REDIS_CONNECT_SECONDS, queue_of
from psirf.notifications.services import send_email
from tests.support.notifications import run_queued, running_consumer, wait_until

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _app_on_redis(database, url: str):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database(),
            "TESTING": True,
            "REDIS_URL": url,
            "HUEY_NAME": f"psirf-test-{uuid.uuid4().hex[:8]}",
            "MAIL_SERVER": None,
        }
    )


@pytest.fixture
def redis_app(database):
    app = _app_on_redis(database, REDIS_URL)
    with app.app_context():
        yield app
        queue_of(app).huey.flush()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_with_redis_down(database):
    # A port nothing listens on: taken, then released.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = _app_on_redis(database, f"redis://127.0.0.1:{port}/0")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _invite():
    with unit_of_work(db.session):
        return send_email(
            db.session,
            to_address="family@example.org",
            subject="You are invited",
            body="Follow the link.",
            kind=NotificationKind.INVITATION,
        )


def _status(message_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == message_id))


def test_the_queue_is_sqlite_by_default(app):
    huey = queue_of(app).huey
    assert isinstance(huey, SqliteHuey)
    assert huey.storage.filename == app.config["HUEY_SQLITE_PATH"]


def test_with_redis_url_an_email_is_queued_in_redis_and_delivered(redis_app):
    queue = queue_of(redis_app)
    assert isinstance(queue.huey, RedisHuey)
    message = _invite()
    assert queue.huey.pending_count() == 1
    assert run_queued(queue) == ["kept"]
    assert _status(message.id) == "kept"


def test_a_worker_on_redis_delivers_what_a_commit_enqueued(redis_app):
    queue = queue_of(redis_app)
    message = _invite()
    with running_consumer(queue):
        wait_until(lambda: _status(message.id) == "kept")
    assert queue.huey.pending_count() == 0


def test_with_redis_down_the_commit_stands_and_the_outbox_row_waits_for_the_sweep(
    app_with_redis_down,
):
    pool = queue_of(app_with_redis_down).huey.storage.pool
    # Fails fast rather than holding the request: the row, not the queue, is the record.
    assert pool.connection_kwargs["socket_connect_timeout"] == REDIS_CONNECT_SECONDS
    message = _invite()
    assert _status(message.id) == "pending"
