"""Every problem answers with its status and the branded page in plain English; a database that
does not answer is a 503 (the health check's JSON, every page's branded page), signed in or not."""

from __future__ import annotations

import io

import pytest
from flask import abort
from sqlalchemy.exc import OperationalError
from werkzeug.test import EnvironBuilder

from psirf import create_app
from psirf.db import ChangedBySomeoneElse

LIMIT = 2 * 1024 * 1024


def _raise(kind: str):
    if kind == "conflict":
        raise ChangedBySomeoneElse()
    if kind == "outage":
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))
    raise RuntimeError("a mistake in the code")


@pytest.fixture
def client(own_app):
    app = own_app  # routes are added to it: an app of this test's own, not the session's
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: a mistake is a 500 page
    app.add_url_rule("/try/abort/<int:code>", "try_abort", lambda code: abort(code))
    app.add_url_rule("/try/raise/<kind>", "try_raise", _raise)
    return app.test_client()


@pytest.mark.parametrize(
    "address, method, status, title",
    [
        ("/try/abort/400", "GET", 400, "There is a problem with what was sent"),
        ("/no-such-page", "GET", 404, "Page not found"),
        ("/events/99999999999999999999", "GET", 404, "Page not found"),
        ("/notifications/read-all", "GET", 405, "That cannot be done here"),
        ("/try/raise/conflict", "GET", 409, "Someone else changed this first"),
        ("/try/abort/429", "GET", 429, "Too many attempts"),
        ("/try/raise/mistake", "GET", 500, "Sorry, there is a problem with the service"),
        ("/try/raise/outage", "GET", 503, "Sorry, the service is unavailable"),
    ],
)
def test_each_problem_has_its_status_and_a_branded_page(client, address, method, status, title):
    answer = client.open(address, method=method)
    body = answer.get_data(as_text=True)
    assert answer.status_code == status
    assert answer.mimetype == "text/html"
    assert "nhsuk-header" in body and "nhsuk-footer" in body
    assert f"<h1>{title}</h1>" in body
    assert "Traceback" not in body and "Werkzeug" not in body


def _post_stream(app, path: str, body, length: int | None) -> tuple[int, str]:
    """POST `body` as a server would hand it over: with its Content-Length, or streamed without one."""
    environ = EnvironBuilder(
        path=path,
        method="POST",
        content_type="application/x-www-form-urlencoded",
        base_url="http://localhost",
    ).get_environ()
    environ["wsgi.input"] = body
    if length is None:
        environ.pop("CONTENT_LENGTH", None)
        environ["wsgi.input_terminated"] = True
    else:
        environ["CONTENT_LENGTH"] = str(length)
    started = {}
    chunks = app(
        environ, lambda status, headers, exc_info=None: started.setdefault("status", status)
    )
    page = b"".join(chunks).decode()
    return int(started["status"].split()[0]), page


@pytest.mark.parametrize("address", ["/report/what-happened", "/sign-in", "/join"])
def test_an_anonymous_post_beyond_the_limit_is_refused_before_its_body_is_read(app, address):
    body = CountingStream(6 * 1024 * 1024)
    status, page = _post_stream(app, address, body, body.size)
    assert status == 413
    assert "<h1>What you sent is too large</h1>" in page
    assert body.read_so_far == 0


def test_a_body_sent_without_its_length_is_read_no_further_than_the_limit(app):
    body = CountingStream(6 * 1024 * 1024)
    status, _ = _post_stream(app, "/sign-in", body, None)
    assert status == 413
    assert body.read_so_far <= LIMIT + 64 * 1024


def test_a_body_sent_without_its_length_within_the_limit_is_read_whole(app):
    body = io.BytesIO(b"email=someone%40example.org&password=wrong")
    status, page = _post_stream(app, "/sign-in", body, None)
    assert status == 400 and 'value="someone@example.org"' in page


def test_the_largest_real_form_fits_within_the_limit(app):
    """Five answers of 20,000 characters in a four-byte script, as a browser encodes them."""
    from urllib.parse import urlencode

    answers = {f"review-field{n}": "\U0001f600" * 20_000 for n in range(5)}
    assert len(urlencode(answers)) < app.config["MAX_CONTENT_LENGTH"]


class CountingStream(io.RawIOBase):
    """A request body that counts how much of it the app read."""

    def __init__(self, size: int):
        self.size, self.read_so_far = size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.size - self.read_so_far)
        buffer[:n] = b"a" * n
        self.read_so_far += n
        return n


# ---- a database that does not answer ----------------------------------------------------------------


@pytest.fixture
def outage(app, world, sign_in):
    """A client signed in while the database answered, then sent to an app whose database does not
    (a closed port), as after the database server stops."""
    cookie = sign_in(world.lead).get_cookie("session")
    down = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:9/psirf",
            "SECRET_KEY": app.config["SECRET_KEY"],
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "localhost",
        }
    )
    client = down.test_client()
    client.set_cookie("session", cookie.value, domain=cookie.domain)
    return client


def test_the_health_check_answers_503_when_the_database_does_not_even_with_a_session(outage):
    answer = outage.get("/healthz")
    assert answer.status_code == 503
    assert answer.get_json() == {"status": "unavailable", "database": "unavailable"}


@pytest.mark.parametrize("address", ["/", "/responses", "/triage", "/events/1"])
def test_every_page_answers_503_with_the_branded_page_when_the_database_does_not(outage, address):
    answer = outage.get(address)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 503
    assert "nhsuk-header" in body and "<h1>Sorry, the service is unavailable</h1>" in body


def test_a_form_sent_during_an_outage_answers_503(outage):
    answer = outage.post("/responses/1/findings", data={"finding-text": "It went wrong."})
    assert answer.status_code == 503
