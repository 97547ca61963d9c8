"""Changing course: a response going on as another method, escalated, or linked to others.

Going on as another method (a SWARM huddle continued as an after action review, any response
widened to a cross-organisational one) keeps one case: the same response, reference, events,
findings, safety actions and people affected, moved onto the new method's workflow at its first
step. The method it leaves is kept as a MethodStage with the sections it recorded, read-only from
then on. The due date keeps counting from when the response began, by the new method's target,
unless the lead resets it to count from the change, with a reason.

Escalation to a PSII is different: the investigation is a new response, linked to the earlier
one, which ends there. Responses that went on as another method before this rule was made are
pairs of responses, linked as they were (migration 0011_one_case_course).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from psirf import audit, policy
from psirf.db import check_version, record_change
from psirf.problems import InputError
from psirf.responses.models import (
    LearningResponse,
    LinkKind,
    MethodStage,
    ResponseLink,
    ResponseMethod,
)
from psirf.timeutil import in_london, utcnow
from psirf.web import dates
from psirf.workflow import deadlines, definitions, runner
from psirf.workflow.definitions import WorkflowDef

DUE_FIELDS = ("due_on", "due_at")


# ---- going on as another method: one case ---------------------------------------------------------


def method_started_at(response: LearningResponse) -> datetime:
    """When the response began as the method it is now."""
    stages = response.earlier_stages
    return stages[-1].ended_at if stages else response.created_at


def change_method(
    session: Session,
    response: LearningResponse,
    method: str,
    actor,
    kind: str,
    reason: str | None = None,
) -> MethodStage:
    """The response goes on as `method`; the method it leaves is kept as a stage.

    Called by a workflow step's action, inside the step's transaction: the runner has already
    checked the actor and the version, and audits the step itself.
    """
    before = audit.snapshot(response, ("method", *DUE_FIELDS))
    stage = MethodStage(
        position=len(response.earlier_stages) + 1,
        method=response.method,
        workflow_name=response.workflow_name,
        workflow_version=response.workflow_version,
        state_reached=response.state,
        record=dict(response.record or {}),
        due_on=response.due_on,
        due_at=response.due_at,
        started_at=method_started_at(response),
        ended_at=utcnow(),
        ended_by_id=actor.id,
        went_on_as=kind,
        reason=reason,
    )
    response.earlier_stages.append(stage)
    response.method = method
    response.record = {}  # the new method's sections start empty; the stage keeps the old ones
    response.extension_reason = response.due_reset_reason = None
    runner.start(session, response, definitions.for_method(method), actor)
    audit.record(
        session,
        actor_id=actor.id,
        action="response:method_changed",
        subject=response,
        organisation_id=response.organisation_id,
        changes=audit.diff(before, audit.snapshot(response, ("method", *DUE_FIELDS))),
        comment=reason,
    )
    return stage


def may_reset_due_date(response: LearningResponse) -> bool:
    """Only a response that changed course counts from an earlier start, and only once."""
    return bool(response.earlier_stages) and response.due_reset_reason is None


def reset_due_date(
    session: Session,
    user,
    response: LearningResponse,
    reason: str,
    expected_version: int | None,
) -> None:
    """Count the current method's target from when it began instead of from the response's start."""
    definition = runner.definition_of(response)
    policy.require_may_reset_due_date(user, response, definition.state(response.state))
    check_version(response, expected_version)
    if not may_reset_due_date(response):
        raise InputError("reason", "The target date of this response cannot be reset")
    reason = (reason or "").strip()
    if not reason:
        raise InputError("reason", "Say why the target date should count from the change")
    deadline = deadlines.from_target(definition.target, method_started_at(response))
    if deadline is None:
        raise InputError("reason", f"A {response.method_label.lower()} has no target to reset")
    # The reason is one of the changes, so the reset is audited even when the date stays.
    fields = (*DUE_FIELDS, "due_reset_reason")
    before = audit.snapshot(response, fields)
    deadlines.assign(response, deadline)
    response.due_reset_reason = reason
    response.extension_reason = None
    record_change(
        session,
        response,
        actor_id=user.id,
        action="response:due_reset",
        changes=audit.diff(before, audit.snapshot(response, fields)),
        comment=reason,
    )


# ---- the method history, as pages and reports show it ----------------------------------------------


@dataclass(frozen=True)
class Stage:
    """One method the response ran as: an earlier one (with its record) or the current one."""

    method: str
    started_at: datetime
    ended_at: datetime | None  # None for the current method
    state_label: str
    definition: WorkflowDef  # the workflow version it ran under: its sections label the record
    record: dict
    went_on_as: str | None = None
    ended_by: str | None = None
    reason: str | None = None

    @property
    def method_label(self) -> str:
        return ResponseMethod.label_for(self.method)

    @property
    def method_words(self) -> str:
        """The method's label inside a sentence: "after action review", "SWARM huddle"."""
        return in_a_sentence(self.method_label)

    @property
    def change_label(self) -> str | None:
        return LinkKind.label_for(self.went_on_as) if self.went_on_as else None


def history(response: LearningResponse) -> list[Stage]:
    """The methods the response ran as, oldest first, the current one last."""
    stages = []
    for s in response.earlier_stages:
        definition = definitions.get(s.workflow_name, s.workflow_version)
        stages.append(
            Stage(
                s.method,
                s.started_at,
                s.ended_at,
                definition.state(s.state_reached).label,
                definition,
                s.record or {},
                s.went_on_as,
                s.ended_by.name if s.ended_by else None,
                s.reason,
            )
        )
    current = runner.definition_of(response)
    stages.append(
        Stage(
            response.method,
            method_started_at(response),
            None,
            current.state(response.state).label,
            current,
            response.record or {},
        )
    )
    return stages


def _day(moment: datetime) -> str:
    return dates.day(in_london(moment))


def in_a_sentence(label: str) -> str:
    # "After action review" reads "after action review"; "SWARM huddle" keeps its capitals.
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _with_article(label: str) -> str:
    return ("an " if label[:1] in "AEIOU" else "a ") + in_a_sentence(label)


def story(stages: list[Stage]) -> str | None:
    """A response's `history` in a sentence: "Began as a SWARM huddle on 2 March 2026, continued
    as an after action review on 3 March 2026.", or None for one that never changed course."""
    if len(stages) < 2:
        return None
    parts = [f"Began as {_with_article(stages[0].method_label)} on {_day(stages[0].started_at)}"]
    for earlier, later in zip(stages, stages[1:]):
        parts.append(
            f"{earlier.change_label.lower()} {_with_article(later.method_label)} "
            f"on {_day(later.started_at)}"
        )
    return ", ".join(parts) + "."


def counted_from(response: LearningResponse, stages: list[Stage]) -> str | None:
    """What the due date of a response that changed course counts from, in a sentence."""
    if len(stages) < 2:
        return None
    if response.due_reset_reason is None:
        return f"When the response began, on {_day(stages[0].started_at)}"
    current = stages[-1]
    return (
        f"When it went on as {_with_article(current.method_label)}, on "
        f"{_day(current.started_at)}, because: {response.due_reset_reason}"
    )


# ---- escalation: a new, linked investigation ----------------------------------------------------------


def escalate(session: Session, response: LearningResponse, actor) -> LearningResponse:
    """Open a PSII on the response's events, linked to it; the response ends here."""
    from psirf.responses.services import new_response

    response.closed_at = utcnow()
    successor = new_response(session, ResponseMethod.PSII, response.organisation_id, actor)
    for event in list(response.events):
        event.learning_response_id = successor.id
    session.add(
        ResponseLink(
            from_id=response.id,
            to_id=successor.id,
            kind=LinkKind.ESCALATED_TO.value,
            created_by_id=actor.id,
        )
    )
    audit.record(
        session,
        actor_id=actor.id,
        action="response:continued",
        subject=successor,
        organisation_id=successor.organisation_id,
        changes={
            "state": {"before": None, "after": successor.state},
            "from": {"before": None, "after": response.reference},
        },
    )
    session.flush()
    return successor


# ---- links between responses ----------------------------------------------------------------------


def links_of(session: Session, response: LearningResponse) -> list[tuple[str, LearningResponse]]:
    """Each linked response with how it relates to this one, in plain words."""
    rows = session.scalars(
        select(ResponseLink).where(
            or_(ResponseLink.from_id == response.id, ResponseLink.to_id == response.id)
        )
    ).all()
    described = []
    for link in rows:
        if link.from_id == response.id:
            described.append((LinkKind.label_for(link.kind), link.target))
        else:
            earlier = {
                "became": "Continued from",
                "escalated_to": "Escalated from",
                "widened_to": "Widened from",
            }
            described.append((earlier.get(link.kind, "Related to"), link.source))
    return described


def link(
    session: Session,
    response: LearningResponse,
    reference: str,
    actor,
    expected_version: int | None = None,
) -> ResponseLink:
    """Link two responses both visible to the actor, as related."""
    policy.require_may_link_responses(actor, response)
    check_version(response, expected_version)
    other = session.scalar(
        select(LearningResponse).where(
            LearningResponse.reference == (reference or "").strip().upper()
        )
    )
    if other is None or not policy.response_roles(actor, other):
        raise InputError(
            "reference",
            "Enter the reference of a learning response you can see, like LR-2026-000123",
        )
    if other.id == response.id:
        raise InputError("reference", "A response cannot be linked to itself")
    exists = session.scalar(
        select(ResponseLink).where(
            or_(
                (ResponseLink.from_id == response.id) & (ResponseLink.to_id == other.id),
                (ResponseLink.from_id == other.id) & (ResponseLink.to_id == response.id),
            )
        )
    )
    if exists:
        raise InputError("reference", "These responses are already linked")
    created = ResponseLink(
        from_id=response.id, to_id=other.id, kind=LinkKind.RELATED.value, created_by_id=actor.id
    )
    session.add(created)
    record_change(
        session,
        response,
        actor_id=actor.id,
        action="response:link",
        changes={"linked": {"before": None, "after": other.reference}},
    )
    return created


def successor_of(session: Session, response: LearningResponse) -> LearningResponse | None:
    """The response this one went on as, if it was escalated (or changed course before 0011)."""
    kinds = (LinkKind.BECAME.value, LinkKind.ESCALATED_TO.value, LinkKind.WIDENED_TO.value)
    return session.scalar(
        select(LearningResponse)
        .join(ResponseLink, ResponseLink.to_id == LearningResponse.id)
        .where(ResponseLink.from_id == response.id, ResponseLink.kind.in_(kinds))
    )
