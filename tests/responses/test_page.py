"""The response page's choices of organisation: both drawn from one load of the ICB's
organisations, whatever the ICB holds."""

from __future__ import annotations

import re

from tests.support.factories import OrganisationFactory, ResponseFactory
from tests.support.queries import counting_queries


def _options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", select)]


def _lists_the_icb(statement: str) -> bool:
    """A statement that reads the organisations of an ICB rather than ones it names."""
    flat = " ".join(statement.split())
    return "FROM organisations WHERE organisations.icb_id" in flat


def test_the_response_page_loads_the_icbs_organisations_once_for_both_choices(sign_in, world):
    OrganisationFactory(icb=world.icb, name="County Trust")
    response = ResponseFactory(
        organisation=world.practice, method="cross_organisational", state="sign_off"
    )
    client = sign_in(world.lead)
    with counting_queries() as statements:
        page = client.get(f"/responses/{response.id}").get_data(as_text=True)
    assert sum(_lists_the_icb(s) for s in statements) == 1
    # The response's own organisation first, then its PCN, then the rest of the ICB.
    assert _options(page, "action-owner_organisation_id") == [
        "Choose an organisation",
        "Riverside",
        "North PCN",
        "County Trust",
        "South PCN",
        "Southfields",
    ]


def test_the_contributor_choice_offers_services_and_partners_by_kind_not_groups(sign_in, world):
    OrganisationFactory(icb=world.icb, name="County Trust")
    response = ResponseFactory(organisation=world.practice, method="cross_organisational")
    page = sign_in(world.lead).get(f"/responses/{response.id}").get_data(as_text=True)
    assert _options(page, "contributor-organisation_id") == [
        "Choose an organisation",
        "Southfields (General practice)",
        "County Trust (NHS trust)",
    ]
