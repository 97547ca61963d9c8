"""`flask --app app import events FILE`: import historic events from a file, acting as a named
administrator (for the policy and the audit), printing progress and a summary. Exits non-zero
when any row was refused, or the file could not be read to its end."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from psirf import policy
from psirf.accounts import services as accounts
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.imports import importing, services, sources
from psirf.imports.checks import Context
from psirf.imports.report import ReportWriter
from psirf.problems import InputError
from psirf.timeutil import utcnow

import_cli = AppGroup("import", help="Import historic events from a file.")
SHOWN_FAULTS = 100


class _Printer:
    """Prints each batch's progress and the first faults as they are found; keeps every fault in
    the report, when there is one."""

    def __init__(self, report: ReportWriter | None):
        self.report, self.shown = report, 0

    def faults(self, faults) -> None:
        if self.report is not None:
            self.report.write(faults)
        for fault in faults:
            self.shown += 1
            if self.shown <= SHOWN_FAULTS:
                click.echo(f"row {fault.row}  {fault.field}: {fault.message}", err=True)

    @staticmethod
    def batch(outcome: importing.Outcome) -> None:
        click.echo(
            f"{outcome.rows:,} rows read: {outcome.imported:,} imported, "
            f"{outcome.skipped:,} already imported, {outcome.refused:,} refused"
        )


def _summary(outcome: importing.Outcome, dry_run: bool, report: ReportWriter | None) -> None:
    verb = "would be imported (dry run: nothing was written)" if dry_run else "imported"
    click.echo(
        f"Done: {outcome.rows:,} rows, {outcome.imported:,} {verb}, "
        f"{outcome.skipped:,} already imported, {outcome.refused:,} refused "
        f"({outcome.faults:,} faults in {outcome.batches:,} batches)"
    )
    if outcome.faults > SHOWN_FAULTS:
        where = f"all are in {report.path}" if report else "use --report FILE for all"
        click.echo(f"{outcome.faults - SHOWN_FAULTS:,} more faults not shown: {where}", err=True)


@import_cli.command("events")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "as_email", required=True, envvar="PSIRF_IMPORT_AS",
              help="The administrator the import acts as (the policy and the audit name them).")  # fmt: skip
@click.option("--organisation", "ods_code", default=None,
              help="The ODS code of the one service every row is for (rows may then leave it empty).")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Check every row and write nothing.")
@click.option("--format", "source_format", type=click.Choice(sorted(sources.SOURCES)),
              default=None, help="The file's format (by default, from its extension).")  # fmt: skip
@click.option("--batch-size", type=click.IntRange(min=1), default=importing.BATCH_SIZE,
              show_default=True, help="Rows a transaction: a batch with a fault imports nothing.")  # fmt: skip
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write every fault to this CSV file (row, field, message).")  # fmt: skip
def import_events(file, as_email, ods_code, dry_run, source_format, batch_size, report_path):
    """Import the events in FILE (a CSV of the template's columns: see the README)."""
    session = db.session
    user = accounts.find_by_email(session, as_email)
    try:
        if user is None:
            raise policy.NotPermitted(f"No account has the email address {as_email}.")
        policy.require_importer(user)
        source_format = sources.format_of(file.name, source_format)
    except (policy.Denied, InputError) as refusal:
        raise click.ClickException(str(refusal)) from None
    record = None
    if not dry_run:
        # A run that writes has its record, as one from the page: the audit's subject.
        try:
            with unit_of_work(session):
                record = services.create(
                    session, user, filename=file.name, source_format=source_format, dry_run=False,
                    batch_size=batch_size, organisation_ods_code=ods_code,
                )  # fmt: skip
                record.bytes_total = file.stat().st_size
        except InputError as refusal:
            raise click.ClickException(f"--organisation {ods_code}: {refusal.message}") from None
        folder = Path(current_app.config["IMPORT_FOLDER"])
        report_path = report_path or services.file_paths(folder, record)[1]
        record.report_path = str(report_path)
    report = ReportWriter(report_path) if report_path else None
    printer = _Printer(report)
    now = utcnow()
    try:
        with file.open("rb") as binary:
            if record is None:
                text = services.open_text(binary)  # held: collected, it would close `binary`
                rows = sources.reader(source_format)(text)
                context = Context(
                    session, user, today=now.date(), now=now, organisation_ods_code=ods_code
                )
                outcome = importing.run(
                    session, rows, context, record=None, dry_run=True,
                    on_faults=printer.faults, batch_size=batch_size, on_batch=printer.batch,
                )  # fmt: skip
            else:
                outcome = services.run(
                    session, record, binary, printer.faults, today=now.date(), now=now,
                    on_batch=printer.batch,
                )  # fmt: skip
    except InputError as error:
        raise click.ClickException(f"{error.message} (the rows before it were checked)") from None
    finally:
        if report is not None:
            report.close()
    if outcome is None:
        raise click.ClickException(f"{record.error} (batches before this point were kept)")
    _summary(outcome, dry_run, report)
    if not outcome.clean:
        raise SystemExit(1)
