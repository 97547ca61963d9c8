"""Counting the SQL statements a piece of work sends: the suite's check that lists have no N+1."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from psirf.extensions import db


@contextmanager
def counting_queries():
    """Yields the list of statements sent while the block runs."""
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def queries_for(client, url) -> int:
    with counting_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def api_statements_for(client, url, headers) -> int:
    """The statements a GET of an API list sends, counted on a second GET: the token's first use
    is noted once (its last-used time), and that is not what a list costs."""
    client.get(url, headers=headers)
    with counting_queries() as statements:
        assert client.get(url, headers=headers).status_code == 200
    return len(statements)
