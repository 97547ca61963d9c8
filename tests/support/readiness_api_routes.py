"""The readiness API's routes in the API route table (merged into tests/support/api_routes.py):
the map and its totals for whoever reads readiness, an organisation's standing for its own lead,
its PCN and its ICB (another PCN or ICB: 404), recording for the lead (a stale version: 409)."""

from __future__ import annotations

from tests.support.api_routes import STALE, ApiCase
from tests.support.readiness_routes import OUTSIDE, RECORD_REFUSED

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
}
