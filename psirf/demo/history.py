"""The demo after action reviews, their histories checked against the workflow, and the audit
trail the services would have written for the seeded rows."""

from __future__ import annotations

from datetime import timedelta

from psirf.audit import AuditRecord
from psirf.events.models import EventStatus, SafetyEvent
from psirf.actions.models import SafetyAction
from psirf.actions.states import SAFETY_ACTION, ActionState
from psirf.responses.models import LearningResponse, ResponseMethod
from psirf.responses.states import ResponseState
from psirf.workflow import definitions


def review_rows(builder, spec: dict, event: SafetyEvent) -> tuple[LearningResponse, list[tuple]]:
    """The response, its record and actions; and the audit entries to write once ids exist."""
    definition = definitions.get("after_action_review")
    organisation = builder.by_code[spec["organisation"]]
    lead = builder.lead_for(organisation)
    panel = builder.panel_for(organisation)
    triaged_at = builder.moment(builder.today - timedelta(days=spec["triaged_days_ago"]))
    triaged_at = max(triaged_at, event.created_at + timedelta(hours=1))
    event.status = EventStatus.LEARNING_RESPONSE.value
    event.triage_rationale = spec["rationale"]
    event.triaged_by_id = lead
    event.triaged_at = triaged_at

    a = spec.get("aar") or {}
    review_on = None
    if "review_in_days" in a:
        review_on = builder.today + timedelta(days=a["review_in_days"])
    elif "review_days_ago" in a:
        review_on = builder.today - timedelta(days=a["review_days_ago"])
    response = LearningResponse(
        method=ResponseMethod.AFTER_ACTION_REVIEW.value,
        organisation_id=organisation.id,
        workflow_name=definition.name,
        workflow_version=definition.version,
        state=definition.initial,
        lead_id=lead,
        due_on=(
            triaged_at + timedelta(days=int(definition.target.get("close_within_days", 42)))
        ).date(),
        created_at=triaged_at,
        updated_at=triaged_at,
        record=_aar_record(a, review_on),
    )
    for action in spec.get("actions", []):
        response.safety_actions.append(_action_row(builder, organisation, action, triaged_at))
    event.learning_response = response

    audits = [
        (
            "event",
            event,
            lead,
            triaged_at,
            "event:triage",
            {
                "status": {
                    "before": EventStatus.AWAITING_TRIAGE.value,
                    "after": EventStatus.LEARNING_RESPONSE.value,
                }
            },
            spec["rationale"],
        ),
        (
            "response",
            response,
            lead,
            triaged_at,
            "response:open",
            {"state": {"before": None, "after": definition.initial}},
            None,
        ),
    ]
    state = definition.initial
    for step in spec.get("history", []):
        transition = definition.transition(step["trigger"])
        if transition is None or state not in transition.sources:
            raise ValueError(
                f"seed/events.yaml: '{step['trigger']}' cannot be taken from '{state}'"
            )
        failing = [p for call in transition.guards for p in call.problems(response, definition)]
        if failing:
            raise ValueError(
                f"seed/events.yaml: '{step['trigger']}' at {organisation.ods_code} fails {failing}"
            )
        at = builder.moment(builder.today - timedelta(days=step["days_ago"]))
        actor = lead if step["actor"] == "lead" else panel
        audits.append(
            (
                "response",
                response,
                actor,
                at,
                f"transition:{step['trigger']}",
                {"state": {"before": state, "after": transition.dest}},
                step.get("comment"),
            )
        )
        state = transition.dest
        response.updated_at = at
        if transition.dest == ResponseState.CLOSED:
            response.closed_at = at
    if state != spec["state"]:
        raise ValueError(f"seed/events.yaml: history ends in '{state}', not '{spec['state']}'")
    response.state = state
    event.updated_at = triaged_at
    return response, audits


def _action_row(builder, organisation, spec: dict, triaged_at) -> SafetyAction:
    """A safety action as its own workflow would have left it: agreed, under way or done."""
    definition = definitions.get(SAFETY_ACTION)
    owner_organisation = builder.by_code[spec.get("owner_organisation", organisation.ods_code)]
    owner_user_id = None
    if spec.get("owner_account"):
        owner_user_id = (
            builder.panel_for_group(owner_organisation)
            if owner_organisation.kind_enum.is_group
            else builder.lead_for(owner_organisation)
        )
    state = spec.get("state", ActionState.IN_PROGRESS)
    created_at = triaged_at + timedelta(days=1)
    due_on = builder.today + timedelta(days=spec["due_in_days"])
    done = state in (ActionState.COMPLETED, ActionState.REVIEWED)
    return SafetyAction(
        organisation_id=organisation.id,
        description=spec["description"],
        owner=spec["owner"],
        owner_user_id=owner_user_id,
        owner_organisation_id=owner_organisation.id,
        due_on=due_on,
        measure_kind=spec.get("measure_kind"),
        measure=spec.get("measure"),
        strength=spec.get("strength"),
        review_on=due_on + timedelta(days=spec["review_after_days"])
        if "review_after_days" in spec
        else None,
        evidence=spec.get("evidence"),
        effect=spec.get("effect"),
        effect_notes=spec.get("effect_notes"),
        workflow_name=definition.name,
        workflow_version=definition.version,
        state=state,
        completed_at=builder.moment(due_on - timedelta(days=2)) if done else None,
        closed_at=builder.moment(due_on + timedelta(days=spec.get("review_after_days", 30)))
        if state == ActionState.REVIEWED
        else None,
        created_at=created_at,
        updated_at=created_at,
    )


def audit_records(events: list[SafetyEvent], pending: list[tuple]) -> list[AuditRecord]:
    """The audit trail the services would have written: each report, each triage decision,
    and the reviews' histories gathered by `review_rows` (written once the rows have ids)."""
    records = []
    for event in events:
        records.append(
            AuditRecord(
                occurred_at=event.created_at,
                actor_id=event.reporter_user_id,
                action="event:create",
                subject_type=SafetyEvent.__tablename__,
                subject_id=event.id,
                organisation_id=event.organisation_id,
                changes={
                    name: {"before": None, "after": getattr(event, name)}
                    for name in (
                        "reference",
                        "record_type",
                        "theme",
                        "physical_harm",
                        "psychological_harm",
                        "reporter_kind",
                    )
                }
                | {
                    "status": {"before": None, "after": EventStatus.AWAITING_TRIAGE.value},
                    "patients": {"before": None, "after": len(event.patients)},
                },
            )
        )
        if event.status == EventStatus.NO_FURTHER_RESPONSE.value:
            records.append(
                AuditRecord(
                    occurred_at=event.triaged_at,
                    actor_id=event.triaged_by_id,
                    action="event:triage",
                    subject_type=SafetyEvent.__tablename__,
                    subject_id=event.id,
                    organisation_id=event.organisation_id,
                    changes={
                        "status": {
                            "before": EventStatus.AWAITING_TRIAGE.value,
                            "after": event.status,
                        }
                    },
                    comment=event.triage_rationale,
                )
            )
    for _, subject, actor, at, action, changes, comment in pending:
        if action == "response:open":
            changes = dict(changes, event={"before": None, "after": subject.events[0].reference})
        records.append(audit_entry(subject, at, actor, action, changes, comment))
    return records


def audit_entry(subject, at, actor_id, action: str, changes: dict, comment=None) -> AuditRecord:
    """The audit record a service would have written about `subject` (which has an id) at `at`."""
    return AuditRecord(
        occurred_at=at,
        actor_id=actor_id,
        action=action,
        subject_type=type(subject).__tablename__,
        subject_id=subject.id,
        organisation_id=subject.organisation_id,
        changes=changes,
        comment=comment,
    )


def _aar_record(spec: dict, review_on) -> dict:
    """The after action review's record as its workflow file declares it: plan and review."""
    plan = {
        "timing": spec.get("timing", "hot") if spec.get("conductor") else None,
        "conductor": spec.get("conductor"),
        "participants": spec.get("participants"),
        "review_on": review_on.isoformat() if review_on else None,
    }
    review = {
        k: spec.get(k) for k in ("expected", "actual", "difference", "learned", "learning_summary")
    }
    record = {"plan": plan}
    if any(review.values()):
        record["review"] = review
    return record
