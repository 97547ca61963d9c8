"""Learning responses through the JSON API: the steps open to the caller with their guards'
reasons, taking one (version-checked), and saving a section, over the response page's rules."""

from __future__ import annotations

from sqlalchemy import select

from psirf.audit import AuditRecord
from psirf.extensions import db
from psirf.responses.models import LearningResponse
from tests.support.api import bearer, token_for
from tests.support.factories import (
    COMPLETE_AAR_RECORD,
    AfterActionReviewFactory,
    SafetyEventFactory,
)
from tests.support.queries import api_statements_for

PROBLEM = "application/problem+json"


def _planned(world, **values):
    review = AfterActionReviewFactory(organisation=world.practice, **values)
    db.session.commit()
    return review


def _fire(client, review, body: dict, headers: dict):
    return client.post(f"/api/v1/responses/{review.id}/steps", json=body, headers=headers)


def _state_now(review) -> str:
    db.session.expire_all()
    return db.session.get(LearningResponse, review.id).state


def _steps(client, response_id, headers) -> dict:
    answer = client.get(f"/api/v1/responses/{response_id}/steps", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return {s["trigger"]: s for s in answer.get_json()["steps"]}


def test_a_lead_completes_the_plan_and_fires_a_step_through_the_api(app, world, client):
    review = _planned(world)
    headers = bearer(token_for(world.lead))

    before = _steps(client, review.id, headers)
    assert before["hold_review"]["ready"] is False
    assert before["hold_review"]["problems"]  # what the plan still lacks, in words
    assert before["escalate"]["needs"] == ["comment"]

    read = client.get(f"/api/v1/responses/{review.id}", headers=headers)
    saved = client.post(
        f"/api/v1/responses/{review.id}/sections",
        json={"section": "plan", "answers": COMPLETE_AAR_RECORD["plan"]},
        headers={**headers, "If-Match": read.headers["ETag"]},
    )
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["record"]["plan"]["conductor"] == "Dr A Conductor"
    assert saved.headers["ETag"] == f'"v{read.get_json()["version"] + 1}"'

    assert _steps(client, review.id, headers)["hold_review"] == {
        "trigger": "hold_review",
        "label": "Mark the review as held",
        "needs": [],
        "ready": True,
        "problems": [],
    }
    fired = _fire(
        client, review, {"trigger": "hold_review", "version": saved.get_json()["version"]}, headers
    )
    assert fired.status_code == 200, fired.get_json()
    taken = fired.get_json()
    assert (taken["before"], taken["after"]) == ("planning", "in_review")
    assert taken["response"]["workflow"]["state"] == "in_review"
    assert taken["continued_as"] is None

    assert _state_now(review) == "in_review"
    audited = db.session.scalars(
        select(AuditRecord.action).where(
            AuditRecord.subject_type == "learning_responses", AuditRecord.subject_id == review.id
        )
    ).all()
    assert {"edit:plan", "transition:hold_review"} <= set(audited)


def test_a_step_whose_guards_do_not_hold_is_422_with_the_reasons(app, world, client):
    review = _planned(world)
    headers = bearer(token_for(world.lead))
    reasons = _steps(client, review.id, headers)["hold_review"]["problems"]

    refused = _fire(
        client, review, {"trigger": "hold_review", "version": review.version_id}, headers
    )
    assert refused.status_code == 422 and refused.content_type == PROBLEM
    assert refused.get_json()["errors"]["trigger"] == reasons
    assert _state_now(review) == "planning"


def test_a_step_needing_a_comment_is_refused_without_one(app, world, client):
    review = _planned(world)
    refused = _fire(
        client,
        review,
        {"trigger": "escalate", "version": review.version_id},
        bearer(token_for(world.lead)),
    )
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["trigger"] == [
        "Write a comment saying what needs to change."
    ]


def test_a_step_from_a_stale_version_is_409_and_changes_nothing(app, world, client):
    review = _planned(world, record={"plan": dict(COMPLETE_AAR_RECORD["plan"])})
    stale = review.version_id
    review.extension_reason = "Someone else changed it meanwhile"
    db.session.commit()
    assert review.version_id > stale

    refused = _fire(
        client,
        review,
        {"trigger": "hold_review"},
        {**bearer(token_for(world.lead)), "If-Match": f'"v{stale}"'},
    )
    assert refused.status_code == 409 and refused.content_type == PROBLEM
    assert _state_now(review) == "planning"


def test_a_step_its_workflow_does_not_have_is_422(app, world, client):
    review = _planned(world)
    refused = _fire(
        client, review, {"trigger": "publish", "version": 1}, bearer(token_for(world.lead))
    )
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"trigger": ["Its workflow has no step of that name."]}


def test_a_step_without_a_version_is_428(app, world, client):
    review = _planned(world)
    refused = _fire(
        client,
        review,
        {"trigger": "escalate", "comment": "It needs an investigation"},
        bearer(token_for(world.lead)),
    )
    assert refused.status_code == 428


def test_a_step_the_role_may_not_take_is_403(app, world, client):
    review = _planned(world, ready_for_panel=True, state="panel_review")
    lead = bearer(token_for(world.lead))
    assert "approve" not in _steps(client, review.id, lead)
    refused = _fire(client, review, {"trigger": "approve", "version": review.version_id}, lead)
    assert refused.status_code == 403 and refused.content_type == PROBLEM

    panel = bearer(token_for(world.panel))
    assert _steps(client, review.id, panel)["approve"]["ready"] is True


def test_a_section_is_saved_only_with_answers_its_form_would_take(app, world, client):
    review = _planned(world)
    headers = bearer(token_for(world.lead))
    version = review.version_id

    def save(section: str, answers: dict):
        return client.post(
            f"/api/v1/responses/{review.id}/sections",
            json={"section": section, "answers": answers, "version": version},
            headers=headers,
        )

    bad = save("plan", {"timing": "tepid", "review_on": "not a date", "colour": "blue"})
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]["answers"]) == {"timing", "review_on", "colour"}
    assert save("no_such_section", {}).get_json()["errors"] == {
        "section": ["Its workflow has no section of that name."]
    }
    # The review's questions are edited once the review is held, not while it is planned.
    assert save("review", {"expected": "A check"}).status_code == 403
    db.session.expire_all()
    stored = db.session.get(LearningResponse, review.id)
    assert stored.record == {} and stored.version_id == version


def test_a_section_saved_from_a_stale_version_is_409_and_a_read_only_token_403(app, world, client):
    review = _planned(world)
    stale = review.version_id
    review.extension_reason = "Someone else changed it meanwhile"
    db.session.commit()
    body = {"section": "plan", "answers": COMPLETE_AAR_RECORD["plan"], "version": stale}
    url = f"/api/v1/responses/{review.id}/sections"

    refused = client.post(url, json=body, headers=bearer(token_for(world.lead)))
    assert refused.status_code == 409 and refused.content_type == PROBLEM
    read_only = bearer(token_for(world.lead, scope="read"))
    current = {**body, "version": review.version_id}
    assert client.post(url, json=current, headers=read_only).status_code == 403
    db.session.expire_all()
    assert db.session.get(LearningResponse, review.id).record == {}


def test_the_list_pages_by_cursor_within_the_callers_scope(app, world, client):
    mine = [AfterActionReviewFactory(organisation=world.practice) for _ in range(3)]
    AfterActionReviewFactory(organisation=world.other_practice)
    db.session.commit()
    headers = bearer(token_for(world.lead))

    first = client.get("/api/v1/responses?limit=2", headers=headers).get_json()
    assert len(first["items"]) == 2 and first["next"]
    second = client.get(first["next"], headers=headers).get_json()
    assert second["next"] is None
    seen = {r["id"] for r in first["items"] + second["items"]}
    assert seen == {r.id for r in mine}


def test_another_organisations_response_is_404_and_a_family_token_403_on_the_list(
    app, world, client
):
    review = _planned(world)
    outsider = bearer(token_for(world.other_lead))
    for path in ("", "/steps"):
        assert (
            client.get(f"/api/v1/responses/{review.id}{path}", headers=outsider).status_code == 404
        )
    assert (
        client.get("/api/v1/responses", headers=bearer(token_for(world.admin))).status_code == 403
    )


def test_a_longer_list_costs_no_more_statements(app, world, client):
    """Each response's events come in one query for the page, not one for each response."""
    headers = bearer(token_for(world.lead))
    url = "/api/v1/responses?limit=50"

    def listed_with(count: int) -> int:
        for _ in range(count):
            SafetyEventFactory(
                organisation=world.practice,
                learning_response_id=_planned(world).id,
                status="learning_response",
            )
        db.session.commit()
        return api_statements_for(client, url, headers)

    assert listed_with(2) == listed_with(8)


def test_a_step_that_goes_on_as_another_response_names_it(app, world, client):
    review = _planned(world)
    headers = bearer(token_for(world.lead))
    body = {"trigger": "escalate", "comment": "It meets the PSII criteria"}
    fired = _fire(client, review, {**body, "version": review.version_id}, headers)
    assert fired.status_code == 200, fired.get_json()
    taken = fired.get_json()
    assert taken["after"] == "escalated" and taken["continued_as"] is not None
    successor = client.get(f"/api/v1/responses/{taken['continued_as']}", headers=headers)
    successor = successor.get_json()
    assert successor["method"] == "psii"
