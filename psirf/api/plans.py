"""PSIRF plans, read only: the plans you see and one plan, by the plans pages' own listing and
policy (a PCN's panel and its member services; its ICB once it has been submitted)."""

from __future__ import annotations

from flask_login import current_user

from psirf import policy
from psirf.api.paging import PageQuery, page_schema, page_size, paged
from psirf.api.registry import operation
from psirf.api.replies import reply
from psirf.extensions import db
from psirf.plans import schemas, services
from psirf.web.loading import fetch

_PLAN = schemas.PlanSchema()
PlanPage = page_schema(schemas.PlanSchema, "PlanPage")


@operation(
    "/plans",
    summary="The PSIRF plans you can see, newest first",
    tag="plans",
    query=PageQuery,
    response=PlanPage,
    errors=(403,),
)
def index(query):
    user = current_user._get_current_object()
    policy.require_casework_role(user, "Your role does not include PSIRF plans.")
    page = services.listing(db.session, user, query.get("cursor"), page_size(query))
    return paged(page, [_PLAN.dump(p) for p in page.items])


@operation(
    "/plans/<int:plan_id>",
    summary="One PSIRF plan",
    tag="plans",
    response=schemas.PlanSchema,
)
def show(plan_id):
    """The plan's state and content; the ETag is its version."""
    plan = fetch(services.get, plan_id, policy.require_plan_visible)
    return reply(_PLAN.dump(plan), version=plan.version_id)
