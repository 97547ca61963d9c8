"""Checking the rollups against the raw rows, and rebuilding them: in SQL, a GROUP BY each, for
`flask counts check` and its `--repair`, and the suite's exactness checks."""

from __future__ import annotations

from typing import Iterator, NamedTuple

from sqlalchemy import (
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from psirf.events.models import SafetyEvent
from psirf.events.rollups import (
    ROLLUPS,
    Rollup,
)


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
