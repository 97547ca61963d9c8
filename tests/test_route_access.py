"""Every registered route, tried by people who must be refused: another organisation gets 404
(the object's existence is not revealed), a lesser role inside the scope gets 403.

The table of routes and cases is tests/support/routes.py.
"""

from __future__ import annotations

import pytest

from tests.support.api_routes import API_ROUTES
from tests.support.routes import NOT_SIGNED_IN, PUBLIC, PUBLIC_PREFIXES, ROUTES, request_case


def test_every_route_is_in_the_table(app):
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    unprotected = {e for e in registered if e in PUBLIC or e.startswith(PUBLIC_PREFIXES)}
    # The JSON API's routes have their table (tried with tokens, not cookies): tests/api.
    tables = set(ROUTES) | set(API_ROUTES)
    assert registered - unprotected - tables == set(), "add these routes to ROUTES"
    assert tables - registered == set(), "these routes no longer exist"


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_the_route_refuses_everyone_it_must(endpoint, shared):
    app, objects, sign_in = shared
    case = ROUTES[endpoint]
    who, status = case.allowed
    assert request_case(sign_in(who), case, objects).status_code == status, (
        f"{who} should get {status}"
    )
    assert request_case(app.test_client(), case, objects).status_code == NOT_SIGNED_IN
    for who, expected in case.refused.items():
        got = request_case(sign_in(who), case, objects).status_code
        assert got == expected, f"{endpoint}: {who} got {got}, expected {expected}"
