"""Triage as the JSON API reads and writes it: the recommendation for an event, and the lead's
decision. The rules (a reason when choosing otherwise, a referral's details, a workflow for the
response opened) stay in psirf.triage.services, which refuses with InputError."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from psirf.events.models import EventStatus
from psirf.events.schemas import EventSchema
from psirf.responses.models import ResponseMethod
from psirf.triage.services import REFERRAL_BODY_MAX, REFERRAL_REFERENCE_MAX, TEXT_MAX, TriageChoice
from psirf.web.json_fields import version_sent


class SourceSchema(Schema):
    kind = fields.String()
    document = fields.String()
    row = fields.Integer(allow_none=True)
    key = fields.String(allow_none=True)
    label = fields.String(allow_none=True)
    text = fields.String(metadata={"description": "Where it came from, as the pages say it."})


class RecommendationSchema(Schema):
    event_id = fields.Integer()
    awaiting_triage = fields.Boolean()
    method = fields.String(
        metadata={
            "description": "A learning response's method, `referral` or `no_further_response`."
        }
    )
    label = fields.String()
    short_label = fields.String()
    national = fields.Boolean()
    requirement = fields.String(allow_none=True)
    refer_to = fields.String(allow_none=True)
    local_response_allowed = fields.Boolean()
    local_priority = fields.String(allow_none=True)
    planned_method = fields.String(allow_none=True)
    reasons = fields.List(fields.String())
    source = fields.Nested(SourceSchema, allow_none=True)
    version = fields.Integer(metadata={"description": "The event's version: send it to decide."})


class ReferralInput(Schema):
    body = fields.String(
        required=True,
        validate=validate.Length(max=REFERRAL_BODY_MAX),
        metadata={"description": "The body referred to."},
    )
    referred_on = fields.Date(required=True)
    reference = fields.String(allow_none=True, validate=validate.Length(max=REFERRAL_REFERENCE_MAX))


class DecisionInput(Schema):
    choice = fields.String(required=True, validate=validate.OneOf([c.value for c in TriageChoice]))
    rationale = fields.String(required=True, validate=validate.Length(min=1, max=TEXT_MAX))
    deviation_reason = fields.String(
        allow_none=True,
        validate=validate.Length(max=TEXT_MAX),
        metadata={"description": "Why, when the choice is not what was recommended."},
    )
    referral = fields.Nested(ReferralInput, allow_none=True)
    local_method = fields.String(
        allow_none=True,
        validate=validate.OneOf([m.value for m in ResponseMethod]),
        metadata={"description": "A learning response to run alongside a referral."},
    )
    version = version_sent("The event's version")


class ResponseRefSchema(Schema):
    id = fields.Integer()
    reference = fields.String()
    method = fields.String()


class DecisionSchema(Schema):
    event = fields.Nested(EventSchema, metadata={"description": "The event, triaged."})
    learning_response = fields.Nested(ResponseRefSchema, allow_none=True)


def recommendation(event, found) -> dict:
    """What triage recommends for `event` (a psirf.triage.recommend.Recommendation), with the
    event's version to decide on."""
    own = {name: getattr(found, name, None) for name in RecommendationSchema._declared_fields}
    return RecommendationSchema().dump(
        {
            **{name: value for name, value in own.items() if value is not None},
            "event_id": event.id,
            "awaiting_triage": event.status == EventStatus.AWAITING_TRIAGE.value,
            "version": event.version_id,
        }
    )
