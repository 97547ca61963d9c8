"""What the learning responses tell the workflow engine: their guards and actions, the parts of a
response kept in their own tables, who acts in a response, and the state names code relies on.

Imported by the composition root (psirf.features) before any workflow file is parsed.
"""

from __future__ import annotations

from psirf import policy
from psirf.responses import course
from psirf.responses.models import ResponseMethod
from psirf.responses.states import AfterActionReviewState, CrossOrganisationalState, ResponseState
from psirf.timeutil import utcnow
from psirf.workflow.registry import action, guard, part, roles_for, states
from psirf.workflow.rules import filled

states(ResponseState, CrossOrganisationalState, AfterActionReviewState)
roles_for([method.value for method in ResponseMethod], policy.require_response_visible)

part("actions", "Safety actions")
part("factors", "Findings and contributory factors")
part("contributors", "Contributing organisations")
part("contribution", "Each organisation's contribution")


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
    waiting = [c.organisation.name for c in response.contributors if not filled(c.contribution)]
    return [f"Wait for the contribution from {name}." for name in waiting]


@guard("contributors_agreed")
def contributors_agreed(response, definition, args) -> list[str]:
    waiting = [c.organisation.name for c in response.contributors if c.agreed_at is None]
    return [f"Record the agreement of {name}." for name in waiting]


def _continue_as(method: str, kind: str):
    def run(session, response, actor, definition) -> None:
        response.closed_at = utcnow()
        course.continue_as(session, response, method, actor, kind)

    return run


# Changing course: the response ends here and goes on as another method, linked, history kept.
action("continue_as_after_action_review")(_continue_as("after_action_review", "became"))
action("escalate_to_psii")(_continue_as("psii", "escalated_to"))
action("widen_to_cross_organisational")(_continue_as("cross_organisational", "widened_to"))
