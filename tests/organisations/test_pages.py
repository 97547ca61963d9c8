"""The organisations pages: an administrator lists their ICB's organisations and adds services to
PCNs and federations; everyone else is refused and nothing is written."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from psirf.organisations.models import Organisation
from psirf.organisations.services import by_ods_code
from tests.support.factories import PcnFactory, PracticeFactory


def test_an_administrator_adds_a_practice_to_a_pcn_and_a_federation(session, sign_in, world):
    federation = PcnFactory(icb=world.icb, kind="federation", ods_code="FED01", name="Federation")
    client = sign_in(world.admin)
    response = client.post(
        "/admin/organisations/new",
        data={
            "name": "New Practice",
            "ods_code": "b12345",
            "kind": "practice",
            "groups": [str(world.pcn.id), str(federation.id)],
        },
    )
    assert response.status_code == 302
    practice = by_ods_code(session, "B12345")
    assert {g.name for g in practice.groups} == {"North PCN", "Federation"}


def test_a_badly_shaped_ods_code_is_refused_with_the_expected_shape(sign_in, world):
    client = sign_in(world.admin)
    response = client.post(
        "/admin/organisations/new", data={"name": "Bad", "ods_code": "12", "kind": "practice"}
    )
    assert "a letter followed by 5 numbers" in response.get_data(as_text=True)


def test_the_list_shows_the_administrators_icb_and_what_each_belongs_to(sign_in, world):
    PracticeFactory(icb=world.outsider_icb_quality.roles[0].organisation, name="Far Surgery")
    page = sign_in(world.admin).get("/admin/organisations").get_data(as_text=True)
    assert "Riverside" in page and "North PCN" in page and "Southfields" in page
    assert "Far Surgery" not in page and "Other ICB" not in page


def _names_and_older_link(page: str) -> tuple[list[str], str | None]:
    names = re.findall(
        r'<tr class="nhsuk-table__row">\s*<td class="nhsuk-table__cell">([^<]*)</td>', page
    )
    older = re.search(r'<a href="([^"]*)">Older organisations</a>', page)
    return names, older.group(1).replace("&amp;", "&") if older else None


def test_the_list_comes_a_page_at_a_time_newest_first_and_the_pages_cover_every_organisation(
    app, sign_in, world
):
    app.config["PAGE_SIZE"] = 3
    client = sign_in(world.admin)
    names, older = _names_and_older_link(client.get("/admin/organisations").get_data(as_text=True))
    assert names == ["Southfields", "Riverside", "South PCN"]
    rest, last = _names_and_older_link(client.get(older).get_data(as_text=True))
    assert rest == ["North PCN", "Test ICB"] and last is None


def _search_groups(client, query, **typed):
    return client.post(
        "/admin/organisations/new", data={"find": "groups", "groups_query": query, **typed}
    )


def test_the_new_organisation_form_lists_no_groups_until_a_search_finds_the_icbs_own(
    session, sign_in, world
):
    PcnFactory(name="North Far PCN")  # in an ICB of its own
    client = sign_in(world.admin)
    page = client.get("/admin/organisations/new").get_data(as_text=True)
    assert "North PCN" not in page and "South PCN" not in page

    found = _search_groups(client, "NORTH", name="New Practice", ods_code="B12345")
    page = found.get_data(as_text=True)
    assert found.status_code == 200
    assert 'value="New Practice"' in page and 'value="B12345"' in page  # what was typed is kept
    assert f'value="{world.pcn.id}"' in page and "North Far PCN" not in page
    assert "South PCN" not in page and "Riverside" not in page.split("<form", 1)[1]
    assert by_ods_code(session, "B12345") is None  # the search saved nothing


def test_a_second_search_keeps_the_groups_already_ticked(sign_in, world):
    client = sign_in(world.admin)
    page = _search_groups(client, world.other_pcn.ods_code, groups=[str(world.pcn.id)])
    page = page.get_data(as_text=True)
    assert re.search(rf'value="{world.pcn.id}"\s+checked', page)
    assert f'value="{world.other_pcn.id}"' in page


def test_a_search_that_finds_nothing_says_so(sign_in, world):
    page = _search_groups(sign_in(world.admin), "Nowhere").get_data(as_text=True)
    assert 'No organisation found for "Nowhere"' in page


def test_an_ods_code_already_taken_is_refused_and_nothing_is_written(session, sign_in, world):
    before = session.scalar(select(func.count()).select_from(Organisation))
    response = sign_in(world.admin).post(
        "/admin/organisations/new",
        data={"name": "Copy", "ods_code": world.practice.ods_code, "kind": "practice"},
    )
    assert response.status_code == 400
    assert "An organisation with that ODS code already exists" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Organisation)) == before


@pytest.mark.parametrize("who", ["lead", "reporter", "panel", "icb_quality", "icb_specialist"])
def test_only_an_administrator_may_list_or_add_organisations(session, sign_in, world, who):
    client = sign_in(getattr(world, who))
    assert client.get("/admin/organisations").status_code == 403
    assert client.get("/admin/organisations/new").status_code == 403
    answer = client.post(
        "/admin/organisations/new",
        data={"name": "Sneaky", "ods_code": "B54321", "kind": "practice"},
    )
    assert answer.status_code == 403
    assert by_ods_code(session, "B54321") is None


def test_signed_out_the_pages_send_to_sign_in(client, world):
    assert client.get("/admin/organisations").status_code == 302
    assert client.post("/admin/organisations/new", data={}).status_code == 302


@pytest.mark.parametrize(
    "query",
    ["<script>alert(1)</script>", "1" * 40, "%_%", "-1", "x" * 100_000, "O'Brien\u202e"],
)
def test_a_hostile_search_is_shown_as_text_and_saves_nothing(session, sign_in, world, query):
    before = session.scalar(select(func.count()).select_from(Organisation))
    response = _search_groups(sign_in(world.admin), query, name="<b>Kept</b>")
    assert response.status_code < 500
    page = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "<b>Kept</b>" not in page
    assert session.scalar(select(func.count()).select_from(Organisation)) == before
