"""Words of a summary as the name finder sees them: where each sits, what sits between them,
and where capitals say nothing (a sentence's first word, a Title Case heading).

Spans the caller found already (known names, titled names, labels from an earlier pass) stand in
the sequence as one token each, so a name beside them is still beside a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum, auto

from psirf.learning import readable

WORD = re.compile(r"[^\W_](?:[\w'’-]*[^\W_])?")
RUN_GAP = re.compile(r"[ \t\u00a0]+")
INITIAL_GAP = re.compile(r"\.?[ \t\u00a0]*")
_SENTENCE_BREAK = re.compile(r"[.!?:;•\n]")
_ABBREVIATIONS = frozenset({"st", "eg", "ie", "approx", "vs", "ref", "no", "etc"})


class State(Enum):
    NAME = auto()
    MAYBE = auto()  # a name only in context
    SOFT = auto()  # a word, unless it follows a name in a run ("Jane Example")
    KEEP = auto()  # a word, wherever it stands
    DATE = auto()  # a month or day that is also a given name: "in June" or "June Okoro"
    TITLE = auto()
    INITIAL = auto()
    PARTICLE = auto()
    OTHER = auto()  # another identifier already found


@dataclass
class Token:
    start: int
    end: int  # the word's end, before any possessive
    after: int  # the end including a possessive "'s"
    word: str
    possessive: bool = False
    seed: bool = False  # found before the finder ran
    sentence_start: bool = False
    state: State = State.KEEP
    guarded: bool = False  # kept for what it is (a place of care, an eponym, a service word)

    @property
    def lower(self) -> str:
        return self.word.casefold()

    @property
    def capitalised(self) -> bool:
        return self.word[:1].isupper()


def tokenise(text: str, found: Iterable[tuple[int, int, bool]]) -> list[Token]:
    spans = _merged(found)
    tokens = [
        Token(s, e, e, text[s:e], seed=is_name, state=State.NAME if is_name else State.OTHER)
        for s, e, is_name in spans
    ]
    for m in WORD.finditer(text):
        if any(m.start() < e and m.end() > s for s, e, _ in spans):
            continue
        tokens.append(_word_token(text, m))
    tokens.sort(key=lambda t: t.start)
    return _attach_possessives(text, tokens)


def _merged(found: Iterable[tuple[int, int, bool]]) -> list[tuple[int, int, bool]]:
    merged: list[list] = []
    for start, end, is_name in sorted(found):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2] = merged[-1][2] or is_name
        else:
            merged.append([start, end, is_name])
    return [(s, e, n) for s, e, n in merged]


def _word_token(text: str, m: re.Match) -> Token:
    word, start, end = m.group(), m.start(), m.end()
    if len(word) > 2 and word[-2] in "'’" and word[-1] in "sS":
        return Token(start, end - 2, end, word[:-2], possessive=True)
    if (
        word[-1] in "sS"
        and text[end : end + 1] in ("'", "’")
        and not text[end + 1 : end + 2].isalpha()
    ):
        return Token(start, end, end + 1, word, possessive=True)  # "Charles' notes"
    return Token(start, end, end, word)


def _attach_possessives(text: str, tokens: list[Token]) -> list[Token]:
    # "[name]'s" after an earlier pass: the "s" belongs to the label before it.
    kept: list[Token] = []
    for token in tokens:
        if (
            kept
            and token.word in ("s", "S")
            and kept[-1].after == token.start - 1
            and text[token.start - 1] in "'’"
        ):
            kept[-1].after, kept[-1].possessive = token.end, True
            continue
        kept.append(token)
    return kept


def gap(text: str, tokens: list[Token], i: int) -> str:
    """The text between token i - 1 and token i."""
    return text[tokens[i - 1].after : tokens[i].start] if i > 0 else text[: tokens[i].start]


def mark_sentence_starts(text: str, tokens: list[Token]) -> None:
    """Where capitals say nothing: a sentence's first word, and every word of a Title Case line."""
    sentence: list[Token] = []
    for i, token in enumerate(tokens):
        if _opens_sentence(text, tokens, i):
            _title_case_as_sentence_starts(sentence)
            sentence = []
            token.sentence_start = True
        sentence.append(token)
    _title_case_as_sentence_starts(sentence)


def _opens_sentence(text: str, tokens: list[Token], i: int) -> bool:
    if i == 0:
        return True
    before = tokens[i - 1]
    # Not after a title, an abbreviation or an initial: "Dr. Smith", "e.g. Warfarin", "J. Smith".
    if before.lower in readable.TITLES or before.lower in _ABBREVIATIONS or len(before.word) == 1:
        return False
    return bool(_SENTENCE_BREAK.search(gap(text, tokens, i)))


def _title_case_as_sentence_starts(sentence: list[Token]) -> None:
    # "Learning From The Event": a capitalised "From" or "The" inside a sentence marks a heading.
    if any(
        t.capitalised
        and t.lower in readable.FUNCTION_WORDS
        and t.lower not in ("a", "i")
        and not t.word.isupper()
        for t in sentence[1:]
    ):
        for token in sentence:
            token.sentence_start = True


def in_run(text: str, tokens: list[Token], i: int) -> bool:
    """Token i follows token i - 1 in one run of words: one space apart, no possessive between."""
    return i > 0 and not tokens[i - 1].possessive and bool(RUN_GAP.fullmatch(gap(text, tokens, i)))


def is_initial(token: Token) -> bool:
    return len(token.word) == 1 and token.word.isupper()
