"""A bulletin's period: whole months, a calendar quarter by default, read from the clock passed in
(never the real date), and the period of the same length before it, which trends compare with."""

from __future__ import annotations

from datetime import date

from psirf.timeutil import add_months
from psirf.web.inputs import year_problem

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# The longest period a bulletin covers: a year.
LONGEST = 12


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def default_period(today: date) -> tuple[date, date]:
    """The last whole calendar quarter before `today`'s: [start, end)."""
    end = quarter_start(today)
    return add_months(end, -3), end


def recent_quarters(today: date, count: int = 8) -> list[tuple[date, date]]:
    """The quarter in progress and the `count - 1` before it, newest first."""
    start = quarter_start(today)
    return [(add_months(start, -3 * i), add_months(start, -3 * i + 3)) for i in range(count)]


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def previous_period(start: date, end: date) -> tuple[date, date]:
    return add_months(start, -months_between(start, end)), start


def label(start: date, end: date) -> str:
    """'July to September 2026', 'November 2025 to January 2026', 'March 2026'."""
    last = add_months(end, -1)
    first_name, last_name = MONTHS[start.month - 1], MONTHS[last.month - 1]
    if start == last:
        return f"{first_name} {start.year}"
    if start.year == last.year:
        return f"{first_name} to {last_name} {last.year}"
    return f"{first_name} {start.year} to {last_name} {last.year}"


def problem(start: date | None, end: date | None, today: date) -> str | None:
    """What is wrong with a period, in the words a form shows; None when it will do."""
    if start is None or end is None:
        return "Choose the period the bulletin covers"
    years = year_problem(start) or year_problem(end)
    if years:
        return years
    if start.day != 1 or end.day != 1:
        return "A bulletin covers whole months: start and end on the first day of a month"
    months = months_between(start, end)
    if months < 1:
        return "The period must end after it starts"
    if months > LONGEST:
        return f"A bulletin covers at most {LONGEST} months"
    if start > today:
        return "The period must have started"
    return None
