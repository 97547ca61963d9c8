"""The library's filters, without the pages."""

from datetime import date

import pytest

from psirf.library import reading


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
