"""The repeat presentation answer through the events API (issue 18 part 6): read, recorded and
revised as the pages do, kept for diagnosis events only, an unknown answer refused."""

from __future__ import annotations

from datetime import timedelta

from psirf.events import counts
from psirf.extensions import db
from psirf.timeutil import utcnow
from tests.support.api import bearer, token_for

PROBLEM = "application/problem+json"


def _diagnosis(world, **overrides) -> dict:
    return {
        "organisation_id": world.practice.id,
        "record_type": "incident",
        "occurred_on": (utcnow().date() - timedelta(days=1)).isoformat(),
        "description": "Fourth consultation in a month for the same headache.",
        "theme": "diagnosis",
        "patients": [{"physical_harm": "moderate"}],
    } | overrides


def test_an_event_is_recorded_read_and_revised_with_its_answer(app, world, client):
    headers = bearer(token_for(world.lead))
    recorded = client.post(
        "/api/v1/events", json=_diagnosis(world, repeat_presentation="no"), headers=headers
    )
    assert recorded.status_code == 201, recorded.get_json()
    event = recorded.get_json()
    assert event["repeat_presentation"] == "no"

    revised = client.post(
        f"/api/v1/events/{event['id']}/revisions",
        json={"repeat_presentation": "yes", "reason": "The record showed two more visits"},
        headers={**headers, "If-Match": recorded.headers["ETag"]},
    )
    assert revised.status_code == 200, revised.get_json()
    assert (revised.get_json()["revision"], revised.get_json()["repeat_presentation"]) == (2, "yes")
    read = client.get(f"/api/v1/events/{event['id']}", headers=headers).get_json()
    assert read["repeat_presentation"] == "yes"
    assert counts.differences(db.session) == []

    # Revised to another theme, the question no longer applies: the answer goes.
    moved = client.post(
        f"/api/v1/events/{event['id']}/revisions",
        json={"theme": "medication", "reason": "It was a prescribing error after all"},
        headers={**headers, "If-Match": revised.headers["ETag"]},
    )
    assert moved.status_code == 200 and moved.get_json()["repeat_presentation"] is None


def test_the_answer_is_optional_and_an_unknown_one_is_refused(app, world, client):
    headers = bearer(token_for(world.lead))
    unanswered = client.post("/api/v1/events", json=_diagnosis(world), headers=headers)
    assert unanswered.status_code == 201
    assert unanswered.get_json()["repeat_presentation"] is None

    refused = client.post(
        "/api/v1/events", json=_diagnosis(world, repeat_presentation="often"), headers=headers
    )
    assert refused.status_code in (400, 422) and refused.content_type == PROBLEM
    assert "repeat_presentation" in str(refused.get_json())


def test_the_openapi_document_lists_the_answers(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    field = spec["components"]["schemas"]["Event"]["properties"]["repeat_presentation"]
    assert set(field["enum"]) >= {"yes", "no", "not_known"}
