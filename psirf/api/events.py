"""Safety events: list the events you see, read one, record one, correct one.

The same services as the pages: recording is `/events/new`'s `record_event` (policy, audit,
counts, the reporter's acknowledgement), a correction is the correction page's `revise_event`
(a reason, the version it was made from, the next LFPSE revision).
"""

from __future__ import annotations

import dataclasses

from flask import url_for
from flask_login import current_user
from marshmallow import fields, validate

from psirf import policy
from psirf.api import locking
from psirf.api.paging import PageQuery, page_schema, page_size, paged
from psirf.api.registry import operation
from psirf.api.replies import reply
from psirf.db import unit_of_work
from psirf.events import lfpse, listing, revisions, schemas, services
from psirf.events.lfpse import ReporterKind
from psirf.events.models import EventStatus
from psirf.extensions import db
from psirf.organisations.models import Organisation
from psirf.triage.services import QueueFilters
from psirf.web.inputs import DB_INT_MAX
from psirf.web.loading import fetch


class EventQuery(PageQuery):
    status = fields.String(validate=validate.OneOf([s.value for s in EventStatus]))
    record_type = fields.String(validate=validate.OneOf([t.value for t in lfpse.RecordType]))
    harm = fields.String(
        validate=validate.OneOf([h.value for h in lfpse.PhysicalHarm]),
        metadata={"description": "The worst physical harm."},
    )
    theme = fields.String(validate=validate.OneOf([t.value for t in lfpse.Theme]))
    occurred_from = fields.Date()
    occurred_to = fields.Date()
    organisation_id = fields.Integer(validate=validate.Range(min=1, max=DB_INT_MAX))


EventPage = page_schema(schemas.EventSchema, "EventPage")


def _user():
    return current_user._get_current_object()


def event_answer(event, status: int = 200, headers: dict | None = None):
    return reply(schemas.dump(_user(), event), status, version=event.version_id, headers=headers)


@operation(
    "/events",
    summary="The events you can see, newest first",
    tag="events",
    query=EventQuery,
    response=EventPage,
)
def index(query):
    """Every event in your organisations' casework, filtered as the triage queue is."""
    # Unlike the queue's, the list's status is whatever was asked: every status when none.
    filters = QueueFilters(
        **{"status": None} | {k: v for k, v in query.items() if k not in ("cursor", "limit")}
    )
    page = listing.in_scope(db.session, _user(), filters, query.get("cursor"), page_size(query))
    return paged(page, [schemas.dump(_user(), event) for event in page.items])


@operation(
    "/events/<int:event_id>",
    summary="One event",
    tag="events",
    response=schemas.EventSchema,
)
def show(event_id):
    """The event as its page shows it; the ETag is its version."""
    return event_answer(fetch(services.get, event_id, policy.require_event_visible))


@operation(
    "/events",
    "POST",
    summary="Record an event",
    tag="events",
    body=schemas.RecordEventInput,
    response=schemas.EventSchema,
    status=201,
    errors=(403,),
)
def record(body):
    """Record an event at a service where you hold a role, as the staff form does: you are its
    reporter, it is audited and counted, and you are sent its acknowledgement."""
    organisation = db.session.get(Organisation, body.pop("organisation_id"))
    with unit_of_work(db.session):
        event = services.record_event(
            db.session,
            organisation=organisation,
            reporter_kind=ReporterKind.STAFF.value,
            reporter_user=_user(),
            **body,
        )
        event_id = event.id
    location = url_for("api.events_show", event_id=event_id)
    return event_answer(services.get(db.session, event_id), 201, {"Location": location})


@operation(
    "/events/<int:event_id>/revisions",
    "POST",
    summary="Correct an event (its next revision)",
    tag="events",
    body=schemas.ReviseEventInput,
    response=schemas.EventSchema,
    versioned=True,
)
def revise(event_id, body):
    """Save a correction, with why, as the correction page does. The fields sent replace the
    event's (`patients` replaces them all); the others keep their values."""
    event = fetch(services.get, event_id, policy.require_can_correct)
    version = locking.version_sent(body)
    reason = body.pop("reason")
    body.pop("version", None)
    details = dataclasses.replace(revisions.details_of(event), **body)
    with unit_of_work(db.session):
        revisions.revise_event(db.session, event, _user(), details, reason, version)
    return event_answer(services.get(db.session, event_id))
