"""Marshmallow fields shared by the features' API schemas."""

from __future__ import annotations

from datetime import timezone

from marshmallow import Schema, ValidationError, fields, validate

from psirf.web.inputs import DB_INT_MAX, year_problem


class UtcDateTime(fields.DateTime):
    """A moment as RFC 3339 says it, with its offset ("2026-12-06T14:05:00+00:00"): the app keeps
    naive UTC datetimes (psirf.timeutil), which would otherwise go out with no zone at all."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


class TypedDate(fields.Date):
    """A date a person gives ("2026-03-31"), held to the years the pages' date boxes take
    (psirf.web.inputs): a year 1 or 9999 is a mistake, and would overflow the dates computed from
    it."""

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        problem = year_problem(day)
        if problem:
            raise ValidationError(problem)
        return day


def record_id(**kwargs) -> fields.Integer:
    """A record's number in a body: a JSON integer the database's column can hold."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=DB_INT_MAX), **kwargs)


def query_id(**kwargs) -> fields.Integer:
    """A record's number in a query string, which carries text ("?organisation_id=7"): a whole
    number the database's column can hold."""
    return fields.Integer(validate=validate.Range(min=1, max=DB_INT_MAX), **kwargs)


def version_sent(description: str) -> fields.Integer:
    """The `version` a change names in its body, unless If-Match says it (psirf/api/locking.py)."""
    return record_id(metadata={"description": description + ", unless If-Match says it."})


class Views:
    """A schema's views, one per kind of caller, each naming the fields it leaves out; each view's
    schema is made once. The feature's schemas module says which view a caller gets, by asking the
    policy (psirf/events/schemas.py: `view_for`), so that no view restates a rule.

        EVENT_VIEWS = Views(EventSchema, full=(), reporter_withheld=("reporter",))
        EVENT_VIEWS.dump("full", event)
    """

    def __init__(self, schema: type[Schema], **left_out: tuple[str, ...]):
        self.schemas = {view: schema(exclude=fields) for view, fields in left_out.items()}

    def dump(self, view: str, obj) -> dict:
        return self.schemas[view].dump(obj)
