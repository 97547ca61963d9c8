"""Lists cost the same number of queries however many rows they show: no N+1."""

import pytest
from tests.support.factories import AfterActionReviewFactory, SafetyEventFactory
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
