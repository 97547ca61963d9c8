"""`flask --app app lfpse send`: send every LFPSE export that is due, once, now."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

lfpse_cli = AppGroup("lfpse", help="The LFPSE export.")


@lfpse_cli.command("send")
@click.option("--limit", type=int, default=None, help="Send at most this many (default: all due).")
def send(limit):
    """Send the revisions that are due (new, or failed and due again) with the configured sender.
    Safe beside the worker's periodic task: each revision is claimed by one of them only."""
    from psirf.extensions import db
    from psirf.lfpse import senders, sending
    from psirf.timeutil import utcnow

    sender = senders.from_config(current_app.config)
    sent = failed = 0
    while True:
        run = sending.send_due(db.session, sender, utcnow(), limit or sending.BATCH)
        sent, failed = sent + len(run.sent), failed + len(run.failed)
        if limit or len(run.sent) + len(run.failed) < sending.BATCH:
            break
    click.echo(
        f"{sent} sent, {failed} failed (to be retried)" if sent or failed else "Nothing due."
    )
    if failed:
        raise SystemExit(1)
