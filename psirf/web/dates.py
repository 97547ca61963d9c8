"""Dates as the pages write them: one filter, `date`, with a handful of named styles.

    {{ event.occurred_on | date }}                  6 December 2026
    {{ action.due_on | date("short") }}             6 Dec 2026      (tables, tags, tight spaces)
    {{ entry.learned_on | date("month") }}          December 2026
    {{ month | date("short_month") }}               Dec 2026        (a chart's month labels)
    {{ entry.occurred_at | date("time") }}          6 December 2026 at 14:05
    {{ message.created_at | date("short_time") }}   6 Dec 2026 14:05
    {{ stage.ended_at | in_london | date("time") }}  6 June 2026 at 15:05 (BST; kept as 14:05 UTC)

Naming the styles keeps every page writing a date the same way (the NHS.UK style: no leading
zero, the month in words) and leaves one place to change it. The day is written from `value.day`
rather than `%-d`, which is a glibc extension that other C libraries do not understand.

The filter also reads a date kept as ISO text (a response's record stores its answers as JSON):
text that is not a date is shown as it was written, and nothing shows as nothing.

The functions are plain (Flask is imported only for type checking), so services, PDFs and charts
write dates with them too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from psirf.timeutil import in_london

if TYPE_CHECKING:
    from flask import Flask


def day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def short_day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def month(value: date) -> str:
    return f"{value:%B %Y}"


def short_month(value: date) -> str:
    return f"{value:%b %Y}"


def short_month_name(value: date) -> str:
    """The month alone, 'Dec': a chart's tick where a neighbour already names the year."""
    return f"{value:%b}"


def moment(value: datetime) -> str:
    return f"{day(value)} at {value:%H:%M}"


def audited_moment(value) -> str:
    """A moment the audit keeps as ISO text (UTC), as the clock in England read it."""
    try:
        return moment(in_london(datetime.fromisoformat(str(value))))
    except ValueError:
        return str(value)


def short_moment(value: datetime) -> str:
    return f"{short_day(value)} {value:%H:%M}"


STYLES: dict[str, Callable[[date], str]] = {
    "day": day,
    "short": short_day,
    "month": month,
    "short_month": short_month,
    "time": moment,
    "short_time": short_moment,
}


def format_date(value: date | datetime | str | None, style: str = "day") -> str:
    """`value` written in the named style; ISO text is read as a date first."""
    try:
        write = STYLES[style]
    except KeyError:
        raise ValueError(f"no date style {style!r}; the styles are {', '.join(STYLES)}") from None
    if value is None or isinstance(value, str):
        try:
            value = date.fromisoformat(value or "")
        except ValueError:
            return value or ""
    return write(value)


def register_date_filter(app: Flask) -> None:
    app.jinja_env.filters["date"] = format_date
    # A moment kept in UTC as a clock in England read it: {{ moment | in_london | date("time") }}.
    app.jinja_env.filters["in_london"] = in_london
