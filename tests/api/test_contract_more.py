"""Schemathesis over the learning responses', engagement, safety actions', plans' and dashboards'
operations, aimed at real records: half the generated ids name one of them, and each tag is called
with the token of someone who reaches it, so the examples get past the 404 and 403 refusals to the
schemas of the answers. The whole document's run is tests/api/test_contract.py."""

from __future__ import annotations

import pytest

from psirf.extensions import db
from tests.api.test_contract import CHECKS, EXAMPLES, schema
from tests.support import app as apps_support
from tests.support.api import bearer, token_for
from tests.support.engagement import joined_person, words_of
from tests.support.factories import AfterActionReviewFactory, SafetyActionFactory
from tests.support.plan_factories import PlanFactory
from tests.support.world import build_world

TAGS = ("responses", "engagement", "actions", "plans", "dashboards")
# Who reaches each tag's records: the practice's lead, except the PCN's plans and dashboards.
CALLER = {"plans": "panel", "dashboards": "icb_quality"}


@pytest.fixture(scope="module")
def records(database):
    # Several hundred calls a token in a few seconds: the limit is not what is tested here.
    with apps_support.running_app(database, API_RATE_LIMIT="100000 per minute") as app:
        world = build_world()
        review = AfterActionReviewFactory(organisation=world.practice)
        ready = AfterActionReviewFactory(organisation=world.practice, ready_for_panel=True)
        db.session.commit()
        person = joined_person(review, name="Kim Family")
        words_of(person)
        plan = PlanFactory(organisation=world.pcn, created_by=world.panel)
        db.session.commit()
        yield {
            "app": app,
            "tokens": {
                who: token_for(getattr(world, who)) for who in ("lead", "panel", "icb_quality")
            },
            "ids": {
                "response_id": [review.id, ready.id],
                "action_id": [a.id for a in ready.safety_actions]
                + [SafetyActionFactory(response=review).id],
                "person_id": [person.id],
                "plan_id": [plan.id],
                "group_id": [world.pcn.id],
            },
        }


def _aim_at_real_records(case, ids: dict) -> None:
    parameters = case.path_parameters or {}
    for name, given in parameters.items():
        if name in ids and isinstance(given, int) and given % 2 == 0:
            parameters[name] = ids[name][given % len(ids[name])]


@schema.include(tag=list(TAGS)).parametrize()
@EXAMPLES
def test_these_operations_keep_the_contract(case, records):
    _aim_at_real_records(case, records["ids"])
    tag = case.operation.tags[0] if case.operation.tags else ""
    token = records["tokens"][CALLER.get(tag, "lead")]
    case.call_and_validate(app=records["app"], headers=bearer(token), checks=CHECKS)
