"""Engagement as the JSON API reads it (marshmallow), with a view per reader: a family account
reads fewer fields than staff (`dump`): the step as the portal words it, never how it was
recorded, whether it was shared, or the person's name and response."""

from __future__ import annotations

from marshmallow import Schema, fields

from psirf import policy
from psirf.web.json_fields import Views


class EntrySchema(Schema):
    on = fields.Date()
    text = fields.String()
    notes = fields.String(allow_none=True)
    kind = fields.String(allow_none=True, metadata={"description": "Staff only."})
    shared = fields.Boolean(
        allow_none=True, metadata={"description": "Staff only: shared with the person."}
    )
    answer = fields.String(allow_none=True, metadata={"description": "Staff only."})
    answered_on = fields.Date(allow_none=True, metadata={"description": "Staff only."})


class PersonTimelineSchema(Schema):
    person_id = fields.Integer()
    organisation_name = fields.String()
    contact_name = fields.String(
        allow_none=True, metadata={"description": "Their named contact, if any."}
    )
    entries = fields.List(fields.Nested(EntrySchema))
    kind = fields.String(allow_none=True, metadata={"description": "Staff only."})
    name = fields.String(allow_none=True, metadata={"description": "Staff only."})
    response_id = fields.Integer(allow_none=True, metadata={"description": "Staff only."})


class ResponseEngagementSchema(Schema):
    """Staff's: every person affected by a response, each with their whole timeline."""

    response_id = fields.Integer()
    people = fields.List(fields.Nested(PersonTimelineSchema))


class FamilyPersonSchema(Schema):
    """One of a family account's own people-records: each a review they are part of."""

    id = fields.Integer(metadata={"description": "Read its timeline at /engagement/people/{id}."})
    organisation_name = fields.String()
    started_on = fields.Date()


class FamilyPeopleSchema(Schema):
    items = fields.List(fields.Nested(FamilyPersonSchema))


FAMILY = "family"
STAFF = "staff"
# A family account reads the step as the portal words it: never how it was recorded, whether it
# was shared (all it sees was), nor the person's name and response.
VIEWS = Views(
    PersonTimelineSchema,
    **{
        FAMILY: (
            "kind",
            "name",
            "response_id",
            "entries.kind",
            "entries.shared",
            "entries.answer",
            "entries.answered_on",
        ),
        STAFF: (),
    },
)


def view_for(user) -> str:
    return FAMILY if policy.is_family(user) else STAFF


def dump(user, timeline) -> dict:
    """The timeline as `user` may read it."""
    return VIEWS.dump(view_for(user), timeline)
