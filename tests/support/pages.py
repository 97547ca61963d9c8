"""Reading and filling the pages' forms as a test posts them: hidden versions, prefixed fields, dates."""

from __future__ import annotations

import re


def version_of(page: str) -> str:
    return re.search(r'name="(?:\w+-)?version" type="hidden" value="(\d+)"', page).group(1)


def prefixed(prefix, **fields):
    return {f"{prefix}-{name}": value for name, value in fields.items()}


def date_fields(name, d):
    return {
        f"{name}[day]": str(d.day),
        f"{name}[month]": str(d.month),
        f"{name}[year]": str(d.year),
    }


def shows_one_error_summary(page: str) -> bool:
    """The NHS error summary once (the layout's, not a second of the page's own) and the title's
    "Error: " once, as a screen reader should hear them."""
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()
    summaries = re.findall(r'class="nhsuk-error-summary[" ]', page)
    return len(summaries) == 1 and title.startswith("Error: ") and title.count("Error:") == 1
