"""What each rollup counts: its table, and the one SELECT that computes it from the raw rows.

Three rollups, each defined once as a GROUP BY over the events (filtered by any WHERE), so that
keeping them (psirf/events/counts.py, per flush, over the events a flush touched), checking them
and rebuilding them (over every event) run the same SQL:

- `event_counts`: organisation x month x theme x record type x harm. Per service; a plan's profile
  (one group's twenty-odd services) reads it.
- `theme_rollups`: area x shard x month x theme, safety events only (good care left out). An area
  is an ICB or a PCN or federation the service is a member of. The ICB dashboard, the group
  dashboard and the XmR chart read it: an ICB's year is at most 8 x 12 x themes rows.
- `equality_rollups`: ICB x shard x month x characteristic x value, the patients of safety events
  and how many came to moderate harm or worse.

`event_counts` and `theme_rollups` carry a second measure beside the count: how many of the events
are repeat presentations (diagnosis events whose patient had 3 or more consultations for the same
symptoms), which insight counts as a theme of its own. A measure, not a key: no more rows.

The shard is the service's id mod 8 in an ICB's rows, mod 2 in a PCN's or federation's, summed
away at read time: services recording at once update the same area row only when their ids share
a shard (and the month and theme match), not every time, as one row per area would make them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    and_,
    case,
    func,
    inspect,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import ColumnElement, FunctionElement, Select

from psirf.events.lfpse import HARM_SEVERITY, RecordType, RepeatPresentation
from psirf.events.models import EventPatient, SafetyEvent
from psirf.extensions import Base
from psirf.organisations.models import Organisation, OrganisationMembership

NOT_RECORDED = "not_recorded"
# Shards per area: an ICB's rows are shared by its thousand-odd services, a PCN's or federation's
# by its twenty-odd, and the ICB dashboard reads every group's rows at once (50 x 12 months x themes
# x shards), so groups take fewer.
ICB_SHARDS = 8
GROUP_SHARDS = 2
SERIOUS_PHYSICAL = ("moderate", "severe", "fatal")
SERIOUS_PSYCHOLOGICAL = ("moderate", "severe")
CHARACTERISTICS = ("age_band", "gender", "ethnicity")


def counted_record_types() -> list[str]:
    """The record types every figure of safety events counts: all but good care, which is learned
    from on its own and would otherwise swell the counts of what went wrong. The dashboards, the
    XmR chart and a plan's profile all filter by this one list."""
    return list(_COUNTED_RECORD_TYPES)


# Read for every new event counted (a bulk import counts a million): the enum walked once.
_COUNTED_RECORD_TYPES = tuple(t.value for t in RecordType if t is not RecordType.GOOD_CARE)


# ---- the tables ------------------------------------------------------------------------------------


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
    # Of `count`, the repeat presentations (diagnosis events whose patient had three or more
    # consultations for the same symptoms): insight's own theme, a measure rather than a key so
    # the table has no more rows for it.
    repeat_presentations: Mapped[int] = mapped_column(default=0, server_default=text("0"))


class ThemeRollup(Base):
    """Safety events (good care left out) by area, month and theme."""

    __tablename__ = "theme_rollups"
    __table_args__ = (Index("ix_theme_rollups_series", "area_id", "theme", "month"),)

    # An ICB, or a PCN or federation the recording service is a member of.
    area_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    theme: Mapped[str] = mapped_column(String(30), primary_key=True)
    shard: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    repeat_presentations: Mapped[int] = mapped_column(default=0, server_default=text("0"))


class EqualityRollup(Base):
    """The patients of an ICB's safety events by month and each characteristic's value."""

    __tablename__ = "equality_rollups"

    icb_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    characteristic: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(30), primary_key=True)  # "" when not recorded
    shard: Mapped[int] = mapped_column(primary_key=True)
    patients: Mapped[int] = mapped_column(default=0)
    serious: Mapped[int] = mapped_column(default=0)  # moderate harm or worse


# ---- SQL both databases share -------------------------------------------------------------------


class month_start(FunctionElement):
    """The first day of a date's month, as a date."""

    type = Date()
    inherit_cache = True


@compiles(month_start)
def _month_start_default(element, compiler, **kw):
    return "CAST(date_trunc('month', %s) AS DATE)" % compiler.process(element.clauses, **kw)


@compiles(month_start, "sqlite")
def _month_start_sqlite(element, compiler, **kw):
    return "date(%s, 'start of month')" % compiler.process(element.clauses, **kw)


def _text(value: str) -> ColumnElement[str]:
    """A constant of the code written into the SQL, not bound: PostgreSQL matches a GROUP BY
    expression to the select list's only when both are the same text, which parameters are not."""
    return literal_column("'%s'" % value.replace("'", "''"), String)


def _severity(column) -> ColumnElement[int]:
    return case(
        *((column == _text(h), literal_column(str(n))) for h, n in HARM_SEVERITY.items()),
        else_=literal_column("-1"),
    )


def worst_harm_sql(physical, psychological) -> ColumnElement[str]:
    """psirf.events.lfpse.worst_harm of the two, or "not_recorded": physical wins a tie."""
    return case(
        (and_(physical.is_not(None), _severity(physical) >= _severity(psychological)), physical),
        (psychological.is_not(None), psychological),
        else_=_text(NOT_RECORDED),
    )


def shard_of(organisation_id, shards: int) -> ColumnElement[int]:
    return organisation_id % literal_column(str(shards), Integer)


def areas():
    """(organisation_id, area_id, shard): each service's ICB and each PCN or federation it is in,
    with the shard of the area's rows it adds to."""
    return union_all(
        select(
            Organisation.id.label("organisation_id"),
            Organisation.icb_id.label("area_id"),
            shard_of(Organisation.id, ICB_SHARDS).label("shard"),
        ).where(Organisation.icb_id.is_not(None)),
        select(
            OrganisationMembership.member_id.label("organisation_id"),
            OrganisationMembership.group_id.label("area_id"),
            shard_of(OrganisationMembership.member_id, GROUP_SHARDS).label("shard"),
        ),
    ).subquery("areas")


# ---- each rollup's SELECT ------------------------------------------------------------------------


def _named(statement: Select, model) -> Select:
    """The SELECT's columns named as the table's, in its order: keys, then measures."""
    names = [c.name for c in model.__table__.primary_key] + [
        c.name for c in model.__table__.columns if not c.primary_key
    ]
    return statement.with_only_columns(
        *(c.label(n) for c, n in zip(statement.selected_columns, names)), maintain_column_froms=True
    )


def repeat_presentations_sql() -> ColumnElement[int]:
    """How many of the grouped events are repeat presentations (0, not NULL, when none are)."""
    yes = _text(RepeatPresentation.YES.value)
    one, zero = literal_column("1", Integer), literal_column("0", Integer)
    return func.coalesce(
        func.sum(case((SafetyEvent.repeat_presentation == yes, one), else_=zero)), zero
    )


def _event_counts(where) -> Select:
    month = month_start(SafetyEvent.occurred_on)
    harm = worst_harm_sql(SafetyEvent.physical_harm, SafetyEvent.psychological_harm)
    keys = (SafetyEvent.organisation_id, month, SafetyEvent.theme, SafetyEvent.record_type, harm)
    return _named(
        select(*keys, func.count(), repeat_presentations_sql()).where(where).group_by(*keys),
        EventCount,
    )


def _theme_rollups(where) -> Select:
    area = areas()
    keys = (
        area.c.area_id,
        month_start(SafetyEvent.occurred_on),
        SafetyEvent.theme,
        area.c.shard,
    )
    return _named(
        select(*keys, func.count(), repeat_presentations_sql())
        .join(area, area.c.organisation_id == SafetyEvent.organisation_id)
        .where(where, SafetyEvent.record_type.in_(counted_record_types()))
        .group_by(*keys),
        ThemeRollup,
    )


def _serious(patient, event) -> ColumnElement[bool]:
    """Moderate harm or worse: the patient's own harm. A patient recorded without one (older
    records) takes the event's only when the event has no other patient: the event's harm is the
    worst across its patients, so with several it belongs to one of them, not to each."""
    alone = func.count().over(partition_by=patient.event_id) == 1
    physical = func.coalesce(patient.physical_harm, case((alone, event.physical_harm)))
    psychological = func.coalesce(
        patient.psychological_harm, case((alone, event.psychological_harm))
    )
    return or_(physical.in_(SERIOUS_PHYSICAL), psychological.in_(SERIOUS_PSYCHOLOGICAL))


def _equality_rollups(where) -> Select:
    patients = (
        select(
            Organisation.icb_id,
            month_start(SafetyEvent.occurred_on).label("month"),
            *(getattr(EventPatient, c) for c in CHARACTERISTICS),
            shard_of(SafetyEvent.organisation_id, ICB_SHARDS).label("shard"),
            case((_serious(EventPatient, SafetyEvent), 1), else_=0).label("serious"),
        )
        .join(SafetyEvent, SafetyEvent.id == EventPatient.event_id)
        .join(Organisation, Organisation.id == SafetyEvent.organisation_id)
        .where(
            where,
            Organisation.icb_id.is_not(None),
            SafetyEvent.record_type.in_(counted_record_types()),
        )
        .cte("patients")  # one pass over the patients, read once per characteristic
    )
    by_characteristic = []
    for name in CHARACTERISTICS:
        value = func.coalesce(patients.c[name], _text(""))
        keys = (patients.c.icb_id, patients.c.month, value, patients.c.shard)
        by_characteristic.append(
            _named(
                select(
                    patients.c.icb_id,
                    patients.c.month,
                    _text(name),
                    value,
                    patients.c.shard,
                    func.count(),
                    func.sum(patients.c.serious),
                ).group_by(*keys),
                EqualityRollup,
            )
        )
    return union_all(*by_characteristic)


# ---- the same rows from a new event's own values ----------------------------------------------
#
# A new event's rows need nothing stored but its service's areas: the values are the flushed
# objects' own. Each function below is its SELECT above written over one event in Python, the
# same case for case (the suite compares the two over every harm and characteristic).


class Areas(NamedTuple):
    """A service's areas as they stand: its ICB (None outside one) and its PCNs and federations."""

    icb_id: int | None
    groups: tuple[int, ...]


def _severity_of(harm: str | None) -> int:
    return HARM_SEVERITY.get(harm, -1) if harm is not None else -1


def worst_harm(physical: str | None, psychological: str | None) -> str:
    """worst_harm_sql of one event's values."""
    if physical is not None and _severity_of(physical) >= _severity_of(psychological):
        return physical
    if psychological is not None:
        return psychological
    return NOT_RECORDED


def _month(event) -> date:
    return event.occurred_on.replace(day=1)


def repeats_of(event) -> int:
    """repeat_presentations_sql of one event."""
    return int(event.repeat_presentation == RepeatPresentation.YES.value)


def _event_counts_of(event, areas: Areas) -> Iterator[tuple[tuple, tuple]]:
    harm = worst_harm(event.physical_harm, event.psychological_harm)
    key = (event.organisation_id, _month(event), event.theme, event.record_type, harm)
    yield key, (1, repeats_of(event))


def _theme_rollups_of(event, areas: Areas) -> Iterator[tuple[tuple, tuple]]:
    if event.record_type not in _COUNTED_RECORD_TYPES:
        return
    month, service, measures = _month(event), event.organisation_id, (1, repeats_of(event))
    if areas.icb_id is not None:
        yield (areas.icb_id, month, event.theme, service % ICB_SHARDS), measures
    for group in areas.groups:
        yield (group, month, event.theme, service % GROUP_SHARDS), measures


def _is_serious(patient, event, alone: bool) -> bool:
    """_serious of one patient."""
    physical = patient.physical_harm
    if physical is None and alone:
        physical = event.physical_harm
    psychological = patient.psychological_harm
    if psychological is None and alone:
        psychological = event.psychological_harm
    return physical in SERIOUS_PHYSICAL or psychological in SERIOUS_PSYCHOLOGICAL


def _equality_rollups_of(event, areas: Areas) -> Iterator[tuple[tuple, tuple]]:
    if areas.icb_id is None or event.record_type not in _COUNTED_RECORD_TYPES:
        return
    month, shard = _month(event), event.organisation_id % ICB_SHARDS
    alone = len(event.patients) == 1
    for patient in event.patients:
        serious = int(_is_serious(patient, event, alone))
        for name in CHARACTERISTICS:
            value = getattr(patient, name)
            yield (areas.icb_id, month, name, "" if value is None else value, shard), (1, serious)


def countable_by_values(event) -> bool:
    """Whether a new event's own values give its rows exactly as its SELECT would: plain values
    of the types the columns store, and its patients all in hand. Anything else (a datetime for
    the day, say, which the database would cut to a date) is counted by the SELECT instead."""
    state = inspect(event)
    if "patients" not in state.dict:
        return False
    texts = (event.theme, event.record_type)
    harms = (event.physical_harm, event.psychological_harm, event.repeat_presentation)
    patients = [
        getattr(p, name)
        for p in event.patients
        for name in ("physical_harm", "psychological_harm", *CHARACTERISTICS)
    ]
    return (
        type(event.occurred_on) is date
        and type(event.organisation_id) is int
        and all(type(v) is str for v in texts)
        and all(v is None or type(v) is str for v in (*harms, *patients))
    )


@dataclass(frozen=True)
class Rollup:
    table: Table
    keys: tuple[str, ...]  # the primary key, in the order the SELECT gives them
    measures: tuple[str, ...]
    compute: Callable[[ColumnElement[bool]], Select]  # from the events meeting a WHERE
    # A new event's rows (key, measures) from its own values and its service's areas: `compute`
    # over that one event, without reading it back.
    of_new_event: Callable[[Any, Areas], Iterable[tuple[tuple, tuple]]]

    @property
    def name(self) -> str:
        return self.table.name


# In the order every transaction updates them (and each one's rows in key order): no deadlocks.
ROLLUPS = (
    Rollup(
        EventCount.__table__,
        ("organisation_id", "month", "theme", "record_type", "harm"),
        ("count", "repeat_presentations"),
        _event_counts,
        _event_counts_of,
    ),
    Rollup(
        ThemeRollup.__table__,
        ("area_id", "month", "theme", "shard"),
        ("count", "repeat_presentations"),
        _theme_rollups,
        _theme_rollups_of,
    ),
    Rollup(
        EqualityRollup.__table__,
        ("icb_id", "month", "characteristic", "value", "shard"),
        ("patients", "serious"),
        _equality_rollups,
        _equality_rollups_of,
    ),
)
