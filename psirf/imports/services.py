"""An import's life: its record made when a file is handed over, the run of the file through the
import (by the job queue for the page, in the command's own process for `flask import events`),
and the lists the page reads. Plain functions over a session; no Flask.

`create` is one use case, which its caller wraps in `unit_of_work()`. `run` is many: it commits
the record's state and then each batch, so the page's progress is what has been committed.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf import policy
from psirf.accounts.models import User
from psirf.db import unit_of_work
from psirf.imports import importing, sources
from psirf.imports.checks import Context
from psirf.imports.models import EventImport, ImportState
from psirf.imports.report import ReportWriter
from psirf.organisations.models import Organisation
from psirf.problems import InputError
from psirf.web.pagination import Page, keyset_page

ENCODING = "utf-8-sig"  # a spreadsheet's "CSV UTF-8" starts with a byte order mark


def open_text(binary) -> io.TextIOWrapper:
    """A binary file as the text a source reads (newline="" as the csv module needs)."""
    return io.TextIOWrapper(binary, encoding=ENCODING, newline="")


def check_header(path: Path, source_format: str) -> None:
    """InputError (field "file") now, at upload, when the file's header is not one the source
    reads, rather than later in the job."""
    with path.open("rb") as binary:
        next(sources.reader(source_format)(open_text(binary)), None)


def create(
    session: Session,
    user: User,
    *,
    filename: str,
    source_format: str,
    dry_run: bool,
    batch_size: int = importing.BATCH_SIZE,
    organisation_ods_code: str | None = None,
) -> EventImport:
    """The record of an import about to run: in the ICB of the one service it is for, when it
    names one, so that ICB's administrators see it; else in the importer's (first) ICB."""
    icb_id = policy.require_importer(user)[0]
    if batch_size < 1:
        raise InputError("batch_size", "Enter a batch size of 1 or more")
    ods_code = (organisation_ods_code or "").strip().upper() or None
    if ods_code is not None:
        found = session.scalar(select(Organisation).where(Organisation.ods_code == ods_code))
        if found is None or not policy.may_import_for(user, found):
            raise InputError(
                "organisation", "No service of an ICB you administer has this ODS code"
            )
        icb_id = found.icb_id
    record = EventImport(
        icb_id=icb_id,
        created_by_id=user.id,
        filename=(filename or "upload")[-255:],
        source_format=source_format,
        dry_run=dry_run,
        batch_size=batch_size,
        organisation_ods_code=ods_code,
        state=ImportState.QUEUED.value,
    )
    session.add(record)
    session.flush()
    return record


def file_paths(folder: Path, record: EventImport) -> tuple[Path, Path]:
    """Where an import's upload and report are kept."""
    return folder / f"{record.id}-upload", folder / f"{record.id}-report.csv"


def hand_over(
    session: Session,
    user: User,
    *,
    filename: str,
    save: Callable[[Path], None],
    folder: Path,
    dry_run: bool,
    organisation_ods_code: str | None = None,
) -> EventImport:
    """The record of an uploaded file's import, the file kept under `folder` by `save` and its
    header checked now, so the person hears of a file the import cannot read before any job runs.
    InputError, with nothing kept, when it is not one."""
    source_format = sources.format_of(filename)
    record = create(
        session,
        user,
        filename=filename,
        source_format=source_format,
        dry_run=dry_run,
        organisation_ods_code=organisation_ods_code,
    )
    upload = file_paths(folder, record)[0]
    upload.parent.mkdir(parents=True, exist_ok=True)
    try:
        save(upload)
        record.bytes_total = upload.stat().st_size
        check_header(upload, source_format)
    except InputError:
        upload.unlink(missing_ok=True)
        raise
    return record


def run(
    session: Session,
    record: EventImport,
    binary,
    on_faults: Callable[[list], None],
    *,
    today: date,
    now: datetime,
    on_batch: Callable[[importing.Outcome], None] | None = None,
) -> importing.Outcome | None:
    """Run a binary file through the import as `record` says (committing batch by batch), keeping
    its counts, progress and state; a file that cannot be read to its end stops it (state failed,
    the batches before kept) with the reason, and returns None."""
    user = session.get(User, record.created_by_id)
    context = Context(
        session, user, today=today, now=now, organisation_ods_code=record.organisation_ods_code
    )
    with unit_of_work(session):
        record.state = ImportState.RUNNING.value

    def progress(outcome):
        record.bytes_read = binary.tell()
        if on_batch is not None:
            on_batch(outcome)

    text = open_text(binary)  # held here: a wrapper collected would close `binary` under us
    rows = sources.reader(record.source_format)(text)
    try:
        outcome = importing.run(
            session,
            rows,
            context,
            record=record,
            dry_run=record.dry_run,
            on_faults=on_faults,
            batch_size=record.batch_size,
            on_batch=progress,
        )
    except InputError as error:
        with unit_of_work(session):
            record.state, record.error = ImportState.FAILED.value, error.message
            record.finished_at = now
        return None
    with unit_of_work(session):
        record.state, record.finished_at = ImportState.FINISHED.value, now
    return outcome


def execute(session: Session, import_id: int, folder: Path, *, today: date, now: datetime) -> None:
    """The job: run the uploaded file of import `import_id`, then delete the upload (it may hold
    NHS numbers; the report holds none)."""
    record = session.get(EventImport, import_id)
    if record is None or record.state != ImportState.QUEUED.value:
        return  # run already, or gone: a job delivered twice does nothing the second time
    upload, report_path = file_paths(folder, record)
    report = ReportWriter(report_path)
    record.report_path = str(report_path)
    try:
        with upload.open("rb") as binary:
            run(session, record, binary, report.write, today=today, now=now)
    except Exception:
        # Not left "running" for ever: the page says it stopped; the worker's log has the rest.
        with unit_of_work(session):
            record = session.get(EventImport, import_id)
            record.state, record.finished_at = ImportState.FAILED.value, now
            record.error = "The import stopped on an unexpected error"
        raise
    finally:
        report.close()
        upload.unlink(missing_ok=True)


def listing(session: Session, user: User, cursor: str | None, size: int) -> Page:
    """The imports of the ICBs `user` administers, newest first."""
    stmt = select(EventImport).where(EventImport.icb_id.in_(policy.require_importer(user)))
    return keyset_page(session, stmt, EventImport, cursor, size)
