"""Guards and actions, registered by the names workflow files use.

A guard answers "what must be done first?": it returns the problems, in plain English, and an
empty list when the step may be taken. A workflow file may pass it arguments after a colon,
`complete:plan,review`; `check_args` refuses wrong ones when the file loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


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
ACTIONS: dict[str, Callable] = {}  # (session, response, actor, definition) -> None


def guard(name: str, check_args: Callable | None = None):
    def register(problems: Callable) -> Callable:
        GUARDS[name] = Guard(name, problems, check_args)
        return problems

    return register


def action(name: str):
    def register(fn: Callable) -> Callable:
        ACTIONS[name] = fn
        return fn

    return register
