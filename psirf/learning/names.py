"""Find the personal names a case does not know, erring towards removing them.

A summary names people in many shapes: "Jane Example", "Grace's results", "Tom, Priya and Mr
Okafor", "O'Neill", "Anne-Marie", "mohammed rafiq rang", "JOHN MCBRIDE". No list holds every
name, so the rules lean on how English is written, with two word lists to settle doubt
(psirf/learning/lexicon.py: personal names, and how common each English word is) and a list of
words learning needs (psirf/learning/readable.py):

1. A capitalised word inside a sentence is a proper noun: a name, unless it is a word we keep
   (a drug, role, day or month, service word), an everyday English word not known as a name
   ("Reception"), part of a place of care ("Riverside Surgery") or of an eponym ("Down syndrome").
   An unknown capitalised word is a name: this is where the finder errs towards removal.
2. At the start of a sentence capitals say nothing, so a word is a name when it is a listed name
   and not an everyday word ("Priya", "Tom"), or no English word at all ("Oluwaseun"). A listed
   name that is also an everyday word ("Will", "Grace", "Hope") is a name only in context: beside
   another name, possessive, in a list with a name, or followed by a verb people do ("Will
   noticed").
3. Lower case: a listed given name that is not an everyday word ("priya"), a rare listed surname
   ("patel"), or an unknown word opening a sentence ("sunita on reception ...").
4. Names grow: after a title ("Ms D'Souza"), by initials ("J.M. Achterberg"), by particles ("Rhys
   ap Gwilym"), and along a run of capitalised words after a name ("Jane Example").

Pure: no Flask, no database. Spans already found by the caller (known names, titled names,
labels from an earlier pass) seed the rules, so a second pass over redacted text finds nothing new.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from psirf.learning import readable
from psirf.learning.lexicon import RARE, Lexicon, lexicon
from psirf.learning.tokens import (
    INITIAL_GAP,
    RUN_GAP,
    WORD,
    State,
    Token,
    gap,
    in_run,
    is_initial,
    mark_sentence_starts,
    tokenise,
)

_LIST_GAP = re.compile(r"\s*(?:,|/|&|,\s*&)\s*")
# A capital straight after an apostrophe is a name's, never a contraction's: "O'Neill", "D'Souza".
_APOSTROPHE_NAME = re.compile(r"^[A-Z][’'][A-Z]")
# Internal capitals that names have ("McBride", "MacLeod", "DeShawn"); any other is a product or an
# abbreviation ("SystmOne", "EpiPen", "HbA1c").
_NAME_CAPITALS = re.compile(r"^(?:Ma?c|Fitz|De|Di|Da|Du|La|Le|Van|Von|St)[A-Z][a-z]")


def find_names(text: str, found: Iterable[tuple[int, int, bool]] = ()) -> list[tuple[int, int]]:
    """Spans of names in ``text`` beyond those ``found`` (start, end, is_name) already.

    Words inside ``found`` spans are not looked at again; those that are names count as names
    for the rules about neighbours.
    """
    tokens = tokenise(text, found)
    if all(t.seed or t.state is State.OTHER for t in tokens):
        return []  # nothing new to look at: spare loading the word lists
    words = lexicon()
    mark_sentence_starts(text, tokens)
    for token in tokens:
        if token.state is not State.OTHER and not token.seed:
            token.state = _first_state(token, words)
    _mark_places_and_eponyms(text, tokens)
    _mark_after_titles(text, tokens, words)
    _spread(text, tokens, words)
    return _spans(text, tokens)


# ---- what each word is on its own --------------------------------------------------------------


def _first_state(token: Token, words: Lexicon) -> State:
    word, lower = token.word, token.lower
    if any(ch.isdigit() for ch in word):
        return State.KEEP
    if lower in readable.TITLES and (
        token.capitalised or lower not in readable.TITLES_ONLY_CAPITALISED
    ):
        return State.TITLE
    if not token.capitalised:
        return _lower_case_state(token, words)
    if len(word) == 1:
        return State.INITIAL
    if lower in readable.FUNCTION_WORDS and (token.sentence_start or word.isupper()):
        return State.KEEP
    if lower in readable.DATES_THAT_ARE_NAMES and word[1:].islower():
        return State.DATE
    if readable.always_readable(word):
        return State.KEEP
    if word.isupper():
        return _capitals_state(word, words)
    if _APOSTROPHE_NAME.match(word):
        return State.NAME
    if _is_product_name(word):
        return State.KEEP
    if readable.readable_alone(word):
        token.guarded = True
        return State.SOFT
    named, everyday, known = _name_evidence(word, words)
    if token.sentence_start:
        if named:
            return State.MAYBE if everyday else State.NAME
        return State.SOFT if known else State.NAME
    if named:
        return State.NAME
    return State.SOFT if known else State.NAME


def _lower_case_state(token: Token, words: Lexicon) -> State:
    word, lower = token.word, token.lower
    if any(ch.isupper() for ch in word):
        return State.KEEP  # "eGFR", "iPad"
    if lower in readable.PARTICLES:
        return State.PARTICLE
    if (
        len(word) < 3
        or lower in readable.LOWER_CASE_WORDS
        or readable.always_readable(word)
        or readable.readable_alone(word)
        or "-" in word
    ):
        return State.SOFT
    if words.is_given_name(word) and not words.is_everyday(word):
        return State.NAME
    if words.is_surname(word) and words.count(word) < RARE:
        return State.NAME
    if token.sentence_start and not words.is_word(word):
        return State.NAME
    return State.SOFT


def _capitals_state(word: str, words: Lexicon) -> State:
    # Written in capitals: an abbreviation ("INR", "EMIS") unless it is a listed name ("JOHN").
    if word.casefold() in readable.ACRONYMS:
        return State.KEEP
    if len(word) > 2 and words.is_name(word):
        return State.MAYBE if words.is_everyday(word) else State.NAME
    return State.SOFT


def _is_product_name(word: str) -> bool:
    inner = word[1:].replace("-", "").replace("'", "").replace("’", "")
    return not inner.islower() and not _NAME_CAPITALS.match(word) and "-" not in word


def _name_evidence(word: str, words: Lexicon) -> tuple[bool, bool, bool]:
    """Whether ``word`` is a listed name, an everyday English word, and an English word at all."""
    parts = [p for p in re.split(r"[-'’]", word) if len(p) > 1]
    if len(parts) > 1:
        # "Anne-Marie", "Clarke-Hughes": a name if any part is a name that is not also an everyday
        # word; "X-ray" and "Walk-in" are words because "ray" and "walk" are everyday.
        named = words.is_name(word) or any(
            words.is_name(p) and not words.is_everyday(p) for p in parts
        )
        known = words.is_word(word) or all(words.is_word(p) for p in parts)
        return named, not named and known, known
    return words.is_name(word), words.is_everyday(word), words.is_word(word)


# ---- what context says -------------------------------------------------------------------------


def _mark_places_and_eponyms(text: str, tokens: list[Token]) -> None:
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if following is not None and _is_eponym(text, tokens, i, following):
            token.state = State.KEEP if following.lower in readable.EPONYM_NOUNS else State.SOFT
            token.guarded = True
        elif token.possessive and token.lower in readable.EPONYMS and token.capitalised:
            token.state, token.guarded = State.SOFT, True  # "his Parkinson's"
        if token.capitalised and token.lower in readable.ORGANISATION_ENDINGS and not token.seed:
            _keep_place(text, tokens, i)


def _is_eponym(text: str, tokens: list[Token], i: int, following: Token) -> bool:
    token = tokens[i]
    if token.seed or not token.capitalised or token.state is State.OTHER:
        return False
    if not RUN_GAP.fullmatch(text[token.after : following.start]):
        return False
    if following.lower in readable.EPONYM_NOUNS:
        # "Down syndrome" whoever it is named after; "Bell's palsy" only for a known eponym, so
        # "Priya's guidance" is not mistaken for one.
        return not token.possessive or _eponym_word(token)
    return following.lower in readable.EPONYM_ONLY_NOUNS and _eponym_word(token)


def _eponym_word(token: Token) -> bool:
    return any(p.casefold() in readable.EPONYMS for p in re.split(r"[-'’]", token.word))


def _keep_place(text: str, tokens: list[Token], last: int) -> None:
    """Keep "St Mary's Hospital", "Castle Dental Practice", "University Hospitals of X NHS Trust"."""
    i = last
    while i > 0:
        before = tokens[i - 1]
        if (
            before.seed
            or before.state in (State.TITLE, State.OTHER)
            or not RUN_GAP.fullmatch(gap(text, tokens, i))
        ):
            break
        if not before.capitalised and before.lower not in ("of", "and", "the", "on", "upon"):
            break
        i -= 1
    while i < last and not tokens[i].capitalised:
        i += 1  # a place's name starts with a capital
    for token in tokens[i : last + 1]:
        token.state, token.guarded = State.KEEP, True


def _mark_after_titles(text: str, tokens: list[Token], words: Lexicon) -> None:
    for i in range(1, len(tokens)):
        title, token = tokens[i - 1], tokens[i]
        if token.seed or token.state is State.OTHER:
            continue
        if not INITIAL_GAP.fullmatch(gap(text, tokens, i)):
            continue
        if token.lower in readable.DAYS or token.lower in readable.MONTHS:
            continue
        if title.state is State.TITLE and (token.capitalised or not words.is_everyday(token.word)):
            token.state = State.INITIAL if len(token.word) == 1 else State.NAME
        elif (
            title.capitalised
            and title.lower in readable.ROLE_TITLES
            and token.capitalised
            and not readable.always_readable(token.word)
            and token.state is not State.KEEP
        ):
            token.state = State.NAME  # "Sister O'Brien"


def _spread(text: str, tokens: list[Token], words: Lexicon) -> None:
    changed = True
    while changed:
        changed = False
        named = _named_words(tokens)
        for i, token in enumerate(tokens):
            if token.state is State.NAME:
                continue
            if _becomes_name(text, tokens, i, words) or _named_elsewhere(token, named):
                token.state = State.NAME
                changed = True


def _named_words(tokens: list[Token]) -> set[str]:
    named = set()
    for token in tokens:
        if token.state is State.NAME:
            words = WORD.findall(token.word) if token.seed else [token.word]
            named.update(
                w.casefold()
                for w in words
                if w[:1].isupper() and w.casefold() not in readable.TITLES
            )
    return named


def _named_elsewhere(token: Token, named: set[str]) -> bool:
    """One sense a text: "Joy from the admin team" is the Joy of "Hope and Joy" later on."""
    return (
        token.state in (State.MAYBE, State.SOFT)
        and token.capitalised
        and not token.guarded
        and token.lower in named
    )


def _becomes_name(text: str, tokens: list[Token], i: int, words: Lexicon) -> bool:
    token = tokens[i]
    before = tokens[i - 1] if i > 0 else None
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    after_in_run = after is not None and in_run(text, tokens, i + 1)
    follows_name = before is not None and before.state is State.NAME and in_run(text, tokens, i)
    precedes_name = after_in_run and after.state is State.NAME
    match token.state:
        case State.MAYBE:
            # Only a given name opens a name ("Will Thompson"); "Ring Edith" is an instruction.
            opens_name = (
                precedes_name
                and words.is_given_name(token.word)
                and not (token.sentence_start and token.lower in readable.IMPERATIVES)
            )
            return (
                token.possessive
                or follows_name
                or opens_name
                or _listed_with_name(text, tokens, i)
                or (after_in_run and after.lower in readable.PERSON_VERBS)
                or _followed_by_aside(text, tokens, i, words)
            )
        case State.SOFT:
            if token.capitalised:
                return follows_name
            # "mohammed rafiq": a lower-case word after a lower-case name, if it could be a name.
            return (
                follows_name
                and not before.capitalised
                and not before.seed
                and token.lower not in readable.LOWER_CASE_WORDS
                and (words.is_name(token.word) or not words.is_word(token.word))
            )
        case State.DATE:
            return precedes_name and not _dated(text, tokens, i)
        case State.INITIAL:
            between = text[token.after : after.start] if after is not None else ""
            if token.word in ("A", "I") and not between.startswith("."):
                return False
            return (
                after is not None
                and after.state is State.NAME
                and bool(INITIAL_GAP.fullmatch(between))
            )
        case State.PARTICLE:
            return follows_name and precedes_name
    return False


def _listed_with_name(text: str, tokens: list[Token], i: int) -> bool:
    """ "Tom, Priya and Mr Okafor": a neighbour in a list is a name."""
    for step in (-1, 1):
        j = i + step
        if not 0 <= j < len(tokens):
            continue
        gap = text[tokens[min(i, j)].after : tokens[max(i, j)].start]
        if tokens[j].state is State.NAME and _LIST_GAP.fullmatch(gap):
            return True
        k = j + step
        if (
            tokens[j].lower in readable.LIST_WORDS
            and 0 <= k < len(tokens)
            and tokens[k].state is State.NAME
            and _list_gaps(text, tokens, min(i, k), max(i, k))
        ):
            return True
    return False


def _list_gaps(text: str, tokens: list[Token], first: int, last: int) -> bool:
    between = [text[tokens[n - 1].after : tokens[n].start] for n in range(first + 1, last + 1)]
    return all(re.fullmatch(r",?\s+", g) for g in between)


def _followed_by_aside(text: str, tokens: list[Token], i: int, words: Lexicon) -> bool:
    """ "Grace, 79, ..." or "Emily (aged 4)": a given name followed by an aside about the person."""
    token = tokens[i]
    if not words.is_given_name(token.word):
        return False
    rest = text[token.after : token.after + 12]
    return bool(re.match(r"\s*(?:,\s*(?:\d|aged\b|a\b|an\b|the\b|who\b)|\(\s*(?:\d|aged\b))", rest))


def _dated(text: str, tokens: list[Token], i: int) -> bool:
    """A month or day after a date word or a number is a date: "in May", "on 2 June"."""
    if i == 0:
        return False
    before = tokens[i - 1]
    return (
        before.lower in readable.DATE_WORDS
        or before.word.isdigit()
        or bool(re.search(r"\d\s*(?:st|nd|rd|th)?\s*$", text[: tokens[i].start]))
    )


# ---- spans -------------------------------------------------------------------------------------


def _spans(text: str, tokens: list[Token]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    group: list[Token] = []
    for i, token in enumerate(tokens):
        joins = group and _joins(text, tokens, i)
        if token.state is State.NAME or (
            token.state in (State.TITLE, State.INITIAL, State.PARTICLE)
            and _leads_to_name(text, tokens, i)
        ):
            if not joins:
                _close(group, spans)
                group = []
            group.append(token)
        else:
            _close(group, spans)
            group = []
    _close(group, spans)
    return spans


def _joins(text: str, tokens: list[Token], i: int) -> bool:
    before = tokens[i - 1]
    if before.possessive:
        return False
    between = gap(text, tokens, i)
    if before.state in (State.TITLE, State.INITIAL) or is_initial(before):
        return bool(INITIAL_GAP.fullmatch(between))
    return bool(RUN_GAP.fullmatch(between))


def _leads_to_name(text: str, tokens: list[Token], i: int) -> bool:
    """A title, initial or particle belongs to the name that follows it."""
    j = i + 1
    while (
        j < len(tokens)
        and tokens[j].state in (State.TITLE, State.INITIAL, State.PARTICLE)
        and _joins(text, tokens, j)
    ):
        j += 1
    return j < len(tokens) and tokens[j].state is State.NAME and _joins(text, tokens, j)


def _close(group: list[Token], spans: list[tuple[int, int]]) -> None:
    # Trailing titles or initials without a name are not a name; a group made only of names the
    # caller found already adds nothing.
    while group and group[-1].state is not State.NAME:
        group.pop()
    if group and not all(t.seed for t in group):
        spans.append((group[0].start, group[-1].end))
