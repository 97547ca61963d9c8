"""The import: rows read lazily in batches, each batch checked whole and then written whole or
not at all, in its own transaction with its audit record and its rollups.

- Memory stays flat as the file grows: one batch of rows is held at a time (the source is read
  `batch_size` rows ahead, never more), and faults go to the report as each batch is checked.
- All or nothing per batch: a batch with any fault imports nothing; the others go in.
- Idempotent on the source's reference: a row whose (organisation, source_reference) is stored
  already is skipped and counted so; the unique constraint backs this against a race.
- Dry run: every batch is checked, nothing is written (not even the import's audit).
- The written rows go in by bulk writes past the ORM (`psirf.bulk_insert`: COPY on PostgreSQL,
  the driver's executemany on SQLite), so the rollups are added by `counts.count_inserted_events` in the
  same transaction: each rollup's SELECT over the batch's new events, added in the database,
  each rollup key once a batch: exact, batch by batch.
- What an imported event is: historic, already dealt with in the system it came from, so it is
  kept for insight (status "no_further_response", with a triage rationale saying it was imported)
  rather than added to the triage queue; it counts in every figure by the day it happened. Its
  reporter is the kind the row says (staff when empty), with no account here. Nobody is notified
  and no reporter update is written: a thousand historic events are no news to anyone.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice

from sqlalchemy import String, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from psirf import audit
from psirf.bulk_insert import insert_rows
from psirf.db import unit_of_work
from psirf.events import counts
from psirf.events.models import EventPatient, EventStatus, SafetyEvent
from psirf.imports.checks import CheckedRow, Context, Fault, check_row
from psirf.imports.models import EventImport
from psirf.lfpse import exports

BATCH_SIZE = 1_000
IMPORTED_RATIONALE = "A historic event imported from another system: kept for insight."

_UNTRIAGED = dict.fromkeys(
    ["reporter_user_id", "reporter_name", "reporter_contact", "follow_code_hash",
     "triaged_by_id", "triaged_at", "learning_response_id"]
)  # fmt: skip


@dataclass
class Outcome:
    """What a run did, counted as it goes."""

    rows: int = 0
    imported: int = 0  # in a dry run, would be
    skipped: int = 0  # imported before
    refused: int = 0  # rows of a batch that held a fault, that were not imported before
    faults: int = 0
    batches: int = 0

    @property
    def clean(self) -> bool:
        return self.faults == 0


def batches(rows: Iterable, size: int) -> Iterator[list]:
    """The rows, `size` at a time; never reads beyond the batch it gives."""
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


def run(
    session: Session,
    rows: Iterable[tuple[int, dict]],
    context: Context,
    *,
    record: EventImport | None,
    dry_run: bool,
    on_faults: Callable[[list[Fault]], None],
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[Outcome], None] | None = None,
) -> Outcome:
    """Import `rows` (a source's (position, row) pairs), a transaction a batch. `record` is the
    import being run (the audit's subject and where its counts are kept as each batch commits);
    a run that writes needs one. `on_batch` is called inside each batch's transaction."""
    if record is None and not dry_run:
        raise ValueError("an import that writes needs its record, for the audit")
    outcome = Outcome()
    with _collecting_only_new_objects():
        for batch in batches(rows, batch_size):
            with unit_of_work(session):
                faults = _one_batch(session, batch, context, record, dry_run, outcome)
                if record is not None:
                    _keep_counts(record, outcome)
                if on_batch is not None:
                    on_batch(outcome)
            if faults:
                on_faults(faults)
    return outcome


@contextmanager
def _collecting_only_new_objects():
    """The objects alive when the import starts (the app, its modules and libraries: a couple of
    hundred thousand) kept out of the garbage collector's passes until it ends. A batch's rows
    are tens of thousands of new objects, enough for a full collection every batch or so, and
    those full passes over the app's objects, which are not the import's garbage, took a
    twentieth of the import's time. Cyclic garbage among them is collected after (gc.unfreeze)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _keep_counts(record: EventImport, outcome: Outcome) -> None:
    for name in ("imported", "skipped", "refused", "faults", "batches"):
        setattr(record, name, getattr(outcome, name))
    record.rows_read = outcome.rows


def _one_batch(session, batch, context, record, dry_run, outcome: Outcome) -> list[Fault]:
    checked: list[CheckedRow] = []
    faults: list[Fault] = []
    context.read(row for _, row in batch)
    for position, row in batch:
        ok, found = check_row(position, row, context)
        if ok is None:
            faults += found
        else:
            checked.append(ok)
    fresh, skipped, repeated = _sorted_out(session, checked)
    faults += repeated
    faults.sort(key=lambda f: f.row)
    outcome.rows += len(batch)
    outcome.batches += 1
    outcome.skipped += skipped
    outcome.faults += len(faults)
    if faults:
        outcome.refused += len(batch) - skipped
    elif fresh:
        if not dry_run:
            _insert(session, fresh, context, record)
        outcome.imported += len(fresh)  # in a dry run, what would be
    return faults


def _sorted_out(session, checked: list[CheckedRow]):
    """The rows not imported before, how many were, and a fault for each reference the batch holds
    twice for one organisation (the first is imported, or refused with its batch)."""
    stored = _stored(session, {(r.organisation_id, r.source_reference) for r in checked})
    fresh, first_at, repeated, skipped = [], {}, [], 0
    for row in checked:
        key = (row.organisation_id, row.source_reference)
        if key in stored:
            skipped += 1
        elif key in first_at:
            repeated.append(
                Fault(
                    row.position,
                    "source_reference",
                    f"Row {first_at[key]} has this reference for this organisation too: "
                    "each event is imported once",
                )
            )
        else:
            first_at[key] = row.position
            fresh.append(row)
    return fresh, skipped, repeated


def _stored(session: Session, keys: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """The (organisation, reference) pairs of `keys` already stored: a statement an organisation
    (a batch names a few), each the unique index searched for that organisation's references."""
    wanted: dict[int, list[str]] = {}
    for organisation_id, reference in sorted(keys):
        wanted.setdefault(organisation_id, []).append(reference)
    connection = session.connection()
    statement = _STORED[connection.dialect.name == "postgresql"]
    found = set()
    for organisation_id, references in wanted.items():
        if connection.dialect.name != "postgresql":
            references = json.dumps(references)
        rows = connection.execute(statement, {"o": organisation_id, "references": references})
        found.update((organisation_id, reference) for (reference,) in rows)
    return found


def _stored_statement(postgresql: bool):
    """One parameter for all the references, not one each (a batch may hold any number): on
    PostgreSQL an array, on SQLite a JSON list. Not a join over the pairs: PostgreSQL would hash
    the whole events table to meet them."""
    if postgresql:
        among = SafetyEvent.source_reference == func.any(
            bindparam("references", type_=ARRAY(String))
        )
    else:
        listed = func.json_each(bindparam("references", type_=String)).table_valued("value")
        among = SafetyEvent.source_reference.in_(select(listed.c.value))
    return select(SafetyEvent.source_reference).where(
        SafetyEvent.organisation_id == bindparam("o"), among
    )


_STORED = {postgresql: _stored_statement(postgresql) for postgresql in (False, True)}


def _new_ids(session: Session, n: int) -> list[int]:
    """Ids for `n` new events, drawn before the INSERT so each row goes in with its reference.
    PostgreSQL: from the table's sequence. SQLite: past the largest, which is safe because the
    transaction already holds SQLite's one write lock (the batch's audit record went first)."""
    if session.get_bind().dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence("safety_events", "id")
        return list(
            session.scalars(select(func.nextval(sequence)).select_from(func.generate_series(1, n)))
        )
    top = session.scalar(select(func.coalesce(func.max(SafetyEvent.id), 0)))
    return list(range(top + 1, top + 1 + n))


def _insert(session, rows: list[CheckedRow], context: Context, record: EventImport) -> None:
    audit.record(
        session,
        actor_id=context.user.id,
        action="events:import",
        subject=record,
        organisation_id=record.icb_id,
        # No free text and no NHS number: which rows, and how many events they made.
        changes={
            "rows": {"before": None, "after": f"{rows[0].position}-{rows[-1].position}"},
            "imported": {"before": None, "after": len(rows)},
        },
    )
    session.flush()
    ids = _new_ids(session, len(rows))
    events, patients = [], []
    for event_id, row in zip(ids, rows):
        events.append(
            {
                **row.columns,
                **_UNTRIAGED,
                "id": event_id,
                "reference": f"PSE-{row.columns['created_at'].year}-{event_id:06d}",
                "organisation_id": row.organisation_id,
                "source_reference": row.source_reference,
                "status": EventStatus.NO_FURTHER_RESPONSE.value,
                "triage_rationale": IMPORTED_RATIONALE,
                "revision": 1,
                "version_id": 1,
            }
        )
        patients += [{**patient, "event_id": event_id} for patient in row.patients]
    insert_rows(session, SafetyEvent.__table__, events)
    insert_rows(session, EventPatient.__table__, patients)
    counts.count_inserted_events(session, ids)
    exports.record_imported(
        session, [(event_id, row.organisation_id) for event_id, row in zip(ids, rows)], context.now
    )
