"""The national requirements table (seed/national_requirements.yaml), read once and cached.

Kept as data so a row marked unconfirmed can be corrected without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from psirf.config import PROJECT_ROOT

SEED_DIR = PROJECT_ROOT / "seed"
PSII = "psii"
REFER = "refer"
NEVER_EVENT = "never_event"


class NationalRequirementsError(ValueError):
    """The national requirements file is wrong; the message says where."""


@dataclass(frozen=True)
class NationalRequirement:
    key: str
    label: str
    response: str  # "psii" or "refer"
    refer_to: str | None
    local_response_allowed: bool
    applies_when: str | None  # "never_event": set by the event's Never Event, not by a flag
    source: str
    confirmed: bool

    @property
    def is_flag(self) -> bool:
        """A category a reporter or lead ticks on the event (the Never Event row is not one)."""
        return self.applies_when != NEVER_EVENT

    def applies_to(self, event) -> bool:
        if self.applies_when == NEVER_EVENT:
            return bool(
                getattr(event, "never_event", False) or getattr(event, "never_event_type", None)
            )
        return self.key in (getattr(event, "national_flags", None) or ())


def parse(data: dict, source: str) -> tuple[NationalRequirement, ...]:
    rows = []
    for spec in (data or {}).get("requirements") or ():
        key = spec.get("key")
        if not key or not spec.get("label"):
            raise NationalRequirementsError(f"{source}: every requirement needs a key and a label")
        if spec.get("response") not in (PSII, REFER):
            raise NationalRequirementsError(f"{source}: '{key}' response must be psii or refer")
        if spec["response"] == REFER and not spec.get("refer_to"):
            raise NationalRequirementsError(
                f"{source}: '{key}' is a referral but names no body to refer to"
            )
        if spec.get("applies_when") not in (None, NEVER_EVENT):
            raise NationalRequirementsError(f"{source}: '{key}' has an unknown applies_when")
        rows.append(
            NationalRequirement(
                key=key,
                label=spec["label"],
                response=spec["response"],
                refer_to=spec.get("refer_to"),
                local_response_allowed=bool(spec.get("local_response_allowed")),
                applies_when=spec.get("applies_when"),
                source=spec.get("source") or "",
                confirmed=bool(spec.get("confirmed")),
            )
        )
    keys = [r.key for r in rows]
    if len(set(keys)) != len(keys):
        raise NationalRequirementsError(f"{source}: a key is declared twice")
    return tuple(rows)


@lru_cache(maxsize=4)
def load(path: Path = SEED_DIR / "national_requirements.yaml") -> tuple[NationalRequirement, ...]:
    return parse(yaml.safe_load(path.read_text()), path.name)


def requirements() -> tuple[NationalRequirement, ...]:
    return load()


def flags() -> list[NationalRequirement]:
    """The categories offered as national flags on an event, in the file's order."""
    return [r for r in requirements() if r.is_flag]


def flag_choices() -> list[tuple[str, str]]:
    return [(r.key, r.label) for r in flags()]


def label_for(key: str) -> str:
    return next((r.label for r in requirements() if r.key == key), key)
