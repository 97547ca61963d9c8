"""The response page's choices of organisation: a search of the ICB, never a list of all of it."""

from __future__ import annotations

import re

from psirf.responses.models import Contributor
from tests.support.factories import OrganisationFactory, PracticeFactory, ResponseFactory
from tests.support.pages import version_of
from tests.support.queries import counting_queries


def _radios(page: str, name: str) -> list[str]:
    """The labels of the radios named `name`, in order."""
    ids = re.findall(rf'<input class="nhsuk-radios__input" id="([^"]+)" name="{name}"', page)
    return [
        re.search(rf'<label[^>]*for="{i}"[^>]*>\s*([^<]*?)\s*</label>', page).group(1) for i in ids
    ]


def _lists_the_icb(statement: str) -> bool:
    """A statement that reads an ICB's organisations with no limit on how many."""
    flat = " ".join(statement.split())
    return "FROM organisations WHERE organisations.icb_id" in flat and "LIMIT" not in flat


def test_the_response_page_offers_its_own_organisation_and_groups_and_lists_no_icb(sign_in, world):
    OrganisationFactory(icb=world.icb, name="County Trust")
    response = ResponseFactory(
        organisation=world.practice, method="cross_organisational", state="sign_off"
    )
    client = sign_in(world.lead)
    with counting_queries() as statements:
        page = client.get(f"/responses/{response.id}").get_data(as_text=True)
    assert [s for s in statements if _lists_the_icb(s)] == []
    # The response's own organisation first, then its PCN; the rest of the ICB by searching.
    assert _radios(page, "action-owner_organisation_id") == ["Riverside", "North PCN"]
    assert _radios(page, "contributor-organisation_id") == []


def _search(client, response, key, query, **typed):
    page = client.get(f"/responses/{response.id}").get_data(as_text=True)
    data = {f"{key}-version": version_of(page), "find": key, f"{key}-{query[0]}": query[1]}
    data.update({f"{key}-{name}": value for name, value in typed.items()})
    url = {"contributor": "contributors", "action": "safety-actions"}[key]
    return client.post(f"/responses/{response.id}/{url}", data=data)


def test_the_contributor_search_finds_services_and_partners_by_name_or_code_never_a_group(
    sign_in, world
):
    trust = OrganisationFactory(icb=world.icb, name="County Trust", ods_code="RCT")
    response = ResponseFactory(organisation=world.practice, method="cross_organisational")
    client = sign_in(world.lead)
    south = _search(client, response, "contributor", ("organisation_query", "sOuTh"))
    assert south.status_code == 200
    page = south.get_data(as_text=True)
    assert _radios(page, "contributor-organisation_id") == ["Southfields (General practice)"]
    by_code = _search(client, response, "contributor", ("organisation_query", "rct"))
    assert _radios(by_code.get_data(as_text=True), "contributor-organisation_id") == [
        f"{trust.name} (NHS trust)"
    ]
    # Its own organisation is never offered, nor one already contributing.
    own = _search(client, response, "contributor", ("organisation_query", "Riverside"))
    assert _radios(own.get_data(as_text=True), "contributor-organisation_id") == []


def test_a_search_shows_at_most_twenty_matches(sign_in, world):
    for n in range(25):
        PracticeFactory(icb=world.icb, name=f"Meadow Surgery {n:02d}")
    response = ResponseFactory(organisation=world.practice, method="cross_organisational")
    page = _search(sign_in(world.lead), response, "contributor", ("organisation_query", "meadow"))
    assert len(_radios(page.get_data(as_text=True), "contributor-organisation_id")) == 20


def test_the_action_owner_search_keeps_what_was_typed_and_saves_nothing(session, sign_in, world):
    trust = OrganisationFactory(icb=world.icb, name="County Trust")
    response = ResponseFactory(organisation=world.practice, state="in_review")
    found = _search(
        sign_in(world.lead),
        response,
        "action",
        ("owner_organisation_query", "county"),
        description="Default the template to weekly",
        owner="Practice manager",
    )
    page = found.get_data(as_text=True)
    assert found.status_code == 200 and "There is a problem" not in page
    assert "Default the template to weekly" in page and 'value="Practice manager"' in page
    assert _radios(page, "action-owner_organisation_id") == ["Riverside", "North PCN", trust.name]
    session.refresh(response)
    assert response.safety_actions == []


def test_a_contributor_outside_the_icb_or_a_group_is_refused_on_saving(session, sign_in, world):
    response = ResponseFactory(organisation=world.practice, method="cross_organisational")
    client = sign_in(world.lead)
    elsewhere = PracticeFactory(name="Elsewhere")  # in an ICB of its own
    for refused in (elsewhere, world.pcn):
        page = client.get(f"/responses/{response.id}").get_data(as_text=True)
        answer = client.post(
            f"/responses/{response.id}/contributors",
            data={
                "contributor-version": version_of(page),
                "contributor-organisation_id": str(refused.id),
            },
        )
        assert answer.status_code == 400
    assert session.query(Contributor).count() == 0
