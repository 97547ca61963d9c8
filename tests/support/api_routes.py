"""The route table of the JSON API and its token pages.

`PAGE_ROUTES` are pages like any other (signed in by cookie; merged into tests/support/routes.py's
ROUTES). `API_ROUTES` are tried by tests/api/test_route_access.py with each person's own bearer
token: without a token every one answers 401 (the OpenAPI document excepted), another
organisation's object 404, a role that may not act 403, a read-only token's write 403.

A change is tried with a body its service refuses only after the policy has let the person through
(a version that is not the event's: 409), so the table changes nothing the other cases read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable

from psirf.timeutil import utcnow
from tests.support.api import new_token
from tests.support.routes import LEAD_ONLY_REFUSED, OUTSIDERS, Case

ADMIN_ONLY = {"lead": 403, "panel": 403, "icb_quality": 403, "reporter": 403}
NO_TOKEN = 401
STALE = 999_999  # a version no event here reaches


def token_of(objects: dict, who: str) -> str:
    """`who`'s token (read-only for a family account), made once per table and kept in `objects`."""
    made = objects.setdefault("api_tokens", {})
    if who not in made:
        scope = "read" if who == "family" else "write"
        made[who] = new_token(objects["people"][who], scope).secret
    return made[who]


def _token_id(objects: dict, key: str) -> int:
    """A token of the lead's for a case that revokes one, made the first time the case asks and
    kept under `key` (not `setdefault`, which would make a new token on every request)."""
    if key not in objects:
        objects[key] = new_token(objects["people"]["lead"], "read").token.id
    return objects[key]


PAGE_ROUTES: dict[str, Case] = {
    "tokens.mine": Case("GET", lambda o: "/account/tokens", ("family", 200)),
    "tokens.revoke_mine": Case(
        "POST",
        lambda o: f"/account/tokens/{_token_id(o, 'lead_token')}/revoke",
        ("lead", 302),
        {"other_lead": 404, "reporter": 404, "admin": 404, "family": 404},
    ),
    # Its one showing of the secret is tried in tests/accounts; here, shown already: the list.
    "tokens.made": Case(
        "GET",
        lambda o: f"/account/tokens/{_token_id(o, 'lead_token')}/made",
        ("lead", 302),
        {"other_lead": 404, "reporter": 404, "admin": 404, "family": 404},
    ),
    "tokens.administered": Case("GET", lambda o: "/admin/tokens", ("admin", 200), ADMIN_ONLY),
    "tokens.revoke_any": Case(
        "POST",
        lambda o: f"/admin/tokens/{_token_id(o, 'any_token')}/revoke",
        ("admin", 302),
        {**ADMIN_ONLY, "outsider_admin": 404},
    ),
    "api_docs.docs": Case("GET", lambda o: "/developers/api", ("lead", 200)),
}


@dataclass
class ApiCase:
    method: str
    url: Callable[[dict], str]
    allowed: tuple[str, int]
    refused: dict[str, int] = field(default_factory=dict)
    body: Callable[[dict], dict] | None = None
    anonymous: int = NO_TOKEN


def _future_event(o: dict) -> dict:
    """Refused by the service for its date, after the policy has let the person report."""
    return {
        "organisation_id": o["world"].practice.id,
        "record_type": "incident",
        "occurred_on": (utcnow().date() + timedelta(days=7)).isoformat(),
        "description": "Not yet happened",
        "theme": "medication",
    }


def _event_url(suffix: str = "") -> Callable[[dict], str]:
    return lambda o: f"/api/v1/events/{o['event'].id}{suffix}"


# A family account's token reads only: every write is refused before anything else is asked.
FAMILY_WRITES = {"family": 403}

API_ROUTES: dict[str, ApiCase] = {
    "api.meta_openapi_document": ApiCase(
        "GET", lambda o: "/api/v1/openapi.json", ("lead", 200), anonymous=200
    ),
    # A list is everyone's, scoped to what they see: nothing to refuse.
    "api.events_index": ApiCase("GET", lambda o: "/api/v1/events", ("family", 200)),
    "api.events_show": ApiCase(
        "GET",
        _event_url(),
        ("icb_specialist", 200),
        {**OUTSIDERS, "reporter": 404, "admin": 404, "family": 404},
    ),
    "api.events_record": ApiCase(
        "POST",
        lambda o: "/api/v1/events",
        ("reporter", 422),
        {"admin": 403, "panel": 403, "icb_quality": 403, **FAMILY_WRITES},
        body=_future_event,
    ),
    "api.events_revise": ApiCase(
        "POST",
        _event_url("/revisions"),
        ("lead", 409),
        {**LEAD_ONLY_REFUSED, **FAMILY_WRITES},
        body=lambda o: {"reason": "A correction", "version": STALE},
    ),
    "api.triage_recommendation": ApiCase(
        "GET", _event_url("/triage"), ("lead", 200), {**LEAD_ONLY_REFUSED, "family": 404}
    ),
    "api.triage_decide": ApiCase(
        "POST",
        _event_url("/triage"),
        ("lead", 409),
        {**LEAD_ONLY_REFUSED, **FAMILY_WRITES},
        body=lambda o: {"choice": "after_action_review", "rationale": "x", "version": STALE},
    ),
}


def request_api_case(client, case: ApiCase, objects: dict, who: str | None):
    headers = {"Authorization": f"Bearer {token_of(objects, who)}"} if who else {}
    return client.open(
        case.url(objects),
        method=case.method,
        json=case.body(objects) if case.body else None,
        headers=headers,
    )


# Learning responses, engagement, safety actions, plans and the dashboards' tables (api2).
from tests.support.api_routes_more import MORE_API_ROUTES  # noqa: E402  (it builds on ApiCase)

API_ROUTES.update(MORE_API_ROUTES)

from tests.support.bulletin_routes import bulletin_api_routes  # noqa: E402

API_ROUTES.update(bulletin_api_routes(ApiCase, STALE))
# The pharmacy near-miss log's (tests/support/nearmiss_routes.py).
from tests.support.nearmiss_routes import NEAR_MISS_API_ROUTES  # noqa: E402

API_ROUTES.update(NEAR_MISS_API_ROUTES)
# National patient safety alerts (tests/support/alert_routes.py).
from tests.support.alert_routes import alert_api_routes  # noqa: E402

API_ROUTES.update(alert_api_routes(ApiCase, STALE))
from tests.support.readiness_api_routes import READINESS_API_ROUTES  # noqa: E402  (ApiCase)

API_ROUTES.update(READINESS_API_ROUTES)
