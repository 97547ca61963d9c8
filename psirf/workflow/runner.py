"""The one function that runs every transition.

In order, inside the caller's transaction: authorize (the policy, registered with the engine by
the composition root) -> refuse a stale version -> check the guards -> move the state with a
`transitions` machine -> run the actions -> flush (optimistic lock) -> write the audit record. Any failure raises before commit, so
the state change and its audit record land together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy.orm import Session
from transitions import Machine, MachineError

from psirf import audit
from psirf.db import ChangedBySomeoneElse, check_version, races_refused
from psirf.workflow.definitions import TransitionDef, WorkflowDef, get
from psirf.workflow.registry import ACTIONS, authorise

__all__ = ["ChangedBySomeoneElse", "Outcome", "TransitionRefused", "fire", "start"]


class TransitionRefused(Exception):
    """The step cannot be taken now; `problems` says what must be done first."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass
class Outcome:
    trigger: str
    before: str
    after: str


def definition_of(response) -> WorkflowDef:
    return get(response.workflow_name, response.workflow_version)


def failing_guards(definition: WorkflowDef, trigger: str, response) -> list[str]:
    transition = definition.transition(trigger)
    return [
        problem for call in transition.guards for problem in call.problems(response, definition)
    ]


def _move(definition: WorkflowDef, current: str, transition: TransitionDef) -> str:
    """Let a `transitions` machine decide the destination, on a stand-in model.

    A fresh machine per call keeps this thread-safe and leaves the SQLAlchemy row free of bound
    trigger methods. It holds only the transition being taken, without conditions: `fire` has
    checked the guards once already, and a guard may query, so running them again as the
    machine's conditions cost a second round of them on every step.
    """
    carrier = SimpleNamespace(state=current)
    Machine(
        model=carrier,
        states=list(definition.states),
        transitions=[
            {
                "trigger": transition.trigger,
                "source": list(transition.sources),
                "dest": transition.dest,
            }
        ],
        initial=current,
        auto_transitions=False,
    )
    try:
        moved = carrier.trigger(transition.trigger)
    except MachineError:
        moved = False
    if not moved:
        raise TransitionRefused("That step cannot be taken now.")
    return carrier.state


def fire(
    session: Session,
    response,
    trigger: str,
    actor,
    expected_version: int | None,
    comment: str | None = None,
) -> Outcome:
    definition = definition_of(response)
    authorise(actor, response, trigger)
    check_version(response, expected_version)
    transition = definition.transition(trigger)
    if transition is None or response.state not in transition.sources:
        raise TransitionRefused("That step cannot be taken now.")
    comment = (comment or "").strip() or None
    problems = failing_guards(definition, trigger, response)
    if "comment" in transition.needs and not comment:
        problems.append("Write a comment saying what needs to change.")
    if problems:
        raise TransitionRefused("This step needs more information first.", problems)

    before = response.state
    response.state = _move(definition, before, transition)
    # An action may open a new record (escalating, widening, a plan's revision) and its queries
    # flush the move first: a lost race can show there as well as at this flush.
    # The state's UPDATE and its audit INSERT go in one flush.
    with races_refused():
        for name in transition.actions:
            ACTIONS[name](session, response, actor, definition, comment)
        audit.record(
            session,
            actor_id=actor.id,
            action=f"transition:{trigger}",
            subject=response,
            organisation_id=response.organisation_id,
            changes={"state": {"before": before, "after": response.state}},
            comment=comment,
        )
        session.flush()
    return Outcome(trigger=trigger, before=before, after=response.state)


def start(session: Session, response, definition: WorkflowDef, actor) -> None:
    """Put a response in a workflow's first state and run the workflow's start actions: a new
    response, or one going on as another method under that method's workflow."""
    response.workflow_name = definition.name
    response.workflow_version = definition.version
    response.state = definition.initial
    for name in definition.on_start:
        ACTIONS[name](session, response, actor, definition)
