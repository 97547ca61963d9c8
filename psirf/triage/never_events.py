"""The Never Events list (seed/never_events.yaml), read once and cached.

Kept as data, each type with the dates it counts between, because the framework's list changes: a
type added or withdrawn is a change to the file, and an event recorded under a type withdrawn
later keeps it. Whether a type may be recorded is decided by the day the event happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

from psirf.problems import InputError
from psirf.triage.national import SEED_DIR
from psirf.web import dates

KEY_MAX = 40  # safety_events.never_event_type
FIELD = "never_event_type"


class NeverEventsError(ValueError):
    """The Never Events file is wrong; the message says where."""


@dataclass(frozen=True)
class NeverEventType:
    key: str
    label: str
    lfpse_code: int | None
    in_force_from: date
    withdrawn_from: date | None
    source: str

    def in_force_on(self, day: date) -> bool:
        return self.in_force_from <= day and (
            self.withdrawn_from is None or day < self.withdrawn_from
        )

    def not_in_force_because(self, day: date) -> str:
        if day < self.in_force_from:
            return (
                f"{self.label} is a Never Event only for events from "
                f"{dates.day(self.in_force_from)}"
            )
        return (
            f"{self.label} was taken off the Never Events list from "
            f"{dates.day(self.withdrawn_from)}: it is not a Never Event for an event on "
            f"{dates.day(day)}"
        )


def _row(spec: dict, source: str) -> NeverEventType:
    key = spec.get("key")
    if not key or not spec.get("label"):
        raise NeverEventsError(f"{source}: every type needs a key and a label")
    if len(key) > KEY_MAX:
        raise NeverEventsError(f"{source}: '{key}' is longer than {KEY_MAX} characters")
    starts, ends = spec.get("in_force_from"), spec.get("withdrawn_from")
    if not isinstance(starts, date):
        raise NeverEventsError(f"{source}: '{key}' needs the date it is in force from")
    if ends is not None and (not isinstance(ends, date) or ends <= starts):
        raise NeverEventsError(f"{source}: '{key}' must be withdrawn after it came into force")
    return NeverEventType(
        key=key,
        label=spec["label"],
        lfpse_code=spec.get("lfpse_code"),
        in_force_from=starts,
        withdrawn_from=ends,
        source=spec.get("source") or "",
    )


def parse(data: dict, source: str) -> tuple[NeverEventType, ...]:
    rows = tuple(_row(spec, source) for spec in (data or {}).get("types") or ())
    keys = [r.key for r in rows]
    if len(set(keys)) != len(keys):
        raise NeverEventsError(f"{source}: a key is declared twice")
    return rows


@lru_cache(maxsize=4)
def load(path: Path = SEED_DIR / "never_events.yaml") -> tuple[NeverEventType, ...]:
    return parse(yaml.safe_load(path.read_text()), path.name)


def types() -> tuple[NeverEventType, ...]:
    return load()


def find(key: str | None) -> NeverEventType | None:
    return next((t for t in types() if t.key == key), None)


def choices_on(day: date) -> list[tuple[str, str]]:
    """The types to offer for an event that happened on `day`, in the file's order."""
    return [(t.key, t.label) for t in types() if t.in_force_on(day)]


def label_for(key: str | None) -> str:
    """A stored type's label, withdrawn or not."""
    found = find(key)
    return found.label if found else (key or "")


def check(key: str | None, occurred_on: date) -> str | None:
    """The type to record for an event that happened on `occurred_on`, or None for no Never Event.

    Raises InputError for a type not on the list, or not in force on that day."""
    if key in (None, ""):
        return None
    found = find(key)
    if found is None:
        raise InputError(FIELD, "Select a Never Event type from the list")
    if not found.in_force_on(occurred_on):
        raise InputError(FIELD, found.not_in_force_because(occurred_on))
    return found.key
