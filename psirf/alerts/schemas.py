"""National patient safety alerts as the JSON API reads and takes them (marshmallow): the alert
with its actions, and each service's confirmation of each action.

Everyone who sees an alert or a confirmation works in care or for the ICB and sees the same fields
(the alert holds no patient's details), so there is one view of each."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from psirf.alerts.models import AlertState, ConfirmationStatus
from psirf.alerts.services import ANSWERS, SERVICE_KIND_CHOICES
from psirf.events.schemas import OrganisationRefSchema
from psirf.web.json_fields import TypedDate, UtcDateTime, record_id, version_sent


class AlertActionSchema(Schema):
    id = fields.Integer()
    description = fields.String()
    deadline = fields.Date()


class AlertSchema(Schema):
    id = fields.Integer()
    reference = fields.String()
    title = fields.String()
    issued_on = fields.Date(metadata={"description": "The date on the national alert."})
    link = fields.String()
    service_kinds = fields.List(
        fields.String(validate=validate.OneOf([v for v, _ in SERVICE_KIND_CHOICES])),
        attribute="kinds",
    )
    state = fields.String(validate=validate.OneOf([s.value for s in AlertState]))
    organisation = fields.Nested(
        OrganisationRefSchema,
        metadata={"description": "Who recorded it: the ICB, or a PCN or federation."},
    )
    actions = fields.List(fields.Nested(AlertActionSchema))
    sent_at = UtcDateTime(allow_none=True)
    version = fields.Integer(attribute="version_id")
    created_at = UtcDateTime()


class ConfirmationSchema(Schema):
    id = fields.Integer()
    alert_id = fields.Integer()
    action_id = fields.Integer()
    organisation = fields.Nested(OrganisationRefSchema)
    deadline = fields.Date()
    status = fields.String(validate=validate.OneOf([s.value for s in ConfirmationStatus]))
    overdue = fields.Boolean(
        metadata={"description": "Not done or not applicable by its deadline."}
    )
    done_on = fields.Date(allow_none=True)
    reason = fields.String(allow_none=True, metadata={"description": "Why it does not apply."})
    expected_on = fields.Date(allow_none=True)
    note = fields.String(allow_none=True)
    confirmed_by = fields.String(
        allow_none=True, attribute="confirmed_by.name", metadata={"description": "Their name."}
    )
    confirmed_at = UtcDateTime(allow_none=True)
    version = fields.Integer(attribute="version_id")


def dump_confirmation(confirmation, today) -> dict:
    data = ConfirmationSchema().dump(confirmation)
    data["overdue"] = confirmation.is_overdue(today)
    return data


class ActionInput(Schema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    deadline = TypedDate(required=True)


class AlertInput(Schema):
    organisation_id = record_id(
        required=True,
        metadata={"description": "The ICB, or the PCN or federation, it is recorded for."},
    )
    reference = fields.String(required=True, validate=validate.Length(min=1, max=40))
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    issued_on = TypedDate(required=True)
    link = fields.String(
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "An https:// address."},
    )
    service_kinds = fields.List(
        fields.String(validate=validate.OneOf([v for v, _ in SERVICE_KIND_CHOICES])),
        required=True,
        validate=validate.Length(min=1, max=4),
    )
    actions = fields.List(
        fields.Nested(ActionInput), load_default=list, validate=validate.Length(max=50)
    )


class EditInput(Schema):
    """A draft's details to change; a field left out keeps its value."""

    reference = fields.String(validate=validate.Length(min=1, max=40))
    title = fields.String(validate=validate.Length(min=1, max=300))
    issued_on = TypedDate()
    link = fields.String(
        validate=validate.Length(min=1, max=500),
        metadata={"description": "An https:// address."},
    )
    service_kinds = fields.List(
        fields.String(validate=validate.OneOf([v for v, _ in SERVICE_KIND_CHOICES])),
        validate=validate.Length(min=1, max=4),
    )
    version = version_sent("The alert's version")


class IssueInput(Schema):
    version = version_sent("The alert's version")


class ConfirmInput(Schema):
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in ANSWERS]))
    done_on = TypedDate(allow_none=True, metadata={"description": "When it was done (done)."})
    reason = fields.String(
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={"description": "Why it does not apply (not_applicable)."},
    )
    expected_on = TypedDate(
        allow_none=True, metadata={"description": "When it is expected to be done (in_progress)."}
    )
    note = fields.String(allow_none=True, validate=validate.Length(max=5000))
    version = version_sent("The confirmation's version")


class ConfirmationQuery(Schema):
    overdue = fields.Boolean(
        load_default=False, metadata={"description": "Only the confirmations overdue today."}
    )
