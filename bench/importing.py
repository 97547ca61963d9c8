"""The bulk import's figures (issue 17): rows a second of a generated CSV through the import,
beside a bare `executemany` of the same rows (target at least 0.5x), and the import command's peak
memory at two file sizes (flat as the file grows).

The bare baseline writes the same event and patient rows, already checked and with their ids,
with one executemany a table a batch and a commit a batch: no reading, no checks, no rollups, no
audit. Its rows are deleted after (they bypassed the rollups), so the database is as it was.
"""

from __future__ import annotations

import csv
import random
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import delete, func, insert, select

from bench.databases import ROOT, app_environment
from psirf.accounts.models import User
from psirf.bulk_insert import insert_rows
from psirf.db import unit_of_work
from psirf.events.models import EventPatient, SafetyEvent
from psirf.extensions import db
from psirf.imports import importing, services
from psirf.imports.checks import Context, check_row
from psirf.imports.columns import template_header
from psirf.imports.csv_source import csv_rows
from psirf.organisations.models import Organisation

THEMES = ["medication", "diagnosis", "referral", "test_results", "communication", "access"]
HARMS = ["none", "none", "low", "low", "moderate", "severe"]
BATCH = importing.BATCH_SIZE


def write_csv(
    path: Path, rows: int, ods_codes: list[str], today: date, prefix: str, bad: dict | None = None
) -> int:
    """A CSV of `rows` events across the services, written a row at a time; its size. As a local
    system exports them: service by service, oldest first, over three years. Good, but for `bad`:
    {row index: (column, value)}."""
    rng = random.Random(17)
    days = 3 * 365
    per_service = -(-rows // len(ods_codes))
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        header = template_header()
        writer.writerow(header)
        for n in range(rows):
            service, ago = n // per_service, days - (n % per_service) * days // per_service
            occurred = today - timedelta(days=ago)
            row = {
                "source_reference": f"{prefix}-{n:08d}",
                "organisation_ods_code": ods_codes[service],
                "record_type": "incident" if n % 10 else "good_care",
                "occurred_on": occurred.isoformat(),
                "reported_at": f"{occurred.isoformat()}T10:{n % 60:02d}:00",
                "theme": THEMES[n % len(THEMES)],
                "description": "A historic event from the practice's own log.",
                "reporter_kind": "staff",
            }
            if n % 8:
                row.update(patient_1_physical_harm=rng.choice(HARMS), patient_1_age_band="45-64",
                           patient_1_gender="female" if n % 2 else "male",
                           patient_1_ethnicity="white_british")  # fmt: skip
            if bad and n in bad:
                row[bad[n][0]] = bad[n][1]
            writer.writerow([row.get(name, "") for name in header])
    return path.stat().st_size


def _services(session, run) -> list[str]:
    return list(
        session.scalars(
            select(Organisation.ods_code)
            .where(Organisation.id.in_(run.seeded.service_ids))
            .order_by(Organisation.id)
        )
    )


def _bare_rows(session, context: Context, path: Path, prefix: str) -> list[tuple[list, list]]:
    """The file's rows as the import would write them (checked, with ids), a batch at a time."""
    checked = []
    with path.open(encoding="utf-8", newline="") as stream:
        for position, row in csv_rows(stream):
            row["source_reference"] = f"{prefix}-{row['source_reference']}"
            ok, faults = check_row(position, row, context)
            checked.append(ok)
    top = session.scalar(select(func.max(SafetyEvent.id))) or 0
    batches = []
    for start in range(0, len(checked), BATCH):
        events, patients = [], []
        for n, row in enumerate(checked[start : start + BATCH], start=start):
            event_id = top + 1 + n
            events.append({**row.columns, **importing._UNTRIAGED, "id": event_id,
                           "reference": f"BARE-{event_id}", "organisation_id": row.organisation_id,
                           "source_reference": row.source_reference, "status": "no_further_response",
                           "triage_rationale": importing.IMPORTED_RATIONALE, "revision": 1,
                           "version_id": 1})  # fmt: skip
            patients += [{**p, "event_id": event_id} for p in row.patients]
        batches.append((events, patients))
    return batches


def _executemany(session, table, rows) -> None:
    if rows:
        session.connection().execute(insert(table), rows)


def _bare_seconds(session, batches, write=_executemany) -> float:
    """`write` (executemany) of the rows, a transaction a batch; then they are deleted."""
    started = time.perf_counter()
    for events, patients in batches:
        with unit_of_work(session):
            write(session, SafetyEvent.__table__, events)
            write(session, EventPatient.__table__, patients)
    seconds = time.perf_counter() - started
    _postgresql("ANALYZE")
    with db.engine.begin() as conn:
        ids = select(SafetyEvent.id).where(SafetyEvent.reference.like("BARE-%"))
        conn.execute(delete(EventPatient).where(EventPatient.event_id.in_(ids)))
        conn.execute(delete(SafetyEvent).where(SafetyEvent.reference.like("BARE-%")))
    # The deleted rows' space and index entries cleared, so what is timed next writes into the
    # tables as they were, not beside 100,000 dead rows (autovacuum would, in its time).
    _postgresql("VACUUM ANALYZE safety_events, event_patients")
    return seconds


def _postgresql(command: str) -> None:
    """On PostgreSQL, `command` (VACUUM, ANALYZE) outside a transaction. ANALYZE before the bare
    rows are deleted: each deleted event's foreign-key checks are planned from the referencing
    tables' statistics, and the LFPSE queue, analyzed when the import had not yet grown it, was
    read whole for every event deleted."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(command)


def _import(session, admin, context: Context, path: Path, dry_run: bool):
    """The file through the import, as the page's job runs it: (outcome, faults, seconds)."""
    record = None
    if not dry_run:
        with unit_of_work(session):
            record = services.create(session, admin, filename=path.name, source_format="csv",
                                     dry_run=False)  # fmt: skip
    faults = []
    started = time.perf_counter()
    with path.open("rb") as binary:
        text = services.open_text(binary)
        outcome = importing.run(session, csv_rows(text), context, record=record, dry_run=dry_run,
                                on_faults=faults.extend)  # fmt: skip
    return outcome, faults, time.perf_counter() - started


def _context(session, run) -> tuple[User, Context]:
    admin = session.get(User, run.seeded.admin["id"])
    now = datetime.combine(run.today, datetime.min.time()) + timedelta(hours=12)
    return admin, Context(session, admin, today=run.today, now=now)


def _parts(path: Path, parts: int) -> list[Path]:
    """The CSV cut into `parts` files of consecutive rows, each with the header (no cell of the
    bench's holds a line break, so a line is a row)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    size = -(-len(body) // parts)
    cut = []
    for n, start in enumerate(range(0, len(body), size)):
        part = path.with_name(f"{path.stem}-{n}.csv")
        part.write_text(header + "".join(body[start : start + size]), encoding="utf-8")
        cut.append(part)
    return cut


def rate(run, app: Flask, rows: int, parts: int = 5) -> None:
    """Rows a second through the import (reading, checks, batches, rollups, audit) against the
    bare executemany of the same rows. The file goes in `parts` parts, each written bare (and
    deleted), then imported: the two take turns, so a machine that slows or speeds up during the
    run weighs on both alike rather than on whichever ran then."""
    path = run.folder / "import-rate.csv"
    seconds = {"import": 0.0, "bare": 0.0, "bulk": 0.0}
    imported = 0
    with app.app_context():
        session = db.session
        admin, context = _context(session, run)
        write_csv(path, rows, _services(session, run), run.today, "RATE")
        for part in _parts(path, parts):
            batches = _bare_rows(session, context, part, "BARE")
            seconds["bare"] += _bare_seconds(session, batches)
            # The import writes by COPY on PostgreSQL: that bare figure too, so the note says how near.
            seconds["bulk"] += _bare_seconds(session, batches, insert_rows)
            # The bench's own copy of the rows is not the import's to carry: held, each of the
            # import's garbage collections would walk its objects.
            del batches
            outcome, _, taken = _import(session, admin, context, part, dry_run=False)
            seconds["import"] += taken
            imported += outcome.imported
            part.unlink()
        session.remove()
    path.unlink()
    row = run.add(
        "import events from CSV", 1, round(rows / seconds["import"]), "rows/s",
        round(rows / seconds["bare"]), ">= 0.5x bare",
        note=f"{imported:,} of {rows:,} rows imported in {seconds['import']:.1f} s, in {parts} "
        "parts, each after its bare run; bare: executemany of the same checked rows, a commit "
        f"a batch of 1,000; the same rows by psirf.bulk_insert (COPY on PostgreSQL): "
        f"{rows / seconds['bulk']:,.0f} rows/s",
    )  # fmt: skip
    row.met = row.ratio is not None and row.ratio >= 0.5


def five_bad_rows(run, app: Flask, rows: int) -> None:
    """The issue's test: a file with five bad rows reports exactly those five with their fields,
    their batches import nothing and the others do; its dry run first writes nothing."""
    step = rows // 5
    bad = {i * step + step // 2: (column, value) for i, (column, value) in enumerate(
        [("theme", "weather"), ("occurred_on", "31/12/2024"), ("patient_1_age_band", "old"),
         ("organisation_ods_code", "ZZ999"), ("description", "")]
    )}  # fmt: skip
    expected = sorted((index + 2, column) for index, (column, _) in bad.items())
    path = run.folder / "import-five-bad.csv"
    with app.app_context():
        session = db.session
        admin, context = _context(session, run)
        write_csv(path, rows, _services(session, run), run.today, "FIVE", bad)
        before = session.scalar(select(func.count()).select_from(SafetyEvent))
        _, dry_faults, _ = _import(session, admin, context, path, dry_run=True)
        wrote = session.scalar(select(func.count()).select_from(SafetyEvent)) - before
        outcome, faults, seconds = _import(session, admin, context, path, dry_run=False)
        session.remove()
    path.unlink()
    found = [(f.row, f.field) for f in faults]
    refused = len({(index // BATCH) for index in bad}) * BATCH
    row = run.add(
        f"import {rows:,} rows with 5 bad: faults reported", 1, len(faults), "faults", None,
        "exactly the 5; their batches refused; dry run writes nothing",
        note=f"{found}; {outcome.imported:,} imported, {outcome.refused:,} refused in "
        f"{seconds:.1f} s; the dry run found {len(dry_faults)} and wrote {wrote} events",
    )  # fmt: skip
    row.met = (
        found == expected
        and [(f.row, f.field) for f in dry_faults] == expected
        and wrote == 0
        and (outcome.imported, outcome.refused) == (rows - refused, refused)
    )


def _peak_mb(run, path: Path) -> tuple[float, int]:
    """`flask import events` as its own process: its peak memory and exit code."""
    measure = (
        "import resource, subprocess, sys;"
        " code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode;"
        " print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)"
    )
    answer = subprocess.run(
        [sys.executable, "-c", measure, sys.executable, "-m", "flask", "--app", "app", "import",
         "events", str(path), "--as", run.seeded.admin["email"]],
        cwd=ROOT, env=app_environment(run.url, run.folder), capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    peak_kb, code = answer.stdout.split()
    return int(peak_kb) / 1024, int(code)


def memory(run, app: Flask, sizes: tuple[int, ...]) -> None:
    """The command's peak memory importing files of each size: flat, not growing with the file."""
    with app.app_context():
        ods_codes = _services(db.session, run)
        db.session.remove()
    peaks = []
    for size in sizes:
        path = run.folder / f"import-{size}.csv"
        megabytes = write_csv(path, size, ods_codes, run.today, f"MEM{size}") / 2**20
        peak, code = _peak_mb(run, path)
        path.unlink()
        peaks.append(peak)
        row = run.add(
            f"flask import events peak memory, {size:,} rows", 1, round(peak, 1), "MB",
            None, "flat as the file grows", note=f"a {megabytes:,.0f} MB file; exit {code}",
        )  # fmt: skip
        row.met = code == 0 and peak <= peaks[0] * 1.2


def figures(run, app: Flask, rows: int = 100_000, sizes: tuple[int, ...] = (100_000, 1_000_000)):
    """The harness's hook: every import figure, in this order."""
    rate(run, app, rows)
    five_bad_rows(run, app, rows)
    memory(run, app, sizes)
