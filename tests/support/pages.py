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
