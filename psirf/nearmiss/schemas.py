"""The near-miss log as the JSON API reads and takes it (marshmallow). Only the pharmacy's own staff
read a near miss (psirf.policy.near_miss_scope), so there is one view of it."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from psirf.events.schemas import OrganisationRefSchema
from psirf.nearmiss.models import MEDICINE_MAX, NOTE_MAX, Cause, ErrorType, Stage
from psirf.web.json_fields import TypedDate, UtcDateTime, record_id, version_sent


def _one_of(enum, **kwargs) -> fields.String:
    return fields.String(validate=validate.OneOf([m.value for m in enum]), **kwargs)


class PromotedToSchema(Schema):
    """The safety event a near miss became."""

    id = fields.Integer()
    reference = fields.String()


class NearMissSchema(Schema):
    id = fields.Integer()
    organisation = fields.Nested(OrganisationRefSchema)
    occurred_on = fields.Date()
    error_type = _one_of(ErrorType)
    stage = _one_of(Stage)
    cause = _one_of(Cause)
    medicine = fields.String()
    dmd_code = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    event = fields.Nested(PromotedToSchema, allow_none=True)
    promoted_at = UtcDateTime(allow_none=True)
    version = fields.Integer(attribute="version_id")
    created_at = UtcDateTime()


class LogNearMissInput(Schema):
    organisation_id = record_id(
        required=True, metadata={"description": "A pharmacy where you hold a role."}
    )
    medicine = fields.String(required=True, validate=validate.Length(min=1, max=MEDICINE_MAX))
    error_type = _one_of(ErrorType, required=True)
    stage = _one_of(Stage, required=True)
    cause = _one_of(Cause, required=True)
    occurred_on = TypedDate(metadata={"description": "Today unless given."})
    dmd_code = fields.String(
        allow_none=True,
        validate=validate.Regexp(r"^\d{6,18}$"),
        metadata={"description": "A dm+d concept id, 6 to 18 digits."},
    )
    note = fields.String(allow_none=True, validate=validate.Length(max=NOTE_MAX))


class PromoteInput(Schema):
    version = version_sent("The version of the near miss promoted")


class MonthCountSchema(Schema):
    month = fields.Date(metadata={"description": "The month's first day."})
    near_misses = fields.Integer()
    promoted = fields.Integer()


class CountSchema(Schema):
    key = fields.String()
    label = fields.String()
    near_misses = fields.Integer()


class SummarySchema(Schema):
    month = fields.Date(metadata={"description": "The month of `medicines` and `error_types`."})
    total = fields.Integer()
    months = fields.List(fields.Nested(MonthCountSchema))
    medicines = fields.List(fields.Nested(CountSchema))
    error_types = fields.List(fields.Nested(CountSchema))


class SummaryQuery(Schema):
    month = fields.String(
        validate=validate.Regexp(r"^(19|20|21)\d\d-(0[1-9]|1[0-2])$"),
        metadata={"description": "YYYY-MM; this month unless given."},
    )
