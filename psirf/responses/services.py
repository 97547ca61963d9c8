"""Learning responses: opening one for an event, editing its record, and what it shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from psirf import audit, policy
from psirf.accounts.models import User
from psirf.events.models import SafetyEvent
from psirf.responses.models import AfterActionReview, LearningResponse, ResponseMethod, SafetyAction
from psirf.timeutil import utcnow
from psirf.web.pagination import Page, keyset_page
from psirf.workflow import definitions, runner
from psirf.workflow.runner import ChangedBySomeoneElse

PLAN_FIELDS = ("conductor", "participants", "review_on")
REVIEW_FIELDS = ("expected", "actual", "difference", "learned", "learning_summary")


class ResponseError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def open_response(session: Session, event: SafetyEvent, method: ResponseMethod, actor) -> LearningResponse:
    definition = definitions.for_method(method.value)
    response = LearningResponse(method=method.value, organisation_id=event.organisation_id, lead_id=actor.id)
    runner.start(session, response, definition, actor)
    if method is ResponseMethod.AFTER_ACTION_REVIEW:
        response.after_action_review = AfterActionReview()
    session.add(response)
    session.flush()
    response.reference = f"LR-{response.created_at.year}-{response.id:06d}"
    event.learning_response_id = response.id
    audit.record(
        session,
        actor_id=actor.id,
        action="response:open",
        subject=response,
        organisation_id=response.organisation_id,
        changes={"state": {"before": None, "after": response.state}, "event": {"before": None, "after": event.reference}},
    )
    session.flush()
    return response


def get(session: Session, response_id: int) -> LearningResponse | None:
    return session.get(
        LearningResponse,
        response_id,
        options=[selectinload(LearningResponse.events), selectinload(LearningResponse.safety_actions)],
    )


def listing(session: Session, user, state: str | None, cursor: str | None, size: int) -> Page:
    stmt = select(LearningResponse).where(policy.casework_scope(user, LearningResponse.organisation_id))
    if state:
        stmt = stmt.where(LearningResponse.state == state)
    return keyset_page(session, stmt, LearningResponse, cursor, size)


# ---- editing the record --------------------------------------------------------------------


def editable_parts(user, response: LearningResponse) -> tuple[str, ...]:
    state = runner.definition_of(response).state(response.state)
    return state.edits if policy.may_edit_response(user, response, state.acts) else ()


def require_edit(user, response: LearningResponse, part: str, expected_version: int | None) -> None:
    state = runner.definition_of(response).state(response.state)
    policy.require_can_edit_response(user, response, state.acts)
    if expected_version is not None and expected_version != response.version_id:
        raise ChangedBySomeoneElse()
    if part not in state.edits:
        raise policy.NotPermitted("That part of the record cannot be changed at this step.")


def _finish_edit(session: Session, user, response: LearningResponse, action: str, changes: dict) -> None:
    # Touching the response row bumps its version, so a stale tab or a second editor is refused.
    response.updated_at = utcnow()
    try:
        session.flush()
    except StaleDataError:
        raise ChangedBySomeoneElse() from None
    audit.record(
        session, actor_id=user.id, action=action, subject=response, organisation_id=response.organisation_id, changes=changes
    )
    session.flush()


def _update_fields(session, user, response, part: str, record, fields: tuple[str, ...], values: dict, expected_version):
    require_edit(user, response, part, expected_version)
    before = audit.snapshot(record, fields)
    for name in fields:
        value = values.get(name)
        if isinstance(value, str):
            value = value.strip() or None  # an emptied box clears the answer
        setattr(record, name, value)
    changes = audit.diff(before, audit.snapshot(record, fields))
    if changes:
        _finish_edit(session, user, response, f"edit:{part}", changes)


def update_plan(session: Session, user, response: LearningResponse, values: dict, expected_version: int | None) -> None:
    _update_fields(session, user, response, "plan", response.after_action_review, PLAN_FIELDS, values, expected_version)


def record_review(session: Session, user, response: LearningResponse, values: dict, expected_version: int | None) -> None:
    _update_fields(session, user, response, "review", response.after_action_review, REVIEW_FIELDS, values, expected_version)


def add_safety_action(
    session: Session, user, response: LearningResponse, *, description: str, owner: str, due_on: date, expected_version: int | None
) -> SafetyAction:
    require_edit(user, response, "actions", expected_version)
    if due_on < date.today():
        raise ResponseError("due_on", "The due date must be today or in the future")
    action = SafetyAction(description=description.strip(), owner=owner.strip(), due_on=due_on)
    response.safety_actions.append(action)
    session.flush()
    _finish_edit(
        session,
        user,
        response,
        "edit:safety_action",
        {"safety_action": {"before": None, "after": f"{action.description} (owner {action.owner}, due {due_on.isoformat()})"}},
    )
    return action


# ---- what the response page shows -------------------------------------------------------------


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class TimelineEntry:
    occurred_at: object
    actor: str
    action: str
    changes: list[Change]
    comment: str | None


def _value_labels():
    from psirf.events import lfpse
    from psirf.events.models import EventStatus

    return {
        "record_type": lfpse.RecordType,
        "theme": lfpse.Theme,
        "physical_harm": lfpse.PhysicalHarm,
        "psychological_harm": lfpse.PsychologicalHarm,
        "reporter_kind": lfpse.ReporterKind,
        "status": EventStatus,
    }


def _describe(field: str, value, definition) -> str:
    if value is None or value == "":
        return "(none)"
    if field == "state" and value in definition.states:
        return definition.states[value].label
    enum = _value_labels().get(field)
    return enum.label_for(value) if enum else str(value)


def _changes(raw: dict, definition) -> list[Change]:
    return [
        Change(field.replace("_", " ").capitalize(), _describe(field, c.get("before"), definition), _describe(field, c.get("after"), definition))
        for field, c in raw.items()
    ]


ACTION_LABELS = {
    "event:create": "Event reported",
    "event:triage": "Event triaged",
    "response:open": "Learning response opened",
    "edit:plan": "Review plan updated",
    "edit:review": "Review record updated",
    "edit:safety_action": "Safety action added",
}


def timeline(session: Session, viewer, response: LearningResponse) -> list[TimelineEntry]:
    definition = runner.definition_of(response)
    events = {e.id: e for e in response.events}
    records = audit.trail(session, [("learning_responses", response.id)] + [("safety_events", i) for i in events])
    actor_ids = {r.actor_id for r in records if r.actor_id}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(actor_ids))).all()) if actor_ids else {}
    entries = []
    for r in records:
        actor = names.get(r.actor_id, "A member of the public" if r.actor_id is None else "Unknown")
        event = events.get(r.subject_id) if r.subject_type == "safety_events" else None
        if event is not None and r.actor_id == event.reporter_user_id and not policy.can_see_reporter(viewer, event):
            actor = "Identity protected"
        if r.action.startswith("transition:"):
            trigger = r.action.split(":", 1)[1]
            t = definition.transition(trigger)
            label = t.label if t else trigger
        else:
            label = ACTION_LABELS.get(r.action, r.action)
        entries.append(TimelineEntry(r.occurred_at, actor, label, _changes(r.changes, definition), r.comment))
    return entries
