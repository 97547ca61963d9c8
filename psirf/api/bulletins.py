"""Learning bulletins: the ones you read, one bulletin, drafting one, editing its text, editing or
removing a point and publishing it, by the pages' own services and policy (a group's review panel or the
ICB's roles write; the area's member services read it once published)."""

from __future__ import annotations

from flask_login import current_user

from psirf import policy
from psirf.api import locking
from psirf.api.paging import PageQuery, page_schema, page_size, paged
from psirf.api.registry import operation
from psirf.api.replies import reply
from psirf.bulletins import periods, schemas, services
from psirf.bulletins.models import TEXT_FIELDS
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.timeutil import utcnow
from psirf.web.loading import fetch

BulletinPage = page_schema(schemas.BulletinSchema, "BulletinPage")


class BulletinListQuery(PageQuery, schemas.BulletinQuery):
    pass


def _user():
    return current_user._get_current_object()


def _visible(bulletin_id: int):
    return fetch(services.get, bulletin_id, policy.require_bulletin_visible)


def _answer(bulletin, status: int = 200):
    bulletin = services.get(db.session, bulletin.id)
    return reply(schemas.dump(_user(), bulletin), status, version=bulletin.version_id)


@operation(
    "/bulletins",
    summary="The learning bulletins you can read, newest first",
    tag="bulletins",
    query=BulletinListQuery,
    response=BulletinPage,
    errors=(403,),
)
def index(query):
    user = _user()
    policy.require_staff(user, "Learning bulletins are for people working in care.")
    page = services.listing(
        db.session, user, query.get("cursor"), page_size(query), query.get("organisation_id")
    )
    return paged(page, [schemas.dump(user, b) for b in page.items])


@operation(
    "/bulletins/<int:bulletin_id>",
    summary="One learning bulletin",
    tag="bulletins",
    response=schemas.BulletinSchema,
)
def show(bulletin_id):
    """The bulletin with its points; the ETag is its version. A draft is read by its authors only."""
    return _answer(_visible(bulletin_id))


@operation(
    "/bulletins",
    "POST",
    summary="Draft a learning bulletin",
    tag="bulletins",
    body=schemas.GenerateInput,
    response=schemas.BulletinSchema,
    status=201,
    errors=(403,),
)
def generate(body):
    """Draft the bulletin of a PCN, federation or ICB you write for, from its records: the last
    whole quarter unless you name the period (whole months, at most a year)."""
    user = _user()
    policy.require_bulletin_writer(user)
    today = utcnow().date()
    start, end = body.get("period_start"), body.get("period_end")
    if start is None and end is None:
        start, end = periods.default_period(today)
    with unit_of_work(db.session):
        bulletin = services.generate(db.session, user, body["organisation_id"], start, end, today)
    return _answer(bulletin, 201)


def _change(bulletin_id: int, body: dict | None, apply):
    """A change to a draft its author may make: checked by the policy, made from the version sent
    (If-Match or the body's), in one transaction; answered with the bulletin as it now is."""
    bulletin = _visible(bulletin_id)
    policy.require_may_write_bulletin(_user(), bulletin)
    version = locking.version_sent(body)
    with unit_of_work(db.session):
        apply(bulletin, version)
    return _answer(bulletin)


@operation(
    "/bulletins/<int:bulletin_id>/text",
    "POST",
    summary="Edit a draft bulletin's text",
    tag="bulletins",
    body=schemas.TextInput,
    response=schemas.BulletinSchema,
    versioned=True,
    errors=(403,),
)
def save_text(bulletin_id, body):
    """Save the sections' text you send; details that could identify someone are replaced."""
    values = {f: body[f] for f in TEXT_FIELDS if f in body}
    return _change(
        bulletin_id,
        body,
        lambda bulletin, version: services.save_text(
            db.session, _user(), bulletin, values, version
        ),
    )


@operation(
    "/bulletins/<int:bulletin_id>/points/<int:point_id>",
    "POST",
    summary="Edit a point of a draft bulletin",
    tag="bulletins",
    body=schemas.PointInput,
    response=schemas.BulletinSchema,
    versioned=True,
    errors=(403,),
)
def edit_point(bulletin_id, point_id, body):
    """Save the point's title or text you send; details that could identify someone are
    replaced. A theme's text is not shown in the bulletin: change its title."""
    values = {f: body[f] for f in ("title", "body") if f in body}
    return _change(
        bulletin_id,
        body,
        lambda bulletin, version: services.edit_point(
            db.session, _user(), bulletin, point_id, values, version
        ),
    )


@operation(
    "/bulletins/<int:bulletin_id>/points/<int:point_id>",
    "DELETE",
    summary="Remove a point from a draft bulletin",
    tag="bulletins",
    response=schemas.BulletinSchema,
    versioned=True,
    errors=(403,),
)
def remove_point(bulletin_id, point_id):
    return _change(
        bulletin_id,
        None,
        lambda bulletin, version: services.remove_point(
            db.session, _user(), bulletin, point_id, version
        ),
    )


@operation(
    "/bulletins/<int:bulletin_id>/publish",
    "POST",
    summary="Publish a draft bulletin to its member services",
    tag="bulletins",
    body=schemas.VersionInput,
    response=schemas.BulletinSchema,
    versioned=True,
    errors=(403,),
)
def publish(bulletin_id, body):
    """Publish it: every text is redacted once more, and it can no longer be changed."""
    return _change(
        bulletin_id,
        body,
        lambda bulletin, version: services.publish(
            db.session, _user(), bulletin, version, utcnow()
        ),
    )
