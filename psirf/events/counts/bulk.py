"""Counting rows a bulk INSERT wrote past the ORM (psirf/imports), which no flush sees."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Integer, bindparam, func, select
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
    note on concurrency needs.

    PostgreSQL takes the ids as one array. On SQLite the ids must be every id from the smallest
    to the largest (the import draws them so while it holds SQLite's one write lock), and are
    given as that range."""
    if not ids:
        return
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        bounds = {"ids": ids}
    else:
        bounds = {"first": min(ids), "last": max(ids)}
        if bounds["last"] - bounds["first"] + 1 != len(ids):
            raise ValueError("on SQLite the events counted must be a range of ids")
    for rollup in ROLLUPS:
        connection.execute(_added(dialect, rollup), bounds)


@cache
def _added(dialect: str, rollup: Rollup):
    """The rollup's rows of the given events added to what is stored; built once per dialect."""
    if dialect == "postgresql":
        chosen = SafetyEvent.id == func.any(bindparam("ids", type_=ARRAY(Integer)))
    else:
        chosen = SafetyEvent.id.between(bindparam("first"), bindparam("last"))
    counted = rollup.compute(chosen).subquery("counted")
    in_key_order = select(*(counted.c[c] for c in (*rollup.keys, *rollup.measures))).order_by(
        *(counted.c[c] for c in rollup.keys)
    )
    return adding(dialect, rollup, in_key_order)
