"""Throttles count each attempt before it is checked, each person apart, in memory or in Redis."""

from __future__ import annotations

import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from psirf import create_app
from psirf.accounts import passwords
from psirf.accounts.models import Role
from psirf.family import joining
from psirf.extensions import db, limiter
from tests.support.app import IsolatedClient, pause
from tests.support.factories import TEST_PASSWORD, UserFactory, one_commit

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@contextmanager
def app_with(database, **settings):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database(),
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "localhost",
            **settings,
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        limiter.reset()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def redis_settings():
    """Redis storage, with counters under a name of this test's own (removed after it)."""
    import redis

    # Every machine here runs Redis: one that does not answer fails the test, never skips it.
    server = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    server.ping()
    namespace = f"psirf-test-{uuid.uuid4().hex[:12]}"
    # The storage's own prefix too: `limiter.reset()` deletes every key under it, and another run
    # of the suite at the same time (SQLite beside PostgreSQL) must keep its counts.
    yield {
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": f"LIMITS-{namespace}"},
        "THROTTLE_NAMESPACE": namespace,
    }
    for key in server.scan_iter(f"LIMITS*{namespace}*"):
        server.delete(key)


def at_once(count: int, attempt) -> list:
    """Run `attempt(i)` in `count` threads released together; their results."""
    start = threading.Barrier(count)

    def run(i):
        start.wait()
        return attempt(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


class Counting:
    """Wraps a function to count its calls, each slowed so that parallel requests overlap."""

    def __init__(self, function):
        self.function, self.calls, self.lock = function, 0, threading.Lock()

    def __call__(self, *args, **kwargs):
        with self.lock:
            self.calls += 1
        pause(0.05)
        return self.function(*args, **kwargs)


def thirty_wrong_passwords_at_once(app, monkeypatch, email) -> tuple[list[int], int]:
    verify = Counting(passwords.verify)
    monkeypatch.setattr(passwords, "verify", verify)
    statuses = at_once(
        30,
        lambda i: (
            app.test_client()
            .post("/sign-in", data={"email": email, "password": f"wrong {i}"})
            .status_code
        ),
    )
    return statuses, verify.calls


def test_thirty_parallel_wrong_passwords_are_checked_at_most_five_times_in_memory(
    app, world, monkeypatch
):
    limiter.reset()
    statuses, checked = thirty_wrong_passwords_at_once(app, monkeypatch, world.lead.email)
    assert checked <= 5
    assert set(statuses) <= {400, 429} and statuses.count(429) >= 25


def test_thirty_parallel_wrong_passwords_are_checked_at_most_five_times_in_redis(
    database, redis_settings, monkeypatch
):
    with app_with(database, **redis_settings) as app:
        assert type(limiter.storage).__name__ == "RedisStorage"
        lead = UserFactory(email="lead@example.org")
        statuses, checked = thirty_wrong_passwords_at_once(app, monkeypatch, lead.email)
    assert checked <= 5
    assert set(statuses) <= {400, 429} and statuses.count(429) >= 25


def test_forty_parallel_letter_codes_are_looked_up_at_most_ten_times(app, monkeypatch):
    limiter.reset()
    find = Counting(joining.find_by_code)
    monkeypatch.setattr(joining, "find_by_code", find)
    statuses = at_once(
        40,
        lambda i: (
            app.test_client().post("/join", data={"code": f"AAAA-AAAA-AA{i:02d}"}).status_code
        ),
    )
    assert find.calls <= 10
    assert set(statuses) <= {400, 429} and statuses.count(429) >= 30


def test_a_practice_of_thirty_behind_one_address_can_all_sign_in(app, world):
    limiter.reset()
    with one_commit():
        staff = [UserFactory(role=(Role.REPORTER, world.practice)) for _ in range(30)]
    for person in staff:
        answer = app.test_client().post(
            "/sign-in", data={"email": person.email, "password": TEST_PASSWORD}
        )
        assert answer.status_code == 302, person.email
    # Failures still add up: twenty from the address, then it is refused.
    failures = [
        app.test_client()
        .post("/sign-in", data={"email": f"nobody{n}@example.org", "password": "x"})
        .status_code
        for n in range(21)
    ]
    assert failures == [400] * 20 + [429]


def _sign_in_from(client, forwarded_for: str, n: int) -> int:
    return client.post(
        "/sign-in",
        data={"email": f"nobody{n}@example.org", "password": "wrong"},
        headers={"X-Forwarded-For": forwarded_for},
    ).status_code


def test_behind_one_trusted_proxy_two_addresses_are_throttled_apart(database):
    with app_with(database, TRUSTED_PROXIES=1, SIGN_IN_LIMIT_PER_ADDRESS="3 per 15 minutes") as app:
        client = app.test_client()
        first = [_sign_in_from(client, "203.0.113.7", n) for n in range(4)]
        # A client may send a header of its own: the proxy appends the real address, which is what counts.
        spoofed = _sign_in_from(client, "198.51.100.1, 203.0.113.7", 5)
        second = [_sign_in_from(client, "203.0.113.8", n) for n in range(3)]
    assert first == [400, 400, 400, 429] and spoofed == 429
    assert second == [400, 400, 400]


def test_with_no_trusted_proxy_the_forwarded_header_is_ignored(database):
    with app_with(database, SIGN_IN_LIMIT_PER_ADDRESS="3 per 15 minutes") as app:
        assert app.config["TRUSTED_PROXIES"] == 0
        client = app.test_client()
        statuses = [_sign_in_from(client, f"203.0.113.{n}", n) for n in range(4)]
    assert statuses == [400, 400, 400, 429]


def test_a_trusted_proxy_gives_the_address_and_scheme_but_not_the_host(database):
    from werkzeug.middleware.proxy_fix import ProxyFix

    with app_with(database, TRUSTED_PROXIES=1) as app:
        fix = app.wsgi_app
    assert isinstance(fix, ProxyFix)
    assert (fix.x_for, fix.x_proto, fix.x_host, fix.x_port, fix.x_prefix) == (1, 1, 0, 0, 0)
