"""The guards and actions the workflow files name."""

from __future__ import annotations

from datetime import timedelta

from psirf.timeutil import utcnow
from psirf.workflow.registry import action, guard


def _aar(response):
    return response.after_action_review


def _filled(*values) -> bool:
    return all(v is not None and str(v).strip() for v in values)


@guard("has_conductor", "Name who will conduct the review.")
def has_conductor(response) -> bool:
    return _aar(response) is not None and _filled(_aar(response).conductor)


@guard("has_review_date", "Give the date of the review.")
def has_review_date(response) -> bool:
    return _aar(response) is not None and _aar(response).review_on is not None


@guard("four_questions_answered", "Answer all four review questions.")
def four_questions_answered(response) -> bool:
    aar = _aar(response)
    return aar is not None and _filled(aar.expected, aar.actual, aar.difference, aar.learned)


@guard("learning_recorded", "Write a summary of the learning to share.")
def learning_recorded(response) -> bool:
    return _aar(response) is not None and _filled(_aar(response).learning_summary)


@guard("has_safety_action", "Add at least one safety action with an owner and a due date.")
def has_safety_action(response) -> bool:
    return len(response.safety_actions) > 0


@action("set_due_date")
def set_due_date(session, response, actor, definition) -> None:
    days = definition.target.get("close_within_days")
    if days:
        response.due_on = (utcnow() + timedelta(days=int(days))).date()


@action("record_closed")
def record_closed(session, response, actor, definition) -> None:
    response.closed_at = utcnow()
