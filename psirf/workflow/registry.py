"""Guards and actions, registered by the names workflow files use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Guard:
    name: str
    check: Callable  # (response) -> bool
    message: str  # shown when the check fails, saying what to do


GUARDS: dict[str, Guard] = {}
ACTIONS: dict[str, Callable] = {}  # (session, response, actor) -> None


def guard(name: str, message: str):
    def register(check: Callable) -> Callable:
        GUARDS[name] = Guard(name, check, message)
        return check

    return register


def action(name: str):
    def register(fn: Callable) -> Callable:
        ACTIONS[name] = fn
        return fn

    return register
