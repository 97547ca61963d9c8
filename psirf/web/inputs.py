"""The one input layer: what arrives in a request is made safe before any view reads it.

- Control characters: NUL and the other C0 and C1 controls (tab, newline and carriage return
  aside) are dropped from query strings, form values and the strings of a JSON body (the API
  reads its bodies through `without_controls_in`). They are never meaningful in what a person
  types, and PostgreSQL refuses NUL in text. A path that holds one names nothing: 404.
- Numbers in addresses: the "int" converter matches only ids the database's integer columns can
  hold, so /events/99999999999999999999 is a 404 that never reaches a query.
- Size: MAX_CONTENT_LENGTH and MAX_FORM_MEMORY_SIZE (psirf/config.py) are checked by Werkzeug from
  the Content-Length and while streaming, so an oversized body is refused (413) before it is read.
"""

from __future__ import annotations

import re

from flask import Flask, Request, abort, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter
from werkzeug.wsgi import LimitedStream

# The largest value of a 32-bit signed integer column (PostgreSQL's INTEGER, every id here).
DB_INT_MAX = 2**31 - 1
# Dates typed or sent within these years (a form's date boxes, the API's dates, a CSV file's):
# earlier is a mistake, and later would overflow the dates computed from them (a plan's period,
# a due date, the period before a bulletin's).
YEAR_MIN, YEAR_MAX = 1900, 2199


def year_problem(day) -> str | None:
    """What is wrong with a date's year, in the words the forms show; None when it will do."""
    if day.year < YEAR_MIN:
        return f"The year must be {YEAR_MIN} or later"
    if day.year > YEAR_MAX:
        return f"The year must be {YEAR_MAX} or earlier"
    return None


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def without_controls(value: str) -> str:
    return _CONTROLS.sub("", value)


# How deep a JSON body may nest: the API's deepest is three levels (an alert, its actions, an
# action's fields); far deeper is no body of ours, and would exhaust the recursion below.
JSON_DEPTH_MAX = 32


class TooDeep(ValueError):
    pass


def without_controls_in(value, depth: int = 0):
    """A parsed JSON value with every string in it (keys too) without control characters;
    TooDeep when it nests deeper than any body the API takes."""
    if depth > JSON_DEPTH_MAX:
        raise TooDeep(f"The body nests deeper than {JSON_DEPTH_MAX} levels.")
    if isinstance(value, str):
        return without_controls(value)
    if isinstance(value, dict):
        return {without_controls(k): without_controls_in(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [without_controls_in(item, depth + 1) for item in value]
    return value


def has_controls(value: str) -> bool:
    return _CONTROLS.search(value) is not None


def record_id(value) -> int | None:
    """An id as typed or chosen (a form's select, a query string): the int, or None when it is not
    a plain whole number a row could have."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= DB_INT_MAX else None


class CleanMultiDict(ImmutableMultiDict):
    """Query string and form values as Werkzeug parses them, without control characters."""

    def __init__(self, mapping=None):
        if mapping is None or isinstance(mapping, dict):
            super().__init__(mapping)
            return
        super().__init__([(_clean(key), _clean(value)) for key, value in mapping])


def _clean(value):
    return without_controls(value) if isinstance(value, str) else value


class PsirfRequest(Request):
    parameter_storage_class = CleanMultiDict

    def _load_form_data(self) -> None:
        super()._load_form_data()  # a body that is not UTF-8 is read as an empty form
        # A body streamed without its length is read only up to the maximum, and Werkzeug parses
        # what it read as if that were all: a body that reached the maximum was larger than we take.
        if (
            self.content_length is None
            and isinstance(self.stream, LimitedStream)
            and self.stream.is_exhausted
        ):
            self.stream.read(1)  # past a maximum, this raises RequestEntityTooLarge (413)


class RecordIdConverter(IntegerConverter):
    """A positive id within the database's integer range; anything larger matches no route."""

    def __init__(self, map, fixed_digits=0, min=1, max=DB_INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _refuse_controls_in_the_path():
    if has_controls(request.path):
        abort(404)


def install_input_layer(app: Flask) -> None:
    app.request_class = PsirfRequest
    app.url_map.converters["int"] = RecordIdConverter
    app.before_request(_refuse_controls_in_the_path)
