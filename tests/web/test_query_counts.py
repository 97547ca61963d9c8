"""Lists cost the same number of queries however many rows they show: no N+1."""

import pytest
from tests.support.factories import (
    AfterActionReviewFactory,
    PracticeFactory,
    ResponseFactory,
    SafetyEventFactory,
)
from tests.support.queries import counting_queries, queries_for


@pytest.mark.parametrize(
    "who, url, make",
    [
        (
            "lead",
            "/triage",
            lambda w: SafetyEventFactory(organisation=w.practice, status="awaiting_triage"),
        ),
        ("icb_quality", "/responses", lambda w: AfterActionReviewFactory(organisation=w.practice)),
        (
            "reporter",
            "/events/mine",
            lambda w: SafetyEventFactory(organisation=w.practice, reporter_user_id=w.reporter.id),
        ),
    ],
)
def test_a_list_page_costs_the_same_queries_for_two_rows_as_for_twenty(
    sign_in, world, who, url, make
):
    client = sign_in(getattr(world, who))
    for _ in range(2):
        make(world)
    few = queries_for(client, url)
    for _ in range(18):
        make(world)
    assert queries_for(client, url) == few


def _organisations(world, n):
    """`n` more services in the world's ICB, each in a PCN: what an admin list and a response's
    choices of organisations grow with."""
    for _ in range(n):
        PracticeFactory(icb=world.icb, groups=[world.pcn])


@pytest.mark.parametrize(
    "who, url",
    [
        ("admin", "/admin/organisations"),
        ("admin", "/admin/organisations/new"),
        ("lead", "/responses/{response}"),
    ],
)
def test_a_page_costs_the_same_queries_with_three_organisations_as_with_thirty(
    app, sign_in, world, who, url
):
    app.config["PAGE_SIZE"] = 50  # every organisation on the one page: each row is drawn
    url = url.format(response=ResponseFactory(organisation=world.practice, state="in_review").id)
    client = sign_in(getattr(world, who))
    _organisations(world, 3)
    few = queries_for(client, url)
    _organisations(world, 27)
    assert queries_for(client, url) == few


def test_the_triage_queue_is_three_statements(sign_in, world):
    """The sign-in (person, roles and the header's count), the page of events, and the plans
    their organisations follow: nothing else, however many rows (issue 16)."""
    client = sign_in(world.lead)
    for _ in range(3):
        SafetyEventFactory(organisation=world.practice, status="awaiting_triage")
    with counting_queries() as statements:
        assert client.get("/triage").status_code == 200
    assert len(statements) == 3, statements


def test_the_response_page_of_a_response_with_nobody_to_engage_is_fourteen_statements(
    sign_in, world
):
    """For its lead, at its first step: the sign-in; the response and its five kinds of parts;
    its links; its timeline with its actors' names; the people to engage, contact attempts,
    candour record and staff who may lead engagement; its library entry (issue 16)."""
    url = f"/responses/{ResponseFactory(organisation=world.practice).id}"
    client = sign_in(world.lead)
    with counting_queries() as statements:
        assert client.get(url).status_code == 200
    assert len(statements) == 14, statements
