"""Many new rows of one table written at once, the way each database loads rows fastest.

PostgreSQL: `COPY ... FROM STDIN`, its own bulk-loading path. An executemany, even pipelined, is
still a statement a row for the server to bind, execute and answer; COPY streams the rows into one
command. SQLite: the driver's own executemany of plain tuples, which SQLite runs in C, past
SQLAlchemy's building a dictionary of parameters for each row (on a batch of an import's rows that
cost more than SQLite's writing them). Either way every value goes through its column type's own
bind processing first, as an INSERT's would (a JSON column's value becomes JSON text, a date on
SQLite ISO text), so what is written is what an INSERT would have written.

Rows go in as given: defaults are not applied, so each row names every column it needs, and all
rows name the same columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import itemgetter

from sqlalchemy import Table
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Write `rows` (dicts naming the same columns) into `table` in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    names = list(rows[0])
    quote = connection.dialect.identifier_preparer
    into = f"{quote.format_table(table)} ({', '.join(quote.quote(name) for name in names)})"
    values = _processed(connection, table, names, rows)
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        try:
            with cursor.copy(f"COPY {into} FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        finally:
            cursor.close()
    else:
        placeholders = ", ".join("?" for _ in names)
        connection.exec_driver_sql(f"INSERT INTO {into} VALUES ({placeholders})", list(values))


def _processed(connection: Connection, table: Table, names: list[str], rows) -> Iterator[tuple]:
    """Each row's values in `names`' order, each as its column's type binds it for the dialect:
    the values taken out together, and only those of columns whose type has a processor
    (dates, JSON and the like; not the many text columns) passed through it, once for a run of
    rows with the same value (an empty list of codes, the same day), as a processor's result
    depends on the value alone."""
    dialect = connection.dialect
    processors = [
        (n, process)
        for n, name in enumerate(names)
        if (process := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    ]
    last = [(_NOTHING, None)] * len(processors)  # each processed column's last value, processed
    values_of = itemgetter(*names)
    for row in rows:
        values = list(values_of(row)) if len(names) > 1 else [row[names[0]]]
        for k, (n, process) in enumerate(processors):
            value = values[n]
            if value is not None:
                before, processed = last[k]
                if value != before or type(value) is not type(before):
                    processed = process(value)
                    last[k] = (value, processed)
                values[n] = processed
        yield tuple(values)


_NOTHING = object()
