"""Learning responses as the JSON API reads and writes them (marshmallow).

`ResponseSchema` is the response as its page shows it to whoever may see it: its method, where its
workflow stands, its target date and the record its workflow's sections hold. `StepSchema` is a
step open to the caller with what it still needs. A section's answers are checked against the
section the workflow file declares (`answers_schema`), as the page's form for it checks them; the
rules themselves stay in the services.
"""

from __future__ import annotations

from functools import cache

from marshmallow import Schema, fields, validate

from psirf.events.schemas import Columns, OrganisationRefSchema
from psirf.responses.models import ResponseMethod
from psirf.workflow import runner
from psirf.workflow.definitions import FieldDef, SectionDef
from psirf.web.json_fields import UtcDateTime, version_sent

TEXT_MAX = 20_000  # a long answer, as the page's text box takes
LINE_MAX = 500
COMMENT_MAX = 5000


class WorkflowSchema(Schema):
    name = fields.String(attribute="workflow_name")
    version = fields.Integer(attribute="workflow_version")
    state = fields.String(metadata={"description": "The state's name in the workflow file."})
    state_label = fields.Method("_state_label")

    def _state_label(self, response) -> str:
        return runner.definition_of(response).state(response.state).label


class ResponseSchema(Schema):
    id = fields.Integer()
    reference = fields.String(allow_none=True)
    method = fields.String(validate=validate.OneOf([m.value for m in ResponseMethod]))
    method_label = fields.String()
    organisation = fields.Nested(OrganisationRefSchema)
    workflow = Columns(WorkflowSchema)
    lead_id = fields.Integer(allow_none=True)
    event_ids = fields.Method(
        "_event_ids", metadata={"description": "The safety events it responds to."}
    )
    due_on = fields.Date(allow_none=True)
    due_at = UtcDateTime(
        allow_none=True, metadata={"description": "For a target in hours: the moment it is due."}
    )
    extension_reason = fields.String(allow_none=True)
    closed_at = UtcDateTime(allow_none=True)
    record = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={
            "description": "The answers to its workflow's sections: {section: {field: value}}, "
            "or a list of entries for a repeatable section."
        },
    )
    version = fields.Integer(
        attribute="version_id", metadata={"description": "Send it back to change the response."}
    )
    created_at = UtcDateTime()
    updated_at = UtcDateTime()

    def _event_ids(self, response) -> list[int]:
        return [e.id for e in response.events]


class StepSchema(Schema):
    """A step open to the caller now (psirf.responses.steps.OpenStep)."""

    trigger = fields.String(metadata={"description": "Send it to fire the step."})
    label = fields.String()
    needs = fields.List(
        fields.String(), metadata={"description": '"comment": the step needs a comment.'}
    )
    ready = fields.Boolean(metadata={"description": "Whether every guard holds now."})
    problems = fields.List(
        fields.String(), metadata={"description": "What must be done first, for each guard."}
    )


class StepsSchema(Schema):
    version = fields.Integer()
    steps = fields.List(fields.Nested(StepSchema))


class StepTakenSchema(Schema):
    before = fields.String()
    after = fields.String()
    response = fields.Nested(ResponseSchema)
    continued_as = fields.Integer(
        allow_none=True,
        metadata={"description": "The response it went on as (escalated or widened), if any."},
    )


_VERSION = version_sent("The version changed")


class FireInput(Schema):
    trigger = fields.String(required=True, validate=validate.Length(min=1, max=60))
    comment = fields.String(
        allow_none=True,
        validate=validate.Length(max=COMMENT_MAX),
        metadata={"description": "Kept on the timeline; required by a step that needs one."},
    )
    version = _VERSION


class SectionInput(Schema):
    section = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60),
        metadata={"description": "A section its workflow declares."},
    )
    answers = fields.Dict(
        keys=fields.String(validate=validate.Length(max=60)),
        values=fields.Raw(allow_none=True),
        required=True,
        metadata={
            "description": "The section's fields and their answers (text, or a date as "
            "YYYY-MM-DD); a field left out or null is cleared."
        },
    )
    version = _VERSION


def _answer_field(spec: FieldDef) -> fields.Field:
    if spec.type == "date":
        return fields.Date(allow_none=True)
    if spec.type == "choice":
        return fields.String(allow_none=True, validate=validate.OneOf([v for v, _ in spec.options]))
    longest = LINE_MAX if spec.type == "line" else TEXT_MAX
    return fields.String(allow_none=True, validate=validate.Length(max=longest))


@cache
def answers_schema(section: SectionDef) -> Schema:
    """The checks of the section's form, as a schema: an unknown field is refused."""
    return Schema.from_dict(
        {f.name: _answer_field(f) for f in section.fields}, name=f"Answers_{section.name}"
    )()
