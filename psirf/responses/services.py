"""Learning responses: opening one, editing the record its workflow declares, and what it shows."""

from __future__ import annotations

from datetime import date
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from psirf import audit, policy
from psirf.db import check_version, record_change
from psirf.engagement.labels import ACTION_LABELS as ENGAGEMENT_ACTION_LABELS
from psirf.engagement.labels import FIELD_LABELS as ENGAGEMENT_FIELD_LABELS
from psirf.events.models import SafetyEvent
from psirf.actions.models import SafetyAction
from psirf.learning.models import FindingKind
from psirf.responses.course import DUE_FIELDS, history
from psirf.responses.models import LearningResponse, ResponseMethod
from psirf.timeline import TimelineEntry, Vocabulary, workflow_vocabulary
from psirf.timeline import build as build_timeline
from psirf.timeline import trail
from psirf.timeutil import utcnow
from psirf.web import dates
from psirf.web.pagination import Page, keyset_page
from psirf.workflow import deadlines, definitions, runner
from psirf.workflow.definitions import PARTS, SectionDef
from psirf.problems import InputError


def new_response(
    session: Session, method: ResponseMethod, organisation_id: int, actor
) -> LearningResponse:
    """A response in its workflow's first state, with its reference; the caller links its events."""
    definition = definitions.for_method(method.value)
    response = LearningResponse(
        method=method.value, organisation_id=organisation_id, lead_id=actor.id, record={}
    )
    response.created_at = utcnow()
    runner.start(session, response, definition, actor)
    session.add(response)
    session.flush()
    response.reference = f"LR-{response.created_at.year}-{response.id:06d}"
    return response


def open_response(
    session: Session, event: SafetyEvent, method: ResponseMethod, actor
) -> LearningResponse:
    response = new_response(session, method, event.organisation_id, actor)
    event.learning_response_id = response.id
    audit.record(
        session,
        actor_id=actor.id,
        action="response:open",
        subject=response,
        organisation_id=response.organisation_id,
        changes={
            "state": {"before": None, "after": response.state},
            "event": {"before": None, "after": event.reference},
        },
    )
    session.flush()
    return response


@cache
def _with_its_parts() -> tuple:
    """The parts the response page shows, loaded with the response: built once, since building
    these loader options cost about a millisecond a request (issue 16)."""
    return (
        selectinload(LearningResponse.events),
        # The action table shows each owner's organisation: loaded with them, not one by one.
        selectinload(LearningResponse.safety_actions).selectinload(SafetyAction.owner_organisation),
        selectinload(LearningResponse.contributors),
        selectinload(LearningResponse.findings),
        selectinload(LearningResponse.earlier_stages),
    )


def get(session: Session, response_id: int) -> LearningResponse | None:
    return session.get(LearningResponse, response_id, options=_with_its_parts())


def listing(
    session: Session,
    user,
    state: str | None,
    cursor: str | None,
    size: int,
    options: tuple = (),
) -> Page:
    """A page of the responses `user` sees, newest first; `options` loads what the caller shows
    of each with them (the API's list shows their events)."""
    stmt = select(LearningResponse).where(policy.response_scope(user)).options(*options)
    if state:
        stmt = stmt.where(LearningResponse.state == state)
    return keyset_page(session, stmt, LearningResponse, cursor, size)


# ---- who edits what -----------------------------------------------------------------------------


def state_of(response: LearningResponse):
    """The workflow state the response is in, as its own workflow version defines it."""
    return runner.definition_of(response).state(response.state)


def editable_parts(user, response: LearningResponse) -> tuple[str, ...]:
    return policy.response_parts(user, response, state_of(response))


def check_edit(user, response: LearningResponse, part: str, expected_version: int | None) -> None:
    """The policy decides whether `user` may change the part; a stale version is refused here."""
    policy.require_response_part(user, response, part, state_of(response))
    check_version(response, expected_version)


def finish_edit(
    session: Session, user, response: LearningResponse, action: str, changes: dict
) -> None:
    """Bump the response's version (a stale tab or a second editor is then refused) and audit it."""
    record_change(session, response, actor_id=user.id, action=action, changes=changes)


# ---- the sections a workflow declares ------------------------------------------------------------


def _stored(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip() or None  # an emptied box clears the answer
    return value


def section_of(response: LearningResponse, name: str) -> SectionDef:
    section = runner.definition_of(response).sections.get(name)
    if section is None:
        raise policy.NotVisible("Page not found")
    return section


def save_section(
    session: Session,
    user,
    response: LearningResponse,
    name: str,
    values: dict,
    expected_version: int | None,
) -> None:
    """Save the answers to one section; a repeatable section gains an entry."""
    section = section_of(response, name)
    check_edit(user, response, name, expected_version)
    record = dict(response.record or {})
    answers = {f.name: _stored(values.get(f.name)) for f in section.fields}
    if section.repeatable:
        before = None
        record[name] = [*record.get(name, []), answers]
        changes = {name: {"before": None, "after": "entry added"}}
    else:
        before = dict(record.get(name) or {})
        record[name] = answers
        changes = {
            k: {"before": before.get(k), "after": v}
            for k, v in answers.items()
            if before.get(k) != v
        }
    response.record = record  # a new dict, so the JSON column is seen to change
    if changes:
        finish_edit(session, user, response, f"edit:{name}", changes)


def agree_extension(
    session: Session,
    user,
    response: LearningResponse,
    *,
    new_due_on: date,
    reason: str,
    agreed_with_affected: bool,
    expected_version: int | None,
) -> None:
    """Move the target date, with the reason; past the workflow's limit only with those affected."""
    policy.require_may_agree_extension(user, response, state_of(response))
    definition = runner.definition_of(response)
    check_version(response, expected_version)
    if not (reason or "").strip():
        raise InputError("reason", "Say why the extension is needed")
    if response.due_on and new_due_on <= response.due_on:
        raise InputError("new_due_on", "The new date must be after the current target date")
    limit = definition.target.get("at_most_days")
    if (
        limit
        and (new_due_on - response.created_at.date()).days > int(limit)
        and not agreed_with_affected
    ):
        raise InputError(
            "agreed_with_affected",
            f"Going past {int(limit) // 30} months needs the agreement of the patient or family affected",
        )
    before = audit.snapshot(response, DUE_FIELDS)
    deadlines.assign(response, deadlines.Deadline(new_due_on))  # due by the end of that day
    response.extension_reason = reason.strip()
    session.flush()
    finish_edit(
        session,
        user,
        response,
        "edit:extension",
        audit.diff(before, audit.snapshot(response, DUE_FIELDS)),
    )
    audit_comment = reason.strip() + (
        " (agreed with those affected)" if agreed_with_affected else ""
    )
    audit.record(
        session,
        actor_id=user.id,
        action="response:extension",
        subject=response,
        organisation_id=response.organisation_id,
        changes={},
        comment=audit_comment,
    )


# ---- what the response page shows -----------------------------------------------------------------


ACTION_LABELS = {
    "event:create": "Event reported",
    "event:triage": "Event triaged",
    "event:revise": "Event corrected",
    "response:open": "Learning response opened",
    "response:continued": "Continued from an earlier response",
    "response:method_changed": "Went on as another method",
    "response:due_reset": "Target date counted from the change of method",
    "response:link": "Linked to another response",
    "response:extension": "Extension agreed",
    "edit:safety_action": "Safety action added",
    "edit:extension": "Target date moved",
    "edit:finding": "Finding recorded",
    "edit:factor": "Contributory factor recorded",
    "edit:contributor": "Contributing organisation added",
    "edit:contribution": "Contribution recorded",
    "edit:agreement": "Agreement recorded",
    "response:what_changed": "Reporters told what changed",
    **ENGAGEMENT_ACTION_LABELS,
}
# Fields whose names do not read as their label; the rest read as their name humanised.
FIELD_LABELS = {
    "due_on": "Target date",
    "due_at": "Due at",
    "due_reset_reason": "Why the target counts from the change",
    "contribution": "Contribution from {of}",
    "agreement": "Agreement of {of}",
    **{kind.value: kind.label for kind in FindingKind},
    **ENGAGEMENT_FIELD_LABELS,
}


def _vocabulary(workflows: list) -> Vocabulary:
    """The response's words: the steps and sections of every workflow it ran under (the current
    one first), and the events' coded values."""
    from psirf.events import lfpse
    from psirf.events.models import EventStatus

    def section_of(action: str) -> SectionDef | None:
        if not action.startswith("edit:"):
            return None
        found = (d.sections[action[5:]] for d in workflows if action[5:] in d.sections)
        return next(found, None)

    def action_label(action: str) -> str | None:
        section = section_of(action)
        if section is not None:
            return f"{section.label} updated"
        if action.startswith("edit:") and action not in ACTION_LABELS:
            return PARTS.get(action[5:])
        return None

    def field_label(action: str, name: str) -> str | None:
        section = section_of(action)
        if section is None:
            return None
        if name == section.name:
            return section.label
        field = next((f for f in section.fields if f.name == name), None)
        return field.label if field else None

    enums = {
        "record_type": lfpse.RecordType,
        "theme": lfpse.Theme,
        "physical_harm": lfpse.PhysicalHarm,
        "psychological_harm": lfpse.PsychologicalHarm,
        "reporter_kind": lfpse.ReporterKind,
        "status": EventStatus,
        "method": ResponseMethod,
    }
    return workflow_vocabulary(*workflows).merged(
        Vocabulary(
            actions=ACTION_LABELS,
            fields=FIELD_LABELS,
            values={name: enum.label_for for name, enum in enums.items()}
            | {"due_at": dates.audited_moment},
            action_label=action_label,
            field_label=field_label,
            nobody="A member of the public",
        )
    )


def timeline(session: Session, viewer, response: LearningResponse) -> list[TimelineEntry]:
    """The response's trail and its events', oldest first; a protected reporter is not named."""
    events = {e.id: e for e in response.events}
    records, names = trail(
        session, [("learning_responses", response.id)] + [("safety_events", i) for i in events]
    )

    def actor(record, name: str) -> str:
        event = events.get(record.subject_id) if record.subject_type == "safety_events" else None
        if (
            event is not None
            and record.actor_id == event.reporter_user_id
            and not policy.can_see_reporter(viewer, event)
        ):
            return "Identity protected"
        return name

    workflows = [stage.definition for stage in reversed(history(response))]
    return build_timeline(session, records, _vocabulary(workflows), actor, names)
