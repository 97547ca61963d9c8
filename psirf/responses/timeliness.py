"""Timeliness: is a learning response on track against its workflow's target?

Pure functions over a response's `due_on`, `closed_at` and `created_at`, plus the SQL condition
of "overdue" that the dashboards' lists and counts use. No Flask here.

Targets are declared in each workflow file:
    target: {close_within_days: 42}
    target: {close_within_hours: 48}                      # a SWARM huddle
    target: {close_within_days: 90, at_most_days: 180}    # a PSII: 1 to 3 months, at most 6

`due_on` is set when the response starts (the `set_due_date` action; `due_on_for` below computes
the same date for either unit). An agreed extension moves `due_on`; `at_most_days` is the upper
limit counted from the start, shown beside the due date and never moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_

from psirf.responses.models import LearningResponse
from psirf.timeutil import utcnow
from psirf.web import dates

SOON_DAYS = 7  # "due soon" from this many days before the due date


@dataclass(frozen=True)
class Timeliness:
    due_on: date | None
    label: str  # "Due in 5 days", "Due today", "Overdue by 3 days", "Closed 2 days early"...
    colour: str  # an NHS.UK tag colour: grey, green, yellow, orange, red
    overdue: bool  # open and past its due date
    limit_on: date | None = None  # the latest date allowed (at_most_days), if the workflow sets one
    beyond_limit: bool = False  # open and past that latest date, or closed after it

    @property
    def tag_classes(self) -> str:
        return f"nhsuk-tag--{self.colour}"

    @property
    def limit_label(self) -> str | None:
        if self.limit_on is None:
            return None
        return f"At the latest by {dates.day(self.limit_on)}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _started(response) -> date | None:
    created = getattr(response, "created_at", None)
    return created.date() if isinstance(created, datetime) else created


def due_on_for(target: dict, started_at: datetime) -> date | None:
    """The due date a target gives a response started at `started_at` (hours win over days)."""
    if target.get("close_within_hours"):
        return (started_at + timedelta(hours=int(target["close_within_hours"]))).date()
    if target.get("close_within_days"):
        return (started_at + timedelta(days=int(target["close_within_days"]))).date()
    return None


def limit_on_for(target: dict, started_on: date | None) -> date | None:
    if started_on is None or not target.get("at_most_days"):
        return None
    return started_on + timedelta(days=int(target["at_most_days"]))


def _target_of(response) -> dict:
    from psirf.workflow.definitions import WorkflowError, get

    try:
        return get(response.workflow_name, response.workflow_version).target
    except (WorkflowError, AttributeError, TypeError):
        return {}


def status(response, today: date | None = None, target: dict | None = None) -> Timeliness:
    """How `response` stands against its due date on `today` (default: today, UTC, as `due_on`).

    `target` is the workflow's target dict; by default it is read from the response's own
    workflow version (only `at_most_days` is read from it: the due date is `response.due_on`).
    """
    today = today or utcnow().date()
    due = response.due_on
    if target is None:
        target = _target_of(response)
    limit = limit_on_for(target, _started(response))
    closed = response.closed_at.date() if response.closed_at else None

    if closed is not None:
        beyond = limit is not None and closed > limit
        if due is None:
            return Timeliness(None, "Closed", "grey", False, limit, beyond)
        early = (due - closed).days
        if early > 0:
            return Timeliness(due, f"Closed {_days(early)} early", "green", False, limit, beyond)
        if early == 0:
            return Timeliness(due, "Closed on time", "green", False, limit, beyond)
        return Timeliness(due, f"Closed {_days(-early)} late", "orange", False, limit, beyond)

    beyond = limit is not None and today > limit
    if due is None:
        return Timeliness(None, "No target", "grey", False, limit, beyond)
    left = (due - today).days
    if left < 0:
        return Timeliness(due, f"Overdue by {_days(-left)}", "red", True, limit, beyond)
    if left == 0:
        return Timeliness(due, "Due today", "orange", False, limit, beyond)
    if left == 1:
        return Timeliness(due, "Due tomorrow", "yellow", False, limit, beyond)
    colour = "yellow" if left <= SOON_DAYS else "green"
    return Timeliness(due, f"Due in {_days(left)}", colour, False, limit, beyond)


# ---- SQL -----------------------------------------------------------------------------------


def overdue_clause(today: date) -> ColumnElement[bool]:
    """True for responses still open and past their due date on `today`."""
    return and_(
        LearningResponse.closed_at.is_(None),
        LearningResponse.due_on.is_not(None),
        LearningResponse.due_on < today,
    )
