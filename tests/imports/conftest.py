"""The import tests' app: its job queue and its import folder are files of these tests' own."""

from __future__ import annotations

import pytest

from psirf.notifications.queue import queue_of


@pytest.fixture(scope="session")
def import_files(tmp_path_factory):
    return tmp_path_factory.mktemp("imports")


@pytest.fixture
def app(apps, import_files):
    with apps.running(
        HUEY_SQLITE_PATH=str(import_files / "huey.sqlite3"),
        IMPORT_FOLDER=str(import_files / "files"),
        REDIS_URL=None,
        MAIL_SERVER=None,
    ) as app:
        queue_of(app).huey.flush()
        yield app


@pytest.fixture
def queue(app):
    return queue_of(app)
