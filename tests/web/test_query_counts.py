"""Lists cost the same number of queries however many rows they show: no N+1."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from psirf.extensions import db
from tests.factories import AfterActionReviewFactory, SafetyEventFactory


@contextmanager
def counting_queries():
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def queries_for(client, url):
    with counting_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


@pytest.mark.parametrize(
    "who, url, make",
    [
        ("lead", "/triage", lambda w: SafetyEventFactory(organisation=w.practice, status="awaiting_triage")),
        ("icb_quality", "/responses", lambda w: AfterActionReviewFactory(organisation=w.practice)),
        ("reporter", "/events/mine", lambda w: SafetyEventFactory(organisation=w.practice, reporter_user_id=w.reporter.id)),
    ],
)
def test_a_list_page_costs_the_same_queries_for_two_rows_as_for_twenty(sign_in, world, who, url, make):
    client = sign_in(getattr(world, who))
    for _ in range(2):
        make(world)
    few = queries_for(client, url)
    for _ in range(18):
        make(world)
    assert queries_for(client, url) == few
