"""State names that code relies on, declared as constants and checked against the workflows.

A feature declares a class per workflow (or per family of workflows sharing a state) whose
upper-case attributes are state names, and registers it with the engine:

    class ActionState(StateNames, workflows=("safety_action",)):
        CANCELLED = "cancelled"

The constants are plain strings, so they serve in comparisons and SQL filters alike. When the
workflows load, a constant naming a state that the newest version of one of its workflows does
not declare is an error naming the constant: a renamed state fails at start, not in use.
"""

from __future__ import annotations

from typing import Iterable


class StateNames:
    """Base for a feature's state-name constants; `workflows` names the workflows they belong to."""

    workflows: tuple[str, ...] = ()

    def __init_subclass__(cls, workflows: Iterable[str] = (), **kwargs):
        super().__init_subclass__(**kwargs)
        cls.workflows = tuple(workflows)

    @classmethod
    def constants(cls) -> dict[str, str]:
        return {
            name: value
            for name, value in vars(cls).items()
            if name.isupper() and isinstance(value, str)
        }


def undeclared(classes: Iterable[type[StateNames]], found: dict) -> list[str]:
    """One sentence per constant that names a state its workflow's newest version lacks."""
    newest: dict[str, object] = {}
    for (name, version), definition in found.items():
        if name not in newest or version > newest[name].version:
            newest[name] = definition
    problems = []
    for cls in classes:
        where = f"{cls.__module__}.{cls.__qualname__}"
        for workflow in cls.workflows:
            definition = newest.get(workflow)
            if definition is None:
                problems.append(f"{where} names workflow '{workflow}', which no file declares")
                continue
            problems += [
                f"{where}.{constant} names state '{state}', which {workflow} version "
                f"{definition.version} does not declare"
                for constant, state in cls.constants().items()
                if state not in definition.states
            ]
    return problems
