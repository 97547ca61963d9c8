"""`flask worker`: one worker of a deployment schedules the periodic tasks; the others only take
tasks, or every one of them would schedule the sweep, reminders and purge again."""

from __future__ import annotations

import pytest

from psirf.notifications.queue import queue_of


class _Consumer:
    def run(self):
        pass


@pytest.fixture
def consumers(app, monkeypatch):
    made = []

    def create_consumer(**options):
        made.append(options)
        return _Consumer()

    monkeypatch.setattr(queue_of(app).huey, "create_consumer", create_consumer)
    return made


@pytest.mark.parametrize(
    ("arguments", "periodic"), [([], True), (["--periodic"], True), (["--no-periodic"], False)]
)
def test_the_worker_schedules_the_periodic_tasks_unless_told_not_to(
    app, consumers, arguments, periodic
):
    result = app.test_cli_runner().invoke(args=["worker", *arguments])
    assert result.exit_code == 0, result.output
    assert [options["periodic"] for options in consumers] == [periodic]


def test_the_worker_names_redis_but_never_prints_its_url(app, consumers):
    app.config["REDIS_URL"] = "redis://:secret-password@redis.example:6379/0"
    result = app.test_cli_runner().invoke(args=["worker"])
    assert "queue at Redis" in result.output
    assert "secret-password" not in result.output
