"""The action boards: 'My actions', an organisation's board (a PCN's covers its practices) and the
ICB's view, each filtered by status, keyset-paginated and costing the same queries for 2 rows or 20."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from psirf import policy
from psirf.accounts.models import Role
from psirf.actions import boards
from tests.support.factories import (
    PracticeFactory,
    OrganisationFactory,
    ResponseFactory,
    SafetyActionFactory,
    UserFactory,
)
from tests.support.queries import counting_queries, queries_for

TODAY = date.today()


def overdue_action(world, organisation=None, **extra):
    organisation = organisation or world.practice
    return SafetyActionFactory(
        response=ResponseFactory(organisation=organisation),
        due_on=TODAY - timedelta(days=3),
        description="Lock the dose template",
        **extra,
    )


def rows(page: str) -> int:
    return page.count('<tr class="nhsuk-table__row">')


def test_an_overdue_action_shows_to_its_owner_the_pcn_panel_and_the_icb(sign_in, world):
    owner = UserFactory(name="Max Manager", role=(Role.REPORTER, world.practice))
    action = overdue_action(world, owner_user_id=owner.id, owner="Max Manager")
    link = f'href="/actions/{action.id}"'

    mine = sign_in(owner).get("/actions/mine?status=overdue").get_data(as_text=True)
    assert link in mine and "Overdue by 3 days" in mine and action.response.reference in mine

    pcn_board = sign_in(world.panel).get(f"/actions/organisations/{world.pcn.id}?status=overdue")
    assert pcn_board.status_code == 200 and link in pcn_board.get_data(as_text=True)

    icb = sign_in(world.icb_quality).get("/actions/icb").get_data(as_text=True)
    assert link in icb
    summary = icb[icb.index("Safety actions by organisation") : icb.index('<h2 id="list">')]
    riverside = re.search(r"Riverside</a></td>(.*?)</tr>", summary, re.S).group(1)
    assert [int(n) for n in re.findall(r"</span>(\d+)</td>", riverside)] == [
        1,
        0,
        1,
        0,
    ]  # open, soon, overdue, completed


def test_the_lead_of_the_owning_organisation_sees_its_actions_on_my_actions(sign_in, world):
    action = overdue_action(world)  # owned by Riverside, no account named
    elsewhere = overdue_action(world, world.other_practice)
    page = sign_in(world.lead).get("/actions/mine").get_data(as_text=True)
    assert f'href="/actions/{action.id}"' in page and f'href="/actions/{elsewhere.id}"' not in page


def test_a_partner_organisations_board_shows_the_actions_it_owns(sign_in, world):
    trust = OrganisationFactory(icb=world.icb, name="County Hospital")
    trust_lead = UserFactory(role=(Role.PATIENT_SAFETY_LEAD, trust))
    owned = overdue_action(world, owner_organisation_id=trust.id)
    overdue_action(world)
    page = sign_in(trust_lead).get(f"/actions/organisations/{trust.id}").get_data(as_text=True)
    assert f'href="/actions/{owned.id}"' in page and rows(page) == 1


def test_a_reporter_with_no_actions_sees_an_empty_board_and_is_refused_the_icb_view(sign_in, world):
    overdue_action(world)
    reporter = sign_in(world.reporter)
    mine = reporter.get("/actions/mine")
    assert mine.status_code == 200 and "No open safety actions." in mine.get_data(as_text=True)
    assert reporter.get("/actions/icb").status_code == 403
    assert sign_in(world.lead).get("/actions/icb").status_code == 403
    assert sign_in(world.panel).get("/actions/icb").status_code == 403


def test_another_organisation_gets_404_on_a_board(sign_in, world):
    for who, organisation in (
        (world.other_lead, world.practice),
        (world.other_panel, world.pcn),
        (world.outsider_icb_quality, world.practice),
        (world.lead, world.pcn),
        (world.reporter, world.practice),
    ):
        assert sign_in(who).get(f"/actions/organisations/{organisation.id}").status_code == 404
    assert sign_in(world.lead).get("/actions/organisations/999999").status_code == 404
    assert sign_in(world.lead).get(f"/actions/organisations/{world.practice.id}").status_code == 200


def test_the_icb_view_counts_each_organisation_and_the_share_of_weaker_actions(session, world):
    practice = ResponseFactory(organisation=world.practice)
    SafetyActionFactory(response=practice, due_on=TODAY - timedelta(days=1), strength="weaker")
    SafetyActionFactory(response=practice, due_on=TODAY + timedelta(days=10), strength="weaker")
    SafetyActionFactory(response=practice, due_on=TODAY + timedelta(days=40), strength="stronger")
    SafetyActionFactory(
        response=practice, state="completed", completed_at=datetime(2026, 1, 5), strength=None
    )
    SafetyActionFactory(
        response=practice,
        state="cancelled",
        closed_at=datetime(2026, 1, 5),
        strength="stronger",
        due_on=TODAY - timedelta(days=9),
    )
    SafetyActionFactory(
        response=ResponseFactory(organisation=world.other_practice),
        state="reviewed",
        completed_at=datetime(2026, 1, 5),
        closed_at=datetime(2026, 2, 5),
    )
    elsewhere = OrganisationFactory()  # another ICB's trust
    SafetyActionFactory(response=ResponseFactory(organisation=elsewhere))

    policy.grants(
        world.icb_quality
    )  # the person and their roles loaded first: only the summary is counted
    with counting_queries() as statements:
        summary = boards.icb_summary(session, world.icb_quality, TODAY)
    assert len(statements) == 1 and "GROUP BY" in statements[0]
    by_name = {row.name: row for row in summary.rows}
    assert set(by_name) == {"Riverside", "Southfields"}
    riverside = by_name["Riverside"]
    assert (riverside.open, riverside.due_soon, riverside.overdue, riverside.completed) == (
        4,
        1,
        1,
        1,
    )
    assert riverside.weaker_share == "2 of 3 (67%)"  # the cancelled one is out of play
    southfields = by_name["Southfields"]
    assert (southfields.open, southfields.completed, southfields.weaker_share) == (
        0,
        1,
        "0 of 1 (0%)",
    )


def test_the_icb_view_pages_its_organisations_by_name_each_once(app, sign_in, world):
    # Two services of one name: the pages part between them by id, neither lost nor repeated.
    names = ["Abbey", "Brook", "Brook", "Cedar", "Dale"]
    for name in names:
        SafetyActionFactory(
            response=ResponseFactory(organisation=PracticeFactory(icb=world.icb, name=name))
        )
    app.config["PAGE_SIZE"] = 2
    client = sign_in(world.icb_quality)
    url, seen = "/actions/icb", []
    while url:
        page = client.get(url).get_data(as_text=True)
        table = page[page.index('id="by-organisation"') : page.index('id="list"')]
        seen += re.findall(r'href="/actions/organisations/(\d+)">([^<]+)</a>', table)
        more = re.search(r'<a href="([^"]+)">Next organisations</a>', table)
        url = more.group(1).replace("&amp;", "&") if more else None
    assert [name for _, name in seen] == names
    assert len({org_id for org_id, _ in seen}) == len(names)


def test_boards_filter_by_status(sign_in, world):
    response = ResponseFactory(organisation=world.practice)
    late = SafetyActionFactory(response=response, due_on=TODAY - timedelta(days=2))
    soon = SafetyActionFactory(response=response, due_on=TODAY + timedelta(days=5))
    later = SafetyActionFactory(response=response, due_on=TODAY + timedelta(days=60))
    done = SafetyActionFactory(
        response=response,
        state="completed",
        completed_at=datetime(2026, 1, 5),
        due_on=TODAY - timedelta(days=30),
    )
    lead = sign_in(world.lead)
    board = f"/actions/organisations/{world.practice.id}"

    def shown(status):
        page = lead.get(f"{board}?status={status}").get_data(as_text=True)
        return [int(i) for i in re.findall(r'href="/actions/(\d+)"', page)]

    assert shown("overdue") == [late.id]
    assert shown("due_soon") == [soon.id]
    assert shown("completed") == [done.id]
    assert shown("open") == [
        done.id,
        late.id,
        soon.id,
        later.id,
    ]  # by due date; completed awaits its review
    assert shown("nonsense") == shown("open")


def test_a_board_pages_by_keyset_open_first_then_by_due_date(app, sign_in, world):
    app.config["PAGE_SIZE"] = 2
    response = ResponseFactory(organisation=world.practice)
    made = [
        SafetyActionFactory(response=response, due_on=TODAY + timedelta(days=d)) for d in (9, 3, 5)
    ]
    undated = SafetyActionFactory(response=response, state="draft", due_on=None)
    closed = SafetyActionFactory(
        response=response,
        state="reviewed",
        completed_at=datetime(2026, 1, 5),
        closed_at=datetime(2026, 2, 1),
        due_on=TODAY - timedelta(days=90),
    )
    lead = sign_in(world.lead)
    url, seen = "/actions/mine?status=all", []
    while url:
        page = lead.get(url).get_data(as_text=True)
        assert rows(page) <= 2
        seen += [int(i) for i in re.findall(r'href="/actions/(\d+)"', page)]
        found = re.search(r'href="(/actions/mine\?[^"]*after=[^"]+)"', page)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == [made[1].id, made[2].id, made[0].id, undated.id, closed.id]


def test_the_index_links_to_each_board_a_person_has(sign_in, world):
    assert sign_in(world.reporter).get("/actions").status_code == 200
    panel = sign_in(world.panel).get("/actions").get_data(as_text=True)
    assert (
        f'href="/actions/organisations/{world.pcn.id}"' in panel
        and 'href="/actions/icb"' not in panel
    )
    quality = sign_in(world.icb_quality).get("/actions").get_data(as_text=True)
    assert 'href="/actions/icb"' in quality and 'href="/actions/mine"' in quality


# ---- no N+1 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, url",
    [
        ("lead", "/actions/mine"),
        ("panel", "/actions/organisations/{pcn}"),
        ("icb_quality", "/actions/icb?status=open"),
        ("lead", "/responses/{response}"),
    ],
)
def test_a_board_costs_the_same_queries_for_two_actions_as_for_twenty(
    app, sign_in, world, who, url
):
    app.config["PAGE_SIZE"] = 50
    response = ResponseFactory(organisation=world.practice, state="in_review")
    trust = OrganisationFactory(icb=world.icb)
    url = url.format(pcn=world.pcn.id, response=response.id)
    client = sign_in(getattr(world, who))

    def make(n):
        for i in range(n):
            # Some on the shared response, some each on their own, some owned by a partner.
            on = response if i % 2 else ResponseFactory(organisation=world.practice)
            SafetyActionFactory(
                response=on,
                owner_organisation_id=trust.id if i % 3 == 0 else world.practice.id,
                due_on=TODAY + timedelta(days=i - 5),
            )

    make(2)
    few = queries_for(client, url)
    make(18)
    assert queries_for(client, url) == few
