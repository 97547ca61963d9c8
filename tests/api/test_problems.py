"""Inside /api/v1 every error, the router's and the unexpected ones too, is an RFC 9457 problem."""

from __future__ import annotations

import pytest

from psirf.events import services
from tests.support.api import bearer, token_for
from tests.support.factories import SafetyEventFactory

PROBLEM = "application/problem+json"


@pytest.fixture
def headers(world):
    return bearer(token_for(world.lead))


def test_an_unknown_address_is_a_404_problem(app, client, headers):
    answer = client.get("/api/v1/nothing-here", headers=headers)

    assert answer.status_code == 404 and answer.content_type == PROBLEM
    assert answer.get_json()["instance"] == "/api/v1/nothing-here"


def test_a_method_the_address_does_not_take_is_a_405_problem_with_allow(app, client, headers):
    answer = client.delete("/api/v1/events", headers=headers)

    assert answer.status_code == 405 and answer.content_type == PROBLEM
    assert {"GET", "POST"} <= set(answer.headers["Allow"].split(", "))


def test_a_body_that_is_not_json_is_refused(app, world, client, headers):
    as_form = client.post("/api/v1/events", data={"theme": "medication"}, headers=headers)
    not_an_object = client.post("/api/v1/events", json=["medication"], headers=headers)

    assert as_form.status_code == 415 and as_form.content_type == PROBLEM
    assert not_an_object.status_code == 400 and not_an_object.content_type == PROBLEM


def test_a_malformed_if_match_is_a_400_problem(app, world, client, headers):
    event = SafetyEventFactory(organisation=world.practice)

    answer = client.post(
        f"/api/v1/events/{event.id}/revisions",
        json={"reason": "x"},
        headers={**headers, "If-Match": "yesterday's"},
    )

    assert answer.status_code == 400 and answer.content_type == PROBLEM
    assert answer.get_json()["type"].endswith("/if-match")


def test_an_unexpected_failure_is_a_500_problem_that_tells_nothing_of_it(
    app, client, headers, monkeypatch
):
    def broken(session, event_id):
        raise RuntimeError("the secret internals")

    monkeypatch.setattr(services, "get", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    answer = client.get("/api/v1/events/1", headers=headers)

    assert answer.status_code == 500 and answer.content_type == PROBLEM
    assert "secret" not in answer.get_data(as_text=True)
