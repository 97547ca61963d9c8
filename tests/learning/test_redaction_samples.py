"""The redactor measured on made-up summaries with every name marked (redaction_samples.yaml).

Run with ``-s`` to see the figures: recall (names removed / names present) and the words removed
that were not names. Each summary is redacted without known names, as for a name the case does
not know.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from psirf.learning.readable import TITLES
from psirf.learning.redact import Redaction, redact

DATA = yaml.safe_load(
    (Path(__file__).with_name("redaction_samples.yaml")).read_text(encoding="utf-8")
)
SAMPLES = DATA["samples"]
READABLE = DATA["readable"]
WORD = re.compile(r"[^\W_][\w'’-]*")


@dataclass
class Measure:
    present: int = 0
    removed: int = 0
    survivors: list[str] = field(default_factory=list)
    over_removed: Counter = field(default_factory=Counter)

    @property
    def recall(self) -> float:
        return self.removed / self.present


def name_spans(text: str, names: list[str]) -> list[tuple[int, int]]:
    """Every whole-word occurrence of each marked name, those inside a longer one dropped."""
    spans = {
        (m.start(), m.end())
        for name in names
        for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)
    }
    return sorted(
        s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)
    )


def covered(text: str, span: tuple[int, int], result: Redaction) -> bool:
    """Every letter of the name is inside something removed (the dots of "J.M." may stay)."""
    letters = [i for i in range(*span) if text[i].isalpha()]
    return all(any(f.start <= i < f.end for f in result.found) for i in letters)


def measure(samples: list[dict]) -> Measure:
    total = Measure()
    for sample in samples:
        text = sample["text"]
        result = redact(text)
        names = name_spans(text, sample["names"])
        total.present += len(names)
        for span in names:
            if covered(text, span, result):
                total.removed += 1
            else:
                total.survivors.append(f"{sample['id']}: {text[span[0] : span[1]]}")
        for f in result.found:
            for m in WORD.finditer(text[f.start : f.end]):
                at = f.start + m.start()
                if m.group().casefold() not in TITLES and not any(s <= at < e for s, e in names):
                    total.over_removed[m.group()] += 1
    return total


def test_the_sample_set_is_large_varied_and_every_sample_names_someone():
    assert len(SAMPLES) >= 40
    assert {s["setting"] for s in SAMPLES} == {"gp", "pharmacy", "dental", "optometry"}
    for sample in SAMPLES:
        assert name_spans(sample["text"], sample["names"]), sample["id"]
        for phrase in sample["keep"]:
            assert phrase in sample["text"], (sample["id"], phrase)


def test_no_marked_name_survives_in_any_sample():
    result = measure(SAMPLES)

    assert result.survivors == []


def test_recall_and_over_removal_on_the_sample_set():
    result = measure(SAMPLES)

    print(
        f"\nRedaction sample set: {len(SAMPLES)} summaries, {result.present} names, "
        f"{result.removed} removed, recall {result.recall:.1%}"
    )
    print(
        f"Over-removed ({sum(result.over_removed.values())} words): "
        + ", ".join(f"{w} x{n}" if n > 1 else w for w, n in sorted(result.over_removed.items()))
    )
    assert result.recall == 1.0
    # Names must go, but not the learning: a few place or brand names at most.
    assert sum(result.over_removed.values()) <= len(SAMPLES) // 5


@pytest.mark.parametrize("sample", SAMPLES, ids=[s["id"] for s in SAMPLES])
def test_clinical_words_drugs_places_roles_and_dates_stay_readable(sample):
    redacted = redact(sample["text"]).text

    for phrase in sample["keep"]:
        assert phrase in redacted, phrase


@pytest.mark.parametrize("sample", SAMPLES, ids=[s["id"] for s in SAMPLES])
def test_redacting_a_redacted_sample_changes_nothing_with_or_without_known_names(sample):
    # Publishing re-strips the confirmed text and refuses it if anything would still change.
    for known in ((), sample["names"]):
        once = redact(sample["text"], known_names=known)

        twice = redact(once.text, known_names=known)

        assert (twice.text, twice.found) == (once.text, ())


def test_summaries_without_names_lose_few_words_and_none_of_their_learning():
    words = sum(len(WORD.findall(r["text"])) for r in READABLE)
    removed = Counter(
        w
        for r in READABLE
        for f in redact(r["text"]).found
        for w in WORD.findall(r["text"][f.start : f.end])
    )

    print(
        f"\nNo-name summaries: {len(READABLE)}, {words} words, {sum(removed.values())} removed: "
        + ", ".join(sorted(removed))
    )
    for r in READABLE:
        redacted = redact(r["text"]).text
        assert [p for p in r["keep"] if p not in redacted] == []
    assert sum(removed.values()) <= words * 0.02
