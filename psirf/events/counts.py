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
`count_new_events` with the new events' values in the same transaction, which sums each rollup's
rows of them (the SELECT's twin, as for a recording) per key and adds each key once. Any other bulk INSERT or UPDATE that bypasses the ORM is not
seen, which is why `flask --app app counts check` compares every rollup with its SELECT over all
the events, in SQL, returning only the rows that differ, and `--repair` rewrites them with
INSERT ... SELECT.
"""

from __future__ import annotations

from datetime import date
from typing import Iterator, NamedTuple

from sqlalchemy import (
    Date,
    Integer,
    String,
    bindparam,
    event,
    func,
    inspect,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from psirf.events.models import EventPatient, SafetyEvent
from psirf.events.rollups import (
    NOT_RECORDED,
    ROLLUPS,
    Areas,
    EqualityRollup,
    EventCount,
    Rollup,
    ThemeRollup,
    areas,
    countable_by_values,
    counted_record_types,
)
from psirf.organisations.models import Organisation, OrganisationMembership

__all__ = [
    "NOT_RECORDED",
    "EqualityRollup",
    "EventCount",
    "ThemeRollup",
    "counted_record_types",
    "count_new_events",
    "differences",
    "repair",
]

_BEFORE = "rollups_before"
_COUNTED = (
    "organisation_id",
    "occurred_on",
    "theme",
    "record_type",
    "physical_harm",
    "psychological_harm",
    "patients",
)
_AREA = ("icb_id",)


# ---- what a flush touches --------------------------------------------------------------------------


def _changed(obj, names) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in names)


def _old_and_new(obj, name) -> set[int]:
    history = inspect(obj).attrs[name].history
    return {v for v in (*history.deleted, *history.unchanged, *history.added) if v is not None}


class _Touched(NamedTuple):
    events: set[int]  # stored events whose counted values may change
    services: set[int]  # their services, before and after
    moved: set[int]  # services changing area: every one of their events is recounted


def _touched(session: Session) -> _Touched:
    events: set[int] = set()
    services: set[int] = set()
    moved: set[int] = set()
    for obj in [*session.dirty, *session.deleted]:
        if isinstance(obj, SafetyEvent) and (obj in session.deleted or _changed(obj, _COUNTED)):
            events.add(obj.id)
            services |= _old_and_new(obj, "organisation_id")
        elif isinstance(obj, Organisation) and _changed(obj, _AREA):
            moved.add(obj.id)
    new = session.new
    for obj in [*new, *session.dirty, *session.deleted]:
        if isinstance(obj, EventPatient):
            owner = obj.event_id
            if owner is None:
                event = obj.event
                if event is None or event in new:
                    continue  # a patient of a new event, counted with it after the flush
                owner = event.id
            events.add(owner)
        elif isinstance(obj, OrganisationMembership) and obj.member_id is not None:
            moved |= _old_and_new(obj, "member_id")
    return _Touched(events, services - moved, moved)


def _lock_services(session: Session, touched: _Touched) -> None:
    """PostgreSQL: see the module's note on concurrency. Sorted, as every lock is taken."""
    if session.get_bind().dialect.name != "postgresql":
        return
    if touched.moved:
        session.connection().execute(
            select(Organisation.id)
            .where(Organisation.id.in_(sorted(touched.moved)))
            .order_by(Organisation.id)
            .with_for_update()
        )
    if touched.services:
        session.connection().execute(
            select(Organisation.id)
            .where(Organisation.id.in_(sorted(touched.services)))
            .order_by(Organisation.id)
            .with_for_update(key_share=True, read=True)
        )


def _counted_sql(rollup: Rollup):
    """The rollup's SELECT over given events and every event of given services, built once: the
    lists are expanding parameters, so each flush binds them rather than building the SELECT."""
    where = or_(
        SafetyEvent.id.in_(bindparam("events", expanding=True)),
        SafetyEvent.organisation_id.in_(bindparam("moved", expanding=True)),
    )
    return rollup.compute(where)


_COUNTED_SQL = {r.name: _counted_sql(r) for r in ROLLUPS}


def _counted(session: Session, rollup: Rollup, events: set[int], moved: set[int]) -> dict:
    """The rollup's rows over the given events and every event of the given services."""
    found: dict = {}
    if not (events or moved):
        return found
    width = len(rollup.keys)
    result = session.connection().execute(
        _COUNTED_SQL[rollup.name], {"events": sorted(events), "moved": sorted(moved)}
    )
    for row in result:
        found[tuple(row[:width])] = tuple(int(v or 0) for v in row[width:])
    return found


# Each service's ICB and its PCNs and federations, as one statement: (service, ICB, group).
_AREAS = union_all(
    select(Organisation.id, Organisation.icb_id, null()).where(
        Organisation.id.in_(bindparam("services", expanding=True))
    ),
    select(OrganisationMembership.member_id, null(), OrganisationMembership.group_id).where(
        OrganisationMembership.member_id.in_(bindparam("services", expanding=True))
    ),
)


def _areas(session: Session, services: set[int]) -> dict[int, Areas]:
    """Read after the flush's INSERT, like the SELECTs: see the module's note on concurrency."""
    icbs: dict[int, int | None] = {}
    groups: dict[int, list[int]] = {s: [] for s in services}
    for service, icb_id, group_id in session.connection().execute(
        _AREAS, {"services": sorted(services)}
    ):
        if group_id is None:
            icbs[service] = icb_id
        else:
            groups[service].append(group_id)
    return {s: Areas(icbs.get(s), tuple(sorted(groups[s]))) for s in services}


def _add(rows: dict, more) -> None:
    for key, measures in more:
        old = rows.get(key)
        rows[key] = measures if old is None else tuple(a + b for a, b in zip(old, measures))


def _delta(before: dict, after: dict) -> list[tuple[tuple, tuple]]:
    rows = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        width = len(old or new)
        change = tuple((new or (0,) * width)[i] - (old or (0,) * width)[i] for i in range(width))
        if any(change):
            rows.append((key, change))
    return rows


_UPSERTS: dict[tuple[str, str], object] = {}


def _upsert_statement(dialect: str, rollup: Rollup):
    """Adding to what is stored; built once per dialect and table."""
    statement = _UPSERTS.get((dialect, rollup.name))
    if statement is None:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        table = rollup.table
        statement = insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=list(rollup.keys),
            set_={m: table.c[m] + statement.excluded[m] for m in rollup.measures},
        )
        _UPSERTS[(dialect, rollup.name)] = statement
    return statement


_FROM_ARRAYS: dict[str, object] = {}


def _upsert_from_arrays(session: Session, rollup: Rollup, rows: list[tuple[tuple, tuple]]) -> None:
    """PostgreSQL: `_upsert` as one statement over an array a column, unnested side by side and
    taken in the order given (key order): many rows at once (a batch of an import's) cost one
    statement, not one each as an executemany's do."""
    statement = _FROM_ARRAYS.get(rollup.name)
    columns = [*rollup.keys, *rollup.measures]
    if statement is None:
        table = rollup.table
        arrays = (
            func.unnest(*(bindparam(c, type_=ARRAY(table.c[c].type)) for c in columns))
            .table_valued(*columns, with_ordinality="n")
            .render_derived()
        )
        rows_in_order = select(*(arrays.c[c] for c in columns)).order_by(arrays.c.n)
        statement = pg_insert(table).from_select(columns, rows_in_order)
        statement = statement.on_conflict_do_update(
            index_elements=list(rollup.keys),
            set_={m: table.c[m] + statement.excluded[m] for m in rollup.measures},
        )
        _FROM_ARRAYS[rollup.name] = statement
    session.connection().execute(
        statement,
        {c: [(key + change)[i] for key, change in rows] for i, c in enumerate(columns)},
    )


def _upsert_sqlite_rows(session: Session, rollup: Rollup, rows: list[tuple[tuple, tuple]]) -> None:
    """SQLite: `_upsert` as the driver's own executemany of the rows as tuples, past SQLAlchemy's
    parameters a row (which cost a batch of an import's rows more than SQLite's writing them).
    The dates as SQLAlchemy stores them on SQLite, ISO text."""
    columns = [*rollup.keys, *rollup.measures]
    sql = (
        f"INSERT INTO {rollup.table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)}) "
        f"ON CONFLICT ({', '.join(rollup.keys)}) DO UPDATE SET "
        + ", ".join(f"{m} = {rollup.table.name}.{m} + excluded.{m}" for m in rollup.measures)
    )
    session.connection().exec_driver_sql(
        sql,
        [
            tuple(v.isoformat() if type(v) is date else v for v in key) + change
            for key, change in rows
        ],
    )


def _upsert(session: Session, rollup: Rollup, rows: list[tuple[tuple, tuple]]) -> None:
    """One statement, the rows in key order (no deadlocks), each adding to what is stored."""
    session.connection().execute(
        _upsert_statement(session.get_bind().dialect.name, rollup),
        [
            {**dict(zip(rollup.keys, key)), **dict(zip(rollup.measures, change))}
            for key, change in rows
        ],
    )


# ---- the common flush: one new event, nothing else ------------------------------------------------
#
# Its areas need not be read on their own: the upserts read them as they insert, in the same
# statement, after the event's INSERT (so the module's note on concurrency holds as for a SELECT).


def _from_areas(dialect: str):
    """theme_rollups: one new event's row in each of its service's areas."""
    area = areas()
    theme = ThemeRollup.__table__
    rows = (
        select(
            area.c.area_id,
            bindparam("month", type_=Date()),
            bindparam("theme", type_=String()),
            area.c.shard,
            literal_column("1", Integer),
        )
        .where(area.c.organisation_id == bindparam("service"))
        .order_by(area.c.area_id, area.c.shard)  # key order: no deadlocks
    )
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(theme).from_select(["area_id", "month", "theme", "shard", "count"], rows)
    return statement.on_conflict_do_update(
        index_elements=["area_id", "month", "theme", "shard"],
        set_={"count": theme.c["count"] + statement.excluded["count"]},
    )


def _in_icb(dialect: str):
    """equality_rollups: one row of a new event's, in its service's ICB (none outside one)."""
    equality = EqualityRollup.__table__
    names = ("month", "characteristic", "value", "shard", "patients", "serious")
    types = (Date(), String(), String(), Integer(), Integer(), Integer())
    row = select(Organisation.icb_id, *(bindparam(n, type_=t) for n, t in zip(names, types))).where(
        Organisation.id == bindparam("service"), Organisation.icb_id.is_not(None)
    )
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(equality).from_select(["icb_id", *names], row)
    return statement.on_conflict_do_update(
        index_elements=["icb_id", "month", "characteristic", "value", "shard"],
        set_={m: equality.c[m] + statement.excluded[m] for m in ("patients", "serious")},
    )


_ONE_NEW: dict[str, tuple] = {}


def _count_one_new_event(session: Session, new: SafetyEvent) -> None:
    """Its event_counts row from its values; its area rows read from its areas as they insert."""
    dialect = session.get_bind().dialect.name
    if dialect not in _ONE_NEW:
        _ONE_NEW[dialect] = (_from_areas(dialect), _in_icb(dialect))
    from_areas, in_icb = _ONE_NEW[dialect]
    counts, themes, equalities = ROLLUPS
    _upsert(session, counts, list(counts.of_new_event(new, Areas(None, ()))))
    if new.record_type not in counted_record_types():
        return
    connection = session.connection()
    service, month = new.organisation_id, new.occurred_on.replace(day=1)
    connection.execute(from_areas, {"service": service, "month": month, "theme": new.theme})
    # Any ICB stands in for the service's own, which the statement reads: the rows, summed per
    # key and in key order, are the same whichever it is.
    rows: dict = {}
    _add(rows, equalities.of_new_event(new, Areas(0, ())))
    if rows:
        connection.execute(
            in_icb,
            [
                {"service": service, "month": key[1], "characteristic": key[2], "value": key[3],
                 "shard": key[4], "patients": measures[0], "serious": measures[1]}
                for key, measures in sorted(rows.items())
            ],
        )  # fmt: skip


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context, _instances) -> None:
    touched = _touched(session)
    if not (touched.events or touched.moved):
        return
    _lock_services(session, touched)
    before = {r.name: _counted(session, r, touched.events, touched.moved) for r in ROLLUPS}
    session.info[_BEFORE] = (touched, before)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, _previous) -> None:
    session.info.pop(_BEFORE, None)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    touched, before = session.info.pop(_BEFORE, (_Touched(set(), set(), set()), {}))
    events = set(touched.events)
    # New events are counted from their own values (nothing to read back but their services'
    # areas), unless their service moves in this flush (all its events are recounted) or a value
    # is not plain enough to be sure of what the database stored.
    by_values = []
    for obj in session.new:
        if not isinstance(obj, SafetyEvent) or obj.organisation_id in touched.moved:
            continue
        if countable_by_values(obj):
            by_values.append(obj)
        else:
            events.add(obj.id)
    if not (events or touched.moved or by_values):
        return
    if not (events or touched.moved or before) and len(by_values) == 1:
        _count_one_new_event(session, by_values[0])
        return
    found = _areas(session, {e.organisation_id for e in by_values}) if by_values else {}
    for rollup in ROLLUPS:
        after = _counted(session, rollup, events, touched.moved)
        for new in by_values:
            _add(after, rollup.of_new_event(new, found[new.organisation_id]))
        rows = _delta(before.get(rollup.name, {}), after)
        if rows:
            _upsert(session, rollup, rows)


def count_new_events(session: Session, events) -> None:
    """Add to the rollups events a bulk INSERT just wrote past the ORM, in its transaction, from
    their own values (each rollup's `of_new_event`, the SELECT's twin; nothing read back but their
    services' areas): the batch's rows summed per key in Python, then each key upserted once, the
    tables in ROLLUPS' order, each in key order (no deadlocks). Each event is anything with the
    columns the rollups count (organisation_id, occurred_on, theme, record_type, physical_harm,
    psychological_harm) and `patients`, each with its harms and characteristics, all as plain
    values of the types the columns store. Their services' areas are read after the INSERT, which
    locked the services' rows FOR KEY SHARE, as the module's note on concurrency needs."""
    if not events:
        return
    found = _areas(session, {e.organisation_id for e in events})
    dialect = session.get_bind().dialect.name
    upsert = _upsert_from_arrays if dialect == "postgresql" else _upsert_sqlite_rows
    for rollup in ROLLUPS:
        rows: dict = {}
        for new in events:
            _add(rows, rollup.of_new_event(new, found[new.organisation_id]))
        if rows:
            upsert(session, rollup, sorted(rows.items()))


# ---- checking and repairing --------------------------------------------------------------------


class Difference(NamedTuple):
    table: str
    key: tuple
    stored: int | tuple[int, ...]
    expected: int | tuple[int, ...]


def _compared(rollup: Rollup):
    """Stored and expected side by side, summed per key: only the keys whose measures differ. One
    GROUP BY in SQL over the stored rows and the rollup's SELECT of every event."""
    width, n = len(rollup.keys), len(rollup.measures)
    zeros = [literal_column("0") for _ in rollup.measures]
    stored = select(*(rollup.table.c[c] for c in (*rollup.keys, *rollup.measures)), *zeros)
    expected = list(rollup.compute(SafetyEvent.id.is_not(None)).subquery("expected").c)
    recomputed = select(*expected[:width], *zeros, *expected[width:])
    names = [f"c{i}" for i in range(width + 2 * n)]
    both = union_all(
        select(*(c.label(name) for c, name in zip(stored.selected_columns, names))),
        select(*(c.label(name) for c, name in zip(recomputed.selected_columns, names))),
    ).subquery("both")
    keys = [both.c[name] for name in names[:width]]
    stored_sums = [func.sum(both.c[name]) for name in names[width : width + n]]
    expected_sums = [func.sum(both.c[name]) for name in names[width + n :]]
    return (
        select(*keys, *stored_sums, *expected_sums)
        .group_by(*keys)
        .having(or_(*(s != e for s, e in zip(stored_sums, expected_sums))))
        .order_by(*keys)
    )


def iter_differences(session: Session) -> Iterator[Difference]:
    """Every rollup's rows that differ from its SELECT over the events, streamed in key order."""
    for rollup in ROLLUPS:
        width, n = len(rollup.keys), len(rollup.measures)
        result = session.execute(
            _compared(rollup), execution_options={"stream_results": True, "yield_per": 1000}
        )
        for row in result:
            stored = tuple(int(v or 0) for v in row[width : width + n])
            expected = tuple(int(v or 0) for v in row[width + n :])
            yield Difference(
                rollup.name,
                tuple(row[:width]),
                stored[0] if n == 1 else stored,
                expected[0] if n == 1 else expected,
            )


def differences(session: Session) -> list[Difference]:
    """(table, key, stored, expected) for every rollup row that differs from the events."""
    return list(iter_differences(session))


def repair(session: Session) -> int:
    """Rewrite every rollup from the events in SQL (INSERT ... SELECT ... GROUP BY); return how
    many rows differed."""
    found = 0
    for rollup in ROLLUPS:
        found += session.scalar(select(func.count()).select_from(_compared(rollup).subquery()))
        session.execute(rollup.table.delete())
        session.execute(
            rollup.table.insert().from_select(
                [*rollup.keys, *rollup.measures], rollup.compute(SafetyEvent.id.is_not(None))
            )
        )
    return found
