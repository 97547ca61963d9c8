"""What the PSIRF plans tell the workflow engine: their guards and actions, the plan's sections as
an editable part, who acts on a plan, and the state names code relies on.

Imported by the composition root (psirf.features) before any workflow file is parsed.
"""

from __future__ import annotations

from psirf import policy
from psirf.plans import content, services
from psirf.plans.states import PLAN_APPROVAL, PlanState
from psirf.workflow.registry import action, guard, part, roles_for, states
from psirf.workflow.rules import filled

states(PlanState)
roles_for([PLAN_APPROVAL], policy.require_plan_visible)

part("plan", "The plan's sections")


@guard("plan_complete")
def plan_complete(plan, definition, args) -> list[str]:
    return content.problems(plan.content)


@guard("decision_recorded")
def decision_recorded(plan, definition, args) -> list[str]:
    missing = []
    if plan.decided_on is None:
        missing.append("Record the date of the committee's decision.")
    if not filled(plan.minute_reference):
        missing.append("Record the minute reference of the committee's decision.")
    return missing


@action("keep_revision")
def keep_revision(session, plan, actor, definition) -> None:
    services.keep_revision(session, plan, actor)


@action("put_plan_in_force")
def put_plan_in_force(session, plan, actor, definition) -> None:
    services.put_in_force(session, plan, actor)
