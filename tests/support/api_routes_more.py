"""The route table of the JSON API's learning responses, engagement, safety actions, plans and
dashboards' tables, merged into API_ROUTES (tests/support/api_routes.py) and tried the same way:
each person's own token, 401 without one, 404 for another organisation's object, 403 beyond the
person's role (or a read-only token's write).

A change is tried from a version no record here reaches, so the person let through gets 409 and
nothing the other cases read is changed.
"""

from __future__ import annotations

from typing import Callable

from tests.support.api_routes import STALE, ApiCase
from tests.support.routes import (
    GROUP_DASHBOARD_REFUSED,
    ICB_DASHBOARD_REFUSED,
    OUTSIDERS,
    PSIRF_PLAN_REFUSED,
)

# Outside the casework that holds the object (another organisation, the reporter, the
# administrator, a family account): the object is not found.
NOT_THEIRS = {**OUTSIDERS, "reporter": 404, "admin": 404, "family": 404}
# A family account's token reads only: its writes are refused before anything is looked up.
FAMILY_WRITE = {"family": 403}


def _url(path: str) -> Callable[[dict], str]:
    """`path` with {name} standing for the id of the table's object of that name."""
    return lambda o: "/api/v1" + path.format(**{k: getattr(v, "id", v) for k, v in o.items()})


MORE_API_ROUTES: dict[str, ApiCase] = {
    "api.responses_index": ApiCase(
        "GET",
        _url("/responses"),
        ("lead", 200),
        {"reporter": 403, "admin": 403, "family": 403},
    ),
    "api.responses_show": ApiCase(
        "GET", _url("/responses/{aar}"), ("icb_specialist", 200), NOT_THEIRS
    ),
    "api.responses_open_steps": ApiCase(
        "GET", _url("/responses/{aar}/steps"), ("icb_quality", 200), NOT_THEIRS
    ),
    # Approving is the panel's: the practice's lead and the ICB see the response but may not.
    "api.responses_fire": ApiCase(
        "POST",
        _url("/responses/{aar_with_panel}/steps"),
        ("panel", 409),
        {
            **OUTSIDERS,
            "reporter": 404,
            "admin": 404,
            "lead": 403,
            "icb_quality": 403,
            "icb_specialist": 403,
            **FAMILY_WRITE,
        },
        body=lambda o: {"trigger": "approve", "version": STALE},
    ),
    # The plan is edited by the role acting while it is planned: the practice's lead.
    "api.responses_save_section": ApiCase(
        "POST",
        _url("/responses/{aar}/sections"),
        ("lead", 409),
        {
            **OUTSIDERS,
            "reporter": 404,
            "admin": 404,
            "panel": 403,
            "icb_quality": 403,
            "icb_specialist": 403,
            **FAMILY_WRITE,
        },
        body=lambda o: {"section": "plan", "answers": {}, "version": STALE},
    ),
    "api.engagement_family_people": ApiCase(
        "GET",
        _url("/engagement/people"),
        ("family", 200),
        {"lead": 403, "reporter": 403, "admin": 403, "icb_quality": 403},
    ),
    # The family member's own timeline; staff of the response's casework read it too.
    "api.engagement_timeline": ApiCase(
        "GET",
        _url("/engagement/people/{family_person}"),
        ("family", 200),
        {**OUTSIDERS, "reporter": 404, "admin": 404},
    ),
    "api.engagement_of_response": ApiCase(
        "GET", _url("/responses/{aar}/engagement"), ("lead", 200), NOT_THEIRS
    ),
    # An organisation's board: another organisation's is not found; a family account is no staff.
    "api.actions_index": ApiCase(
        "GET",
        lambda o: f"/api/v1/actions?board=organisation&organisation_id={o['world'].practice.id}",
        ("lead", 200),
        {**OUTSIDERS, "reporter": 404, "admin": 404, "family": 403},
    ),
    "api.actions_show": ApiCase("GET", _url("/actions/{action}"), ("panel", 200), NOT_THEIRS),
    "api.plans_index": ApiCase(
        "GET", _url("/plans"), ("lead", 200), {"reporter": 403, "admin": 403, "family": 403}
    ),
    # A draft: its panel and its member practice's lead read it; the ICB not until it is submitted.
    "api.plans_show": ApiCase(
        "GET",
        _url("/plans/{psirf_plan}"),
        ("lead", 200),
        {
            **{k: v for k, v in PSIRF_PLAN_REFUSED.items() if k != "lead"},
            "family": 404,
        },
    ),
    "api.dashboards_group_table": ApiCase(
        "GET",
        lambda o: f"/api/v1/dashboards/groups/{o['world'].pcn.id}?table=themes",
        ("icb_quality", 200),
        {**GROUP_DASHBOARD_REFUSED, "family": 404},
    ),
    "api.dashboards_icb_table": ApiCase(
        "GET",
        _url("/dashboards/icb?table=spc"),
        ("icb_specialist", 200),
        {**ICB_DASHBOARD_REFUSED, "family": 403},
    ),
}
