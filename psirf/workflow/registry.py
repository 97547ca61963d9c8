"""What the features tell the engine, by the names workflow files use.

The engine knows no feature: each feature registers its guards, actions, editable parts, the
roles people hold over its subjects and the state names its code relies on, from its own
`workflow_rules` module; `psirf.features.load` imports them all before any workflow is parsed.

A guard answers "what must be done first?": it returns the problems, in plain English, and an
empty list when the step may be taken. A workflow file may pass it arguments after a colon,
`complete:plan,review`; `check_args` refuses wrong ones when the file loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable


@dataclass(frozen=True)
class Guard:
    name: str
    problems: Callable  # (response, definition, args) -> list[str]
    check_args: Callable | None = None  # (definition, args) -> an error message, or None


@dataclass(frozen=True)
class GuardCall:
    """A guard as a transition names it: the guard and its arguments."""

    name: str
    args: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> GuardCall:
        name, _, args = text.partition(":")
        return cls(name.strip(), tuple(a.strip() for a in args.split(",") if a.strip()))

    def __str__(self) -> str:
        return f"{self.name}:{','.join(self.args)}" if self.args else self.name

    def problems(self, response, definition) -> list[str]:
        return GUARDS[self.name].problems(response, definition, self.args)


GUARDS: dict[str, Guard] = {}
# (session, subject, actor, definition, comment) -> None; `comment` is what the person wrote when
# they took the step (None at the start), which only an action registered to read it receives.
ACTIONS: dict[str, Callable] = {}
# Parts of a subject kept in their own tables, which a state may let its actor edit beside the
# sections a workflow file declares: name -> label.
PARTS: dict[str, str] = {}
# Per workflow name: (user, subject) -> the roles the user holds over the subject; raises the
# policy's NotVisible when the subject is outside the user's sight.
ROLE_RESOLVERS: dict[str, Callable] = {}
# Classes of state-name constants, checked against the workflows whenever they load.
STATE_NAMES: list[type] = []
# (actor, subject, trigger) -> None, or raises: who may fire what is the policy's to say.
_authoriser: list[Callable] = []


class NotWired(RuntimeError):
    """The engine was used before the composition root (psirf.features.load) registered the features."""


def guard(name: str, check_args: Callable | None = None):
    def register(problems: Callable) -> Callable:
        GUARDS[name] = Guard(name, problems, check_args)
        return problems

    return register


def action(name: str, reads_comment: bool = False):
    def register(fn: Callable) -> Callable:
        ACTIONS[name] = fn if reads_comment else _without_comment(fn)
        return fn

    return register


def _without_comment(fn: Callable) -> Callable:
    def run(session, subject, actor, definition, comment=None):
        return fn(session, subject, actor, definition)

    return run


def part(name: str, label: str) -> None:
    PARTS[name] = label


def roles_for(workflow_names: Iterable[str], resolver: Callable) -> None:
    for name in workflow_names:
        ROLE_RESOLVERS[name] = resolver


def roles_over(user, subject) -> set:
    """The roles `user` holds over a workflow's subject, as the subject's feature decides them."""
    try:
        resolver = ROLE_RESOLVERS[subject.workflow_name]
    except KeyError:
        raise NotWired(f"no feature says who acts in workflow '{subject.workflow_name}'") from None
    return resolver(user, subject)


def states(*classes: type) -> None:
    for cls in classes:
        if cls not in STATE_NAMES:
            STATE_NAMES.append(cls)


def authorise_with(authoriser: Callable) -> None:
    _authoriser[:] = [authoriser]


def authorise(actor, subject, trigger: str) -> None:
    """Refuse a step the actor may not take; fails closed when no authoriser is registered."""
    if not _authoriser:
        raise NotWired("no authoriser registered: call psirf.features.load() first")
    _authoriser[0](actor, subject, trigger)
