"""Schemathesis over the learning bulletins' operations, aimed at real records: half the generated
ids name a bulletin of North PCN (a draft and a published one) or one of their points, called with
its review panel's token, so the examples get past the 404s to the schemas of the answers."""

from __future__ import annotations

import pytest

from tests.api.test_contract import CHECKS, EXAMPLES, schema
from tests.support import app as apps_support
from tests.support.api import bearer, token_for
from tests.support.bulletins import make_bulletin
from tests.support.world import build_world


@pytest.fixture(scope="module")
def records(database):
    with apps_support.running_app(database, API_RATE_LIMIT="100000 per minute") as app:
        world = build_world()
        draft = make_bulletin(world.pcn, world.panel)
        published = make_bulletin(
            world.pcn, world.panel, state="published", start=draft.period_end.replace(month=1)
        )
        yield {
            "app": app,
            "token": token_for(world.panel),
            "ids": {
                "bulletin_id": [draft.id, published.id],
                "point_id": [p.id for p in draft.points],
            },
        }


@schema.include(tag="bulletins").parametrize()
@EXAMPLES
def test_the_bulletin_operations_keep_the_contract(case, records):
    for name, given in (case.path_parameters or {}).items():
        ids = records["ids"].get(name)
        if ids and isinstance(given, int) and given % 2 == 0:
            case.path_parameters[name] = ids[given % len(ids)]
    case.call_and_validate(app=records["app"], headers=bearer(records["token"]), checks=CHECKS)
