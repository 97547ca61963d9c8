"""Strip what identifies a person from free text before learning is shared.

PSIRF learning is shared beyond the organisation (the shared learning library, other practices,
the ICB), so a closed response's summary must not identify the patient, their family or the
staff involved. This module finds the identifiers a primary-care summary typically carries and
replaces each with a plain bracketed label, such as ``[NHS number]``. It is deliberately
cautious (a mistyped NHS number is still an identifier) but it is pattern matching, not
understanding: the lead always reads the result and confirms before anything is published.

Pure: no Flask, no database. ``redact`` returns the redacted text and what it found as kinds
and spans only, never the values, so the findings can be logged or audited safely.

Names: the response's own people (``known_names``), anyone after a title ("Dr Patel"), and
names the case does not know, found by psirf/learning/names.py, which errs towards removal: an
unknown capitalised word inside a sentence is taken for a name. What it deliberately leaves
alone, because learning needs it: incident dates and times (only dates introduced as a date of
birth are removed), ages, drug names and doses, reference numbers such as PSE-2026-000123,
roles, places of care ("Riverside Surgery", "St Mary's Hospital"), eponymous conditions
("Parkinson's disease", "Down syndrome") and the phrases the caller asks to ``keep`` (the
organisation's own name). Towns and brands it does not know may be removed as names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import nhs_number

from psirf.learning.names import find_names


class Kind(StrEnum):
    EMAIL_ADDRESS = "email_address"
    NHS_NUMBER = "nhs_number"
    PHONE_NUMBER = "phone_number"
    DATE_OF_BIRTH = "date_of_birth"
    POSTCODE = "postcode"
    ADDRESS = "address"
    NAME = "name"


# The order doubles as the tie-break when two equally long matches cover the same text.
LABELS = {
    Kind.EMAIL_ADDRESS: "[email address]",
    Kind.NHS_NUMBER: "[NHS number]",
    Kind.PHONE_NUMBER: "[phone number]",
    Kind.DATE_OF_BIRTH: "[date of birth]",
    Kind.POSTCODE: "[postcode]",
    Kind.ADDRESS: "[address]",
    Kind.NAME: "[name]",
}
_PRIORITY = {kind: rank for rank, kind in enumerate(LABELS)}


@dataclass(frozen=True)
class Found:
    """One identifier: what kind it was and where it sat in the original text. Never its value."""

    kind: Kind
    start: int
    end: int


@dataclass(frozen=True)
class Redaction:
    text: str
    found: tuple[Found, ...]


_LABEL = re.compile("|".join(re.escape(label) for label in LABELS.values()))

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")

# 10 digits, bare or grouped 3-3-4 with one consistent separator.
_NHS_DIGITS = re.compile(r"(?<![\w+])\d{3}([ -]?)\d{3}\1\d{4}(?!\w)")
# After "NHS number", "NHS no.", "NHS #": 9 to 11 digits, to catch a digit dropped or doubled.
_NHS_CUED = re.compile(
    r"\bNHS\s*(?:number|num|no\.?|#)\s*(?:[:#.=-]\s*|(?:is|was)\s+)*"
    r"(?P<n>\d(?:[ -]?\d){8,10})(?!\w)",
    re.IGNORECASE,
)

_PHONE = re.compile(
    r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\w)"
)

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"  # 12/03/1948, 12.03.48, 12-3-1948
    r"|\d{4}-\d{2}-\d{2}"  # 1948-03-12
    rf"|{_MONTH}\s+\d{{1,2}}{_ORDINAL},?\s+\d{{4}}"  # March 12, 1948
    rf"|(?:\d{{1,2}}{_ORDINAL}\s+(?:of\s+)?)?{_MONTH},?\s+(?:\d{{4}}|'?\d{{2}}))"  # 12th Mar 1948
    r"(?!\w)"
)
_DOB = re.compile(
    r"(?:\bborn(?:\s+on)?|\bDOB|\bD\.O\.B\.?|\bdate\s+of\s+birth)"
    rf"[\s:,()-]*(?:(?:is|was|of)\s+)?(?P<date>{_DATE})",
    re.IGNORECASE,
)

# Outward code, optional space, inward code. The inward letters never include C I K M O V, so
# doses such as "B12 1mg" are not postcodes; lower-case ordinals ("B2 1st floor") are skipped.
_POSTCODE = re.compile(
    r"(?<!\w)[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d(?!(?-i:st|nd|rd|th)\b)[ABD-HJLNP-UW-Z]{2}(?!\w)",
    re.IGNORECASE,
)

_FLAT = r"(?:Flat|Apartment|Apt\.?)\s+\d+[A-Z]?"
_STREET = (
    r"(?:Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Way|Court|Crescent|Place|Gardens"
    r"|Terrace|Grove|Hill|Row|Square|Walk|Mews|Rise|Green|View|Parade|Vale|Croft|Park)"
)
_ADDRESS = re.compile(
    rf"\b(?:{_FLAT},?\s+)?\d{{1,4}}[A-Za-z]?,?\s+(?:[A-Z][a-z'’]+(?:-[A-Z][a-z]+)?\s+){{1,3}}"
    rf"{_STREET}\b\.?|\b{_FLAT}\b"
)

_TITLE = r"(?:Mrs|Mr|Ms|Miss|Mx|Dr|Prof)\b\.?"
_NAME_WORD = r"(?:Ma?c|O['’])?[A-Z][a-z]+(?:-[A-Z][a-z]+)*"
_NOT_A_NAME = (
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March"
    r"|April|May|June|July|August|September|October|November|December)\b"
)
_TITLED_NAME = re.compile(
    rf"\b{_TITLE}\s+(?:[A-Z]\.?\s+)?(?!{_NOT_A_NAME}){_NAME_WORD}"
    rf"(?:\s+(?!{_NOT_A_NAME}){_NAME_WORD})?(?!\w)"
)
_TITLE_WORDS = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof"}


def redact(text: str, *, known_names: Iterable[str] = (), keep: Iterable[str] = ()) -> Redaction:
    """Replace identifiers in ``text`` with labels; report each one's kind and original span.

    ``known_names`` are the people on the response (patient, family, staff). Each is matched
    as whole words, case-insensitively, with or without a title, and so is each part of three
    or more letters: "Frank Morgan" also removes "Frank", "MORGAN" and "Mr Morgan". That
    over-redacts a name that is also an ordinary word ("a frank talk"), which errs the safe way.

    ``keep`` are phrases never taken for unknown names, such as the organisation's own name
    ("Dr Shah and Partners" loses only the titled "Dr Shah").

    Redacting already redacted text changes nothing: labels are never matched again.
    """
    candidates = [*_matches(text), *_known_name_matches(text, known_names)]
    labels = [(m.start(), m.end(), m.group() == LABELS[Kind.NAME]) for m in _LABEL.finditer(text)]
    before = [(f.start, f.end, f.kind is Kind.NAME) for f in candidates]
    kept_phrases = [(start, end, False) for start, end in _phrase_spans(text, keep)]
    candidates += [
        Found(Kind.NAME, s, e) for s, e in find_names(text, [*before, *labels, *kept_phrases])
    ]
    taken = [(start, end) for start, end, _ in labels]
    kept: list[Found] = []
    # Longest match wins an overlap (an email address over the name inside it), then priority.
    for found in sorted(candidates, key=lambda f: (f.start - f.end, _PRIORITY[f.kind], f.start)):
        if all(found.end <= start or found.start >= end for start, end in taken):
            taken.append((found.start, found.end))
            kept.append(found)
    kept.sort(key=lambda f: f.start)

    pieces, position = [], 0
    for found in kept:
        pieces += [text[position : found.start], LABELS[found.kind]]
        position = found.end
    pieces.append(text[position:])
    return Redaction(text="".join(pieces), found=tuple(kept))


def _matches(text: str) -> Iterable[Found]:
    for m in _EMAIL.finditer(text):
        yield Found(Kind.EMAIL_ADDRESS, m.start(), m.end())
    for m in _NHS_DIGITS.finditer(text):
        # A valid checksum is an NHS number however it is written. A 3-3-4 grouping is how NHS
        # numbers are printed, so it is treated as one (mistyped) even when the checksum fails.
        if m.group(1) or nhs_number.is_valid(m.group().replace(" ", "").replace("-", "")):
            yield Found(Kind.NHS_NUMBER, m.start(), m.end())
    for m in _NHS_CUED.finditer(text):
        yield Found(Kind.NHS_NUMBER, m.start("n"), m.end("n"))
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        national = digits[2:].removeprefix("0") if m.group().startswith("+") else digits
        if len(national) in ((9, 10) if m.group().startswith("+") else (10, 11)):
            yield Found(Kind.PHONE_NUMBER, m.start(), m.end())
    for m in _DOB.finditer(text):
        yield Found(Kind.DATE_OF_BIRTH, m.start("date"), m.end("date"))
    for m in _POSTCODE.finditer(text):
        yield Found(Kind.POSTCODE, m.start(), m.end())
    for m in _ADDRESS.finditer(text):
        yield Found(Kind.ADDRESS, m.start(), m.end())
    for m in _TITLED_NAME.finditer(text):
        yield Found(Kind.NAME, m.start(), m.end())


def _known_name_matches(text: str, known_names: Iterable[str]) -> Iterable[Found]:
    for name in known_names:
        words = (name or "").split()
        if not words:
            continue
        parts = [p for w in words for p in w.split("-") if len(p) >= 3]
        parts = [p for p in parts if p.lower() not in _TITLE_WORDS]
        whole = r"\s+".join(map(_word_pattern, words))
        # Longest first, so the whole name wins over its parts where both start.
        alternatives = sorted({whole, *map(_word_pattern, parts)}, key=len, reverse=True)
        pattern = re.compile(
            rf"(?<!\w)(?:{_TITLE}\s+)?(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE
        )
        for m in pattern.finditer(text):
            yield Found(Kind.NAME, m.start(), m.end())


def _phrase_spans(text: str, phrases: Iterable[str]) -> Iterable[tuple[int, int]]:
    for phrase in phrases:
        words = (phrase or "").split()
        if words:
            pattern = r"\s+".join(map(_word_pattern, words))
            for m in re.finditer(rf"(?<!\w){pattern}(?!\w)", text, re.IGNORECASE):
                yield m.start(), m.end()


def _word_pattern(word: str) -> str:
    # Either apostrophe: names typed in Word arrive with curly ones.
    return "['’]".join(re.escape(piece) for piece in re.split("['’]", word))
