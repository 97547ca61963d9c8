"""Deadlines from a workflow's target: the day a subject is due, and for a target in hours the
moment too.

A workflow file counts its target in whole days or in hours:
    target: {close_within_days: 42}
    target: {close_within_hours: 48}    # a SWARM huddle, from when it was called

A day target is due on a day and overdue once that day is over (the app's days are UTC days, as
every date it keeps). An hour target is due at a moment and overdue from that moment; its day is
the day the moment falls on. A subject keeps both as `due_on` and `due_at` (None for a day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class Deadline:
    on: date
    at: datetime | None = None  # the moment, when the target is to the hour

    @property
    def to_the_hour(self) -> bool:
        return self.at is not None

    def overdue(self, now: datetime) -> bool:
        """Past due at `now`: from the moment itself, or from the day after the day."""
        if self.at is not None:
            return now >= self.at
        return now.date() > self.on


def from_target(target: dict, started_at: datetime) -> Deadline | None:
    """The deadline a target gives a subject started at `started_at` (hours win over days)."""
    if target.get("close_within_hours"):
        at = started_at + timedelta(hours=int(target["close_within_hours"]))
        return Deadline(at.date(), at)
    if target.get("close_within_days"):
        return Deadline((started_at + timedelta(days=int(target["close_within_days"]))).date())
    return None


def of(subject) -> Deadline | None:
    """The deadline a subject carries, if it has one."""
    if subject.due_on is None:
        return None
    return Deadline(subject.due_on, getattr(subject, "due_at", None))


def assign(subject, deadline: Deadline | None) -> None:
    subject.due_on = deadline.on if deadline else None
    subject.due_at = deadline.at if deadline else None
