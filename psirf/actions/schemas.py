"""Safety actions as the JSON API reads them (marshmallow): the action as its page shows it to
whoever may see it, with the response it arose from and where its workflow stands."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from psirf.actions.boards import STATUSES
from psirf.actions.models import Effect, MeasureKind, Strength
from psirf.events.schemas import OrganisationRefSchema
from psirf.web.inputs import DB_INT_MAX
from psirf.workflow import runner
from psirf.web.json_fields import UtcDateTime

BOARDS = ("mine", "organisation", "icb")


def _coded(enum) -> fields.String:
    return fields.String(allow_none=True, validate=validate.OneOf([m.value for m in enum]))


class ArisingInSchema(Schema):
    """The learning response an action arose in."""

    id = fields.Integer()
    reference = fields.String(allow_none=True)


class ActionSchema(Schema):
    id = fields.Integer()
    description = fields.String()
    state = fields.String()
    state_label = fields.Method("_state_label")
    response = fields.Nested(ArisingInSchema)
    organisation = fields.Nested(
        OrganisationRefSchema, metadata={"description": "Where the response is run."}
    )
    finding_id = fields.Integer(
        allow_none=True, metadata={"description": "The area for improvement it answers."}
    )
    owner = fields.String(allow_none=True)
    owner_user_id = fields.Integer(allow_none=True)
    owner_organisation = fields.Nested(OrganisationRefSchema, allow_none=True)
    due_on = fields.Date(allow_none=True)
    measure_kind = _coded(MeasureKind)
    measure = fields.String(allow_none=True)
    strength = _coded(Strength)
    review_on = fields.Date(allow_none=True)
    evidence = fields.String(allow_none=True)
    effect = _coded(Effect)
    effect_notes = fields.String(allow_none=True)
    completed_at = UtcDateTime(allow_none=True)
    closed_at = UtcDateTime(allow_none=True)
    version = fields.Integer(attribute="version_id")
    created_at = UtcDateTime()
    updated_at = UtcDateTime()

    def _state_label(self, action) -> str:
        return runner.definition_of(action).state(action.state).label


class BoardQuery(Schema):
    """Which board, as the pages have them; its pages' `cursor` and `limit` come from PageQuery."""

    board = fields.String(
        load_default="mine",
        validate=validate.OneOf(BOARDS),
        metadata={
            "description": "mine: the actions you or your organisation own; organisation: one "
            "organisation's board (organisation_id); icb: the ICB's, for its roles."
        },
    )
    organisation_id = fields.Integer(
        validate=validate.Range(min=1, max=DB_INT_MAX),
        metadata={"description": "The organisation of `board=organisation`."},
    )
    status = fields.String(
        validate=validate.OneOf(list(STATUSES)),
        metadata={"description": "open (the default; the ICB's board: overdue), due_soon, ..."},
    )
