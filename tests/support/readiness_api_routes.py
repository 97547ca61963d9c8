"""The readiness API's routes in the API route table (merged into tests/support/api_routes.py):
the map and its totals for whoever reads readiness, an organisation's standing for its own lead,
its PCN and its ICB (another PCN or ICB: 404), recording for the lead (a stale version: 409)."""

from __future__ import annotations

from tests.support.api_routes import STALE, ApiCase
from tests.support.readiness_routes import OUTSIDE, RECORD_REFUSED, readiness_rows

MAP_REFUSED = {"reporter": 403, "family": 403}


def _practice(o, suffix: str = "") -> str:
    return f"/api/v1/readiness/organisations/{o['world'].practice.id}{suffix}"


READINESS_API_ROUTES = {
    "api.readiness_map_rows": ApiCase(
        "GET", lambda o: "/api/v1/readiness/map", ("icb_specialist", 200), MAP_REFUSED
    ),
    "api.readiness_totals": ApiCase(
        "GET", lambda o: "/api/v1/readiness/totals", ("panel", 200), MAP_REFUSED
    ),
    "api.readiness_show": ApiCase("GET", _practice, ("lead", 200), {**OUTSIDE, "family": 404}),
    "api.readiness_record": ApiCase(
        "POST",
        lambda o: _practice(o, "/commitments/freedom_to_speak_up"),
        ("lead", 409),
        {**RECORD_REFUSED, "family": 403},
        body=lambda o: {"status": "met", "version": STALE},
    ),
    # Staff: read as the organisation's readiness is; marked as left by its lead (422: a date
    # in the future, refused once the policy let the lead through, so nothing changes).
    "api.readiness_staff": ApiCase(
        "GET", lambda o: _practice(o, "/staff"), ("panel", 200), {**OUTSIDE, "family": 404}
    ),
    "api.readiness_staff_left": ApiCase(
        "POST",
        lambda o: _practice(o, f"/staff/{readiness_rows(o)['member']}/left"),
        ("lead", 422),
        {**RECORD_REFUSED, "family": 403},
        body=lambda o: {"left_on": "2199-01-01"},
    ),
    # A person's own training: anyone working in a service or group (422: a date in the future,
    # refused by the service once the policy let them through); the ICB's roles, administrators
    # and family accounts are refused.
    "api.readiness_my_training": ApiCase(
        "GET",
        lambda o: "/api/v1/readiness/my-training",
        ("reporter", 200),
        {"admin": 403, "icb_quality": 403, "icb_specialist": 403, "family": 403},
    ),
    "api.readiness_record_my_training": ApiCase(
        "POST",
        lambda o: "/api/v1/readiness/my-training",
        ("reporter", 422),
        {"admin": 403, "icb_quality": 403, "icb_specialist": 403, "family": 403},
        body=lambda o: {
            "organisation_id": o["world"].practice.id,
            "level": 1,
            "completed_on": "2199-01-01",
        },
    ),
}
