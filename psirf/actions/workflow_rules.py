"""What the safety actions tell the workflow engine: the SMART rule (for an action's own workflow
and for the response that closes over its actions), their guards and actions, the parts of an
action edited on its page, who acts on an action, and the state names code relies on.

Imported by the composition root (psirf.features) before any workflow file is parsed.
"""

from __future__ import annotations

from psirf import policy
from psirf.actions.states import SAFETY_ACTION, ActionState
from psirf.timeutil import utcnow
from psirf.workflow.registry import action, guard, part, roles_for, states
from psirf.workflow.rules import filled

states(ActionState)
roles_for([SAFETY_ACTION], policy.require_action_visible)

part("details", "What will change, its owner, due date, measure and strength")
part("evidence", "Evidence of completion")
part("effect", "Whether it worked")


def missing_for_agreement(action) -> list[str]:
    """What a safety action still lacks to be SMART; one plain sentence each."""
    missing = []
    if not filled(action.description):
        missing.append("say what will change")
    if not (action.owner_organisation_id and filled(action.owner)):
        missing.append("name the owner and their organisation")
    if action.due_on is None:
        missing.append("give a due date")
    if not (action.measure_kind and filled(action.measure)):
        missing.append("say how it will be measured")
    if not action.strength:
        missing.append("choose its strength")
    return missing


@guard("smart")
def smart(action, definition, args) -> list[str]:
    return [f"To agree this action, {item}." for item in missing_for_agreement(action)]


@guard("has_evidence")
def has_evidence(action, definition, args) -> list[str]:
    return [] if filled(action.evidence) else ["Record the evidence that the action is done."]


@guard("effect_recorded")
def effect_recorded(action, definition, args) -> list[str]:
    return [] if action.effect else ["Record whether the action worked."]


# A response's guard, kept here because it is the SMART rule applied to the response's actions.
@guard("actions_smart")
def actions_smart(response, definition, args) -> list[str]:
    """A response closes only when every action it keeps is SMART (cancelled ones aside)."""
    problems = []
    for number, item in enumerate(response.safety_actions, start=1):
        if item.state == ActionState.CANCELLED:
            continue
        missing = [m for m in missing_for_agreement(item) if m != "choose its strength"]
        if missing:
            problems.append(f"Safety action {number}: {'; '.join(missing)}.")
        elif item.state == ActionState.DRAFT:
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
