"""Safety actions, PSIRF plans and the dashboards' tables through the JSON API: the boards'
lists and scopes, plans as their pages show them, and each dashboard table as its CSV has it."""

from __future__ import annotations

import csv
import io
from datetime import date

from psirf.extensions import db
from tests.support.api import bearer, token_for
from tests.support.factories import AfterActionReviewFactory, SafetyActionFactory
from tests.support.plan_factories import PlanFactory

LONG_AGO = date(2020, 1, 31)  # overdue whatever day the suite runs


def _action(world, organisation, **values):
    review = AfterActionReviewFactory(organisation=organisation)
    return SafetyActionFactory(response=review, **values)


def test_an_organisations_board_lists_its_actions_by_cursor_open_first(app, world, client):
    ours = [_action(world, world.practice, due_on=date(2030, 1, d)) for d in (3, 1, 2)]
    _action(world, world.other_practice)
    db.session.commit()
    headers = bearer(token_for(world.lead))
    url = f"/api/v1/actions?board=organisation&organisation_id={world.practice.id}&limit=2"

    first = client.get(url, headers=headers)
    assert first.status_code == 200, first.get_json()
    second = client.get(first.get_json()["next"], headers=headers).get_json()
    listed = [a["id"] for a in first.get_json()["items"] + second["items"]]
    assert listed == [ours[1].id, ours[2].id, ours[0].id]  # by due date
    assert second["next"] is None
    shown = first.get_json()["items"][0]
    assert shown["organisation"]["id"] == world.practice.id
    assert shown["state"] == "in_progress" and shown["due_on"] == "2030-01-01"


def test_the_boards_refuse_as_their_pages_do(app, world, client):
    _action(world, world.practice)
    db.session.commit()
    lead = bearer(token_for(world.lead))
    assert client.get("/api/v1/actions?board=icb", headers=lead).status_code == 403
    outside = f"/api/v1/actions?board=organisation&organisation_id={world.other_practice.id}"
    assert client.get(outside, headers=lead).status_code == 404
    unnamed = client.get("/api/v1/actions?board=organisation", headers=lead)
    assert unnamed.status_code == 422 and "organisation_id" in unnamed.get_json()["errors"]

    icb = bearer(token_for(world.icb_quality))
    overdue = _action(world, world.practice, due_on=LONG_AGO)
    db.session.commit()
    board = client.get("/api/v1/actions?board=icb", headers=icb).get_json()
    assert [a["id"] for a in board["items"]] == [overdue.id]  # the ICB's board: overdue first


def test_one_action_is_read_with_its_version_and_hidden_from_other_organisations(
    app, world, client
):
    action = _action(world, world.practice)
    db.session.commit()
    read = client.get(f"/api/v1/actions/{action.id}", headers=bearer(token_for(world.panel)))
    assert read.status_code == 200
    assert read.headers["ETag"] == f'"v{action.version_id}"'
    assert read.get_json()["response"]["id"] == action.response_id
    outsider = bearer(token_for(world.other_lead))
    assert client.get(f"/api/v1/actions/{action.id}", headers=outsider).status_code == 404


def test_plans_are_listed_and_read_by_whoever_their_pages_let(app, world, client):
    draft = PlanFactory(organisation=world.pcn, created_by=world.panel)
    other = PlanFactory(organisation=world.other_pcn, created_by=world.other_panel)
    db.session.commit()
    panel = bearer(token_for(world.panel))

    listed = client.get("/api/v1/plans", headers=panel).get_json()
    assert [p["id"] for p in listed["items"]] == [draft.id]
    read = client.get(f"/api/v1/plans/{draft.id}", headers=panel)
    assert read.status_code == 200
    plan = read.get_json()
    assert (plan["state"], plan["version_label"]) == ("draft", f"{draft.number}.0")
    assert plan["content"] == draft.content and plan["organisation"]["id"] == world.pcn.id

    assert client.get(f"/api/v1/plans/{other.id}", headers=panel).status_code == 404
    # Not submitted yet: the ICB does not see the draft.
    icb = bearer(token_for(world.icb_quality))
    assert client.get(f"/api/v1/plans/{draft.id}", headers=icb).status_code == 404


def _csv(client, url: str) -> list[list[str]]:
    text = client.get(url).get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def test_a_group_dashboard_table_is_its_csv_as_json(app, world, client, sign_in):
    action = _action(world, world.practice, due_on=LONG_AGO)
    db.session.commit()
    got = client.get(
        f"/api/v1/dashboards/groups/{world.pcn.id}?table=overdue_actions",
        headers=bearer(token_for(world.panel)),
    )
    assert got.status_code == 200, got.get_json()
    table = got.get_json()
    assert table["table"] == "overdue_actions"
    assert table["rows"] == [
        [
            action.response.reference,
            world.practice.name,
            action.description,
            world.practice.name,
            LONG_AGO.isoformat(),
        ]
    ]
    page = _csv(
        sign_in(world.panel), f"/dashboards/groups/{world.pcn.id}.csv?table=overdue_actions"
    )
    assert [table["columns"], *table["rows"]] == page


def test_the_icb_dashboards_tables_and_their_refusals(app, world, client):
    icb = bearer(token_for(world.icb_specialist))
    plans = client.get("/api/v1/dashboards/icb?table=plans", headers=icb)
    assert plans.status_code == 200, plans.get_json()
    assert plans.get_json()["columns"] == [
        "PCN or federation",
        "Plan version",
        "Status",
        "Review date",
    ]
    assert sorted(row[0] for row in plans.get_json()["rows"]) == ["North PCN", "South PCN"]

    spc = client.get(
        f"/api/v1/dashboards/icb?table=spc&theme=diagnosis&group={world.pcn.id}", headers=icb
    )
    assert spc.status_code == 200
    assert all(isinstance(row[1], int) for row in spc.get_json()["rows"])

    unknown = client.get("/api/v1/dashboards/icb?table=nothing", headers=icb)
    assert unknown.status_code == 422 and "table" in unknown.get_json()["errors"]
    not_a_group = client.get(
        f"/api/v1/dashboards/icb?table=spc&group={world.practice.id}", headers=icb
    )
    assert not_a_group.status_code == 404  # a practice is no PCN or federation
    lead = bearer(token_for(world.lead))
    assert client.get("/api/v1/dashboards/icb?table=plans", headers=lead).status_code == 403
    group = f"/api/v1/dashboards/groups/{world.pcn.id}?table=themes"
    assert client.get(group, headers=lead).status_code == 404
    outsider = bearer(token_for(world.other_panel))
    assert client.get(group, headers=outsider).status_code == 404
