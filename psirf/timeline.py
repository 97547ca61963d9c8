"""One timeline builder: audit records as people read them, in each feature's words.

The ledger (`psirf.audit`) keys every change by field name. A feature says how its fields and
actions read by passing a `Vocabulary`: labels for its actions and fields, formatters for values,
and which fields hold accounts (shown by name). This module imports no feature, so the engine and
the ledger stay below the features that describe them.

A change may carry a qualifier under "of" (the organisation a contribution came from, the kind of
person whose preferences changed); a field's label may name it as `{of}`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Collection, Iterable, Mapping

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from psirf.audit import AuditRecord

NONE = "(none)"


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class TimelineEntry:
    occurred_at: object
    actor: str
    action: str
    changes: list[Change]
    comment: str | None


def humanise(name: str) -> str:
    """A field name read aloud: `due_on` is "Due on". Old label keys pass through unchanged."""
    return name[:1].upper() + name[1:].replace("_", " ")


@dataclass(frozen=True)
class Vocabulary:
    """How one feature's audit records read. Every part is optional; unknown names fall back to
    the action as written and the field name humanised."""

    actions: Mapping[str, str] = field(default_factory=dict)
    fields: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)
    # Fields whose values are account ids, shown as the account's name.
    people: Collection[str] = frozenset()
    # Labels that depend on more than a fixed name (a workflow's transitions and sections).
    action_label: Callable[[str], str | None] | None = None
    field_label: Callable[[str, str], str | None] | None = None  # (action, field)
    # Who is named when a record has no actor.
    nobody: str = "Unknown"
    unknown: str = "Unknown"

    def merged(self, *others: Vocabulary) -> Vocabulary:
        """This vocabulary with others' actions, fields, formatters and people added."""
        actions, fields, values, people = (
            dict(self.actions),
            dict(self.fields),
            dict(self.values),
            set(self.people),
        )
        for other in others:
            actions |= other.actions
            fields |= other.fields
            values |= other.values
            people |= set(other.people)
        hooks = [self, *others]
        last = others[-1] if others else self
        return Vocabulary(
            actions=actions,
            fields=fields,
            values=values,
            people=frozenset(people),
            action_label=_first(v.action_label for v in reversed(hooks)),
            field_label=_first(v.field_label for v in reversed(hooks)),
            nobody=last.nobody,
            unknown=last.unknown,
        )

    def action(self, action: str) -> str:
        dynamic = self.action_label(action) if self.action_label else None
        return dynamic or self.actions.get(action, action)

    def label(self, action: str, name: str, change: Mapping[str, Any]) -> str:
        dynamic = self.field_label(action, name) if self.field_label else None
        label = dynamic or self.fields.get(name) or humanise(name)
        return label.replace("{of}", str(change.get("of", ""))) if "{of}" in label else label


def _first(hooks: Iterable[Callable | None]) -> Callable | None:
    """One hook that asks each in turn and takes the first answer."""
    chain = [h for h in hooks if h is not None]
    if not chain:
        return None
    return lambda *args: next((a for a in (h(*args) for h in chain) if a), None)


def values_of(records: Iterable[AuditRecord], names: Collection[str]) -> set:
    """Every before and after value the records hold for these fields (ids to look up, say)."""
    return {
        value
        for r in records
        for name, change in (r.changes or {}).items()
        if name in names
        for value in (change.get("before"), change.get("after"))
        if value is not None
    }


def _users():
    """The table the ledger's actor column refers to, so the ledger needs no feature's model to
    name people."""
    (key,) = AuditRecord.__table__.c.actor_id.foreign_keys
    return key.column.table


def _people(session: Session, ids: set) -> dict[int, str]:
    """Names of accounts."""
    if not ids:
        return {}
    users = _users()
    return dict(session.execute(select(users.c.id, users.c.name).where(users.c.id.in_(ids))).all())


def trail(
    session: Session, subjects: list[tuple[str, int]]
) -> tuple[list[AuditRecord], dict[int, str]]:
    """`audit.trail` of the subjects, and the names of the records' actors read in the same
    statement (for `build`'s `names`): a page's timeline costs one statement, not two, unless
    its changes name other people."""
    if not subjects:
        return [], {}
    users = _users()
    condition = or_(
        *[and_(AuditRecord.subject_type == t, AuditRecord.subject_id == i) for t, i in subjects]
    )
    rows = session.execute(
        select(AuditRecord, users.c.name)
        .outerjoin(users, users.c.id == AuditRecord.actor_id)
        .where(condition)
        .order_by(AuditRecord.id)
    ).all()
    names = {record.actor_id: name for record, name in rows if record.actor_id is not None}
    return [record for record, _ in rows], names


def build(
    session: Session,
    records: list[AuditRecord],
    vocabulary: Vocabulary,
    actor: Callable[[AuditRecord, str], str] | None = None,
    names: Mapping[int, str] | None = None,
) -> list[TimelineEntry]:
    """Entries in the records' order. One query for the people named, however long the trail,
    and none for those already in `names` (the actors `trail` read with the records);
    `actor(record, name)` may replace the name shown (to protect a reporter, say)."""
    known = dict(names or {})
    wanted = {r.actor_id for r in records if r.actor_id} | values_of(records, vocabulary.people)
    names = {**known, **_people(session, wanted - known.keys())}

    def shown(name: str, value: Any) -> str:
        if value is None or value == "":
            return NONE
        if name in vocabulary.people:
            return names.get(value, "An account")
        formatter = vocabulary.values.get(name)
        return formatter(value) if formatter else str(value)

    entries = []
    for r in records:
        name = (
            vocabulary.nobody if r.actor_id is None else names.get(r.actor_id, vocabulary.unknown)
        )
        entries.append(
            TimelineEntry(
                r.occurred_at,
                actor(r, name) if actor else name,
                vocabulary.action(r.action),
                [
                    Change(
                        vocabulary.label(r.action, f, c),
                        shown(f, c.get("before")),
                        shown(f, c.get("after")),
                    )
                    for f, c in (r.changes or {}).items()
                ],
                r.comment,
            )
        )
    return entries


def workflow_vocabulary(*definitions) -> Vocabulary:
    """A workflow's words: each transition by its label, each state by its label. A subject that
    ran under several workflows (a response that went on as another method) passes them all,
    the current one first: each step and state reads as the first of them that declares it. The
    definitions are the engine's, read by their attributes, so the ledger does not import it."""

    def action_label(action: str) -> str | None:
        if not action.startswith("transition:"):
            return None
        trigger = action.split(":", 1)[1]
        found = (d.transition(trigger) for d in definitions)
        return next((t.label for t in found if t), action)

    def state(value) -> str:
        found = (d.states[value].label for d in definitions if value in d.states)
        return next(found, str(value))

    return Vocabulary(fields={"state": "State"}, values={"state": state}, action_label=action_label)
