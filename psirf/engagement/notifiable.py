"""Which notifiable safety incident test of regulation 20 a response applies, and why.

The regulation has two tests: one for health service bodies (an NHS trust) and one for other
registered persons (general practice, dentistry, community pharmacy, optometry). The kind of the
organisation that leads the response decides: a trust leading a cross-organisational response
applies its own test there. The tests, their criteria and the harm that prompts them are data
(seed/candour_criteria.yaml), read once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml

from psirf.config import PROJECT_ROOT
from psirf.events.lfpse import PhysicalHarm, PsychologicalHarm
from psirf.organisations.models import Organisation
from psirf.responses.models import LearningResponse, ResponseMethod

CANDOUR_CRITERIA_FILE = PROJECT_ROOT / "seed" / "candour_criteria.yaml"


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    hint: str | None = None


@dataclass(frozen=True)
class NotifiableTest:
    key: str
    name: str
    kind_of_provider: str
    hint: str
    criteria: tuple[Criterion, ...]
    organisation_kinds: frozenset[str]
    default: bool
    physical_prompts: frozenset[str]
    psychological_prompts: frozenset[str]

    def label_of(self, key: str) -> str:
        return next((c.label for c in self.criteria if c.key == key), key)


@dataclass(frozen=True)
class AppliedTest:
    """The test a response applies, and why, in plain words for its page."""

    test: NotifiableTest
    why: str


def _read(spec: dict) -> NotifiableTest:
    prompts = spec.get("prompted_by") or {}
    return NotifiableTest(
        key=spec["key"],
        name=spec["name"],
        kind_of_provider=spec["kind_of_provider"],
        hint=" ".join(spec["hint"].split()),
        criteria=tuple(
            Criterion(c["key"], c["label"], " ".join(c["hint"].split()) if c.get("hint") else None)
            for c in spec["criteria"]
        ),
        organisation_kinds=frozenset(spec.get("organisation_kinds") or ()),
        default=bool(spec.get("default")),
        physical_prompts=frozenset(prompts.get("physical_harm") or ()),
        psychological_prompts=frozenset(prompts.get("psychological_harm") or ()),
    )


@lru_cache(maxsize=1)
def all_tests() -> tuple[NotifiableTest, ...]:
    """Both tests, as the seed file states them. Exactly one is the default."""
    with open(CANDOUR_CRITERIA_FILE, encoding="utf-8") as f:
        loaded = tuple(_read(spec) for spec in yaml.safe_load(f)["tests"])
    if sum(t.default for t in loaded) != 1:
        raise ValueError(f"{CANDOUR_CRITERIA_FILE}: exactly one test must be the default")
    return loaded


def named(key: str) -> NotifiableTest:
    for test in all_tests():
        if test.key == key:
            return test
    raise KeyError(f"{CANDOUR_CRITERIA_FILE} has no test {key!r}, which a candour record names")


def for_organisation(organisation: Organisation) -> NotifiableTest:
    """The test the organisation's kind calls for: the one naming its kind, else the default."""
    naming = [t for t in all_tests() if organisation.kind in t.organisation_kinds]
    return naming[0] if naming else next(t for t in all_tests() if t.default)


def applied_to(response: LearningResponse) -> AppliedTest:
    """The lead organisation's test, with why it applies."""
    organisation = response.organisation
    test = for_organisation(organisation)
    leads = (
        "leads this cross-organisational response and applies its own test"
        if response.method == ResponseMethod.CROSS_ORGANISATIONAL.value
        else "leads this response"
    )
    why = (
        f"{organisation.name} {leads}. Regulation 20 treats {_a(organisation.kind_label)} "
        f"as {test.kind_of_provider}."
    )
    return AppliedTest(test, why)


def _a(kind: str) -> str:
    """The kind with its article: an initialism ("an NHS trust") keeps its capitals and is read
    letter by letter; a word ("a general practice") is lower-cased."""
    first = kind.split()[0]
    if first.isupper():
        return f"{'an' if first[0] in 'AEFHILMNORSX' else 'a'} {kind}"
    return f"{'an' if kind[0].lower() in 'aeiou' else 'a'} {kind[0].lower()}{kind[1:]}"


def harm_reasons(response: LearningResponse, test: NotifiableTest) -> list[str]:
    """The harm recorded on the response's events that prompts the test: empty when none does."""
    reasons = []
    for event in response.events:
        if event.physical_harm in test.physical_prompts:
            reasons.append(f"{event.reference}: {PhysicalHarm.label_for(event.physical_harm)}")
        if event.psychological_harm in test.psychological_prompts:
            reasons.append(
                f"{event.reference}: {PsychologicalHarm.label_for(event.psychological_harm)}"
            )
    return reasons
