"""With REDIS_URL set the same queue runs on Redis (127.0.0.1:6379 on these machines)."""

from __future__ import annotations

import os
import uuid

import pytest
from huey import RedisHuey, SqliteHuey
from sqlalchemy import select

from psirf import create_app
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.notifications.models import NotificationKind, OutboxMessage
from psirf.notifications.queue import queue_of
from psirf.notifications.services import send_email
from tests.support.notifications import run_queued

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_app(database):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"Redis is not answering at {REDIS_URL}: {error}")
    # A queue name of its own, so a worker running on this machine never takes the test's tasks.
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database(),
            "TESTING": True,
            "REDIS_URL": REDIS_URL,
            "HUEY_NAME": f"psirf-test-{uuid.uuid4().hex[:8]}",
            "MAIL_SERVER": None,
        }
    )
    with app.app_context():
        yield app
        queue_of(app).huey.flush()
        db.session.remove()
        db.engine.dispose()


def test_the_queue_is_sqlite_by_default(app):
    huey = queue_of(app).huey
    assert isinstance(huey, SqliteHuey)
    assert huey.storage.filename == app.config["HUEY_SQLITE_PATH"]


def test_with_redis_url_an_email_is_queued_in_redis_and_delivered(redis_app):
    queue = queue_of(redis_app)
    assert isinstance(queue.huey, RedisHuey)
    with unit_of_work(db.session):
        message = send_email(
            db.session,
            to_address="family@example.org",
            subject="You are invited",
            body="Follow the link.",
            kind=NotificationKind.INVITATION,
        )
    assert queue.huey.pending_count() == 1
    assert run_queued(queue) == ["kept"]
    assert (
        db.session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == message.id))
        == "kept"
    )
