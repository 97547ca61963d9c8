"""Fixtures for the notification tests: an app whose huey queue is a file of the test's own, the
queue itself, a way to run what is queued, and a fake SMTP server on a real port."""

from __future__ import annotations

import signal
import time
from contextlib import contextmanager

import pytest

from psirf import create_app
from psirf.extensions import db
from psirf.notifications.queue import queue_of
from tests.conftest import IsolatedClient, pause
from tests.notifications.smtp import FakeSmtpServer


@pytest.fixture
def app(database, tmp_path):
    """As the suite's `app`, with the job queue in this test's own SQLite file and no email server."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database(),
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "localhost",
            "HUEY_SQLITE_PATH": str(tmp_path / "huey.sqlite3"),
            "REDIS_URL": None,
            "MAIL_SERVER": None,
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def queue(app):
    return queue_of(app)


def run_queued(queue) -> list:
    """Dequeue and execute every task waiting, through huey's own API, as a worker would; the
    results in order. Tasks that enqueue more (the sweep) have those run too."""
    results = []
    while (task := queue.huey.dequeue()) is not None:
        results.append(queue.huey.execute(task))
    return results


@contextmanager
def running_consumer(queue, workers: int = 2):
    """A real huey consumer, its worker threads polling the queue, stopped (gracefully) after."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = queue.huey.create_consumer(
        workers=workers,
        worker_type="thread",
        periodic=False,
        initial_delay=0.01,
        max_delay=0.05,
        check_worker_health=False,
    )
    consumer.start()
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)
        for s, handler in saved.items():  # the consumer installs its own; give pytest its back
            signal.signal(s, handler)


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        pause(0.02)


@pytest.fixture
def smtp_server():
    server = FakeSmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp(app, smtp_server):
    """The app sends real email, by SMTP, to the fake server."""
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        MAIL_USE_TLS=False,
        MAIL_FROM="PSIRF <no-reply@psirf.example.org>",
    )
    return smtp_server
