"""Learning bulletins through the JSON API: drafted, edited from the version read (If-Match),
a point removed, published; the readers' view leaves out what each point was drawn from."""

from __future__ import annotations

from datetime import date

from psirf.extensions import db
from tests.support.api import bearer, token_for
from tests.support.bulletins import END, START, make_bulletin
from tests.support.factories import SafetyEventFactory
from tests.support.library import NHS_NUMBER, PATIENT


def test_a_bulletin_is_drafted_edited_and_published_through_the_api(client, world):
    SafetyEventFactory(organisation=world.practice, occurred_on=date(2026, 8, 4))
    SafetyEventFactory(organisation=world.practice, occurred_on=date(2026, 8, 5))
    SafetyEventFactory(organisation=world.practice, occurred_on=date(2026, 8, 6), theme="access")
    db.session.commit()
    panel = bearer(token_for(world.panel))
    made = client.post(
        "/api/v1/bulletins",
        json={
            "organisation_id": world.pcn.id,
            "period_start": START.isoformat(),
            "period_end": END.isoformat(),
        },
        headers=panel,
    )
    assert made.status_code == 201, made.json
    bulletin = made.json
    assert bulletin["state"] == "draft" and bulletin["period_label"] == "July to September 2026"
    assert bulletin["points"][0]["source"] == "theme:medication"
    url = f"/api/v1/bulletins/{bulletin['id']}"

    edited = client.post(
        f"{url}/text",
        json={"introduction": f"With thanks to {PATIENT}, NHS number {NHS_NUMBER}."},
        headers={**panel, "If-Match": made.headers["ETag"]},
    )
    assert edited.status_code == 200
    assert edited.json["introduction"] == "With thanks to [name], NHS number [NHS number]."
    stale = client.post(
        f"{url}/text",
        json={"introduction": "Late"},
        headers={**panel, "If-Match": made.headers["ETag"]},
    )
    assert stale.status_code == 409

    point = edited.json["points"][0]["id"]
    removed = client.delete(
        f"{url}/points/{point}", headers={**panel, "If-Match": edited.headers["ETag"]}
    )
    assert removed.status_code == 200
    assert point not in [p["id"] for p in removed.json["points"]]

    lead = bearer(token_for(world.lead))
    assert client.get(url, headers=lead).status_code == 404  # a draft: its authors only

    published = client.post(
        f"{url}/publish", json={"version": removed.json["version"]}, headers=panel
    )
    assert published.status_code == 200 and published.json["state"] == "published"
    assert client.post(f"{url}/publish", json={"version": 99}, headers=panel).status_code == 403

    read = client.get(url, headers=lead)
    assert read.status_code == 200
    assert read.json["id"] == bulletin["id"]
    listed = client.get("/api/v1/bulletins", headers=lead).json
    assert [b["id"] for b in listed["items"]] == [bulletin["id"]]


def test_readers_see_the_points_without_their_sources(client, world):
    bulletin = make_bulletin(world.pcn, world.panel, state="published")
    reader = client.get(
        f"/api/v1/bulletins/{bulletin.id}", headers=bearer(token_for(world.lead))
    ).json
    author = client.get(
        f"/api/v1/bulletins/{bulletin.id}", headers=bearer(token_for(world.panel))
    ).json
    assert "source" not in reader["points"][0] and reader["points"][0]["title"] == "Medication"
    assert author["points"][0]["source"] == "theme:medication"
    other = client.get(
        f"/api/v1/bulletins/{bulletin.id}", headers=bearer(token_for(world.other_lead))
    )
    assert other.status_code == 404


def test_the_list_is_filtered_by_the_organisation_named_in_the_query_string(client, world):
    north = make_bulletin(world.pcn, world.panel, state="published")
    make_bulletin(world.other_pcn, world.other_panel, state="published")
    headers = bearer(token_for(world.icb_quality))  # the ICB reads both PCNs' bulletins
    every = client.get("/api/v1/bulletins", headers=headers).get_json()
    assert len(every["items"]) == 2
    answer = client.get(f"/api/v1/bulletins?organisation_id={world.pcn.id}", headers=headers)
    assert answer.status_code == 200
    assert [b["id"] for b in answer.get_json()["items"]] == [north.id]
    assert client.get("/api/v1/bulletins?organisation_id=x", headers=headers).status_code == 422
