"""The agreed reading level for what patients, families and the public read, and how it is measured.

A reading age of about 9 to 11: a Flesch-Kincaid grade of 6 or less (US grades run about 5 years
behind UK reading age) and a Flesch reading ease of 65 or more, for the words a person reads on a
page (the main content, not the header and footer).
"""

from __future__ import annotations

import re
from html import unescape

import textstat

MAX_GRADE = 6.0
MIN_EASE = 65.0

# A date is read as a date, whatever its month: the syllables of "February" against "May" would
# otherwise decide a short page's measure by the day the suite runs.
DATE = re.compile(
    r"\b\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b"
)
SAME_DATE = "1 June 2026"


def main_text(html: str) -> str:
    main = re.search(r"<main[^>]*>(.*)</main>", html, re.S).group(1)
    main = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", main, flags=re.S)
    text = DATE.sub(SAME_DATE, unescape(re.sub(r"<[^>]+>", " ", main)))
    # Each label, button and heading reads as a sentence of its own.
    return ". ".join(part.strip() for part in re.split(r"\s{2,}|\n", text) if part.strip())


def too_hard(text: str) -> tuple[float, float] | None:
    """(grade, ease) when the text is above the agreed level, else None."""
    grade, ease = textstat.flesch_kincaid_grade(text), textstat.flesch_reading_ease(text)
    return (grade, ease) if grade > MAX_GRADE or ease < MIN_EASE else None


def above_the_level(texts: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Of named texts, those above the agreed level, with their measures."""
    return {name: measured for name, text in texts.items() if (measured := too_hard(text))}
