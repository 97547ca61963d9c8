"""Readiness through the JSON API: the same standing, map and totals as the pages, and recording
a commitment from the version read (stale: 409)."""

from __future__ import annotations

from tests.support import readiness as make
from tests.support.api import bearer, token_for


def _standing(body, key):
    return next(c for c in body["commitments"] if c["commitment"] == key)


def test_a_lead_records_a_commitment_from_the_version_read(world, client):
    headers = bearer(token_for(world.lead))
    url = f"/api/v1/readiness/organisations/{world.practice.id}"
    before = _standing(client.get(url, headers=headers).get_json(), "freedom_to_speak_up")
    assert (before["status"], before["version"]) == ("not_started", 0)
    answer = client.post(
        f"{url}/commitments/freedom_to_speak_up",
        json={"status": "met", "note": "Guardian shared with the PCN", "version": 0},
        headers=headers,
    )
    assert answer.status_code == 200
    after = _standing(answer.get_json(), "freedom_to_speak_up")
    assert (after["status"], after["recorded_by"]["name"]) == ("met", "Lee Lead")
    stale = client.post(
        f"{url}/commitments/freedom_to_speak_up",
        json={"status": "in_progress"},
        headers={**headers, "If-Match": '"v0"'},
    )
    assert stale.status_code == 409


def test_the_map_and_its_totals_read_as_the_page_does(world, client):
    make.named(world.lead, world.practice, "patient_safety_partners", "A One")
    headers = bearer(token_for(world.icb_specialist))
    rows = client.get("/api/v1/readiness/map?limit=2", headers=headers).get_json()
    assert [r["organisation"]["name"] for r in rows["items"]] == ["North PCN", "Riverside"]
    riverside = rows["items"][1]
    partners = next(c for c in riverside["cells"] if c["commitment"] == "patient_safety_partners")
    assert partners == {
        "commitment": "patient_safety_partners",
        "applies": True,
        "status": "in_progress",
        "text": "In progress: 1 of 2 named",
        "confirmed": False,
    }
    assert rows["next"] is not None
    totals = client.get(
        f"/api/v1/readiness/totals?group={world.pcn.id}", headers=headers
    ).get_json()
    assert totals["organisations"] == 2


def test_a_group_the_person_does_not_read_is_not_found_rather_than_ignored(world, client):
    """The page shows the whole map for a group it does not know; a program would take that for
    the group's, so the API says the group is not found."""
    headers = bearer(token_for(world.panel))  # North PCN's panel: South PCN is not theirs
    for path in ("map", "totals"):
        answer = client.get(f"/api/v1/readiness/{path}?group={world.other_pcn.id}", headers=headers)
        assert answer.status_code == 404 and answer.mimetype == "application/problem+json"
    own = client.get(f"/api/v1/readiness/totals?group={world.pcn.id}", headers=headers)
    assert own.status_code == 200 and own.get_json()["organisations"] == 2
