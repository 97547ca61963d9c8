"""The pharmacy near-miss log: list the log, log one, read one, promote one to a safety event, and
the summaries by month and by medicine. The same services and policy as the pages."""

from __future__ import annotations

from datetime import date

from flask import url_for
from flask_login import current_user

from psirf import policy
from psirf.api import locking
from psirf.api.paging import PageQuery, page_schema, page_size, paged
from psirf.api.registry import operation
from psirf.api.replies import reply
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.nearmiss import schemas, services
from psirf.timeutil import utcnow
from psirf.web.loading import fetch

_NEAR_MISS = schemas.NearMissSchema()
NearMissPage = page_schema(schemas.NearMissSchema, "NearMissPage")


def _user():
    return current_user._get_current_object()


def _answer(near_miss, status: int = 200, headers: dict | None = None):
    return reply(_NEAR_MISS.dump(near_miss), status, version=near_miss.version_id, headers=headers)


@operation(
    "/near-misses",
    summary="Your pharmacies' near-miss log, newest first",
    tag="near_misses",
    query=PageQuery,
    response=NearMissPage,
    errors=(403,),
)
def index(query):
    """For a community pharmacy's staff only."""
    policy.require_near_miss_log(_user())
    page = services.listing(db.session, _user(), query.get("cursor"), page_size(query))
    return paged(page, [_NEAR_MISS.dump(n) for n in page.items])


@operation(
    "/near-misses/summary",
    summary="Near misses by month and, for one month, by medicine and by error",
    tag="near_misses",
    query=schemas.SummaryQuery,
    response=schemas.SummarySchema,
    errors=(403,),
)
def summary(query):
    """The twelve months to `month` (this month unless given), across your pharmacies."""
    policy.require_near_miss_log(_user())
    if query.get("month"):
        year, month = query["month"].split("-")
        first = date(int(year), int(month), 1)
    else:
        first = utcnow().date().replace(day=1)
    return reply(schemas.SummarySchema().dump(services.summary(db.session, _user(), first)))


@operation(
    "/near-misses",
    "POST",
    summary="Log a near miss",
    tag="near_misses",
    body=schemas.LogNearMissInput,
    response=schemas.NearMissSchema,
    status=201,
)
def record(body):
    """At a pharmacy where you hold a role, as the bench form does. Not sent to LFPSE."""
    policy.require_near_miss_log(_user())
    with unit_of_work(db.session):
        near_miss = services.log_near_miss(db.session, _user(), services.NearMissDetails(**body))
        near_miss_id = near_miss.id
    location = url_for("api.near_misses_show", near_miss_id=near_miss_id)
    return _answer(
        services.get_visible(db.session, _user(), near_miss_id), 201, {"Location": location}
    )


@operation(
    "/near-misses/<int:near_miss_id>",
    summary="One near miss",
    tag="near_misses",
    response=schemas.NearMissSchema,
)
def show(near_miss_id):
    """The near miss as its page shows it; the ETag is its version."""
    return _answer(fetch(services.get_visible, near_miss_id, scoped=True))


@operation(
    "/near-misses/<int:near_miss_id>/promotion",
    "POST",
    summary="Make a near miss a safety event",
    tag="near_misses",
    body=schemas.PromoteInput,
    response=schemas.NearMissSchema,
    status=201,
    versioned=True,
)
def promote(near_miss_id, body):
    """Records a safety event from it (its fields carried over) through the events' service, once:
    a second promotion is 409. The pharmacy's patient safety lead's."""
    near_miss = fetch(services.get_visible, near_miss_id, scoped=True)
    policy.require_may_promote_near_miss(_user(), near_miss)
    version = locking.version_sent(body)
    with unit_of_work(db.session):
        event = services.promote(db.session, _user(), near_miss, version)
        event_id = event.id
    location = url_for("api.events_show", event_id=event_id)
    return _answer(
        services.get_visible(db.session, _user(), near_miss_id), 201, {"Location": location}
    )
