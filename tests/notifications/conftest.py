"""Fixtures for the notification tests: an app whose huey queue is a file of these tests' own
(emptied for each test), the queue itself, and a fake SMTP server on a real port. Running what is
queued is tests/support/notifications.py."""

from __future__ import annotations

import pytest

from psirf.notifications.queue import queue_of
from tests.support.smtp import FakeSmtpServer


@pytest.fixture(scope="session")
def huey_path(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("notifications") / "huey.sqlite3")


@pytest.fixture
def app(apps, huey_path):
    """As the suite's `app`, with the job queue in a file of its own and no email server."""
    with apps.running(HUEY_SQLITE_PATH=huey_path, REDIS_URL=None, MAIL_SERVER=None) as app:
        # Through huey's own API: no task, schedule or lock left by another test.
        queue_of(app).huey.flush()
        yield app


@pytest.fixture
def queue(app):
    return queue_of(app)


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
