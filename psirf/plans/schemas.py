"""PSIRF plans as the JSON API reads them (marshmallow): where the plan stands and what it says.

`content` is the plan's own words and choices as its panel wrote them (the sections, priorities,
sources, leads and distribution the plan page edits); the figures the document draws from the
frozen profile stay in the document and its PDF.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from psirf.events.schemas import OrganisationRefSchema
from psirf.workflow import runner
from psirf.web.json_fields import UtcDateTime


class PlanSchema(Schema):
    id = fields.Integer()
    organisation = fields.Nested(
        OrganisationRefSchema, metadata={"description": "The PCN or federation whose plan it is."}
    )
    number = fields.Integer(metadata={"description": "Its first, second, ... plan."})
    revision = fields.Integer(metadata={"description": "Submissions so far."})
    version_label = fields.String(metadata={"description": "Document control's version: 1.2."})
    state = fields.String()
    state_label = fields.Method("_state_label")
    starts_on = fields.Date()
    period_months = fields.Integer()
    lookback_months = fields.Integer()
    decided_on = fields.Date(allow_none=True)
    minute_reference = fields.String(allow_none=True)
    effective_from = fields.Date(allow_none=True)
    review_on = fields.Date(allow_none=True)
    supersedes_id = fields.Integer(allow_none=True)
    content = fields.Dict(keys=fields.String(), values=fields.Raw())
    version = fields.Integer(attribute="version_id")
    created_at = UtcDateTime()
    updated_at = UtcDateTime()

    def _state_label(self, plan) -> str:
        return runner.definition_of(plan).state(plan.state).label
