"""The LFPSE export's figure: events a second exported to files through the queue, beside a bare
baseline that writes the same AdverseEvent dicts with json.dumps to files.

The export is the system's own path: a queue row per event (inserted in one statement, not timed),
then `sending.send_due` in batches, each row claimed, read with its patients, mapped, written
atomically (temporary file, fsync, rename) and marked sent, every step its own commit. The baseline
times only json.dumps and a plain write of the same dicts (built beforehand, untimed): what is left
is the price of the queue's guarantees and the durable write.
"""

from __future__ import annotations

import json
import shutil
import time

from flask import Flask
from sqlalchemy import delete, func, insert, literal, select
from sqlalchemy.orm import selectinload

from psirf.events.models import SafetyEvent
from psirf.extensions import db
from psirf.lfpse import sending
from psirf.lfpse.mapping import adverse_event
from psirf.lfpse.models import LfpseExport
from psirf.lfpse.senders import OutboxSender
from psirf.timeutil import utcnow

EVENTS = 100_000
CHUNK = 1_000
FIGURE = "LFPSE export to files"


def lfpse_export(run, app: Flask, events: int = EVENTS) -> None:
    outbox, bare = run.folder / "lfpse-outbox", run.folder / "lfpse-bare"
    with app.app_context():
        count = _queue(events)
        started = time.perf_counter()
        sent = failed = 0
        sender = OutboxSender(outbox)
        while True:
            done = sending.send_due(db.session, sender, utcnow(), sending.BATCH)
            sent, failed = sent + len(done.sent), failed + len(done.failed)
            if len(done.sent) + len(done.failed) < sending.BATCH:
                break
        exporting = time.perf_counter() - started
        baseline = _bare_writes(bare, count)
        db.session.execute(delete(LfpseExport))
        db.session.commit()
        db.session.remove()
    files = sum(1 for _ in outbox.iterdir()) if outbox.exists() else 0
    shutil.rmtree(outbox, ignore_errors=True)
    shutil.rmtree(bare, ignore_errors=True)
    rate, base_rate = sent / exporting if exporting else 0, count / baseline if baseline else 0
    row = run.add(FIGURE, 1, round(rate), "events/s", round(base_rate), f"{count:,} events")
    row.met = sent == count == files and not failed
    row.note = (
        f"{sent:,} sent, {failed} failed, {files:,} files in {exporting:.1f} s; "
        f"baseline json.dumps + write of the same dicts in {baseline:.1f} s"
    )


def _queue(events: int) -> int:
    """A pending row for each of the first `events` events (revision as it stands), in one INSERT."""
    now = utcnow()
    chosen = (
        select(
            SafetyEvent.id,
            SafetyEvent.organisation_id,
            SafetyEvent.revision,
            literal("pending"),
            literal(0),
            literal(now),
            literal(now),
        )
        .order_by(SafetyEvent.id)
        .limit(events)
    )
    db.session.execute(delete(LfpseExport))
    db.session.execute(
        insert(LfpseExport).from_select(
            ["event_id", "organisation_id", "revision", "state", "attempts", "next_attempt_at",
             "created_at"],
            chosen,
        )
    )  # fmt: skip
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(LfpseExport))


def _bare_writes(folder, count: int) -> float:
    """Seconds spent in json.dumps and a plain file write of each event's dict, chunk by chunk."""
    folder.mkdir(parents=True, exist_ok=True)
    timed, last_id = 0.0, 0
    while True:
        chunk = db.session.scalars(
            select(SafetyEvent)
            .options(selectinload(SafetyEvent.patients))
            .where(SafetyEvent.id > last_id)
            .order_by(SafetyEvent.id)
            .limit(min(CHUNK, count))
        ).all()
        if not chunk or count <= 0:
            return timed
        dicts = [(e.reference, e.revision, adverse_event(e)) for e in chunk]
        last_id, count = chunk[-1].id, count - len(chunk)
        db.session.expunge_all()
        started = time.perf_counter()
        for reference, revision, resource in dicts:
            (folder / f"{reference}-r{revision}.json").write_text(json.dumps(resource))
        timed += time.perf_counter() - started
