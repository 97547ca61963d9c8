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
from psirf.readiness import commitments, overview, schemas, services
from psirf.web.loading import fetch

_ROW = schemas.MapRowSchema()
_READINESS = schemas.ReadinessSchema()
_TOTALS = schemas.TotalsSchema()
MapPage = page_schema(schemas.MapRowSchema, "ReadinessMapPage")


class MapQuery(PageQuery, schemas.MapFilterSchema):
    pass


def _user():
    return current_user._get_current_object()


def _filters(query: dict) -> overview.Filters:
    policy.require_readiness_map(_user())
    groups = overview.visible_groups(db.session, _user())
    args = {k: str(query[k]) for k in ("group", "kind") if query.get(k) is not None}
    return overview.filters_from(args, groups)


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
