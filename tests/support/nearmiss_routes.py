"""The pharmacy near-miss log's pages and API routes in the route tables (merged into
tests/support/routes.py ROUTES and tests/support/api_routes.py API_ROUTES).

The log is the pharmacy's alone: anyone not on a pharmacy's staff is refused its pages (403) and
does not find its near misses (404), the PCN's panel and the ICB included; another pharmacy's staff
do not find them either. Promoting one is the pharmacy's patient safety lead's (its reporter: 403).
"""

from __future__ import annotations

from datetime import timedelta

from psirf.extensions import db
from psirf.timeutil import utcnow
from tests.support.api_routes import STALE, ApiCase
from tests.support.nearmiss import NearMissFactory, pharmacies
from tests.support.routes import Case

# Not on a pharmacy's staff: the log's pages are not theirs.
NOT_PHARMACY = {
    "lead": 403,
    "reporter": 403,
    "panel": 403,
    "icb_quality": 403,
    "icb_specialist": 403,
    "admin": 403,
}
# A near miss is found only by its own pharmacy's staff.
NOT_FOUND = {key: 404 for key in (*NOT_PHARMACY, "other_pharmacist")}


def pharmacy_people(world) -> dict:
    """The pharmacies' staff for the table's people (route_objects): two pharmacies in the ICB."""
    return pharmacies(world).people()


def near_miss_id(objects) -> int:
    """A near miss at the pharmacist's pharmacy, made the first time a case asks."""
    if "near_miss" not in objects:
        pharmacist = objects["people"]["pharmacist"]
        near_miss = NearMissFactory(
            organisation=pharmacist.roles[0].organisation, recorded_by_id=pharmacist.id
        )
        db.session.commit()
        objects["near_miss"] = near_miss.id
    return objects["near_miss"]


NEAR_MISS_ROUTES = {
    "nearmiss.index": Case(
        "GET", lambda o: "/near-misses", ("pharmacist", 200), {**NOT_PHARMACY, "dispenser": 200}
    ),
    # 400: an empty form, which proves the policy let the pharmacist through.
    "nearmiss.record": Case("POST", lambda o: "/near-misses", ("pharmacist", 400), NOT_PHARMACY),
    "nearmiss.summary": Case(
        "GET", lambda o: "/near-misses/summary", ("pharmacist", 200), NOT_PHARMACY
    ),
    "nearmiss.show": Case(
        "GET",
        lambda o: f"/near-misses/{near_miss_id(o)}",
        ("pharmacist", 200),
        {**NOT_FOUND, "dispenser": 200},
    ),
    "nearmiss.promote": Case(
        "POST",
        lambda o: f"/near-misses/{near_miss_id(o)}/promote",
        ("pharmacist", 400),
        {**NOT_FOUND, "dispenser": 403},
    ),
}


def _api(path: str = ""):
    return lambda o: (
        f"/api/v1/near-misses{path.format(id=near_miss_id(o) if '{id}' in path else '')}"
    )


def _future(o) -> dict:
    """Refused by the service for its date, after the policy has let the person log."""
    pharmacist = o["people"]["pharmacist"]
    return {
        "organisation_id": pharmacist.roles[0].organisation_id,
        "medicine": "Amlodipine 5mg tablets",
        "error_type": "wrong_strength",
        "stage": "accuracy_check",
        "cause": "look_alike",
        "occurred_on": (utcnow().date() + timedelta(days=7)).isoformat(),
    }


NOT_PHARMACY_API = {**NOT_PHARMACY, "family": 403}

NEAR_MISS_API_ROUTES = {
    "api.near_misses_index": ApiCase("GET", _api(), ("pharmacist", 200), NOT_PHARMACY_API),
    "api.near_misses_summary": ApiCase(
        "GET", _api("/summary"), ("dispenser", 200), NOT_PHARMACY_API
    ),
    "api.near_misses_record": ApiCase(
        "POST", _api(), ("pharmacist", 422), NOT_PHARMACY_API, body=_future
    ),
    "api.near_misses_show": ApiCase(
        "GET", _api("/{id}"), ("dispenser", 200), {**NOT_FOUND, "family": 404}
    ),
    # Tried from a version no near miss here reaches: the pharmacist gets 409, nothing changes.
    "api.near_misses_promote": ApiCase(
        "POST",
        _api("/{id}/promotion"),
        ("pharmacist", 409),
        {**NOT_FOUND, "dispenser": 403, "family": 403},
        body=lambda o: {"version": STALE},
    ),
}
