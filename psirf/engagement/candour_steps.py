"""The duty of candour's steps: when each is due, whether it is needed, and where it stands.

Regulation 20 asks, as soon as reasonably practicable, for the notification in person (a true
account, the enquiries planned, an apology) with reasonable support, kept in a secure written
record; then a written notification, and the results of the enquiries once they are known. When
the person cannot be reached or declines to speak with us, regulation 20(5) lifts the
notification, the written one and the support, and asks instead for a written record of the
attempts made: those steps are then not needed unless the person is told after all.

The regulation sets no day count. The targets here are local and configurable (CandourTargets):
the notification steps within a number of working days of the decision; the results of enquiries
by their own, longer, target: when the response closes, unless a number of working days is set.
The page, the ICB's list and the reminders read the same rules, in Python for a record and in SQL
(outstanding_by) for a list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, or_

from psirf.engagement.models import CandourRecord
from psirf.responses.models import LearningResponse

NOTICE, RESULTS = "notice", "results"
DONE, NOT_NEEDED, DUE, OVERDUE = "done", "not_needed", "due", "overdue"


@dataclass(frozen=True)
class CandourTargets:
    """The local targets, in working days from the decision. `results_days` None: the results of
    enquiries are due when the response closes."""

    notice_days: int = 10
    results_days: int | None = None

    @classmethod
    def from_config(cls, config) -> CandourTargets:
        results = config.get("CANDOUR_RESULTS_TARGET_WORKING_DAYS")
        return cls(int(config.get("CANDOUR_TARGET_WORKING_DAYS", 10)), results)


@dataclass(frozen=True)
class StepDef:
    name: str  # the record's date field: when the step was done
    label: str
    target: str  # NOTICE or RESULTS
    lifted_when_unreached: bool  # regulation 20(5)


STEPS = (
    StepDef("notified_on", "Notification in person or by phone, with an apology", NOTICE, False),
    StepDef("written_on", "Written notification", NOTICE, True),
    StepDef("record_kept_on", "Secure written record kept", NOTICE, False),
    StepDef("support_offered_on", "Reasonable support offered", NOTICE, True),
    StepDef("results_shared_on", "Results of enquiries shared", RESULTS, True),
)
STEP_NAMES = tuple(s.name for s in STEPS)
LABELS = {s.name: s.label for s in STEPS}


# ---- working days --------------------------------------------------------------------------------


def add_working_days(start: date, days: int) -> date:
    """`days` working days (Monday to Friday) after `start`. Bank holidays are not known here."""
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def latest_decided_on_with_target_by(day: date, working_days: int) -> date:
    """The latest decision date whose target falls on or before `day`: the SQL cut-off."""
    candidate = day
    while add_working_days(candidate, working_days) > day:
        candidate -= timedelta(days=1)
    return candidate


# ---- one record ----------------------------------------------------------------------------------


def unreached(record: CandourRecord) -> bool:
    """They could not be reached, or declined, and have not been told since."""
    return record.notified_on is None and record.unreachable is not None


@dataclass
class CandourStep:
    name: str
    label: str
    done_on: date | None
    target_on: date | None  # None: due when the response closes, which it has not yet
    basis: str  # how the target is counted, in plain words
    status: str  # DONE, NOT_NEEDED, DUE or OVERDUE

    @property
    def overdue(self) -> bool:
        return self.status == OVERDUE

    @property
    def needed(self) -> bool:
        return self.status != NOT_NEEDED

    @property
    def on_time(self) -> bool:
        return self.done_on is not None and (
            self.target_on is None or self.done_on <= self.target_on
        )


def _target(
    step: StepDef, record: CandourRecord, targets: CandourTargets
) -> tuple[date | None, str]:
    days = targets.notice_days if step.target == NOTICE else targets.results_days
    if days is not None:
        return add_working_days(record.decided_on, days), f"{days} working days from the decision"
    closed = record.response.closed_at
    return (closed.date() if closed else None), "when the response closes"


def _done_on(step: StepDef, record: CandourRecord) -> date | None:
    if step.name == "notified_on" and unreached(record):
        return record.unreachable_on  # the attempts stand in its place
    return getattr(record, step.name)


def steps_for(record: CandourRecord, today: date, targets: CandourTargets) -> list[CandourStep]:
    """Each step of a record where the duty applies: done, not needed, due, or past its target."""
    lifted = unreached(record)
    steps = []
    for step in STEPS:
        target_on, basis = _target(step, record, targets)
        done_on = _done_on(step, record)
        if done_on is not None:
            status = DONE
        elif lifted and step.lifted_when_unreached:
            status = NOT_NEEDED
        elif target_on is not None and today > target_on:
            status = OVERDUE
        else:
            status = DUE
        steps.append(CandourStep(step.name, step.label, done_on, target_on, basis, status))
    return steps


# ---- a list of records, in SQL -------------------------------------------------------------------


def _missing(step: StepDef) -> ColumnElement[bool]:
    """SQL: the step is needed and not done (as steps_for says)."""
    missing = getattr(CandourRecord, step.name).is_(None)
    if step.name == "notified_on":
        missing = and_(missing, CandourRecord.unreachable.is_(None))
    if step.lifted_when_unreached:
        told_or_trying = or_(
            CandourRecord.notified_on.is_not(None), CandourRecord.unreachable.is_(None)
        )
        missing = and_(missing, told_or_trying)
    return missing


def _target_by(target: str, day: date, targets: CandourTargets) -> ColumnElement[bool]:
    """SQL: the target falls on or before `day`. At closure it needs LearningResponse joined."""
    days = targets.notice_days if target == NOTICE else targets.results_days
    if days is not None:
        return CandourRecord.decided_on <= latest_decided_on_with_target_by(day, days)
    next_day = datetime.combine(day + timedelta(days=1), time.min)
    return and_(LearningResponse.closed_at.is_not(None), LearningResponse.closed_at < next_day)


def outstanding_by(day: date, targets: CandourTargets) -> ColumnElement[bool]:
    """SQL: a needed step not done whose target falls on or before `day` (for a record where the
    duty applies). With `day` yesterday, a step past its target; with a later day, one due by then.
    Join LearningResponse on the record's response."""
    return or_(
        *(
            and_(
                or_(*(_missing(s) for s in STEPS if s.target == target)),
                _target_by(target, day, targets),
            )
            for target in (NOTICE, RESULTS)
        )
    )


def overdue_clause(today: date, targets: CandourTargets) -> ColumnElement[bool]:
    return outstanding_by(today - timedelta(days=1), targets)
