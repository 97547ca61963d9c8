"""The library's filters, without the pages."""

from datetime import date, datetime

import pytest

from psirf.library import reading
from tests.support.library import entry


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (date(2026, 5, 31), 3, date(2026, 2, 28)),
        (date(2026, 1, 15), 1, date(2025, 12, 15)),
        (date(2026, 3, 10), 24, date(2024, 3, 10)),
    ],
)
def test_the_period_starts_the_same_day_so_many_months_before(day, months, expected):
    assert reading.months_before(day, months) == expected


def test_the_listing_pages_newest_published_first_and_ties_break_by_id(session, world):
    noon = datetime(2026, 6, 1, 12, 0)
    older = entry(world.practice, world.lead, title="Older", published_at=noon.replace(hour=9))
    tied = [entry(world.practice, world.lead, title=f"Tied {n}", published_at=noon) for n in (1, 2)]
    today = date(2026, 6, 2)

    first = reading.listing(session, world.lead, reading.Filters(), None, 2, today)
    second = reading.listing(session, world.lead, reading.Filters(), first.next_cursor, 2, today)

    assert [e.id for e in first.items] == [tied[1].id, tied[0].id]
    assert [e.id for e in second.items] == [older.id]
    assert second.next_cursor is None and second.has_previous
