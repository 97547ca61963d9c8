"""Counting rows a bulk INSERT wrote past the ORM (psirf/imports), which no flush sees."""

from __future__ import annotations

import json
from functools import cache

from sqlalchemy import Integer, String, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from psirf.events.counts.rows import adding
from psirf.events.models import SafetyEvent
from psirf.events.rollups import ROLLUPS, Rollup


def count_inserted_events(session: Session, ids: list[int]) -> None:
    """Add to the rollups the events (with their patients) a bulk INSERT just wrote, in its
    transaction: each rollup's own SELECT over them, added to what is stored by one
    INSERT ... SELECT ... ON CONFLICT DO UPDATE a rollup, all in the database (a batch of an
    import's rows is summed by the GROUP BY, never carried through Python and back). The tables
    in ROLLUPS' order and each one's rows in key order: no deadlocks. The services' areas are read
    by the same statements, after the INSERT locked their rows FOR KEY SHARE, as the package's
    note on concurrency needs. The ids go as one parameter, listed (an array on PostgreSQL, JSON
    on SQLite), so each plan starts from them: given as a range, SQLite read every event of each
    area's services to find the range's."""
    if not ids:
        return
    connection = session.connection()
    dialect = connection.dialect.name
    given = {"ids": ids if dialect == "postgresql" else json.dumps(ids)}
    for rollup in ROLLUPS:
        connection.execute(_added(dialect, rollup), given)


@cache
def _added(dialect: str, rollup: Rollup):
    """The rollup's rows of the given events added to what is stored; built once per dialect."""
    if dialect == "postgresql":
        chosen = SafetyEvent.id == func.any(bindparam("ids", type_=ARRAY(Integer)))
    else:
        listed = func.json_each(bindparam("ids", type_=String)).table_valued("value")
        chosen = SafetyEvent.id.in_(select(listed.c.value))
    counted = rollup.compute(chosen).subquery("counted")
    in_key_order = select(*(counted.c[c] for c in (*rollup.keys, *rollup.measures))).order_by(
        *(counted.c[c] for c in rollup.keys)
    )
    return adding(dialect, rollup, in_key_order)
