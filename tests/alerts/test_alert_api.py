"""The alerts through the JSON API: the ICB records a draft with two actions and issues it, a
pharmacy's lead confirms from the version it read (a second answer from the same version is 409),
and the ICB reads the overdue confirmations."""

from __future__ import annotations

from datetime import timedelta

from psirf.timeutil import utcnow
from tests.support.alerts import pharmacy
from tests.support.api import bearer, token_for


def test_record_issue_confirm_and_read_overdue_through_the_api(world, client):
    north, north_lead = pharmacy(world, "North Street Pharmacy", world.pcn, "FAA01")
    pharmacy(world, "Southfields Pharmacy", world.other_pcn, "FAA02")
    icb = bearer(token_for(world.icb_specialist))
    today = utcnow().date()
    made = client.post(
        "/api/v1/alerts",
        headers=icb,
        json={
            "organisation_id": world.icb.id,
            "reference": "NatPSA/API/1",
            "title": "Look-alike pens",
            "issued_on": (today - timedelta(days=20)).isoformat(),
            "link": "https://www.england.nhs.uk/alert",
            "service_kinds": ["pharmacy"],
            "actions": [
                {"description": "Quarantine", "deadline": (today - timedelta(days=1)).isoformat()},
                {
                    "description": "Tell patients",
                    "deadline": (today + timedelta(days=9)).isoformat(),
                },
            ],
        },
    )
    assert made.status_code == 201, made.get_json()
    alert = made.get_json()
    assert alert["state"] == "draft" and [a["description"] for a in alert["actions"]] == [
        "Quarantine",
        "Tell patients",
    ]
    issued = client.post(
        f"/api/v1/alerts/{alert['id']}/issue",
        headers={**icb, "If-Match": made.headers["ETag"]},
        json={},
    )
    assert issued.status_code == 200 and issued.get_json()["state"] == "issued"

    lead = bearer(token_for(north_lead))
    mine = client.get(f"/api/v1/alerts/{alert['id']}/confirmations", headers=lead).get_json()
    assert {c["organisation"]["name"] for c in mine["items"]} == {"North Street Pharmacy"}
    first = next(c for c in mine["items"] if c["action_id"] == alert["actions"][0]["id"])
    assert first["overdue"] is True
    url = f"/api/v1/alerts/{alert['id']}/confirmations/{first['id']}"
    done = client.post(
        url,
        headers=lead,
        json={"status": "done", "done_on": today.isoformat(), "version": first["version"]},
    )
    assert done.status_code == 200 and done.get_json()["overdue"] is False
    again = client.post(
        url,
        headers=lead,
        json={"status": "not_applicable", "reason": "No stock", "version": first["version"]},
    )
    assert again.status_code == 409

    overdue = client.get(
        f"/api/v1/alerts/{alert['id']}/confirmations?overdue=true", headers=icb
    ).get_json()
    assert [c["organisation"]["name"] for c in overdue["items"]] == ["Southfields Pharmacy"]
