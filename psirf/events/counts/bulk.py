"""Counting rows a bulk INSERT wrote past the ORM (psirf/imports), which no flush sees."""

from __future__ import annotations

from sqlalchemy.orm import Session

from psirf.events.counts.rows import add, service_areas, upsert_from_arrays, upsert_sqlite_rows
from psirf.events.rollups import ROLLUPS


def count_new_events(session: Session, events) -> None:
    """Add to the rollups events a bulk INSERT just wrote past the ORM, in its transaction, from
    their own values (each rollup's `of_new_event`, the SELECT's twin; nothing read back but their
    services' areas): the batch's rows summed per key in Python, then each key upserted once, the
    tables in ROLLUPS' order, each in key order (no deadlocks). Each event is anything with the
    columns the rollups count (organisation_id, occurred_on, theme, record_type, physical_harm,
    psychological_harm, repeat_presentation) and `patients`, each with its harms and
    characteristics, all as plain values of the types the columns store. Their services' areas are read after the INSERT, which
    locked the services' rows FOR KEY SHARE, as the package's note on concurrency needs."""
    if not events:
        return
    found = service_areas(session, {e.organisation_id for e in events})
    dialect = session.get_bind().dialect.name
    upsert = upsert_from_arrays if dialect == "postgresql" else upsert_sqlite_rows
    for rollup in ROLLUPS:
        rows: dict = {}
        for new in events:
            add(rows, rollup.of_new_event(new, found[new.organisation_id]))
        if rows:
            upsert(session, rollup, sorted(rows.items()))
