"""The rollups (psirf/events/rollups.py) kept exact in the same transaction as each change, and
checked or rebuilt from the raw rows.

Plans' profiles and the dashboards read the rollups, not the events table: an ICB holds hundreds
of thousands of events, and a year of one ICB's figures is a few thousand rollup rows.

How they stay exact: a session listener sees each flush. Before it, for the stored events the
flush changes in a way any rollup counts (a revision, a deleted event, a patient added or
corrected) and for every event of a service that changes area (joins or leaves a PCN or
federation, moves ICB), it runs each rollup's own SELECT over just those events; after it, the
same SELECT over them. A new event is not read back: its rows come from its own values
(rollups.py writes each SELECT's twin for one event) and its service's areas, read after the
INSERT (for a recording's one event, by the upserts themselves). The difference is upserted, each
table's rows in key order and the tables in one order (ROLLUPS), so two transactions never wait
on each other in a circle. A rolled-back change takes its counts with it.

Concurrency on PostgreSQL (READ COMMITTED): recording an event locks its service's row FOR KEY
SHARE (the foreign key check), a correction does so explicitly, and a service changing area locks
its row FOR UPDATE before reading its events; so a move waits for the recordings and corrections
in flight at that service and they wait for it, and each reads areas after the other committed.
SQLite has one writer at a time.

A bulk INSERT that bypasses the ORM (psirf/imports) is not seen by the listener: its writer calls
`count_inserted_events` with the new events' ids in the same transaction, which adds each
rollup's SELECT over them to what is stored, in one INSERT ... SELECT a rollup. Any other bulk
INSERT or UPDATE that bypasses the ORM is not seen, which is why `flask --app app counts check`
compares every rollup with its SELECT over all the events, in SQL, returning only the rows that
differ, and `--repair` rewrites them with INSERT ... SELECT.

The modules, by responsibility: `rows` (a rollup's SELECT over given events, services' areas,
rows summed and differenced, the upserts), `flushes` (the session's listeners), `bulk` (rows a
bulk INSERT wrote), `checking` (differences and repair).
"""

from psirf.events.counts import flushes  # noqa: F401  (registers the session's listeners)
from psirf.events.counts.bulk import count_inserted_events
from psirf.events.counts.checking import Difference, differences, iter_differences, repair
from psirf.events.rollups import (
    NOT_RECORDED,
    EqualityRollup,
    EventCount,
    ThemeRollup,
    counted_record_types,
)

__all__ = [
    "NOT_RECORDED",
    "Difference",
    "EqualityRollup",
    "EventCount",
    "ThemeRollup",
    "counted_record_types",
    "count_inserted_events",
    "differences",
    "iter_differences",
    "repair",
]
