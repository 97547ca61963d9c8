"""The strategy's local commitments (seed/commitments.yaml), read once and cached.

Every page, the map, its CSV and the API list the commitments from here, so a commitment added or
reworded is a change to that file alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from psirf.labels import LabelledEnum

SEED_FILE = Path(__file__).resolve().parents[2] / "seed" / "commitments.yaml"
MEASURES = frozenset({"status", "named", "syllabus", "plan"})
KINDS = frozenset({"practice", "pharmacy", "dental", "optometry", "pcn", "federation"})


class Status(LabelledEnum):
    NOT_STARTED = ("not_started", "Not started")
    IN_PROGRESS = ("in_progress", "In progress")
    MET = ("met", "In place")


@dataclass(frozen=True)
class Option:
    key: str
    label: str


@dataclass(frozen=True)
class Commitment:
    key: str
    label: str
    description: str
    measure: str
    applies_to: frozenset[str]
    minimum: int = 0
    level: int = 0
    options: tuple[Option, ...] = ()

    def applies(self, kind: str) -> bool:
        return kind in self.applies_to

    def option_label(self, key: str | None) -> str | None:
        return next((o.label for o in self.options if o.key == key), None)

    @property
    def recorded_by_hand(self) -> bool:
        """Whether a person records its status (else it is counted from names or training)."""
        return self.measure in ("status", "plan")


def parse(data: dict, source: str = "commitments") -> tuple[Commitment, ...]:
    found = []
    for item in data["commitments"]:
        measure = item["measure"]
        if measure not in MEASURES:
            raise ValueError(f"{source}: {item['key']} has an unknown measure {measure!r}")
        unknown = set(item["applies_to"]) - KINDS
        if unknown:
            raise ValueError(f"{source}: {item['key']} applies to unknown kinds {sorted(unknown)}")
        found.append(
            Commitment(
                key=item["key"],
                label=item["label"],
                description=item["description"],
                measure=measure,
                applies_to=frozenset(item["applies_to"]),
                minimum=int(item.get("minimum", 0)),
                level=int(item.get("level", 0)),
                options=tuple(Option(o["key"], o["label"]) for o in item.get("options", ())),
            )
        )
    keys = [c.key for c in found]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{source}: a commitment key is repeated")
    return tuple(found)


@lru_cache(maxsize=1)
def all_commitments() -> tuple[Commitment, ...]:
    return parse(yaml.safe_load(SEED_FILE.read_text()), SEED_FILE.name)


def by_key(key: str) -> Commitment | None:
    return next((c for c in all_commitments() if c.key == key), None)


def named() -> tuple[Commitment, ...]:
    return tuple(c for c in all_commitments() if c.measure == "named")


def syllabus() -> tuple[Commitment, ...]:
    return tuple(c for c in all_commitments() if c.measure == "syllabus")
