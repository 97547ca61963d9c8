"""Workflow definitions: parsed once from workflows/*.yaml, checked, and cached by (name, version)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from psirf.config import PROJECT_ROOT
from psirf.workflow import rules  # noqa: F401  (registers the guards and actions by name)
from psirf.workflow.registry import ACTIONS, GUARDS

WORKFLOW_DIR = PROJECT_ROOT / "workflows"


class WorkflowError(ValueError):
    """A workflow file is wrong; the message names the file and the fault."""


@dataclass(frozen=True)
class StateDef:
    name: str
    label: str
    acts: str | None = None
    final: bool = False
    edits: tuple[str, ...] = ()


@dataclass(frozen=True)
class TransitionDef:
    trigger: str
    label: str
    sources: tuple[str, ...]
    dest: str
    guards: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkflowDef:
    name: str
    version: int
    label: str
    method: str
    initial: str
    states: dict[str, StateDef]
    transitions: tuple[TransitionDef, ...]
    on_start: tuple[str, ...] = ()
    target: dict = field(default_factory=dict)

    def state(self, name: str) -> StateDef:
        return self.states[name]

    def transition(self, trigger: str) -> TransitionDef | None:
        return next((t for t in self.transitions if t.trigger == trigger), None)

    def available_from(self, state: str) -> list[TransitionDef]:
        return [t for t in self.transitions if state in t.sources]

    def ordered_states(self) -> list[StateDef]:
        return list(self.states.values())


def _as_tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def parse(data: dict, source: str) -> WorkflowDef:
    def fail(message: str):
        raise WorkflowError(f"{source}: {message}")

    for key in ("name", "version", "label", "method", "initial", "states", "transitions"):
        if key not in data:
            fail(f"missing '{key}'")
    states = {}
    for name, spec in (data["states"] or {}).items():
        spec = spec or {}
        if "label" not in spec:
            fail(f"state '{name}' has no label")
        states[name] = StateDef(
            name, spec["label"], spec.get("acts"), bool(spec.get("final")), _as_tuple(spec.get("edits"))
        )
    if data["initial"] not in states:
        fail(f"initial state '{data['initial']}' is not declared")
    transitions = []
    for spec in data["transitions"]:
        t = TransitionDef(
            trigger=spec["trigger"],
            label=spec.get("label") or spec["trigger"],
            sources=_as_tuple(spec["source"]),
            dest=spec["dest"],
            guards=_as_tuple(spec.get("guards")),
            actions=_as_tuple(spec.get("actions")),
            needs=_as_tuple(spec.get("needs")),
        )
        for state in (*t.sources, t.dest):
            if state not in states:
                fail(f"transition '{t.trigger}' names unknown state '{state}'")
        for name in t.guards:
            if name not in GUARDS:
                fail(f"transition '{t.trigger}' names unknown guard '{name}'")
        for name in t.actions:
            if name not in ACTIONS:
                fail(f"transition '{t.trigger}' names unknown action '{name}'")
        for need in t.needs:
            if need != "comment":
                fail(f"transition '{t.trigger}' needs unknown input '{need}'")
        transitions.append(t)
    triggers = [t.trigger for t in transitions]
    if len(set(triggers)) != len(triggers):
        fail("a trigger is declared twice")
    for name in _as_tuple(data.get("on_start")):
        if name not in ACTIONS:
            fail(f"on_start names unknown action '{name}'")
    return WorkflowDef(
        name=data["name"],
        version=int(data["version"]),
        label=data["label"],
        method=data["method"],
        initial=data["initial"],
        states=states,
        transitions=tuple(transitions),
        on_start=_as_tuple(data.get("on_start")),
        target=dict(data.get("target") or {}),
    )


def read_directory(directory: Path = WORKFLOW_DIR) -> dict[tuple[str, int], WorkflowDef]:
    found: dict[tuple[str, int], WorkflowDef] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            raise WorkflowError(f"{path.name}: not valid YAML ({exc})") from exc
        definition = parse(data or {}, path.name)
        key = (definition.name, definition.version)
        if key in found:
            raise WorkflowError(f"{path.name}: {definition.name} version {definition.version} is declared twice")
        found[key] = definition
    return found


_CACHE: dict[tuple[str, int], WorkflowDef] = {}


def load_all(directory: Path = WORKFLOW_DIR) -> dict[tuple[str, int], WorkflowDef]:
    """Parse every workflow file once per process; later calls return the cache."""
    if not _CACHE:
        _CACHE.update(read_directory(directory))
    return _CACHE


def get(name: str, version: int | None = None) -> WorkflowDef:
    definitions = load_all()
    if version is None:
        versions = [v for (n, v) in definitions if n == name]
        if not versions:
            raise WorkflowError(f"no workflow named '{name}'")
        version = max(versions)
    try:
        return definitions[(name, version)]
    except KeyError:
        raise WorkflowError(f"no workflow '{name}' version {version}") from None


def for_method(method: str) -> WorkflowDef:
    candidates = [d for d in load_all().values() if d.method == method]
    if not candidates:
        raise WorkflowError(f"no workflow for method '{method}'")
    return max(candidates, key=lambda d: d.version)
