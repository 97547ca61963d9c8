"""What the learning responses tell the workflow engine: their guards and actions, the parts of a
response kept in their own tables, who acts in a response, and the state names code relies on.

Imported by the composition root (psirf.features) before any workflow file is parsed.
"""

from __future__ import annotations

from psirf import policy
from psirf.responses import course
from psirf.responses.models import LinkKind, ResponseMethod
from psirf.responses.states import AfterActionReviewState, CrossOrganisationalState, ResponseState
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


def _change_method(method: str, kind: LinkKind):
    def run(session, response, actor, definition, comment) -> None:
        course.change_method(session, response, method, actor, kind.value, comment)

    return run


def _escalate(session, response, actor, definition) -> None:
    course.escalate(session, response, actor)


# Changing course. Going on as another method keeps one case, moved onto that method's workflow;
# escalating opens a new investigation, linked, and this response ends.
action("continue_as_after_action_review", reads_comment=True)(
    _change_method(ResponseMethod.AFTER_ACTION_REVIEW.value, LinkKind.BECAME)
)
action("widen_to_cross_organisational", reads_comment=True)(
    _change_method(ResponseMethod.CROSS_ORGANISATIONAL.value, LinkKind.WIDENED_TO)
)
action("escalate_to_psii")(_escalate)
