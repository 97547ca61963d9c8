"""Every API route, tried with each person's own token: 401 without one, 404 for another
organisation's object, 403 beyond the person's role or the token's scope (tests/support/api_routes.py)."""

from __future__ import annotations

import pytest

from psirf.api.registry import OPERATIONS
from tests.support.api_routes import API_ROUTES, request_api_case


def test_every_api_operation_is_in_the_table(app):
    registered = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
    }
    assert registered == set(API_ROUTES), "add these to API_ROUTES"
    assert registered == {f"api.{op.endpoint}" for op in OPERATIONS}


@pytest.mark.parametrize("endpoint", sorted(API_ROUTES))
def test_the_api_route_refuses_everyone_it_must(endpoint, shared):
    app, objects, _ = shared
    case = API_ROUTES[endpoint]
    client = app.test_client()
    who, status = case.allowed
    answer = request_api_case(client, case, objects, who)
    assert answer.status_code == status, f"{who} should get {status}: {answer.get_json()}"
    anonymous = request_api_case(client, case, objects, None)
    assert anonymous.status_code == case.anonymous
    for who, expected in case.refused.items():
        answer = request_api_case(client, case, objects, who)
        assert answer.status_code == expected, f"{endpoint}: {who} got {answer.status_code}"
        assert answer.content_type == "application/problem+json"
