"""The XmR chart's series: each theme's months start on their own, from the theme's own counts."""

from __future__ import annotations

from datetime import date

from psirf.dashboards.series import event_series, series_start
from psirf.dashboards.services import months_from
from psirf.timeutil import add_months
from psirf.extensions import db
from tests.support.factories import SafetyEventFactory, one_commit

TODAY = date(2026, 7, 15)  # the clock, injected: the last complete month is June 2026


def _events(organisation, theme: str, month: date, n: int, record_type: str = "incident"):
    for _ in range(n):
        SafetyEventFactory(
            organisation=organisation,
            theme=theme,
            record_type=record_type,
            occurred_on=month.replace(day=10),
        )


def _series(world, theme: str):
    return event_series(db.session, world.icb.id, theme, TODAY)


def test_one_services_back_dated_history_adds_no_months_to_another_themes_chart(world):
    first_half_2026 = months_from(date(2026, 1, 1), date(2026, 6, 1))
    with one_commit():
        for month in first_half_2026:
            _events(world.practice, "medication", month, 3)
        # South's practice back-dated a year and a half of referral events.
        for month in months_from(date(2025, 1, 1), date(2026, 6, 1)):
            _events(world.other_practice, "referral", month, 2)

    medication, referral = _series(world, "medication"), _series(world, "referral")

    assert medication.months == first_half_2026 and medication.counts == [3] * 6
    assert referral.months[0] == date(2025, 1, 1) and len(referral.months) == 18
    assert medication.labels[0] == "Jan 2026"  # the chart draws only its own months


def test_a_series_leaves_out_the_month_in_progress_and_good_care(world):
    with one_commit():
        _events(world.practice, "medication", date(2026, 5, 1), 2)
        _events(world.practice, "medication", date(2026, 6, 1), 3)
        _events(world.practice, "medication", date(2026, 6, 1), 4, record_type="good_care")
        _events(world.practice, "medication", TODAY, 5)  # July is not over

    series = _series(world, "medication")

    assert series.months == [date(2026, 5, 1), date(2026, 6, 1)] and series.counts == [2, 3]


def test_a_series_starts_at_its_first_month_with_a_quarter_of_its_median_month():
    # From December 2025: 1, 8, 0, 8, 8, 8, 8 -> median 8, a quarter is 2. December's lone event
    # (recording switched on at the end of the month) is under it, so the series opens in January;
    # the empty February after it counts 0.
    found = {date(2025, 12, 1): 1, date(2026, 1, 1): 8}
    found |= {add_months(date(2026, 3, 1), i): 8 for i in range(4)}
    assert series_start(found, date(2026, 6, 1)) == date(2026, 1, 1)
    # A sparse theme (median 0) starts at its first month with an event.
    assert series_start({date(2026, 2, 1): 1, date(2026, 6, 1): 1}, date(2026, 6, 1)) == date(
        2026, 2, 1
    )
