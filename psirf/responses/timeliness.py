"""Timeliness: is a learning response on track against its workflow's target?

Pure functions over a response's deadline (`due_on`, and `due_at` for a target in hours),
`closed_at` and `created_at`, plus the SQL conditions of "overdue" and "closed on time" that the
dashboards' lists and counts use. No Flask here.

Targets are declared in each workflow file:
    target: {close_within_days: 42}
    target: {close_within_hours: 48}                      # a SWARM huddle
    target: {close_within_days: 90, at_most_days: 180}    # a PSII: 1 to 3 months, at most 6

The deadline is set when the response starts (the `set_due_date` action, through
psirf.workflow.deadlines), counted from when the response began. A response that goes on as
another method counts the new method's target from that same start, unless the lead resets it
(psirf.responses.course). An agreed extension moves the due date; `at_most_days` is the upper
limit counted from the start, shown beside the due date and never moved.

A target in days is due by the end of its day; a target in hours is due at its moment, shown as
the clock in England reads it, and is overdue from that moment, to the minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_

from psirf.responses.models import LearningResponse
from psirf.timeutil import in_london, utcnow
from psirf.web import dates
from psirf.workflow import deadlines

SOON_DAYS = 7  # "due soon" from this many days before the due date
HOURS_SHOWN = 48  # a deadline to the hour counts in hours until it is this far away (or late)


@dataclass(frozen=True)
class Timeliness:
    due_on: date | None
    label: str  # "Due in 5 days", "Due in 3 hours", "Overdue by 3 days", "Closed 2 days early"...
    colour: str  # an NHS.UK tag colour: grey, green, yellow, orange, red
    overdue: bool  # open and past its deadline
    limit_on: date | None = None  # the latest date allowed (at_most_days), if the workflow sets one
    beyond_limit: bool = False  # open and past that latest date, or closed after it
    due_at: datetime | None = None  # the moment it falls due (UTC), for a target in hours

    @property
    def tag_classes(self) -> str:
        return f"nhsuk-tag--{self.colour}"

    @property
    def limit_label(self) -> str | None:
        if self.limit_on is None:
            return None
        return f"At the latest by {dates.day(self.limit_on)}"


def due_text(response, style: str = "day") -> str:
    """When `response` is due, as a page writes it: the day, or the day and the time in England
    when its target counts in hours. "" without a target. `style` is "day" or "short"."""
    deadline = deadlines.of(response)
    if deadline is None:
        return ""
    if deadline.at is None:
        return dates.format_date(deadline.on, style)
    return dates.format_date(in_london(deadline.at), "time" if style == "day" else "short_time")


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _span(delta: timedelta) -> str:
    """A stretch of time in whole hours, or whole days once it reaches HOURS_SHOWN."""
    hours = int(delta.total_seconds() // 3600)
    if hours >= HOURS_SHOWN:
        return _days(delta.days)
    if hours < 1:
        return "less than an hour"
    return f"{hours} hour" if hours == 1 else f"{hours} hours"


def _started(response) -> date | None:
    created = getattr(response, "created_at", None)
    return created.date() if isinstance(created, datetime) else created


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


def status(response, now: datetime | None = None, target: dict | None = None) -> Timeliness:
    """How `response` stands against its deadline at `now` (default: the clock's now, UTC).

    `target` is the workflow's target dict; by default it is read from the response's own
    workflow version (only `at_most_days` is read from it: the deadline is the response's own).
    """
    now = now or utcnow()
    today = now.date()
    deadline = deadlines.of(response)
    if target is None:
        target = _target_of(response)
    limit = limit_on_for(target, _started(response))
    closed = response.closed_at

    if closed is not None:
        beyond = limit is not None and closed.date() > limit
        if deadline is None:
            return Timeliness(None, "Closed", "grey", False, limit, beyond)
        label, colour = _closed(deadline, closed)
        return Timeliness(deadline.on, label, colour, False, limit, beyond, deadline.at)

    beyond = limit is not None and today > limit
    if deadline is None:
        return Timeliness(None, "No target", "grey", False, limit, beyond)
    label, colour = _open(deadline, now)
    return Timeliness(deadline.on, label, colour, deadline.overdue(now), limit, beyond, deadline.at)


def _closed(deadline: deadlines.Deadline, closed: datetime) -> tuple[str, str]:
    if deadline.at is not None:
        if closed < deadline.at:
            return f"Closed {_span(deadline.at - closed)} early", "green"
        return f"Closed {_span(closed - deadline.at)} late", "orange"
    early = (deadline.on - closed.date()).days
    if early > 0:
        return f"Closed {_days(early)} early", "green"
    if early == 0:
        return "Closed on time", "green"
    return f"Closed {_days(-early)} late", "orange"


def _open(deadline: deadlines.Deadline, now: datetime) -> tuple[str, str]:
    if deadline.at is not None and abs(deadline.at - now) < timedelta(hours=HOURS_SHOWN):
        if deadline.overdue(now):
            return f"Overdue by {_span(now - deadline.at)}", "red"
        left = deadline.at - now
        return f"Due in {_span(left)}", "orange" if left <= timedelta(days=1) else "yellow"
    left = (deadline.on - now.date()).days
    if deadline.overdue(now):
        return f"Overdue by {_days(max(-left, 1))}", "red"
    if left == 0:
        return "Due today", "orange"
    if left == 1:
        return "Due tomorrow", "yellow"
    colour = "yellow" if left <= SOON_DAYS else "green"
    return f"Due in {_days(left)}", colour


# ---- SQL -----------------------------------------------------------------------------------


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """True for responses still open and past their deadline at `now`: the same rule as
    `Deadline.overdue`, from the moment for a target in hours, else from the day after."""
    return and_(
        LearningResponse.closed_at.is_(None),
        LearningResponse.due_on.is_not(None),
        or_(
            and_(LearningResponse.due_at.is_not(None), LearningResponse.due_at <= now),
            and_(LearningResponse.due_at.is_(None), LearningResponse.due_on < now.date()),
        ),
    )


def closed_on_time_clause() -> ColumnElement[bool]:
    """True for responses closed before their moment, or on or before their day."""
    return and_(
        LearningResponse.closed_at.is_not(None),
        LearningResponse.due_on.is_not(None),
        or_(
            and_(
                LearningResponse.due_at.is_not(None),
                LearningResponse.closed_at < LearningResponse.due_at,
            ),
            and_(
                LearningResponse.due_at.is_(None),
                func.date(LearningResponse.closed_at) <= LearningResponse.due_on,
            ),
        ),
    )
