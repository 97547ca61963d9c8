"""The ICB's list of overdue learning responses across its organisations."""

import re
from datetime import datetime, timedelta

import pytest

from psirf.timeutil import utcnow
from psirf.workflow import definitions
from tests.support.factories import IcbFactory, PracticeFactory
from tests.support.responses import response_row


def references(page: str) -> list[str]:
    return re.findall(r'<a href="[^"]*/responses/\d+">([^<]+)</a>', page)


@pytest.fixture
def cases(session, world):
    today = utcnow().date()
    far_icb = IcbFactory(name="Far ICB", ods_code="QFF")
    made = {
        "week": response_row(session, world.practice, today - timedelta(days=7)),
        "month": response_row(session, world.other_practice, today - timedelta(days=30)),
        "yesterday": response_row(session, world.practice, today - timedelta(days=1)),
        "today": response_row(session, world.practice, today),
        "future": response_row(session, world.other_practice, today + timedelta(days=10)),
        "no_target": response_row(session, world.practice, None),
        "closed_late": response_row(
            session, world.practice, today - timedelta(days=20), closed_at=datetime(2026, 1, 1)
        ),
        "other_icb": response_row(
            session, PracticeFactory(icb=far_icb, name="Far Surgery"), today - timedelta(days=40)
        ),
    }
    session.commit()
    return made


@pytest.mark.parametrize("who", ["icb_quality", "icb_specialist"])
def test_the_icb_sees_its_open_overdue_responses_oldest_due_first(sign_in, world, cases, who):
    response = sign_in(getattr(world, who)).get("/oversight/overdue")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert references(page) == [cases[k].reference for k in ("month", "week", "yesterday")]
    assert "Overdue by 30 days" in page and "Overdue by 1 day" in page
    assert "Southfields" in page and "Riverside" in page and "Far Surgery" not in page
    step = (
        definitions.get("after_action_review")
        .state(definitions.get("after_action_review").initial)
        .label
    )
    assert step in page
    assert "3 overdue responses." in page
    assert f'href="/responses/{cases["month"].id}"' in page


def test_another_icb_sees_only_its_own(sign_in, world, cases):
    page = sign_in(world.outsider_icb_quality).get("/oversight/overdue").get_data(as_text=True)
    assert references(page) == []
    assert "No learning responses are overdue." in page


@pytest.mark.parametrize("who", ["lead", "panel", "reporter", "admin"])
def test_other_roles_are_refused(sign_in, world, who):
    assert sign_in(getattr(world, who)).get("/oversight/overdue").status_code == 403


def test_the_header_links_to_it_for_the_icb_only(sign_in, world):
    assert "/oversight/overdue" in sign_in(world.icb_quality).get("/oversight/overdue").get_data(
        as_text=True
    )
    assert "/oversight/overdue" not in sign_in(world.lead).get("/responses").get_data(as_text=True)


def test_the_list_is_capped_with_the_total_counted(app, session, sign_in, world, monkeypatch):
    from psirf.dashboards import views

    monkeypatch.setattr(views, "OVERDUE_LIMIT", 2)
    today = utcnow().date()
    for days in (3, 9, 5):
        response_row(session, world.practice, today - timedelta(days=days))
    session.commit()
    page = sign_in(world.icb_quality).get("/oversight/overdue").get_data(as_text=True)
    assert len(references(page)) == 2
    assert "Showing the 2 longest overdue of 3 overdue responses." in page


def test_the_page_costs_the_same_queries_for_two_rows_as_for_twenty(sign_in, world, session):
    from tests.support.queries import queries_for

    client = sign_in(world.icb_quality)
    today = utcnow().date()
    for i in range(2):
        response_row(
            session,
            world.practice if i % 2 else world.other_practice,
            today - timedelta(days=i + 1),
        )
    session.commit()
    few = queries_for(client, "/oversight/overdue")
    for i in range(18):
        response_row(
            session,
            world.practice if i % 2 else world.other_practice,
            today - timedelta(days=i + 3),
        )
    session.commit()
    assert queries_for(client, "/oversight/overdue") == few


# A SWARM huddle called at 14:00 UTC on 1 June 2026 (15:00 in England) is due 48 hours later.
CALLED = datetime(2026, 6, 1, 14, 0)
HUDDLE_DUE = CALLED + timedelta(hours=48)


@pytest.mark.parametrize(
    "after, listed", [(timedelta(hours=47, minutes=59), False), (timedelta(hours=48), True)]
)
def test_a_huddle_joins_the_overdue_list_and_the_panels_dashboard_at_its_hour(
    session, sign_in, world, monkeypatch, after, listed
):
    from psirf.dashboards import views

    monkeypatch.setattr(views, "utcnow", lambda: CALLED + after)
    huddle = response_row(
        session, world.practice, HUDDLE_DUE.date(), due_at=HUDDLE_DUE, method="swarm_huddle"
    )
    session.commit()
    overdue = sign_in(world.icb_quality).get("/oversight/overdue").get_data(as_text=True)
    assert (huddle.reference in references(overdue)) is listed
    panel = sign_in(world.panel).get(f"/dashboards/groups/{world.pcn.id}").get_data(as_text=True)
    assert (huddle.reference in panel) is listed
    if listed:
        assert "3 Jun 2026 15:00" in overdue and "Overdue by less than an hour" in overdue
        assert "3 Jun 2026 15:00" in panel


def test_the_panels_overdue_csv_gives_a_huddle_the_minute_it_fell_due(
    session, sign_in, world, monkeypatch
):
    from psirf.dashboards import views

    monkeypatch.setattr(views, "utcnow", lambda: HUDDLE_DUE + timedelta(hours=1))
    huddle = response_row(
        session, world.practice, HUDDLE_DUE.date(), due_at=HUDDLE_DUE, method="swarm_huddle"
    )
    session.commit()
    download = sign_in(world.panel).get(
        f"/dashboards/groups/{world.pcn.id}.csv?table=overdue_responses"
    )
    rows = download.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert rows[0].endswith(",Due")
    assert any(r.startswith(huddle.reference) and r.endswith(",2026-06-03 15:00") for r in rows)
