"""Many new rows of one table written at once, the way each database loads rows fastest.

PostgreSQL: `COPY ... FROM STDIN`, its own bulk-loading path. An executemany, even pipelined, is
still a statement a row for the server to bind, execute and answer; COPY streams the rows into one
command. On the bulk import's batches it is what brings the import near the bare executemany's
speed (bench/importing.py). Every value goes through its column type's own bind processing first,
as an INSERT's would (a JSON column's value becomes JSON, not an array), so COPY writes what an
INSERT would have written. Elsewhere (SQLite): the driver's executemany through SQLAlchemy.

Rows go in as given: defaults are not applied, so each row names every column it needs, and all
rows name the same columns.
"""

from __future__ import annotations

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Write `rows` (dicts naming the same columns) into `table` in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection, table, rows)
    else:
        connection.execute(insert(table), rows)


def _copy(connection: Connection, table: Table, rows: list[dict]) -> None:
    names = list(rows[0])
    dialect = connection.dialect
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    ]
    quote = dialect.identifier_preparer
    columns = ", ".join(quote.quote(name) for name in names)
    statement = f"COPY {quote.format_table(table)} ({columns}) FROM STDIN"
    cursor = connection.connection.driver_connection.cursor()
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [
                        value if process is None or value is None else process(value)
                        for value, process in zip(map(row.__getitem__, names), processors)
                    ]
                )
    finally:
        cursor.close()
