"""The worker's LFPSE task: every minute, send what is due (on the notifications' huey instance,
which `flask --app app worker` runs)."""

from __future__ import annotations

from flask import Flask
from huey import crontab

from psirf.extensions import db
from psirf.lfpse import senders, sending
from psirf.notifications.queue import queue_of
from psirf.timeutil import utcnow


def register(app: Flask):
    huey = queue_of(app).huey

    @huey.periodic_task(crontab(minute="*"), name="send_lfpse_exports")
    def send_lfpse_exports():
        with app.app_context():
            run = sending.send_due(db.session, senders.from_config(app.config), utcnow())
        return {"sent": len(run.sent), "failed": len(run.failed)}

    app.extensions["psirf_lfpse_task"] = send_lfpse_exports
    return send_lfpse_exports
