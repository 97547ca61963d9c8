"""The patient safety alerts' pages in the route table (merged into tests/support/routes.py ROUTES).

The object is North PCN's issued alert to its member practices (Riverside only): its panel manages
it, the ICB and the administrator see it, Riverside's lead confirms Riverside's actions; South
PCN's panel and lead, another ICB and the reporter do not find it (404).
"""

from __future__ import annotations

from datetime import date

from tests.support.routes import Case  # imported by routes.py once Case exists

OUTSIDE = {"other_lead": 404, "other_panel": 404, "outsider_icb_quality": 404, "reporter": 404}
NOT_MANAGERS = {"icb_quality": 403, "icb_specialist": 403, "admin": 403, "lead": 403}
NOT_CONFIRMERS = {"icb_quality": 403, "icb_specialist": 403, "admin": 403, "panel": 403}


def pcn_alert(objects):
    """North PCN's issued alert, made the first time a case asks."""
    if "pcn_alert" not in objects:
        from tests.support.alerts import record

        world = objects["world"]
        objects["pcn_alert"] = record(
            world.panel,
            world.pcn,
            actions=(("Check the patient group directions", date(2026, 3, 16)),),
            kinds=("practice",),
            reference="NatPSA/ROUTES/1",
        )
    return objects["pcn_alert"]


def _url(path: str = ""):
    def url(o):
        alert = pcn_alert(o)
        return f"/alerts/{alert.id}{path}".format(
            practice=o["world"].practice.id, action=alert.actions[0].id
        )

    return url


ALERT_ROUTES = {
    "alerts.index": Case("GET", lambda o: "/alerts", ("lead", 200), {"reporter": 403}),
    "alerts.overdue": Case("GET", lambda o: "/alerts/overdue", ("panel", 200), {"reporter": 403}),
    "alerts.new": Case(
        "GET",
        lambda o: "/alerts/new",
        ("icb_specialist", 200),
        {"lead": 403, "other_lead": 403, "reporter": 403},
    ),
    "alerts.show": Case("GET", _url(), ("lead", 200), OUTSIDE),
    "alerts.progress_csv": Case("GET", _url("/progress.csv"), ("icb_quality", 200), OUTSIDE),
    # 400: an empty form, which proves the policy let the PCN's panel through.
    "alerts.add_action": Case(
        "POST", _url("/actions"), ("panel", 400), {**OUTSIDE, **NOT_MANAGERS}
    ),
    "alerts.remove_action": Case(
        "POST", _url("/actions/{action}/remove"), ("panel", 400), {**OUTSIDE, **NOT_MANAGERS}
    ),
    "alerts.issue": Case("POST", _url("/issue"), ("panel", 400), {**OUTSIDE, **NOT_MANAGERS}),
    # The issued alert's edit and delete pages say it can no longer change (the draft's show the
    # forms: ALERT_FORM_PAGES).
    "alerts.edit": Case("GET", _url("/edit"), ("panel", 200), {**OUTSIDE, **NOT_MANAGERS}),
    "alerts.delete": Case("GET", _url("/delete"), ("panel", 200), {**OUTSIDE, **NOT_MANAGERS}),
    "alerts.organisation": Case(
        "GET", _url("/organisations/{practice}"), ("icb_specialist", 200), OUTSIDE
    ),
    "alerts.confirm": Case(
        "GET",
        _url("/organisations/{practice}/actions/{action}"),
        ("lead", 200),
        {**OUTSIDE, **NOT_CONFIRMERS},
    ),
}


def _api(path: str = ""):
    def url(o):
        alert = pcn_alert(o)
        confirmation = o.get("pcn_alert_confirmation")
        if confirmation is None:
            from psirf.alerts import services
            from psirf.extensions import db

            confirmation = services.get_confirmation(
                db.session, alert, o["world"].practice, alert.actions[0].id
            ).id
            o["pcn_alert_confirmation"] = confirmation
        return f"/api/v1/alerts/{alert.id}{path}".format(confirmation=confirmation)

    return url


def alert_api_routes(case, stale: int) -> dict:
    """The API's alert routes (merged into tests/support/api_routes.py API_ROUTES), tried with each
    person's token: a read-only (family) token's write is refused before anything is looked up."""
    family_write = {"family": 403}
    return {
        "api.alerts_index": case(
            "GET", lambda o: "/api/v1/alerts", ("lead", 200), {"reporter": 403, "family": 403}
        ),
        # 422: an http:// link, refused by the service once the policy let the ICB through.
        "api.alerts_record": case(
            "POST",
            lambda o: "/api/v1/alerts",
            ("icb_specialist", 422),
            {"lead": 403, "reporter": 403, **family_write},
            body=lambda o: {
                "organisation_id": o["world"].icb.id,
                "reference": "API/1",
                "title": "An alert",
                "issued_on": "2026-03-02",
                "link": "http://example.org/alert",
                "service_kinds": ["practice"],
            },
        ),
        "api.alerts_show": case("GET", _api(), ("lead", 200), {**OUTSIDE, "family": 404}),
        "api.alerts_edit": case(
            "PATCH",
            _api(),
            ("panel", 409),
            {**OUTSIDE, **NOT_MANAGERS, **family_write},
            body=lambda o: {"title": "A new title", "version": stale},
        ),
        # 428: no If-Match, asked for once the policy has let the panel through.
        "api.alerts_delete": case(
            "DELETE", _api(), ("panel", 428), {**OUTSIDE, **NOT_MANAGERS, **family_write}
        ),
        "api.alerts_issue": case(
            "POST",
            _api("/issue"),
            ("panel", 409),
            {**OUTSIDE, **NOT_MANAGERS, **family_write},
            body=lambda o: {"version": stale},
        ),
        "api.alerts_confirmations": case(
            "GET", _api("/confirmations"), ("icb_quality", 200), {**OUTSIDE, "family": 404}
        ),
        "api.alerts_confirm": case(
            "POST",
            _api("/confirmations/{confirmation}"),
            ("lead", 409),
            {**OUTSIDE, **NOT_CONFIRMERS, **family_write},
            body=lambda o: {"status": "done", "done_on": "2026-03-05", "version": stale},
        ),
    }


def pcn_draft(objects):
    """A draft of North PCN's with an action: the page that shows the forms to add and remove
    actions and to issue it (an issued alert shows none), for tests/web/test_hostile_input.py."""
    if "pcn_alert_draft" not in objects:
        from tests.support.alerts import record

        world = objects["world"]
        objects["pcn_alert_draft"] = record(
            world.panel,
            world.pcn,
            actions=(("Review the protocol", date(2026, 4, 1)),),
            kinds=("practice",),
            reference="NatPSA/ROUTES/DRAFT",
            issue=False,
        )
    return objects["pcn_alert_draft"]


def draft_to_delete(objects):
    """A draft of its own for the delete form, so deleting it leaves the other draft's forms."""
    if "pcn_alert_draft_to_delete" not in objects:
        from tests.support.alerts import record

        world = objects["world"]
        objects["pcn_alert_draft_to_delete"] = record(
            world.panel,
            world.pcn,
            actions=(),
            kinds=("practice",),
            reference="NatPSA/ROUTES/DELETE",
            issue=False,
        )
    return objects["pcn_alert_draft_to_delete"]


# The draft's pages, where the POST routes the issued alert of the route table does not show are.
ALERT_FORM_PAGES = {
    **{
        endpoint: lambda o: f"/alerts/{pcn_draft(o).id}"
        for endpoint in ("alerts.add_action", "alerts.remove_action", "alerts.issue")
    },
    "alerts.edit": lambda o: f"/alerts/{pcn_draft(o).id}/edit",
    "alerts.delete": lambda o: f"/alerts/{draft_to_delete(o).id}/delete",
}


def alert_rows(objects) -> None:
    """Rows of every alert table for tests/web/test_escaping.py: the route table's issued alert,
    confirmed twice by Riverside's lead (so its page shows an earlier answer from the log), and a
    draft."""
    from psirf.alerts import services
    from psirf.db import unit_of_work
    from psirf.extensions import db

    world = objects["world"]
    alert = pcn_alert(objects)
    pcn_draft(objects)
    confirmation = services.get_confirmation(db.session, alert, world.practice, alert.actions[0].id)
    for answer in (
        services.Answer("in_progress", "note", expected_on=date(2026, 4, 1)),
        services.Answer("not_applicable", "note", reason="reason"),
    ):
        with unit_of_work(db.session):
            services.confirm(
                db.session,
                world.lead,
                confirmation,
                answer,
                confirmation.version_id,
                date(2026, 3, 10),
            )
