"""The demo's change of course: a SWARM huddle at Riverside Surgery that went on as an after action
review, one response with one reference (seed/changed_course.yaml).

The huddle is called on the oldest low-harm incident in Riverside's triage queue, records its
first two phases and an issue it escalated, and a day later goes on as a cold after action review,
whose plan is recorded. Rows are written as the services would have written them, with their audit
trail and the reporter's news of the response chosen; loaded once, after the reporters' news.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf.accounts import services as accounts
from psirf.audit import AuditRecord
from psirf.demo.history import audit_entry
from psirf.demo.organisations import read_seed
from psirf.events import feedback
from psirf.events.models import EventStatus, ReporterUpdate, ReporterUpdateKind, SafetyEvent
from psirf.organisations import services as organisations
from psirf.responses.models import LearningResponse, LinkKind, MethodStage, ResponseMethod
from psirf.timeutil import utcnow
from psirf.triage.services import recommendation_for
from psirf.workflow import deadlines, definitions, runner

# The huddle's step that goes on as an after action review, found by the action it runs.
CONTINUE_AS_REVIEW = "continue_as_after_action_review"


def load_changed_course(session: Session, now: datetime | None = None) -> bool:
    """Write the demo's continued huddle once; False if already there (or no event to call it on)."""
    if session.scalar(select(MethodStage.id).limit(1)) is not None:
        return False
    spec = read_seed("changed_course.yaml")
    practice = organisations.by_ods_code(session, spec["organisation"])
    lead = accounts.find_by_email(session, spec["lead"])
    now = now or utcnow()
    event = _event(session, practice, spec, now) if practice and lead else None
    if event is None:
        return False
    called = event.created_at + timedelta(hours=spec["called_hours_after_report"])
    continued = called + timedelta(hours=spec["continued_hours_after_called"])
    planned = continued + timedelta(hours=1)

    huddle = definitions.for_method(ResponseMethod.SWARM_HUDDLE.value)
    step = next(t for t in huddle.transitions if CONTINUE_AS_REVIEW in t.actions)
    review = definitions.for_method(ResponseMethod.AFTER_ACTION_REVIEW.value)
    plan = _plan(spec["plan"], now)
    response = LearningResponse(
        method=review.method,
        organisation_id=practice.id,
        lead_id=lead.id,
        created_at=called,
        updated_at=planned,
        record={"plan": plan},
    )
    runner.start(session, response, review, lead)  # due 42 days from when the huddle was called
    huddle_record = _huddle_record(spec["huddle"], called)
    due = deadlines.from_target(huddle.target, called)
    response.earlier_stages.append(
        MethodStage(
            position=1,
            method=huddle.method,
            workflow_name=huddle.name,
            workflow_version=huddle.version,
            state_reached=step.dest,
            record=huddle_record,
            due_on=due.on,
            due_at=due.at,
            started_at=called,
            ended_at=continued,
            ended_by_id=lead.id,
            went_on_as=LinkKind.BECAME.value,
            reason=spec["reason"].strip(),
        )
    )
    session.add(response)
    session.flush()
    response.reference = f"LR-{called.year}-{response.id:06d}"
    _triage(session, event, response, lead, spec, called)

    def entry(subject, at, action, changes, comment=None) -> AuditRecord:
        return audit_entry(subject, at, lead.id, action, changes, comment)

    edited = called + timedelta(hours=2)
    session.add_all(
        [
            entry(
                event,
                called,
                "event:triage",
                {
                    "status": {
                        "before": EventStatus.AWAITING_TRIAGE.value,
                        "after": EventStatus.LEARNING_RESPONSE.value,
                    },
                    "triage_choice": {"before": None, "after": huddle.method},
                    "triage_recommendation": {"before": None, "after": event.triage_recommendation},
                },
                event.triage_rationale,
            ),
            entry(
                response,
                called,
                "response:open",
                {
                    "state": {"before": None, "after": huddle.initial},
                    "event": {"before": None, "after": event.reference},
                },
            ),
            entry(response, edited, "edit:scene", _added(huddle_record["scene"])),
            entry(response, edited, "edit:explore", _added(huddle_record["explore"])),
            entry(
                response,
                edited + timedelta(minutes=20),
                "edit:escalated",
                {"escalated": {"before": None, "after": "entry added"}},
            ),
            entry(
                response,
                continued,
                "response:method_changed",
                {
                    "method": {"before": huddle.method, "after": review.method},
                    "due_on": {"before": due.on.isoformat(), "after": response.due_on.isoformat()},
                    "due_at": {"before": due.at.isoformat(), "after": None},
                },
                response.earlier_stages[0].reason,
            ),
            entry(
                response,
                continued,
                f"transition:{step.trigger}",
                {"state": {"before": huddle.initial, "after": review.initial}},
                response.earlier_stages[0].reason,
            ),
            entry(response, planned, "edit:plan", _added(plan)),
        ]
    )
    session.flush()
    return True


def _event(session: Session, practice, spec: dict, now: datetime) -> SafetyEvent | None:
    """The oldest recent incident with little harm waiting for triage, reported long enough ago
    for the huddle to have been called and continued since; on the spec's theme if there is one."""
    hours = spec["called_hours_after_report"] + spec["continued_hours_after_called"] + 1
    waiting = (
        select(SafetyEvent)
        .where(
            SafetyEvent.organisation_id == practice.id,
            SafetyEvent.status == EventStatus.AWAITING_TRIAGE.value,
            SafetyEvent.record_type == "incident",
            SafetyEvent.never_event.is_(False),
            SafetyEvent.physical_harm.in_(spec["harms"]),
            SafetyEvent.created_at >= now - timedelta(days=spec["within_days"]),
            SafetyEvent.created_at <= now - timedelta(hours=hours),
        )
        .order_by(SafetyEvent.created_at, SafetyEvent.id)
        .limit(1)
    )
    return session.scalar(waiting.where(SafetyEvent.theme == spec["theme"])) or session.scalar(
        waiting
    )


def _triage(session: Session, event, response, lead, spec: dict, called: datetime) -> None:
    """The lead's decision for a huddle, and the reporter's news of it."""
    event.status = EventStatus.LEARNING_RESPONSE.value
    event.triage_rationale = spec["rationale"].strip()
    event.triaged_by_id, event.triaged_at = lead.id, called
    event.triage_recommendation = recommendation_for(session, event, called.date()).method
    if event.triage_recommendation != ResponseMethod.SWARM_HUDDLE.value:
        event.triage_deviation_reason = spec["deviation"].strip()
    event.learning_response_id = response.id
    session.add(
        ReporterUpdate(
            event_id=event.id,
            kind=ReporterUpdateKind.RESPONSE_CHOSEN.value,
            created_by_id=lead.id,
            created_at=called,
            body=feedback.choice_words(ResponseMethod.SWARM_HUDDLE.value),
        )
    )


def _huddle_record(spec: dict, called: datetime) -> dict:
    return {
        "scene": {**spec["scene"], "held_on": called.date().isoformat()},
        "explore": dict(spec["explore"]),
        "escalated": [dict(issue) for issue in spec["escalated"]],
    }


def _plan(spec: dict, now: datetime) -> dict:
    review_on = now.date() + timedelta(days=spec["review_in_days"])
    return {
        "timing": spec["timing"],
        "conductor": spec["conductor"],
        "participants": spec["participants"],
        "review_on": review_on.isoformat(),
    }


def _added(answers: dict) -> dict:
    return {name: {"before": None, "after": value} for name, value in answers.items()}
