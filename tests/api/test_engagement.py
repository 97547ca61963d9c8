"""Engagement through the JSON API, read only: a family token reads its own timeline (and no
one else's) in the portal's words and fewer fields; staff who see the response's engagement
read every step with the person."""

from __future__ import annotations

from datetime import date

from psirf.accounts.models import TokenScope
from psirf.extensions import db
from tests.support.api import bearer, token_for
from tests.support.engagement import (
    affected_person,
    joined_person,
    trust_led_response,
    words_of,
)
from tests.support.factories import AfterActionReviewFactory

ON = date(2026, 11, 2)
EARLIER = date(2026, 11, 1)


def _family_token(app, person) -> dict:
    from psirf.accounts.models import User

    account = db.session.get(User, person.account_id)
    return bearer(token_for(account, scope=TokenScope.READ.value))


def _joined_with_steps(world):
    review = AfterActionReviewFactory(organisation=world.practice)
    db.session.commit()
    person = joined_person(review, name="Kim Family", engagement_lead_id=world.lead.id)
    words_of(person, notes="Why was the dose not checked?", occurred_on=ON)
    words_of(
        person,
        notes="Team only: call back after clinic",
        kind="first_contact",
        shared=False,
        occurred_on=EARLIER,
    )
    return review, person


def test_a_family_token_reads_its_own_timeline_in_the_portals_words(app, world, client):
    review, person = _joined_with_steps(world)
    headers = _family_token(app, person)

    own = client.get("/api/v1/engagement/people", headers=headers)
    assert own.status_code == 200
    assert own.get_json()["items"] == [
        {
            "id": person.id,
            "organisation_name": world.practice.name,
            "started_on": person.created_at.date().isoformat(),
        }
    ]

    timeline = client.get(f"/api/v1/engagement/people/{person.id}", headers=headers)
    assert timeline.status_code == 200
    assert timeline.get_json() == {
        "person_id": person.id,
        "organisation_name": world.practice.name,
        "contact_name": world.lead.name,
        # The internal step is not there; the question is in the portal's words.
        "entries": [{"on": ON.isoformat(), "text": "You asked us a question.", "notes": None}],
    }


def test_a_family_token_gets_404_for_another_familys_person(app, world, client):
    review, person = _joined_with_steps(world)
    other = joined_person(AfterActionReviewFactory(organisation=world.practice), name="Sam Other")
    words_of(other, occurred_on=ON)

    headers = _family_token(app, person)
    refused = client.get(f"/api/v1/engagement/people/{other.id}", headers=headers)
    assert refused.status_code == 404
    assert refused.content_type == "application/problem+json"
    assert client.get("/api/v1/engagement/people/999999", headers=headers).status_code == 404


def test_staff_read_every_step_with_more_fields_than_the_family(app, world, client):
    review, person = _joined_with_steps(world)
    staff = client.get(
        f"/api/v1/engagement/people/{person.id}", headers=bearer(token_for(world.lead))
    ).get_json()
    family = client.get(
        f"/api/v1/engagement/people/{person.id}", headers=_family_token(app, person)
    ).get_json()

    assert set(staff) > set(family)
    assert staff["name"] == "Kim Family" and staff["response_id"] == review.id
    assert [(e["on"], e["kind"], e["shared"]) for e in staff["entries"]] == [
        (EARLIER.isoformat(), "first_contact", False),
        (ON.isoformat(), "question", True),
    ]
    assert set(staff["entries"][0]) > set(family["entries"][0])


def test_staff_read_a_responses_people_and_their_whole_timelines(app, world, client):
    review, person = _joined_with_steps(world)
    quiet = affected_person(review, name="Pat Patient", kind="patient")
    read = client.get(
        f"/api/v1/responses/{review.id}/engagement", headers=bearer(token_for(world.panel))
    )
    assert read.status_code == 200
    people = read.get_json()["people"]
    assert [(p["person_id"], p["name"]) for p in people] == [
        (person.id, "Kim Family"),
        (quiet.id, "Pat Patient"),
    ]
    assert [e["kind"] for e in people[0]["entries"]] == ["first_contact", "question"]
    assert people[1]["entries"] == []

    family = client.get(
        f"/api/v1/responses/{review.id}/engagement", headers=_family_token(app, person)
    )
    assert family.status_code == 404


def test_staff_outside_the_response_get_404_and_a_contributor_403(app, world, client):
    review, person = _joined_with_steps(world)
    outsider = bearer(token_for(world.other_lead))
    assert client.get(f"/api/v1/engagement/people/{person.id}", headers=outsider).status_code == 404

    trust_response, _ = trust_led_response(world)
    db.session.commit()
    theirs = affected_person(trust_response, name="Lee Patient")
    contributor = bearer(token_for(world.lead))  # the practice contributes to it
    refused = client.get(f"/api/v1/engagement/people/{theirs.id}", headers=contributor)
    assert refused.status_code == 403
    whole = client.get(f"/api/v1/responses/{trust_response.id}/engagement", headers=contributor)
    assert whole.status_code == 403


def test_the_list_of_own_reviews_is_a_family_accounts_only(app, world, client):
    refused = client.get("/api/v1/engagement/people", headers=bearer(token_for(world.lead)))
    assert refused.status_code == 403
