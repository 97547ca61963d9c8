"""The learning bulletins' pages and API routes in the route tables (merged into
tests/support/routes.py ROUTES and tests/support/api_routes.py API_ROUTES).

The bulletin tried is a draft of North PCN's: only its review panel reads it, so everyone else
(the member practice's lead and reporter, the ICB, another PCN's panel) is refused with 404. Who
reads a published bulletin is tried in tests/bulletins/.
"""

from __future__ import annotations

from tests.support.bulletins import route_bulletin
from tests.support.routes import OUTSIDERS, Case

# A draft is its authors' alone: not found for anyone else.
DRAFT_REFUSED = {
    **OUTSIDERS,
    "lead": 404,
    "reporter": 404,
    "admin": 404,
    "icb_quality": 404,
    "icb_specialist": 404,
}
# Drafting a bulletin: a group's panel or the ICB's roles.
NOT_WRITERS = {"lead": 403, "reporter": 403, "admin": 403}


def _url(path: str = ""):
    return lambda o: f"/bulletins/{route_bulletin(o).id}{path}"


def _point_url(prefix: str, suffix: str = ""):
    return lambda o: (
        f"{prefix}/bulletins/{route_bulletin(o).id}/points/{route_bulletin(o).points[0].id}{suffix}"
    )


BULLETIN_ROUTES = {
    "bulletins.index": Case("GET", lambda o: "/bulletins", ("reporter", 200)),
    "bulletins.new": Case("GET", lambda o: "/bulletins/new", ("panel", 200), NOT_WRITERS),
    "bulletins.show": Case("GET", _url(), ("panel", 200), DRAFT_REFUSED),
    "bulletins.pdf": Case("GET", _url("/bulletin.pdf"), ("panel", 200), DRAFT_REFUSED),
    # 400: an empty form, which proves the policy let the panel through and changes nothing.
    "bulletins.save_text": Case("POST", _url("/text"), ("panel", 400), DRAFT_REFUSED),
    "bulletins.edit_point": Case("GET", _point_url("", "/edit"), ("panel", 200), DRAFT_REFUSED),
    "bulletins.remove_point": Case(
        "POST", _point_url("", "/remove"), ("panel", 400), DRAFT_REFUSED
    ),
    "bulletins.publish": Case("POST", _url("/publish"), ("panel", 400), DRAFT_REFUSED),
}


def bulletin_api_routes(api_case, stale: int) -> dict:
    not_theirs = {**DRAFT_REFUSED, "family": 404}
    writes_refused = {**DRAFT_REFUSED, "family": 403}  # a family token reads only

    def api_url(path: str = ""):
        return lambda o: f"/api/v1/bulletins/{route_bulletin(o).id}{path}"

    return {
        "api.bulletins_index": api_case(
            "GET", lambda o: "/api/v1/bulletins", ("lead", 200), {"family": 403}
        ),
        "api.bulletins_show": api_case("GET", api_url(), ("panel", 200), not_theirs),
        # 422: a period that does not start on the first of a month, refused after the policy.
        "api.bulletins_generate": api_case(
            "POST",
            lambda o: "/api/v1/bulletins",
            ("panel", 422),
            {**NOT_WRITERS, "family": 403},
            body=lambda o: {
                "organisation_id": o["world"].pcn.id,
                "period_start": "2026-07-15",
                "period_end": "2026-10-01",
            },
        ),
        "api.bulletins_save_text": api_case(
            "POST",
            api_url("/text"),
            ("panel", 409),
            writes_refused,
            body=lambda o: {"introduction": "x", "version": stale},
        ),
        "api.bulletins_edit_point": api_case(
            "POST",
            _point_url("/api/v1"),
            ("panel", 409),
            writes_refused,
            body=lambda o: {"title": "x", "version": stale},
        ),
        # 428: no If-Match, asked for once the policy has let the panel through.
        "api.bulletins_remove_point": api_case(
            "DELETE", _point_url("/api/v1"), ("panel", 428), writes_refused
        ),
        "api.bulletins_publish": api_case(
            "POST",
            api_url("/publish"),
            ("panel", 409),
            writes_refused,
            body=lambda o: {"version": stale},
        ),
    }
