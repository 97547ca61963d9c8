"""National patient safety alerts: the alerts you see, recording one (a draft) and issuing it, an
alert's confirmations in your view, and a service's lead confirming an action.

The same services and policy as the alerts pages (psirf.alerts): a draft is seen only by those who
record alerts for its organisation; a service's confirmations by its own casework, its PCN's panel
and its ICB; an action is confirmed by the service's patient safety or executive lead.
"""

from __future__ import annotations

from flask import make_response
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from psirf import policy
from psirf.alerts import schemas, services
from psirf.alerts.models import AlertConfirmation
from psirf.api import locking
from psirf.api.paging import PageQuery, page_schema, page_size, paged
from psirf.api.registry import operation
from psirf.api.replies import reply
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.timeutil import utcnow
from psirf.web.loading import found
from psirf.web.pagination import keyset_page

_ALERT = schemas.AlertSchema()
AlertPage = page_schema(schemas.AlertSchema, "AlertPage")
ConfirmationPage = page_schema(schemas.ConfirmationSchema, "ConfirmationPage")


class ConfirmationListQuery(PageQuery, schemas.ConfirmationQuery):
    pass


def _user():
    return current_user._get_current_object()


def _alert(alert_id: int):
    return services.get_visible(db.session, _user(), alert_id)


@operation(
    "/alerts",
    summary="The patient safety alerts you can see, newest first",
    tag="alerts",
    query=PageQuery,
    response=AlertPage,
    errors=(403,),
)
def index(query):
    policy.require_alerts_user(_user())
    page = services.listing(db.session, _user(), query.get("cursor"), page_size(query))
    return paged(page, [_ALERT.dump(a) for a in page.items])


@operation(
    "/alerts",
    "POST",
    summary="Record a patient safety alert (a draft)",
    tag="alerts",
    body=schemas.AlertInput,
    response=schemas.AlertSchema,
    status=201,
    errors=(403,),
)
def record(body):
    """A draft with its actions: nothing is sent to the services until it is issued."""
    policy.require_may_record_alerts(_user())
    with unit_of_work(db.session):
        alert = services.create(
            db.session,
            _user(),
            body["organisation_id"],
            body["reference"],
            body["title"],
            body["issued_on"],
            body["link"],
            body["service_kinds"],
            [(a["description"], a["deadline"]) for a in body["actions"]],
        )
    alert = _alert(alert.id)
    return reply(_ALERT.dump(alert), 201, version=alert.version_id)


@operation(
    "/alerts/<int:alert_id>",
    summary="One patient safety alert",
    tag="alerts",
    response=schemas.AlertSchema,
)
def show(alert_id):
    """The alert and its actions; the ETag is its version."""
    alert = _alert(alert_id)
    return reply(_ALERT.dump(alert), version=alert.version_id)


@operation(
    "/alerts/<int:alert_id>",
    "PATCH",
    summary="Change a draft alert's details",
    tag="alerts",
    body=schemas.EditInput,
    response=schemas.AlertSchema,
    versioned=True,
    errors=(403,),
)
def edit(alert_id, body):
    """Its reference, title, issue date, link and the service types it applies to; a field left
    out keeps its value. An issued alert's details are fixed (422). 409 when it changed since the
    version you read."""
    alert = _alert(alert_id)
    policy.require_may_manage_alert(_user(), alert)
    version = locking.require_current(alert, body)
    current = {
        "reference": alert.reference,
        "title": alert.title,
        "issued_on": alert.issued_on,
        "link": alert.link,
        "service_kinds": alert.kinds,
    }
    values = [body.get(name, value) for name, value in current.items()]
    with unit_of_work(db.session):
        services.edit(db.session, _user(), alert, *values, version)
    alert = _alert(alert_id)
    return reply(_ALERT.dump(alert), version=alert.version_id)


@operation(
    "/alerts/<int:alert_id>",
    "DELETE",
    summary="Delete a draft alert",
    tag="alerts",
    status=204,
    versioned=True,
    errors=(403,),
)
def delete(alert_id):
    """A draft and its actions, sent to no one yet (If-Match: its ETag); the audit trail keeps
    what it was. An issued alert is never deleted (422)."""
    alert = _alert(alert_id)
    policy.require_may_manage_alert(_user(), alert)
    version = locking.require_current(alert)
    with unit_of_work(db.session):
        services.delete_draft(db.session, _user(), alert, version)
    return make_response("", 204)


@operation(
    "/alerts/<int:alert_id>/issue",
    "POST",
    summary="Issue a draft alert to the services it applies to",
    tag="alerts",
    body=schemas.IssueInput,
    response=schemas.AlertSchema,
    versioned=True,
    errors=(403,),
)
def issue(alert_id, body):
    """Sends it to every service of its types (in the ICB, or among the PCN's members); its
    actions are fixed from then. 409 when it changed since the version you read."""
    alert = _alert(alert_id)
    policy.require_may_manage_alert(_user(), alert)
    version = locking.require_current(alert, body)
    with unit_of_work(db.session):
        services.issue(db.session, _user(), alert, version)
    alert = _alert(alert_id)
    return reply(_ALERT.dump(alert), version=alert.version_id)


@operation(
    "/alerts/<int:alert_id>/confirmations",
    summary="An alert's confirmations, for the services you can see",
    tag="alerts",
    query=ConfirmationListQuery,
    response=ConfirmationPage,
)
def confirmations(alert_id, query):
    """One per service and action; `overdue=true` for those not done or not applicable by their
    deadline."""
    alert = _alert(alert_id)
    today = utcnow().date()
    stmt = (
        select(AlertConfirmation)
        .where(
            AlertConfirmation.alert_id == alert.id,
            policy.alert_progress_scope(_user(), AlertConfirmation.organisation_id),
        )
        .options(
            joinedload(AlertConfirmation.organisation),
            joinedload(AlertConfirmation.confirmed_by),
        )
    )
    if query.get("overdue"):
        stmt = stmt.where(services.overdue_clause(today))
    page = keyset_page(db.session, stmt, AlertConfirmation, query.get("cursor"), page_size(query))
    return paged(page, [schemas.dump_confirmation(c, today) for c in page.items])


@operation(
    "/alerts/<int:alert_id>/confirmations/<int:confirmation_id>",
    "POST",
    summary="Confirm an action for your service",
    tag="alerts",
    body=schemas.ConfirmInput,
    response=schemas.ConfirmationSchema,
    versioned=True,
    errors=(403,),
)
def confirm(alert_id, confirmation_id, body):
    """Done (with the date), not applicable (with the reason) or in progress (with the date it is
    expected); the earlier answer stays in its history. 409 when someone confirmed it since."""
    alert = _alert(alert_id)
    confirmation = found(services.confirmation_of(db.session, alert, confirmation_id))
    policy.require_alert_progress_visible(_user(), confirmation.organisation)
    policy.require_may_confirm_alert_actions(_user(), confirmation.organisation)
    version = locking.require_current(confirmation, body)
    today = utcnow().date()
    answer = services.Answer(
        body["status"],
        body.get("note"),
        body.get("reason"),
        body.get("expected_on"),
        body.get("done_on"),
    )
    with unit_of_work(db.session):
        services.confirm(db.session, _user(), confirmation, answer, version, today)
    confirmation = db.session.get(AlertConfirmation, confirmation_id)
    return reply(schemas.dump_confirmation(confirmation, today), version=confirmation.version_id)
