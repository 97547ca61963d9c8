"""The near-miss log through the JSON API: the same services and rules as the pages."""

from __future__ import annotations

from sqlalchemy import func, select

from psirf.events.models import SafetyEvent
from psirf.extensions import db
from psirf.lfpse.models import LfpseExport
from psirf.timeutil import utcnow
from tests.support.api import bearer, token_for


def test_a_pharmacist_logs_reads_summarises_and_promotes_once(client, pharmacies):
    headers = bearer(token_for(pharmacies.pharmacist))
    logged = client.post(
        "/api/v1/near-misses",
        json={
            "organisation_id": pharmacies.pharmacy.id,
            "medicine": "Amlodipine 5mg tablets",
            "error_type": "wrong_strength",
            "stage": "accuracy_check",
            "cause": "look_alike",
        },
        headers=headers,
    )
    assert logged.status_code == 201, logged.get_json()
    body = logged.get_json()
    assert body["occurred_on"] == utcnow().date().isoformat()
    assert body["event"] is None
    assert db.session.scalar(select(func.count()).select_from(LfpseExport)) == 0

    listed = client.get("/api/v1/near-misses", headers=headers).get_json()
    assert [n["id"] for n in listed["items"]] == [body["id"]]
    summary = client.get("/api/v1/near-misses/summary", headers=headers).get_json()
    assert summary["total"] == 1
    assert summary["medicines"] == [
        {"key": "amlodipine 5mg tablets", "label": "Amlodipine 5mg tablets", "near_misses": 1}
    ]

    url = f"/api/v1/near-misses/{body['id']}/promotion"
    promoted = client.post(url, json={}, headers=headers | {"If-Match": logged.headers["ETag"]})
    assert promoted.status_code == 201, promoted.get_json()
    event = promoted.get_json()["event"]
    assert promoted.headers["Location"].endswith(f"/api/v1/events/{event['id']}")
    again = client.post(url, json={}, headers=headers | {"If-Match": promoted.headers["ETag"]})
    assert again.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(SafetyEvent)) == 1
    assert db.session.scalar(select(func.count()).select_from(LfpseExport)) == 1


def test_the_icb_reads_no_near_miss_log(client, world, pharmacies):
    answer = client.get("/api/v1/near-misses", headers=bearer(token_for(world.icb_specialist)))
    assert answer.status_code == 403
    assert answer.content_type == "application/problem+json"
