"""Schemathesis against /api/v1/openapi.json, through the app (WSGI), with a lead's token:
no request makes the API fail (5xx), and every answer matches what the document says of it (its
status, content type, headers and body schema). A fixed budget of examples per operation, drawn
the same way each run, keeps it to seconds."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from psirf.api import PREFIX, load_resources
from psirf.api.openapi import document
from tests.support import app as apps_support
from tests.support.api import bearer, token_for
from tests.support.factories import SafetyEventFactory
from tests.support.world import build_world

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def contract(database):
    """One app for the module: a lead, a token, and events at their practice to read and change."""
    with apps_support.running_app(database) as app:
        world = build_world()
        events = [SafetyEventFactory(organisation=world.practice) for _ in range(3)]
        yield {
            "app": app,
            "token": token_for(world.lead),
            "event_ids": [event.id for event in events],
            "organisation_id": world.practice.id,
        }


def _document() -> dict:
    # schemathesis.pytest.from_fixture reads a private attribute pytest 9 no longer has, so the
    # document is made here, as the app makes it; the first test proves the app serves this one.
    load_resources()
    return document(PREFIX)


DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(DOCUMENT)


def test_the_document_tested_is_the_one_the_api_serves(contract):
    served = contract["app"].test_client().get("/api/v1/openapi.json")
    assert served.get_json() == DOCUMENT


def _aim_at_real_records(case, contract) -> None:
    """Half the generated ids name a real event, and half the new events a real practice, so the
    examples reach the services and not only the 404 and 403 refusals."""
    parameters = case.path_parameters or {}
    given = parameters.get("event_id")
    if isinstance(given, int) and given % 2 == 0:
        ids = contract["event_ids"]
        parameters["event_id"] = ids[parameters["event_id"] % len(ids)]
    body = case.body if isinstance(case.body, dict) else None
    if body is not None and isinstance(body.get("organisation_id"), int):
        if body["organisation_id"] % 2 == 0:
            body["organisation_id"] = contract["organisation_id"]


# Every contract test's examples: a fixed number, the same on every run (derandomised, no example
# database), with no time limit an example must keep on a loaded machine.
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@EXAMPLES
def test_the_api_keeps_its_contract(case, contract):
    _aim_at_real_records(case, contract)
    case.call_and_validate(app=contract["app"], headers=bearer(contract["token"]), checks=CHECKS)
