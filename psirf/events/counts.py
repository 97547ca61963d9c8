"""Monthly event counts: organisation x month x theme x record type x harm, kept exact.

Plans' profiles and the oversight dashboards read these rows, not the events table: an ICB holds
hundreds of thousands of events, and a year of one ICB's counts is a few thousand rows.

The counts change in the same flush as the events they count (session listeners: what a changed
or deleted event counted as is read before the flush, while its row is there; the new counts
after it, when new events have ids), so they are exact, not a cache: a rolled-back event takes
its count with it. The counted attributes keep their old value when set
(active history), so an event changed after it was expired still moves its count. The
listener covers every way the app writes events (the services, the demo loader, the factories);
a bulk `INSERT` or `UPDATE` that bypasses the ORM would not be counted, which is why
`flask --app app counts check` recomputes them from the events and reports any difference.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String, event, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import get_history

from psirf.events.lfpse import RecordType, worst_harm
from psirf.events.models import SafetyEvent
from psirf.extensions import Base

NOT_RECORDED = "not_recorded"
_BEFORE = "event_counts_before"
_COUNTED = (
    "organisation_id",
    "occurred_on",
    "theme",
    "record_type",
    "physical_harm",
    "psychological_harm",
)


class EventCount(Base):
    __tablename__ = "event_counts"
    __table_args__ = (Index("ix_event_counts_month_theme", "month", "theme"),)

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # the first day of the month
    theme: Mapped[str] = mapped_column(String(30), primary_key=True)
    record_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    # The worse of physical and psychological harm, or "not_recorded".
    harm: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


def counted_record_types() -> list[str]:
    """The record types every figure of safety events counts: all but good care, which is learned
    from on its own and would otherwise swell the counts of what went wrong. The dashboards, the
    XmR chart and a plan's profile all filter by this one list."""
    return [t.value for t in RecordType if t is not RecordType.GOOD_CARE]


def month_of(day: date) -> date:
    return day.replace(day=1)


def harm_of(physical: str | None, psychological: str | None) -> str:
    return worst_harm([physical, psychological]) or NOT_RECORDED


def _key(values: dict) -> tuple:
    return (
        values["organisation_id"],
        month_of(values["occurred_on"]),
        values["theme"],
        values["record_type"],
        harm_of(values["physical_harm"], values["psychological_harm"]),
    )


def _now(obj: SafetyEvent) -> dict:
    return {name: getattr(obj, name) for name in _COUNTED}


def _before(obj: SafetyEvent) -> dict:
    """The counted fields as they were loaded, before this flush changed them."""
    values = {}
    for name in _COUNTED:
        history = get_history(obj, name)
        if history.deleted or history.unchanged:
            values[name] = (history.deleted or history.unchanged)[0]
        else:  # expired and untouched: load it (the row is still there before the flush)
            values[name] = getattr(obj, name)
    return values


def _remember_before(session: Session) -> None:
    """Before the flush: what each changed or deleted event counted as, while it can still be read."""
    before = session.info.setdefault(_BEFORE, {})
    for obj in session.deleted:
        if isinstance(obj, SafetyEvent):
            before[id(obj)] = _key(_before(obj))
    for obj in session.dirty:
        if isinstance(obj, SafetyEvent) and session.is_modified(obj, include_collections=False):
            before[id(obj)] = _key(_before(obj))


def _changes(session: Session) -> Counter:
    """After the flush, when new events and their organisations have ids: the net change."""
    before = session.info.pop(_BEFORE, {})
    delta: Counter = Counter()
    for obj in session.new:
        if isinstance(obj, SafetyEvent):
            delta[_key(_now(obj))] += 1
    for obj in session.deleted:
        if isinstance(obj, SafetyEvent) and id(obj) in before:
            delta[before[id(obj)]] -= 1
    for obj in session.dirty:
        if isinstance(obj, SafetyEvent) and id(obj) in before:
            delta[before[id(obj)]] -= 1
            delta[_key(_now(obj))] += 1
    return Counter({key: n for key, n in delta.items() if n})


def _upsert(session: Session, delta: Counter) -> None:
    """One statement, executed once per changed count (compiled once however many there are)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(EventCount)
    statement = statement.on_conflict_do_update(
        index_elements=["organisation_id", "month", "theme", "record_type", "harm"],
        set_={"count": EventCount.count + statement.excluded["count"]},
    )
    rows = [
        {"organisation_id": o, "month": m, "theme": t, "record_type": r, "harm": h, "count": n}
        for (o, m, t, r, h), n in sorted(delta.items())  # one order everywhere: no deadlocks
    ]
    session.connection().execute(statement, rows)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context, _instances) -> None:
    _remember_before(session)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, _previous) -> None:
    session.info.pop(_BEFORE, None)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    delta = _changes(session)
    if delta:
        _upsert(session, delta)


def _keep_old_value(target, value, oldvalue, initiator):
    return value


for _name in _COUNTED:
    event.listen(
        getattr(SafetyEvent, _name), "set", _keep_old_value, active_history=True, retval=True
    )


# ---- checking ---------------------------------------------------------------------------------


def recount(session: Session) -> dict[tuple, int]:
    """The counts as the events say they should be: grouped in SQL by day, folded into months here
    (one expression for both databases)."""
    columns = (
        SafetyEvent.organisation_id,
        SafetyEvent.occurred_on,
        SafetyEvent.theme,
        SafetyEvent.record_type,
        SafetyEvent.physical_harm,
        SafetyEvent.psychological_harm,
    )
    counts: Counter = Counter()
    for o, occurred, t, r, physical, psychological, n in session.execute(
        select(*columns, func.count()).group_by(*columns)
    ):
        counts[(o, month_of(occurred), t, r, harm_of(physical, psychological))] += n
    return dict(counts)


def differences(session: Session) -> list[tuple[tuple, int, int]]:
    """(key, stored, expected) for every count that differs from the events."""
    stored = {
        (c.organisation_id, c.month, c.theme, c.record_type, c.harm): c.count
        for c in session.scalars(select(EventCount))
    }
    expected = recount(session)
    return [
        (key, stored.get(key, 0), expected.get(key, 0))
        for key in sorted(stored.keys() | expected.keys())
        if stored.get(key, 0) != expected.get(key, 0)
    ]


def repair(session: Session) -> int:
    """Rewrite the counts from the events; return how many rows differed."""
    found = differences(session)
    session.execute(EventCount.__table__.delete())
    rows = [
        {"organisation_id": o, "month": m, "theme": t, "record_type": r, "harm": h, "count": n}
        for (o, m, t, r, h), n in sorted(recount(session).items())
    ]
    if rows:
        session.execute(EventCount.__table__.insert(), rows)
    return len(found)
