"""The rollups' rows as each way of keeping them reads, sums and adds them: a rollup's SELECT over
given events, services' areas, rows summed per key and the difference of two counts, and the
upserts that add rows to what is stored (each table's rows in key order: no deadlocks)."""

from __future__ import annotations

import operator
from functools import cache

from sqlalchemy import (
    bindparam,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from psirf.events.models import SafetyEvent
from psirf.events.rollups import (
    ROLLUPS,
    Areas,
    Rollup,
)
from psirf.organisations.models import Organisation, OrganisationMembership


def _counted_sql(rollup: Rollup):
    """The rollup's SELECT over given events and every event of given services, built once: the
    lists are expanding parameters, so each flush binds them rather than building the SELECT."""
    where = or_(
        SafetyEvent.id.in_(bindparam("events", expanding=True)),
        SafetyEvent.organisation_id.in_(bindparam("moved", expanding=True)),
    )
    return rollup.compute(where)


_COUNTED_SQL = {r.name: _counted_sql(r) for r in ROLLUPS}


def counted(session: Session, rollup: Rollup, events: set[int], moved: set[int]) -> dict:
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


def service_areas(session: Session, services: set[int]) -> dict[int, Areas]:
    """Read after the flush's INSERT, like the SELECTs: see the package's note on concurrency."""
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


def add(rows: dict, more) -> None:
    for key, measures in more:
        old = rows.get(key)
        rows[key] = measures if old is None else tuple(map(operator.add, old, measures))


def delta(before: dict, after: dict) -> list[tuple[tuple, tuple]]:
    rows = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        width = len(old or new)
        change = tuple((new or (0,) * width)[i] - (old or (0,) * width)[i] for i in range(width))
        if any(change):
            rows.append((key, change))
    return rows


def adding(dialect: str, rollup: Rollup, rows: Select | None = None):
    """An INSERT into the rollup's table (of `rows`, a SELECT of its columns in order, when given)
    whose rows add their measures to any stored under the same key."""
    table = rollup.table
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    if rows is not None:
        statement = statement.from_select([*rollup.keys, *rollup.measures], rows)
    return statement.on_conflict_do_update(
        index_elements=list(rollup.keys),
        set_={m: table.c[m] + statement.excluded[m] for m in rollup.measures},
    )


_upsert_statement = cache(adding)  # built once per dialect and table


def upsert(session: Session, rollup: Rollup, rows: list[tuple[tuple, tuple]]) -> None:
    """One statement, the rows in key order (no deadlocks), each adding to what is stored."""
    session.connection().execute(
        _upsert_statement(session.get_bind().dialect.name, rollup),
        [
            {**dict(zip(rollup.keys, key)), **dict(zip(rollup.measures, change))}
            for key, change in rows
        ],
    )
