"""Workflow definitions: parsed once from workflows/*.yaml, checked, and cached by (name, version)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import hashlib
import json

import yaml

from psirf.config import PROJECT_ROOT
from psirf.workflow import rules  # noqa: F401  (registers the generic guards and actions)
from psirf.workflow.registry import ACTIONS, GUARDS, PARTS, ROLE_RESOLVERS, STATE_NAMES, GuardCall
from psirf.workflow.states import undeclared

WORKFLOW_DIR = PROJECT_ROOT / "workflows"
# Earlier versions of a workflow live on here, so responses started under them run to the end.
ARCHIVE = "versions"
FINGERPRINTS = "fingerprints.json"


class WorkflowError(ValueError):
    """A workflow file is wrong; the message names the file and the fault."""


# PARTS (the parts kept in their own tables that a state may let its actor edit) are registered
# by the features, beside their guards and actions.
FIELD_TYPES = {"line", "text", "date", "choice"}


@dataclass(frozen=True)
class FieldDef:
    name: str
    label: str
    type: str = "text"
    hint: str | None = None
    required: bool = False
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SectionDef:
    """A part of the response's record, declared in the workflow file and kept as data."""

    name: str
    label: str
    fields: tuple[FieldDef, ...]
    hint: str | None = None
    repeatable: bool = False  # each save adds an entry (a meeting, an escalated issue)

    def field(self, name: str) -> FieldDef:
        return next(f for f in self.fields if f.name == name)


@dataclass(frozen=True)
class StateDef:
    name: str
    label: str
    acts: str | None = None
    final: bool = False
    edits: tuple[str, ...] = ()
    contributors: bool = False  # contributing organisations add their part in this state


@dataclass(frozen=True)
class TransitionDef:
    trigger: str
    label: str
    sources: tuple[str, ...]
    dest: str
    guards: tuple[GuardCall, ...] = ()
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
    sections: dict[str, SectionDef] = field(default_factory=dict)
    fingerprint: str = ""

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


def _unwired() -> str:
    return "" if ROLE_RESOLVERS else " (no feature is loaded: call psirf.features.load() first)"


def parse(data: dict, source: str) -> WorkflowDef:
    def fail(message: str):
        raise WorkflowError(f"{source}: {message}")

    for key in ("name", "version", "label", "method", "initial", "states", "transitions"):
        if key not in data:
            fail(f"missing '{key}'")
    sections = {
        name: _section(name, spec or {}, fail)
        for name, spec in (data.get("sections") or {}).items()
    }
    states = {}
    for name, spec in (data["states"] or {}).items():
        spec = spec or {}
        if "label" not in spec:
            fail(f"state '{name}' has no label")
        states[name] = StateDef(
            name,
            spec["label"],
            spec.get("acts"),
            bool(spec.get("final")),
            _as_tuple(spec.get("edits")),
            bool(spec.get("contributors")),
        )
        for part in states[name].edits:
            if part not in sections and part not in PARTS:
                fail(f"state '{name}' edits unknown section '{part}'")
    if data["initial"] not in states:
        fail(f"initial state '{data['initial']}' is not declared")
    transitions = []
    for spec in data["transitions"]:
        t = TransitionDef(
            trigger=spec["trigger"],
            label=spec.get("label") or spec["trigger"],
            sources=_as_tuple(spec["source"]),
            dest=spec["dest"],
            guards=tuple(GuardCall.parse(g) for g in _as_tuple(spec.get("guards"))),
            actions=_as_tuple(spec.get("actions")),
            needs=_as_tuple(spec.get("needs")),
        )
        for state in (*t.sources, t.dest):
            if state not in states:
                fail(f"transition '{t.trigger}' names unknown state '{state}'")
        for call in t.guards:
            if call.name not in GUARDS:
                fail(f"transition '{t.trigger}' names unknown guard '{call.name}'{_unwired()}")
            check_args = GUARDS[call.name].check_args
            problem = check_args(sections, call.args) if check_args else None
            if problem:
                fail(f"transition '{t.trigger}': guard '{call.name}' {problem}")
        for name in t.actions:
            if name not in ACTIONS:
                fail(f"transition '{t.trigger}' names unknown action '{name}'{_unwired()}")
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
        sections=sections,
        fingerprint=fingerprint(data),
    )


def fingerprint(data: dict) -> str:
    """What a version means, whatever its comments and layout: a changed meaning needs a new version."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _section(name: str, spec: dict, fail) -> SectionDef:
    if "label" not in spec or not spec.get("fields"):
        fail(f"section '{name}' needs a label and fields")
    fields = []
    for f in spec["fields"]:
        kind = f.get("type", "text")
        if kind not in FIELD_TYPES:
            fail(f"section '{name}': field '{f.get('name')}' has unknown type '{kind}'")
        options = tuple((str(k), str(v)) for k, v in (f.get("options") or {}).items())
        if kind == "choice" and not options:
            fail(f"section '{name}': choice field '{f.get('name')}' has no options")
        fields.append(
            FieldDef(f["name"], f["label"], kind, f.get("hint"), bool(f.get("required")), options)
        )
    return SectionDef(
        name, spec["label"], tuple(fields), spec.get("hint"), bool(spec.get("repeatable"))
    )


def read_directory(directory: Path = WORKFLOW_DIR) -> dict[tuple[str, int], WorkflowDef]:
    found: dict[tuple[str, int], WorkflowDef] = {}
    for path in sorted(directory.glob("*.yaml")) + sorted((directory / ARCHIVE).glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            raise WorkflowError(f"{path.name}: not valid YAML ({exc})") from exc
        definition = parse(data or {}, path.name)
        key = (definition.name, definition.version)
        if key in found:
            raise WorkflowError(
                f"{path.name}: {definition.name} version {definition.version} is declared twice"
            )
        found[key] = definition
    check_registrations(found)
    return found


def check_registrations(found: dict[tuple[str, int], WorkflowDef]) -> None:
    """What the features told the engine agrees with the files: every workflow has someone to
    say who acts in it, and every state-name constant names a state its workflow declares."""
    unowned = sorted({name for name, _ in found} - set(ROLE_RESOLVERS))
    if unowned:
        raise WorkflowError(f"no feature says who acts in workflow(s) {', '.join(unowned)}")
    problems = undeclared(STATE_NAMES, found)
    if problems:
        raise WorkflowError("; ".join(problems))


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


def recorded_fingerprints(directory: Path = WORKFLOW_DIR) -> dict[str, str]:
    path = directory / FINGERPRINTS
    return json.loads(path.read_text()) if path.exists() else {}


def changed_without_new_version(found: dict, directory: Path = WORKFLOW_DIR) -> list[str]:
    """Versions whose meaning differs from what was recorded when they were first released."""
    recorded = recorded_fingerprints(directory)
    return [
        f"{name} version {version}"
        for (name, version), d in sorted(found.items())
        if recorded.get(f"{name}@{version}") not in (None, d.fingerprint)
    ]


def record_fingerprints(found: dict, directory: Path = WORKFLOW_DIR) -> list[str]:
    """Record the fingerprints of versions not yet recorded; returns those it added."""
    recorded = recorded_fingerprints(directory)
    added = [f"{n}@{v}" for (n, v) in sorted(found) if f"{n}@{v}" not in recorded]
    recorded.update(
        {f"{n}@{v}": d.fingerprint for (n, v), d in found.items() if f"{n}@{v}" in added}
    )
    (directory / FINGERPRINTS).write_text(
        json.dumps(dict(sorted(recorded.items())), indent=2) + "\n"
    )
    return added
