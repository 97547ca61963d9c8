"""Links to many records of one page, for the price of one url_for.

A list page links each of its rows: url_for per row walks the URL map each time (25 a page on the
triage queue, issue 16). `by_id` builds the URL once, with a marker where the id goes, and writes
each row's id into it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import url_for

# A whole number no route would be given by a person, well inside the bounded int converter.
_MARKER = 1357913579


def by_id(endpoint: str, key: str, **values) -> Callable[[int], str]:
    """`url_for(endpoint, **{key: id}, **values)` as a function of the id."""
    before, after = url_for(endpoint, **{key: _MARKER}, **values).split(str(_MARKER), 1)
    return lambda record_id: f"{before}{int(record_id)}{after}"
