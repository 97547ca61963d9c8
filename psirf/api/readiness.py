"""Readiness against the strategy's local commitments: the map's rows and totals, one
organisation's standing, and recording a commitment, by the readiness pages' own services and
policy (psirf.policy.readiness)."""

from __future__ import annotations

from flask_login import current_user

from psirf import policy
from psirf.api import locking
from psirf.api.paging import PageQuery, page_schema, page_size, paged
from psirf.api.registry import operation
from psirf.api.replies import reply
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.problems import InputError
from psirf.readiness import commitments, overview, schemas, services
from psirf.readiness import training
from psirf.readiness.models import StaffMember
from psirf.web.loading import fetch, found
from psirf.web.pagination import keyset_page

_ROW = schemas.MapRowSchema()
_READINESS = schemas.ReadinessSchema()
_TOTALS = schemas.TotalsSchema()
_MEMBER = schemas.StaffMemberSchema()
MapPage = page_schema(schemas.MapRowSchema, "ReadinessMapPage")
StaffPage = page_schema(schemas.StaffMemberSchema, "ReadinessStaffPage")


class MapQuery(PageQuery, schemas.MapFilterSchema):
    pass


class StaffListQuery(PageQuery, schemas.StaffQuery):
    pass


def _user():
    return current_user._get_current_object()


def _filters(query: dict) -> overview.Filters:
    policy.require_readiness_map(_user())
    groups = overview.visible_groups(db.session, _user())
    args = {k: str(query[k]) for k in ("group", "kind") if query.get(k) is not None}
    return overview.filters_from(args, groups, strict=True)


def _row(row: overview.Row) -> dict:
    return {
        "organisation": row.organisation,
        "cells": [
            {"commitment": c.key, **vars(cell)}
            for c, cell in zip(commitments.all_commitments(), row.cells)
        ],
    }


@operation(
    "/readiness/map",
    summary="The readiness map: each organisation by commitment",
    tag="readiness",
    query=MapQuery,
    response=MapPage,
    errors=(403,),
)
def map_rows(query):
    """The organisations whose readiness you read, by name, each with a cell per commitment (as
    the map page and its CSV show them); filtered by PCN or federation and kind."""
    filters = _filters(query)
    page = overview.page(db.session, _user(), filters, query.get("cursor"), page_size(query))
    return paged(page, [_ROW.dump(_row(r)) for r in page.rows])


@operation(
    "/readiness/totals",
    summary="The readiness map's totals: the share in place per commitment",
    tag="readiness",
    query=schemas.MapFilterSchema,
    response=schemas.TotalsSchema,
    errors=(403,),
)
def totals(query):
    """How many organisations each commitment applies to and how many have it in place."""
    count, found = overview.totals(db.session, _user(), _filters(query))
    return reply(_TOTALS.dump({"organisations": count, "totals": found}))


def _organisation(organisation_id):
    return fetch(services.get_organisation, organisation_id, policy.require_readiness_visible)


def _readiness(organisation) -> dict:
    return _READINESS.dump(
        {"organisation": organisation, "commitments": services.standings(db.session, organisation)}
    )


@operation(
    "/readiness/organisations/<int:organisation_id>",
    summary="One organisation's readiness",
    tag="readiness",
    response=schemas.ReadinessSchema,
)
def show(organisation_id):
    """Each commitment that applies to the organisation: where it stands, its evidence, who
    recorded and who confirmed it; each with its own version."""
    return reply(_readiness(_organisation(organisation_id)))


@operation(
    "/readiness/organisations/<int:organisation_id>/commitments/<key>",
    "POST",
    summary="Record where an organisation stands on a commitment",
    tag="readiness",
    body=schemas.RecordInput,
    response=schemas.ReadinessSchema,
    versioned=True,
    errors=(403,),
)
def record(organisation_id, key, body):
    """The status (for the commitments measured by status) and the evidence: a note, a date and
    a link to the document. The organisation's patient safety lead or executive lead (a group's
    review panel) records; 409 when the record changed since the version sent."""
    organisation = _organisation(organisation_id)
    policy.require_may_record_readiness(_user(), organisation)
    version = locking.version_sent(body)
    with unit_of_work(db.session):
        services.record_evidence(
            db.session,
            _user(),
            organisation,
            key,
            status=body.get("status"),
            route=body.get("route"),
            note=body.get("note"),
            evidence_on=body.get("evidence_on"),
            evidence_url=body.get("evidence_url"),
            expected_version=version,
        )
    return reply(_readiness(services.get_organisation(db.session, organisation_id)))


# ---- staff and their syllabus training ----------------------------------------------------------


@operation(
    "/readiness/organisations/<int:organisation_id>/staff",
    summary="An organisation's staff and their syllabus training",
    tag="readiness",
    query=StaffListQuery,
    response=StaffPage,
)
def staff(organisation_id, query):
    """Everyone listed, newest first, with the levels they completed; those who have left carry
    the date (`current=true` for those still there)."""
    organisation = _organisation(organisation_id)
    stmt = training.everyone_listed(organisation, current_only=bool(query.get("current")))
    page = keyset_page(db.session, stmt, StaffMember, query.get("cursor"), page_size(query))
    return paged(page, [_MEMBER.dump(m) for m in page.items])


@operation(
    "/readiness/organisations/<int:organisation_id>/staff/<int:member_id>/left",
    "POST",
    summary="Mark a member of staff as having left",
    tag="readiness",
    body=schemas.LeftInput,
    response=schemas.StaffMemberSchema,
    errors=(403,),
)
def staff_left(organisation_id, member_id, body):
    """They stay listed with their training, no longer counted in the syllabus shares; listing
    their email address again brings them back. 422 when they are already marked as left."""
    organisation = _organisation(organisation_id)
    policy.require_may_record_readiness(_user(), organisation)
    member = found(training.member_of(db.session, organisation, member_id))
    with unit_of_work(db.session):
        training.mark_left(db.session, _user(), member, body["left_on"])
    return reply(_MEMBER.dump(db.session.get(StaffMember, member_id)))


def _own_training() -> dict:
    return {
        "organisations": [
            {
                "organisation": organisation,
                "listed": member is not None,
                "left_on": member.left_on if member else None,
                "completions": member.completions if member else [],
            }
            for organisation, member in training.own_training(db.session, _user())
        ]
    }


def _require_training_places() -> list:
    places = policy.training_organisations(_user())
    if not places:
        raise policy.NotPermitted(
            "Only staff of a service, PCN or federation record their own training."
        )
    return places


@operation(
    "/readiness/my-training",
    summary="Your own syllabus training, at each organisation where you work",
    tag="readiness",
    response=schemas.OwnTrainingListSchema,
    errors=(403,),
)
def my_training():
    _require_training_places()
    return reply(schemas.OwnTrainingListSchema().dump(_own_training()))


@operation(
    "/readiness/my-training",
    "POST",
    summary="Record your own completion of a syllabus level",
    tag="readiness",
    body=schemas.OwnTrainingInput,
    response=schemas.OwnTrainingListSchema,
    errors=(403,),
)
def record_my_training(body):
    """Level 1 or 2 and the date you completed it, at an organisation where you work (you are
    added to its staff list the first time); a second time corrects the date."""
    places = _require_training_places()
    chosen = next((o for o in places if o.id == body["organisation_id"]), None)
    with unit_of_work(db.session):
        if chosen is None:
            raise InputError("organisation_id", "Choose an organisation where you work")
        training.record_own_completion(
            db.session, _user(), chosen, body["level"], body["completed_on"]
        )
    return reply(schemas.OwnTrainingListSchema().dump(_own_training()))
