"""Learning bulletins as the JSON API reads and takes them (marshmallow).

Two views: its authors (`author`) see where each point was drawn from; its readers (`reader`) see
the bulletin as published, without the record ids behind its points.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from psirf import policy
from psirf.bulletins import periods
from psirf.bulletins.models import Section
from psirf.bulletins.services import TEXT_LIMIT, TITLE_LIMIT
from psirf.events.schemas import OrganisationRefSchema
from psirf.web.json_fields import (
    TypedDate,
    UtcDateTime,
    Views,
    query_id,
    record_id,
    version_sent,
)


class PointSchema(Schema):
    id = fields.Integer()
    section = fields.String(metadata={"enum": [s.value for s in Section]})
    position = fields.Integer()
    title = fields.String()
    body = fields.String()
    count = fields.Integer(
        allow_none=True, metadata={"description": "A theme's events in the period."}
    )
    previous = fields.Integer(
        allow_none=True, metadata={"description": "A theme's events in the period before."}
    )
    source = fields.String(
        metadata={"description": "What it was drawn from: theme:, library:, event: or action:."}
    )


class BulletinSchema(Schema):
    id = fields.Integer()
    organisation = fields.Nested(
        OrganisationRefSchema, metadata={"description": "The PCN, federation or ICB."}
    )
    title = fields.String()
    state = fields.String(metadata={"enum": ["draft", "published"]})
    period_start = TypedDate()
    period_end = TypedDate(metadata={"description": "The first day after the period."})
    period_label = fields.Method("_period_label")
    introduction = fields.String()
    themes_text = fields.String()
    learning_text = fields.String()
    good_care_text = fields.String()
    actions_text = fields.String()
    events_total = fields.Integer()
    events_previous = fields.Integer()
    good_care_total = fields.Integer()
    actions_agreed = fields.Integer()
    actions_completed = fields.Integer()
    points = fields.Method("_points")
    version = fields.Integer(attribute="version_id")
    created_at = UtcDateTime()
    published_at = UtcDateTime(allow_none=True)

    def _period_label(self, bulletin) -> str:
        return periods.label(bulletin.period_start, bulletin.period_end)

    point_schema = PointSchema()

    def _points(self, bulletin) -> list[dict]:
        return [self.point_schema.dump(p) for s in Section for p in bulletin.points_in(s.value)]


class ReaderBulletinSchema(BulletinSchema):
    """A reader's view: the points without the record ids they were drawn from."""

    point_schema = PointSchema(exclude=("source",))


class _Views(Views):
    def __init__(self):
        self.schemas = {"author": BulletinSchema(), "reader": ReaderBulletinSchema()}


VIEWS = _Views()


def view_for(user, bulletin) -> str:
    return "author" if policy.may_write_bulletin(user, bulletin.organisation) else "reader"


def dump(user, bulletin) -> dict:
    return VIEWS.dump(view_for(user, bulletin), bulletin)


class BulletinQuery(Schema):
    organisation_id = query_id(
        metadata={"description": "Only this PCN's, federation's or ICB's bulletins."}
    )


class GenerateInput(Schema):
    organisation_id = record_id(
        required=True, metadata={"description": "The PCN, federation or ICB."}
    )
    period_start = TypedDate(
        metadata={
            "description": "The first day of a month; with period_end. By default the last whole quarter."
        }
    )
    period_end = TypedDate(metadata={"description": "The first day after the period."})


def _text(label: str):
    return fields.String(validate=validate.Length(max=TEXT_LIMIT), metadata={"description": label})


class TextInput(Schema):
    introduction = _text("The introduction")
    themes_text = _text("The words before the themes")
    learning_text = _text("The words before the learning from responses")
    good_care_text = _text("The words before the good care")
    actions_text = _text("The words before the safety actions")
    version = version_sent("The bulletin's version the change was made from")


class PointInput(Schema):
    title = fields.String(
        validate=validate.Length(min=1, max=TITLE_LIMIT), metadata={"description": "Its title"}
    )
    body = _text("Its text (not shown for a theme, whose figures speak)")
    version = version_sent("The bulletin's version the change was made from")


class VersionInput(Schema):
    version = version_sent("The bulletin's version the change was made from")
