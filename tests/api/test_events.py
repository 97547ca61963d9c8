"""Events and triage through the JSON API: the same services and rules as the pages, refusals as
RFC 9457 problems."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from psirf.audit import AuditRecord
from psirf.events import counts
from psirf.events.models import EventRevision, SafetyEvent
from psirf.extensions import db
from psirf.timeutil import utcnow
from tests.support.api import bearer, token_for
from tests.support.factories import SafetyEventFactory
from tests.support.queries import api_statements_for
from tests.support.world import build_world

PROBLEM = "application/problem+json"


def _new_event(world) -> dict:
    return {
        "organisation_id": world.practice.id,
        "record_type": "incident",
        "occurred_on": (utcnow().date() - timedelta(days=1)).isoformat(),
        "description": "The wrong dose of methotrexate was dispensed.",
        "theme": "medication",
        "patients": [{"physical_harm": "low", "age_band": "65-74"}],
    }


def test_a_lead_records_revises_and_triages_an_event_through_the_api(app, world, client):
    headers = bearer(token_for(world.lead))

    recorded = client.post("/api/v1/events", json=_new_event(world), headers=headers)
    assert recorded.status_code == 201, recorded.get_json()
    event = recorded.get_json()
    assert recorded.headers["Location"] == f"/api/v1/events/{event['id']}"
    assert recorded.headers["ETag"] == f'"v{event["version"]}"'
    assert event["reporter"]["user_id"] == world.lead.id and event["status"] == "awaiting_triage"

    revised = client.post(
        f"/api/v1/events/{event['id']}/revisions",
        json={"patients": [{"physical_harm": "moderate"}], "reason": "The harm was reassessed"},
        headers={**headers, "If-Match": recorded.headers["ETag"]},
    )
    assert revised.status_code == 200, revised.get_json()
    assert revised.get_json()["revision"] == 2
    assert revised.get_json()["physical_harm"] == "moderate"
    assert revised.get_json()["description"] == event["description"]  # not sent, kept

    recommended = client.get(f"/api/v1/events/{event['id']}/triage", headers=headers)
    assert recommended.status_code == 200
    recommendation = recommended.get_json()
    decided = client.post(
        f"/api/v1/events/{event['id']}/triage",
        json={
            "choice": recommendation["method"],
            "rationale": "Those involved can say what happened",
            "version": recommendation["version"],
        },
        headers=headers,
    )
    assert decided.status_code == 200, decided.get_json()
    answer = decided.get_json()
    assert answer["event"]["status"] == "learning_response"
    assert answer["learning_response"]["method"] == recommendation["method"]

    stored = db.session.get(SafetyEvent, event["id"])
    assert stored.revision == 2 and stored.triaged_by_id == world.lead.id
    assert [update.kind for update in stored.updates] == ["acknowledged", "response_chosen"]
    assert counts.differences(db.session) == []
    actions = db.session.scalars(
        select(AuditRecord.action).where(AuditRecord.subject_id == event["id"])
    ).all()
    assert {"event:create", "event:revise", "event:triage"} <= set(actions)


def test_a_revoked_token_is_refused_with_a_challenge(app, world, client):
    from psirf.accounts import tokens
    from psirf.accounts.models import ApiToken

    secret = token_for(world.lead)
    token = db.session.scalars(select(ApiToken)).one()
    tokens.revoke(db.session, token, world.lead, utcnow())
    db.session.commit()

    answer = client.get("/api/v1/events", headers=bearer(secret))
    assert answer.status_code == 401
    assert answer.content_type == PROBLEM
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_refused(app, world, client):
    yesterday = utcnow() - timedelta(days=2)
    secret = token_for(world.lead, expires_on=yesterday.date(), now=yesterday)

    assert client.get("/api/v1/events", headers=bearer(secret)).status_code == 401


def test_a_missing_or_unknown_token_is_refused_and_the_cookie_is_never_read(
    app, world, client, sign_in
):
    assert client.get("/api/v1/events").status_code == 401
    assert (
        client.get("/api/v1/events", headers=bearer("psirf_00000000_" + "a" * 43)).status_code
        == 401
    )
    # Signed in on the pages, the same browser is nobody to the API.
    assert sign_in(world.lead).get("/api/v1/events").status_code == 401


def test_a_token_never_signs_anyone_in_to_the_pages(app, world, client):
    headers = bearer(token_for(world.lead))

    for path in ("/events/mine", "/account/tokens"):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 302, path
        assert answer.headers["Location"].startswith("/sign-in"), path


def test_a_read_only_token_may_read_but_not_write(app, world, client):
    headers = bearer(token_for(world.lead, scope="read"))

    assert client.get("/api/v1/events", headers=headers).status_code == 200
    refused = client.post("/api/v1/events", json=_new_event(world), headers=headers)
    assert refused.status_code == 403
    assert refused.get_json()["type"].endswith("/insufficient-scope")
    assert db.session.scalar(select(SafetyEvent.id)) is None


def test_a_stale_version_is_refused_with_409_and_a_missing_one_with_428(app, world, client):
    event = SafetyEventFactory(organisation=world.practice)
    headers = bearer(token_for(world.lead))
    correction = {"theme": "diagnosis", "reason": "It was about the diagnosis"}
    url = f"/api/v1/events/{event.id}/revisions"

    missing = client.post(url, json=correction, headers=headers)
    stale = client.post(url, json={**correction, "version": event.version_id + 1}, headers=headers)
    stale_tag = client.post(url, json=correction, headers={**headers, "If-Match": '"v99"'})

    assert missing.status_code == 428 and missing.content_type == PROBLEM
    assert stale.status_code == 409 and stale.get_json()["type"].endswith("/stale-version")
    assert stale_tag.status_code == 409
    db.session.expire_all()
    assert db.session.get(SafetyEvent, event.id).theme == "medication"
    assert db.session.scalar(select(EventRevision.id)) is None


def test_another_organisations_event_is_not_found(app, world, client):
    theirs = SafetyEventFactory(organisation=world.other_practice)
    headers = bearer(token_for(world.lead))

    for answer in (
        client.get(f"/api/v1/events/{theirs.id}", headers=headers),
        client.get(f"/api/v1/events/{theirs.id}/triage", headers=headers),
        client.post(
            f"/api/v1/events/{theirs.id}/revisions",
            json={"reason": "x", "version": 1},
            headers=headers,
        ),
    ):
        assert answer.status_code == 404 and answer.content_type == PROBLEM
    listed = client.get("/api/v1/events", headers=headers).get_json()["items"]
    assert theirs.id not in {item["id"] for item in listed}


def test_a_service_refusal_names_its_field_in_the_problem(app, world, client):
    headers = bearer(token_for(world.lead))
    future = _new_event(world) | {"occurred_on": (utcnow().date() + timedelta(days=3)).isoformat()}

    answer = client.post("/api/v1/events", json=future, headers=headers)

    assert answer.status_code == 422 and answer.content_type == PROBLEM
    problem = answer.get_json()
    assert problem["errors"] == {"occurred_on": ["The date must be today or in the past"]}
    assert problem["status"] == 422 and problem["title"] and problem["type"].endswith("/validation")


def test_a_malformed_body_names_every_field_it_refuses(app, world, client):
    headers = bearer(token_for(world.lead))

    answer = client.post(
        "/api/v1/events",
        json={"organisation_id": world.practice.id, "theme": "weather", "occurred_on": "soon"},
        headers=headers,
    )

    assert answer.status_code == 422
    errors = answer.get_json()["errors"]
    assert {"theme", "occurred_on", "record_type", "description"} <= set(errors)


def test_triage_is_refused_to_casework_that_may_only_read(app, world, client):
    event = SafetyEventFactory(organisation=world.practice)
    headers = bearer(token_for(world.icb_specialist))

    assert client.get(f"/api/v1/events/{event.id}", headers=headers).status_code == 200
    refused = client.post(
        f"/api/v1/events/{event.id}/triage",
        json={"choice": "after_action_review", "rationale": "x", "version": event.version_id},
        headers=headers,
    )
    assert refused.status_code == 403 and refused.get_json()["detail"]


def test_a_protected_reporter_is_withheld_from_all_but_the_lead(app, world, client):
    event = SafetyEventFactory(
        organisation=world.practice, reporter_user_id=world.reporter.id, identity_protected=True
    )
    lead = client.get(f"/api/v1/events/{event.id}", headers=bearer(token_for(world.lead)))
    specialist = client.get(
        f"/api/v1/events/{event.id}", headers=bearer(token_for(world.icb_specialist))
    )

    assert lead.get_json()["reporter"]["user_id"] == world.reporter.id
    assert "reporter" not in specialist.get_json()
    assert specialist.get_json()["reference"] == event.reference


def test_the_list_pages_by_cursor_with_a_next_link(app, world, client):
    for _ in range(3):
        SafetyEventFactory(organisation=world.practice)
    headers = bearer(token_for(world.lead))

    first = client.get("/api/v1/events?limit=2", headers=headers)
    second = client.get(first.get_json()["next"], headers=headers)

    assert len(first.get_json()["items"]) == 2
    assert first.headers["Link"] == f'<{first.get_json()["next"]}>; rel="next"'
    assert len(second.get_json()["items"]) == 1 and second.get_json()["next"] is None
    seen = [item["id"] for item in first.get_json()["items"] + second.get_json()["items"]]
    assert len(set(seen)) == 3
    assert client.get("/api/v1/events?limit=101", headers=headers).status_code == 422


def test_an_unreadable_cursor_is_a_bad_request_not_the_first_page(app, world, client):
    SafetyEventFactory(organisation=world.practice)
    headers = bearer(token_for(world.lead))

    for cursor in ("not-a-cursor", "e30", "%%%", "x" * 150):  # e30: {} in base64, not a list
        answer = client.get(f"/api/v1/events?cursor={cursor}", headers=headers)
        assert answer.status_code == 400, cursor
        assert answer.content_type == PROBLEM
        assert answer.get_json()["errors"]["cursor"] == ["Not a cursor from a `next` link."]
    for path in ("/api/v1/plans", "/api/v1/responses"):  # every list reads its cursor the same
        assert client.get(f"{path}?cursor=not-a-cursor", headers=headers).status_code == 400


def test_a_longer_list_of_events_costs_no_more_statements(app, world, client):
    """Each event's organisation, patients and reporter view come with the page, not per event."""
    headers = bearer(token_for(world.lead))
    url = "/api/v1/events?limit=50"

    def listed_with(count: int) -> int:
        for _ in range(count):
            SafetyEventFactory(organisation=world.practice, identity_protected=True)
        db.session.commit()
        return api_statements_for(client, url, headers)

    assert listed_with(2) == listed_with(8)


def test_the_list_filters_as_the_queue_does(app, world, client):
    SafetyEventFactory(organisation=world.practice, theme="medication")
    diagnosis = SafetyEventFactory(organisation=world.practice, theme="diagnosis")
    headers = bearer(token_for(world.lead))

    items = client.get("/api/v1/events?theme=diagnosis", headers=headers).get_json()["items"]

    assert [item["id"] for item in items] == [diagnosis.id]


def test_each_token_is_limited_in_its_requests(apps):
    with apps.running(API_RATE_LIMIT="2 per minute") as app:
        people = build_world()
        client = app.test_client()
        headers = bearer(token_for(people.lead))
        other = bearer(token_for(people.lead))
        answers = [client.get("/api/v1/events", headers=headers) for _ in range(3)]

        assert [answer.status_code for answer in answers] == [200, 200, 429]
        assert answers[-1].content_type == PROBLEM and answers[-1].headers["Retry-After"] == "60"
        assert client.get("/api/v1/events", headers=other).status_code == 200


def test_tokens_that_are_not_good_are_limited_per_address_and_a_good_one_is_not_counted(apps):
    with apps.running(API_TOKEN_LIMIT_PER_ADDRESS="2 per 15 minutes") as app:
        people = build_world()
        client = app.test_client()
        good = bearer(token_for(people.lead))
        # Good tokens give their attempt back: any number of them leave the count alone.
        assert [client.get("/api/v1/events", headers=good).status_code for _ in range(3)] == [
            200
        ] * 3
        guesses = [
            client.get("/api/v1/events", headers=bearer(f"psirf_guess{n}")) for n in range(3)
        ]
        assert [answer.status_code for answer in guesses] == [401, 401, 429]
        assert guesses[-1].content_type == PROBLEM
        assert guesses[-1].headers["Retry-After"] == str(15 * 60)
        # Another address is not held back by this one's guesses.
        other = client.get(
            "/api/v1/events", headers=good, environ_base={"REMOTE_ADDR": "192.0.2.9"}
        )
        assert other.status_code == 200
