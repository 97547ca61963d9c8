"""The guards and actions the workflow files name."""

from __future__ import annotations

from datetime import timedelta

from psirf.timeutil import utcnow
from psirf.workflow.registry import action, guard


def _filled(value) -> bool:
    return value is not None and str(value).strip() != ""


def _sections_known(sections, args) -> str | None:
    if not args:
        return "needs the sections to check, like complete:plan"
    unknown = [a for a in args if a not in sections]
    return f"names unknown sections {unknown}" if unknown else None


@guard("complete", check_args=_sections_known)
def complete(response, definition, sections) -> list[str]:
    """Every required question in the named sections is answered (a repeatable one has an entry)."""
    record = response.record or {}
    problems = []
    for name in sections:
        section = definition.sections[name]
        saved = record.get(name)
        if section.repeatable:
            if not saved:
                problems.append(f"Add at least one entry to '{section.label}'.")
            continue
        saved = saved or {}
        problems += [
            f"Answer '{f.label}'."
            for f in section.fields
            if f.required and not _filled(saved.get(f.name))
        ]
    return problems


@guard("has_safety_action")
def has_safety_action(response, definition, args) -> list[str]:
    return (
        []
        if response.safety_actions
        else ["Add at least one safety action with an owner and a due date."]
    )


@guard("has_contributory_factor")
def has_contributory_factor(response, definition, args) -> list[str]:
    if not response.findings:
        return ["Record at least one finding."]
    if not any(f.factors for f in response.findings):
        return ["Link at least one contributory factor (SEIPS) to a finding."]
    return []


@guard("has_events")
def has_events(response, definition, args) -> list[str]:
    """A thematic review covers a snapshot of events or earlier responses, kept apart from the
    events it arose from."""
    covered = response.reviewed_events or response.reviewed_responses
    return [] if covered else ["Choose the events or responses the review covers."]


@guard("has_contributors")
def has_contributors(response, definition, args) -> list[str]:
    return [] if response.contributors else ["Add at least one contributing organisation."]


@guard("contributions_received")
def contributions_received(response, definition, args) -> list[str]:
    waiting = [c.organisation.name for c in response.contributors if not _filled(c.contribution)]
    return [f"Wait for the contribution from {name}." for name in waiting]


@guard("contributors_agreed")
def contributors_agreed(response, definition, args) -> list[str]:
    waiting = [c.organisation.name for c in response.contributors if c.agreed_at is None]
    return [f"Record the agreement of {name}." for name in waiting]


@action("set_due_date")
def set_due_date(session, response, actor, definition) -> None:
    target = definition.target
    start = response.created_at or utcnow()
    if target.get("close_within_hours"):
        response.due_on = (start + timedelta(hours=int(target["close_within_hours"]))).date()
    elif target.get("close_within_days"):
        response.due_on = (start + timedelta(days=int(target["close_within_days"]))).date()


@action("record_closed")
def record_closed(session, response, actor, definition) -> None:
    response.closed_at = utcnow()


def _continue_as(method: str, kind: str):
    def run(session, response, actor, definition) -> None:
        from psirf.responses import course  # the responses package builds on this engine

        response.closed_at = utcnow()
        course.continue_as(session, response, method, actor, kind)

    return run


# Changing course: the response ends here and goes on as another method, linked, history kept.
action("continue_as_after_action_review")(_continue_as("after_action_review", "became"))
action("escalate_to_psii")(_continue_as("psii", "escalated_to"))
action("widen_to_cross_organisational")(_continue_as("cross_organisational", "widened_to"))


# ---- safety actions ------------------------------------------------------------------------------


def missing_for_agreement(action) -> list[str]:
    """What a safety action still lacks to be SMART; one plain sentence each."""
    missing = []
    if not _filled(action.description):
        missing.append("say what will change")
    if not (action.owner_organisation_id and _filled(action.owner)):
        missing.append("name the owner and their organisation")
    if action.due_on is None:
        missing.append("give a due date")
    if not (action.measure_kind and _filled(action.measure)):
        missing.append("say how it will be measured")
    if not action.strength:
        missing.append("choose its strength")
    return missing


@guard("smart")
def smart(action, definition, args) -> list[str]:
    return [f"To agree this action, {item}." for item in missing_for_agreement(action)]


@guard("has_evidence")
def has_evidence(action, definition, args) -> list[str]:
    return [] if _filled(action.evidence) else ["Record the evidence that the action is done."]


@guard("effect_recorded")
def effect_recorded(action, definition, args) -> list[str]:
    return [] if action.effect else ["Record whether the action worked."]


@guard("actions_smart")
def actions_smart(response, definition, args) -> list[str]:
    """A response closes only when every action it keeps is SMART (cancelled ones aside)."""
    problems = []
    for number, item in enumerate(response.safety_actions, start=1):
        if item.state == "cancelled":
            continue
        missing = [m for m in missing_for_agreement(item) if m != "choose its strength"]
        if missing:
            problems.append(f"Safety action {number}: {'; '.join(missing)}.")
        elif item.state == "draft":
            problems.append(
                f"Safety action {number} is still being written: agree it or cancel it."
            )
    return problems


@action("record_completed")
def record_completed(session, action, actor, definition) -> None:
    action.completed_at = utcnow()


@action("clear_completed")
def clear_completed(session, action, actor, definition) -> None:
    action.completed_at = None


# ---- PSIRF plans ------------------------------------------------------------------------------


@guard("plan_complete")
def plan_complete(plan, definition, args) -> list[str]:
    from psirf.plans.content import problems

    return problems(plan.content)


@guard("decision_recorded")
def decision_recorded(plan, definition, args) -> list[str]:
    missing = []
    if plan.decided_on is None:
        missing.append("Record the date of the committee's decision.")
    if not _filled(plan.minute_reference):
        missing.append("Record the minute reference of the committee's decision.")
    return missing


@action("keep_revision")
def keep_revision(session, plan, actor, definition) -> None:
    from psirf.plans.services import keep_revision as keep

    keep(session, plan, actor)


@action("put_plan_in_force")
def put_plan_in_force(session, plan, actor, definition) -> None:
    from psirf.plans.services import put_in_force

    put_in_force(session, plan, actor)
