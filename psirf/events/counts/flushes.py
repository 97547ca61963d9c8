"""Counting each flush: the session listener that keeps the rollups exact as the ORM writes (see
the package's note: what a flush touches is counted before and after, a new event from its own
values, and the difference upserted in the same transaction)."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import (
    Date,
    Integer,
    String,
    bindparam,
    event,
    inspect,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from psirf.events.counts.rows import add, counted, delta, service_areas, upsert
from psirf.events.models import EventPatient, SafetyEvent
from psirf.events.rollups import (
    ROLLUPS,
    Areas,
    EqualityRollup,
    ThemeRollup,
    areas,
    countable_by_values,
    counted_record_types,
    repeats_of,
)
from psirf.organisations.models import Organisation, OrganisationMembership

_BEFORE = "rollups_before"
_COUNTED = (
    "organisation_id",
    "occurred_on",
    "theme",
    "record_type",
    "physical_harm",
    "psychological_harm",
    "repeat_presentation",
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
    """PostgreSQL: see the package's note on concurrency. Sorted, as every lock is taken."""
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


# ---- the common flush: one new event, nothing else ------------------------------------------------
#
# Its areas need not be read on their own: the upserts read them as they insert, in the same
# statement, after the event's INSERT (so the package's note on concurrency holds as for a SELECT).


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
            bindparam("repeats", type_=Integer()),
        )
        .where(area.c.organisation_id == bindparam("service"))
        .order_by(area.c.area_id, area.c.shard)  # key order: no deadlocks
    )
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    measures = ("count", "repeat_presentations")
    statement = insert(theme).from_select(["area_id", "month", "theme", "shard", *measures], rows)
    return statement.on_conflict_do_update(
        index_elements=["area_id", "month", "theme", "shard"],
        set_={m: theme.c[m] + statement.excluded[m] for m in measures},
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
    upsert(session, counts, list(counts.of_new_event(new, Areas(None, ()))))
    if new.record_type not in counted_record_types():
        return
    connection = session.connection()
    service, month = new.organisation_id, new.occurred_on.replace(day=1)
    connection.execute(
        from_areas,
        {"service": service, "month": month, "theme": new.theme, "repeats": repeats_of(new)},
    )
    # Any ICB stands in for the service's own, which the statement reads: the rows, summed per
    # key and in key order, are the same whichever it is.
    rows: dict = {}
    add(rows, equalities.of_new_event(new, Areas(0, ())))
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
    before = {r.name: counted(session, r, touched.events, touched.moved) for r in ROLLUPS}
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
    found = service_areas(session, {e.organisation_id for e in by_values}) if by_values else {}
    for rollup in ROLLUPS:
        after = counted(session, rollup, events, touched.moved)
        for new in by_values:
            add(after, rollup.of_new_event(new, found[new.organisation_id]))
        rows = delta(before.get(rollup.name, {}), after)
        if rows:
            upsert(session, rollup, rows)
