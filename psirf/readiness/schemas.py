"""Readiness as the JSON API reads it (marshmallow): an organisation's standing on each
commitment, the map's rows and totals, and what recording a commitment takes.

Every reader of readiness sees the same fields: none names a patient, and the people named are
the organisation's own leads and partners, shown on its pages to the same readers.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from psirf.events.schemas import OrganisationRefSchema
from psirf.readiness.commitments import Status
from psirf.web.json_fields import TypedDate, UtcDateTime, query_id, record_id

STATUSES = [s.value for s in Status]


class PersonRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class StandingSchema(Schema):
    commitment = fields.String(attribute="commitment.key")
    label = fields.String(attribute="commitment.label")
    measure = fields.String(
        attribute="commitment.measure",
        metadata={"description": "status, named, syllabus or plan (seed/commitments.yaml)."},
    )
    status = fields.String(metadata={"description": "not_started, in_progress or met."})
    summary = fields.String(metadata={"description": "The map's words for it: 1 of 2 named."})
    count = fields.Integer(attribute="record.count", allow_none=True)
    total = fields.Integer(attribute="record.total", allow_none=True)
    route = fields.String(attribute="record.route", allow_none=True)
    note = fields.String(attribute="record.note", allow_none=True)
    evidence_on = fields.Date(attribute="record.evidence_on", allow_none=True)
    evidence_url = fields.String(attribute="record.evidence_url", allow_none=True)
    recorded_by = fields.Nested(PersonRefSchema, attribute="record.recorded_by", allow_none=True)
    recorded_at = UtcDateTime(attribute="record.recorded_at", allow_none=True)
    confirmed_by = fields.Nested(PersonRefSchema, attribute="record.confirmed_by", allow_none=True)
    confirmed_at = UtcDateTime(attribute="record.confirmed_at", allow_none=True)
    plan_id = fields.Integer(
        attribute="plan.id",
        allow_none=True,
        metadata={"description": "The PSIRF plan in force that puts PSIRF adoption in place."},
    )
    version = fields.Integer(
        metadata={"description": "The record's version, 0 before anything is recorded."}
    )


class ReadinessSchema(Schema):
    organisation = fields.Nested(OrganisationRefSchema)
    kind = fields.String(attribute="organisation.kind")
    commitments = fields.List(fields.Nested(StandingSchema))


class CellSchema(Schema):
    commitment = fields.String()
    applies = fields.Boolean()
    status = fields.String()
    text = fields.String()
    confirmed = fields.Boolean()


class MapRowSchema(Schema):
    organisation = fields.Nested(OrganisationRefSchema)
    kind = fields.String(attribute="organisation.kind")
    cells = fields.List(fields.Nested(CellSchema))


class TotalSchema(Schema):
    commitment = fields.String(attribute="commitment.key")
    label = fields.String(attribute="commitment.label")
    applicable = fields.Integer()
    met = fields.Integer()
    percent = fields.Integer(allow_none=True)


class TotalsSchema(Schema):
    organisations = fields.Integer()
    totals = fields.List(fields.Nested(TotalSchema))


class MapFilterSchema(Schema):
    group = query_id(
        metadata={
            "description": "A PCN or federation whose readiness you read: it and its members."
        },
    )
    kind = fields.String(
        validate=validate.OneOf(
            ["practice", "pharmacy", "dental", "optometry", "pcn", "federation"]
        )
    )


class RecordInput(Schema):
    status = fields.String(
        validate=validate.OneOf(STATUSES),
        metadata={"description": "Required for the commitments measured by status or plan."},
    )
    route = fields.String(allow_none=True, validate=validate.Length(max=40))
    note = fields.String(allow_none=True, validate=validate.Length(max=5000))
    evidence_on = TypedDate(allow_none=True)
    evidence_url = fields.String(allow_none=True, validate=validate.Length(max=500))
    version = fields.Integer(
        validate=validate.Range(min=0, max=2**31 - 1),
        metadata={"description": "The version read (or send If-Match)."},
    )


class CompletionSchema(Schema):
    level = fields.Integer()
    completed_on = fields.Date()
    source = fields.String(metadata={"description": "self, lead or import."})


class StaffMemberSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String()
    left_on = fields.Date(
        allow_none=True,
        metadata={"description": "When they left; their training then no longer counts."},
    )
    completions = fields.List(fields.Nested(CompletionSchema))
    created_at = UtcDateTime()


class StaffQuery(Schema):
    current = fields.Boolean(
        load_default=False, metadata={"description": "Only those who have not left."}
    )


class LeftInput(Schema):
    left_on = TypedDate(required=True, metadata={"description": "The day they left."})


class OwnTrainingSchema(Schema):
    organisation = fields.Nested(OrganisationRefSchema)
    listed = fields.Boolean(metadata={"description": "Whether you are on its staff list."})
    left_on = fields.Date(allow_none=True)
    completions = fields.List(fields.Nested(CompletionSchema))


class OwnTrainingListSchema(Schema):
    organisations = fields.List(fields.Nested(OwnTrainingSchema))


class OwnTrainingInput(Schema):
    organisation_id = record_id(
        required=True, metadata={"description": "A service, PCN or federation where you work."}
    )
    level = fields.Integer(required=True, validate=validate.OneOf([1, 2]))
    completed_on = TypedDate(required=True)
