"""No NHS number reaches the log, in whatever form it arrives: typed, URL-encoded, in a
traceback, in a database error, in an access log line of the development server or gunicorn."""

from __future__ import annotations

import io
import re
import logging
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from werkzeug.serving import make_server

from psirf.extensions import db
from psirf.web.logging import redact
from tests.support.app import real_clock_environment, running_app

NUMBER = "9434765919"
# Each group of the number is checked, so a line keeping any part of it fails.
PARTS = ("943", "476", "5919")


@pytest.fixture
def logged(database):
    """An app made while the root logger has a handler writing here: (app, what was written)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with running_app(database) as app:  # create_app puts redaction on every handler there is
            yield app, stream
    finally:
        root.removeHandler(handler)


# A log line's own time ("[2026-12-06 07:45:19,943]", "[06/Dec/2026:07:45:19 +0000]") can hold
# a group of the number by chance: it is not what was logged, so it is left out of the check.
TIMESTAMP = re.compile(r"\[[^\]\n]*\d\d:\d\d:\d\d[^\]\n]*\]")


def _clean(output: str) -> None:
    assert "[redacted]" in output
    logged = TIMESTAMP.sub("[time]", output)
    for part in PARTS:
        assert part not in logged, output


@pytest.mark.parametrize(
    "written",
    [
        "9434765919",
        "943 476 5919",
        "943-476-5919",
        "943.476.5919",
        "943+476+5919",
        "943%20476%205919",
        "%20943%20476%205919",
        "943%2D476%2d5919",
        "943\u00a0476\u00a05919",
    ],
)
def test_an_nhs_number_is_redacted_however_it_is_written(written):
    line = redact(f"GET /report/service?q={written}&x=1")
    assert line.endswith("[redacted]&x=1")
    _clean(line)


def test_references_dates_and_longer_numbers_are_left_alone():
    kept = "PSE-2026-000123 on 2026-11-25, card 1234567890123456, phone? no"
    assert redact(kept) == kept


def test_a_traceback_carrying_a_number_is_redacted(logged):
    try:
        raise LookupError(f"no patient with NHS number {NUMBER}")
    except LookupError:
        logging.getLogger("psirf").exception("looking up %s failed", "943 476 5919")
    output = logged[1].getvalue()
    assert "Traceback" in output and "LookupError" in output
    _clean(output)


def test_a_database_error_logs_neither_its_parameters_nor_the_row(logged):
    # A NOT NULL violation: PostgreSQL's message quotes the failing row; SQLAlchemy would add the
    # parameters, but the engine is set to hide them.
    with pytest.raises(DBAPIError) as raised:
        db.session.execute(
            text("INSERT INTO organisations (name) VALUES (:name)"), {"name": NUMBER}
        )
    db.session.rollback()
    assert "parameters hidden" in str(raised.value)
    try:
        raise raised.value
    except DBAPIError:
        logging.getLogger("psirf").exception("saving failed")
    output = logged[1].getvalue()
    assert "organisations" in output
    if NUMBER in str(
        raised.value
    ):  # the row is in the message (PostgreSQL): it must not reach the log
        _clean(output)
    else:
        assert NUMBER not in output


def test_the_development_servers_request_lines_are_redacted(logged):
    server = make_server("127.0.0.1", 0, logged[0], threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for query in ("943+476+5919", "943%20476%205919", NUMBER):
            with urllib.request.urlopen(
                f"http://127.0.0.1:{server.server_port}/report/service?q={query}"
            ) as page:
                assert page.status == 200
    finally:
        server.shutdown()
    output = logged[1].getvalue()
    assert output.count("GET /report/service?q=[redacted]") == 3
    _clean(output)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_from_its_config_file_binds_as_told_and_redacts_its_logs(database):
    # As `make serve` runs it: the address and the number of workers from the environment.
    port = _free_port()
    root = Path(__file__).resolve().parents[2]
    env = {
        **real_clock_environment(),
        "DATABASE_URL": database(),
        "PSIRF_ENV": "development",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        # The socket listens before the worker boots; a request waits in its backlog until then.
        for line in server.stdout:
            lines.append(line)
            if "Booting worker" in line:
                break
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/report/service?q=943+476+5919"
        ) as page:
            assert page.status == 200
    finally:
        server.terminate()
        output = "".join(lines) + server.communicate()[0]
    assert output.count("Booting worker") == 1 and "/report/service?q=[redacted]" in output
    # Each part is looked for in the requests only: gunicorn's own lines carry process ids, ports
    # and byte counts, where three digits of the number may stand by chance.
    _clean(" ".join(re.findall(r'"GET [^"]*"', output)))
    assert not re.search(r"943\D*476\D*5919", output)
