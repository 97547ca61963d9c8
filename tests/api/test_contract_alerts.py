"""Schemathesis over the alerts' operations, aimed at real records: half the generated ids name an
issued alert to the lead's practice (or one of its confirmations), and each call carries the
token of someone who reaches it (the practice's lead, or the ICB's specialist to record and issue),
so the examples get past the 404 and 403 refusals to the schemas of the answers."""

from __future__ import annotations

import pytest

from psirf.alerts import services
from psirf.extensions import db
from tests.api.test_contract import CHECKS, EXAMPLES, schema
from tests.support import app as apps_support
from tests.support.alerts import record
from tests.support.api import bearer, token_for
from tests.support.world import build_world

# Recording and issuing are the ICB's; reading and confirming the lead's.
ICB_OPERATIONS = {("POST", "/alerts"), ("POST", "/alerts/{alert_id}/issue")}


@pytest.fixture(scope="module")
def records(database):
    with apps_support.running_app(database, API_RATE_LIMIT="100000 per minute") as app:
        world = build_world()
        issued = record(world.icb_specialist, world.icb, kinds=("practice",), reference="C-1")
        draft = record(
            world.icb_specialist, world.icb, kinds=("practice",), reference="C-2", issue=False
        )
        confirmation = services.get_confirmation(
            db.session, issued, world.practice, issued.actions[0].id
        )
        db.session.commit()
        yield {
            "app": app,
            "tokens": {"lead": token_for(world.lead), "icb": token_for(world.icb_specialist)},
            "ids": {"alert_id": [issued.id, draft.id], "confirmation_id": [confirmation.id]},
            "organisation_id": world.icb.id,
        }


def _aim_at_real_records(case, records) -> None:
    parameters = case.path_parameters or {}
    for name, given in parameters.items():
        ids = records["ids"].get(name)
        if ids and isinstance(given, int) and given % 2 == 0:
            parameters[name] = ids[0] if name == "confirmation_id" else ids[given % len(ids)]
    if name_is_confirm(case):
        parameters["alert_id"] = records["ids"]["alert_id"][0]
    body = case.body if isinstance(case.body, dict) else None
    if body is not None and isinstance(body.get("organisation_id"), int):
        if body["organisation_id"] % 2 == 0:
            body["organisation_id"] = records["organisation_id"]


def name_is_confirm(case) -> bool:
    return case.operation.path.endswith("{confirmation_id}")


@schema.include(tag="alerts").parametrize()
@EXAMPLES
def test_the_alert_operations_keep_the_contract(case, records):
    _aim_at_real_records(case, records)
    icb = (case.method.upper(), case.operation.path) in ICB_OPERATIONS
    token = records["tokens"]["icb" if icb else "lead"]
    case.call_and_validate(app=records["app"], headers=bearer(token), checks=CHECKS)
