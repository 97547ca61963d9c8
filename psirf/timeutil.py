"""One clock for the whole app: naive UTC datetimes, the same on SQLite and PostgreSQL.

Moments are kept in UTC; a page that shows the time of day something falls due shows it as a
clock in England reads it (GMT in winter, BST in summer), through `in_london`.
"""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def in_london(moment: datetime) -> datetime:
    """A naive UTC moment as the wall clock in England shows it, naive."""
    return moment.replace(tzinfo=timezone.utc).astimezone(LONDON).replace(tzinfo=None)


def add_months(month: date, n: int) -> date:
    """The first day of the month `n` months after `month`'s (before it, for negative `n`)."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)
