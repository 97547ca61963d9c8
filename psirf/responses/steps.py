"""The workflow steps a person may take on a learning response now, and what each still needs.

The response page offers the steps the policy lets the person take (`open_transitions`); the API
lists the same steps with each guard's reason when it does not hold (`open_steps`), so a program
can say why a step is not ready before it tries it. Plain functions, no Flask.
"""

from __future__ import annotations

from dataclasses import dataclass

from psirf import policy
from psirf.responses.models import LearningResponse
from psirf.workflow import runner
from psirf.workflow.definitions import TransitionDef


@dataclass(frozen=True)
class OpenStep:
    trigger: str
    label: str
    needs: tuple[str, ...]
    # What must be done first, in words: empty when the step can be taken now.
    problems: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return not self.problems


def open_transitions(user, response: LearningResponse) -> list[TransitionDef]:
    """The steps from the response's state that the policy lets `user` take."""
    definition = runner.definition_of(response)
    return [
        t
        for t in definition.available_from(response.state)
        if policy.may_fire(user, response, t.trigger)
    ]


def open_steps(user, response: LearningResponse) -> list[OpenStep]:
    """`open_transitions`, each with its guards' reasons when they do not hold (a guard may query:
    the page, which shows them only when a step is refused, does not ask for them)."""
    definition = runner.definition_of(response)
    return [
        OpenStep(
            trigger=t.trigger,
            label=t.label,
            needs=t.needs,
            problems=tuple(runner.failing_guards(definition, t.trigger, response)),
        )
        for t in open_transitions(user, response)
    ]
