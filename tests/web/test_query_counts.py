"""Lists cost the same number of queries however many rows they show: no N+1."""

import pytest
from tests.support.factories import (
    AfterActionReviewFactory,
    PracticeFactory,
    ResponseFactory,
    SafetyEventFactory,
)
from tests.support.queries import queries_for


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
