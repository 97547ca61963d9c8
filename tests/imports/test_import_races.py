"""The import racing with recordings at the same services: real threads, each with its own session
and transactions, two imports and two people recording at once. Every rollup equals its raw count
after, and every imported event has exactly its one LFPSE row, not reportable."""

from __future__ import annotations

import io
import random
import threading

from sqlalchemy import func, select

from psirf.accounts.models import Role, User
from psirf.events import counts
from psirf.events.models import SafetyEvent
from psirf.extensions import db
from psirf.imports.csv_source import csv_rows
from psirf.lfpse import exports
from psirf.lfpse.models import ExportState, LfpseExport
from psirf.organisations.models import Organisation
from tests.events.test_counts_burst import _record, _ten_services
from tests.support.factories import UserFactory, one_commit
from tests.support.imports import csv_text, good_row, run_rows

ROWS = 240  # a file
BATCH = 20
RECORDINGS = 30  # a person


def _file(prefix: str, ods_codes: tuple[str, ...]) -> str:
    rows = [good_row(n, ods_codes) for n in range(ROWS)]
    for n, row in enumerate(rows):
        row["source_reference"] = f"{prefix}-{n:05d}"
    return csv_text(rows)


def _at_once(app, jobs) -> list[BaseException]:
    """Each job in its own thread and app context (so its own session), started together."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(jobs), timeout=30)

    def worker(job):
        with app.app_context():
            start.wait()
            try:
                job()
            except Exception as error:  # noqa: BLE001  (reported below, all of them)
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    return errors


def test_rollups_stay_exact_when_imports_race_with_recordings_at_the_same_services(app):
    icb, practices, _ = _ten_services()
    with one_commit():
        admin = UserFactory(role=(Role.ADMINISTRATOR, icb))
    admin_id = admin.id
    ods_codes = tuple(
        db.session.scalars(
            select(Organisation.ods_code)
            .where(Organisation.id.in_(practices))
            .order_by(Organisation.id)
        )
    )
    db.session.remove()
    outcomes = []

    def importing(prefix):
        user = db.session.get(User, admin_id)
        rows = csv_rows(io.StringIO(_file(prefix, ods_codes)))
        outcomes.append(run_rows(db.session, rows, user, batch_size=BATCH).outcome)

    def recording(seed):
        rng = random.Random(seed)
        for n in range(RECORDINGS):
            with db.session.begin():
                _record(rng, practices[n % len(practices)])

    jobs = [lambda: importing("FIRST"), lambda: importing("SECOND"), lambda: recording(1)]
    jobs.append(lambda: recording(2))

    assert _at_once(app, jobs) == []

    assert sorted((o.imported, o.faults) for o in outcomes) == [(ROWS, 0), (ROWS, 0)]
    assert counts.differences(db.session) == []
    events = db.session.scalar(select(func.count()).select_from(SafetyEvent))
    assert events == 2 * ROWS + 2 * RECORDINGS
    imported = select(SafetyEvent.id).where(SafetyEvent.source_reference.is_not(None))
    queued = db.session.execute(
        select(LfpseExport.revision, LfpseExport.state, LfpseExport.reason, func.count())
        .where(LfpseExport.event_id.in_(imported))
        .group_by(LfpseExport.revision, LfpseExport.state, LfpseExport.reason)
    ).all()
    assert queued == [(1, ExportState.NOT_REPORTABLE.value, exports.IMPORTED, 2 * ROWS)]
