"""Learning responses: list the ones you see, read one, the steps open to you, take one, and
edit a section of its record.

The same services and policy as the response page: the list is `services.listing`, a step is
`runner.fire` (the policy, the version, the guards, the audit), a section is
`services.save_section`. A step the guards refuse is a 422 naming what must be done first.
"""

from __future__ import annotations

from flask_login import current_user
from marshmallow import ValidationError, fields, validate
from sqlalchemy.orm import selectinload

from psirf import policy
from psirf.api import locking
from psirf.api.paging import PageQuery, page_schema, page_size, paged
from psirf.api.problems import ApiProblem
from psirf.api.registry import operation
from psirf.api.replies import reply
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.problems import InputError
from psirf.responses import course, schemas, services, steps
from psirf.responses.models import LearningResponse
from psirf.web.loading import fetch
from psirf.workflow import runner

_RESPONSE = schemas.ResponseSchema()
# Each listed response's events, in one query for the page rather than one for each response.
_LISTED_WITH = (selectinload(LearningResponse.events),)
_STEPS = schemas.StepsSchema()
_TAKEN = schemas.StepTakenSchema()


class ResponseQuery(PageQuery):
    state = fields.String(
        validate=validate.Length(min=1, max=40),
        metadata={"description": "Only responses in this workflow state."},
    )


ResponsePage = page_schema(schemas.ResponseSchema, "ResponsePage")


def _user():
    return current_user._get_current_object()


def _visible(response_id: int):
    return fetch(services.get, response_id, policy.require_response_visible)


def response_answer(response):
    return reply(_RESPONSE.dump(response), version=response.version_id)


@operation(
    "/responses",
    summary="The learning responses you can see",
    tag="responses",
    query=ResponseQuery,
    response=ResponsePage,
    errors=(403,),
)
def index(query):
    """Every response in your organisations' casework (and those you contribute to), as the
    responses list shows them."""
    policy.require_casework_role(_user())
    page = services.listing(
        db.session,
        _user(),
        query.get("state"),
        query.get("cursor"),
        page_size(query),
        options=_LISTED_WITH,
    )
    return paged(page, [_RESPONSE.dump(r) for r in page.items])


@operation(
    "/responses/<int:response_id>",
    summary="One learning response",
    tag="responses",
    response=schemas.ResponseSchema,
)
def show(response_id):
    """The response and its record; the ETag is its version."""
    return response_answer(_visible(response_id))


@operation(
    "/responses/<int:response_id>/steps",
    summary="The steps you may take on a response now",
    tag="responses",
    response=schemas.StepsSchema,
)
def open_steps(response_id):
    """The workflow's steps from where the response stands that your role may take, each with
    what its guards still need (`ready` is false until they all hold)."""
    response = _visible(response_id)
    found = steps.open_steps(_user(), response)
    return reply(
        _STEPS.dump({"version": response.version_id, "steps": found}),
        version=response.version_id,
    )


@operation(
    "/responses/<int:response_id>/steps",
    "POST",
    summary="Take a step on a response",
    tag="responses",
    body=schemas.FireInput,
    response=schemas.StepTakenSchema,
    versioned=True,
)
def fire(response_id, body):
    """Fire the named step from the version you read, with a comment when it needs one. 403 when
    your role may not take it, 409 when the response changed since, 422 with each reason when its
    guards do not hold."""
    response = _visible(response_id)
    trigger = body["trigger"]
    if runner.definition_of(response).transition(trigger) is None:
        raise InputError("trigger", "Its workflow has no step of that name.")
    policy.require_can_fire(_user(), response, trigger)
    version = locking.version_sent(body)
    try:
        with unit_of_work(db.session):
            outcome = runner.fire(
                db.session, response, trigger, _user(), version, body.get("comment")
            )
    except runner.TransitionRefused as refused:
        raise ApiProblem(
            422,
            detail=str(refused),
            kind="step-refused",
            errors={"trigger": refused.problems or [str(refused)]},
        ) from None
    response = services.get(db.session, response_id)
    successor = course.successor_of(db.session, response)
    return reply(
        _TAKEN.dump(
            {
                "before": outcome.before,
                "after": outcome.after,
                "response": response,
                "continued_as": successor.id if successor is not None else None,
            }
        ),
        version=response.version_id,
    )


def _answers(response, body: dict) -> dict:
    """The answers, checked against the section; after the policy's word on who edits it."""
    name = body["section"]
    section = runner.definition_of(response).sections.get(name)
    if section is None:
        raise InputError("section", "Its workflow has no section of that name.")
    services.check_edit(_user(), response, name, None)
    try:
        return schemas.answers_schema(section).load(body["answers"])
    except ValidationError as error:
        raise ValidationError({"answers": error.messages}) from None


@operation(
    "/responses/<int:response_id>/sections",
    "POST",
    summary="Save a section of a response's record",
    tag="responses",
    body=schemas.SectionInput,
    response=schemas.ResponseSchema,
    versioned=True,
    errors=(403,),
)
def save_section(response_id, body):
    """Save the answers to one section of the record, as the response page's form does (a
    repeatable section gains an entry). Only the role acting in the current state edits it."""
    response = _visible(response_id)
    answers = _answers(response, body)
    version = locking.version_sent(body)
    with unit_of_work(db.session):
        services.save_section(db.session, _user(), response, body["section"], answers, version)
    return response_answer(services.get(db.session, response_id))
