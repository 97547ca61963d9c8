"""The two word lists the name finder consults, loaded on first use and kept for the process.

- Personal names: the given names and surnames of Faker's person providers, every locale (about
  24,000 given names and 26,000 surnames from British, Irish, South Asian, West and East African,
  European, East Asian and other sources). Faker is maintained and MIT licensed; we read its lists,
  we never generate anything with it.
- English words and how common they are: pyspellchecker's English frequency list (MIT, no
  dependencies), to tell "Will" the name from "will" the word.

Both load lazily (about half a second together) because the test suite creates thousands of apps
and most never redact anything; nothing here is imported when psirf.learning.redact is.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import cache

# How often a word must occur in the English list to count as an everyday word. Names that are
# also words fall either side: "jane" (2,921), "tom" (6,969) below; "grace" (24,102), "mark"
# (50,334), "will" (millions) above. Below it, a listed name is taken as a name.
EVERYDAY = 8000
# A surname written in lower case is taken as a name only when rarer than this as a word
# ("patel" 87, "okafor" absent), so "brown", "cook" and "burns" stay words.
RARE = 1000


@dataclass(frozen=True)
class Lexicon:
    given_names: frozenset[str]
    surnames: frozenset[str]
    frequency: dict[str, int]

    def is_given_name(self, word: str) -> bool:
        return word.casefold() in self.given_names

    def is_surname(self, word: str) -> bool:
        return word.casefold() in self.surnames

    def is_name(self, word: str) -> bool:
        return self.is_given_name(word) or self.is_surname(word)

    def count(self, word: str) -> int:
        return self.frequency.get(word.casefold(), 0)

    def is_everyday(self, word: str) -> bool:
        return self.count(word) >= EVERYDAY

    def is_word(self, word: str) -> bool:
        return word.casefold() in self.frequency


@cache
def lexicon() -> Lexicon:
    given, surnames = _faker_names()
    return Lexicon(given_names=given, surnames=surnames, frequency=_english_frequency())


def _faker_names() -> tuple[frozenset[str], frozenset[str]]:
    import faker.providers.person as person

    given: set[str] = set()
    surnames: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        # Providers keep their lists as class attributes named first_names, first_names_female,
        # last_names, first_romanized_names, ... as lists, tuples or weighted dicts.
        for attribute, values in vars(provider).items():
            target = (
                given
                if attribute.startswith("first_")
                else surnames
                if attribute.startswith("last_")
                else None
            )
            if target is None or not isinstance(values, (list, tuple, dict, set, frozenset)):
                continue
            for value in values:
                if isinstance(value, str):
                    target.update(_name_words(value))
    return frozenset(given), frozenset(surnames)


def _name_words(value: str) -> list[str]:
    # "van der Berg" gives "berg"; "Clarke-Hughes" gives both parts. Particles are handled apart.
    words = value.replace("-", " ").split()
    return [
        w.casefold()
        for w in words
        if w[:1].isupper() and w.replace("'", "").replace("’", "").isalpha()
    ]


def _english_frequency() -> dict[str, int]:
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1).word_frequency.dictionary
