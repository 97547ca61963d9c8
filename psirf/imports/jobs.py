"""The import runs off the request, as a job on the app's huey queue (psirf/notifications/queue.py):
the page hands the file over, the worker runs it batch by batch, and the page reads the record."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from psirf.extensions import db
from psirf.imports import services
from psirf.notifications.queue import queue_of
from psirf.timeutil import utcnow

EXTENSION = "psirf_imports"


def register(app: Flask) -> None:
    """Bind the import task to the app's queue (after configure_notifications made it)."""
    huey = queue_of(app).huey

    @huey.task(name="import_events")
    def import_events(import_id: int):
        with app.app_context():
            now = utcnow()
            services.execute(
                db.session, import_id, Path(app.config["IMPORT_FOLDER"]), today=now.date(), now=now
            )

    app.extensions[EXTENSION] = import_events


def enqueue(app: Flask, import_id: int) -> None:
    """After the record is committed: the job reads it."""
    app.extensions[EXTENSION](import_id)
