"""What runs the queue: `flask lfpse send` and the worker's periodic task, both with the
configured sender (the outbox by default), both sending only what is due."""

from __future__ import annotations

import pytest

from psirf.config import ConfigurationError
from psirf.lfpse import senders
from tests.support.lfpse import record


def test_the_command_sends_what_is_due_to_the_outbox_once(world, app, tmp_path):
    app.config["LFPSE_OUTBOX_DIR"] = str(tmp_path)
    event = record(world)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["lfpse", "send"])
    assert first.exit_code == 0, first.output
    assert "1 sent, 0 failed" in first.output
    assert [p.name for p in tmp_path.iterdir()] == [f"{event.reference}-r1.json"]
    again = runner.invoke(args=["lfpse", "send"])
    assert "Nothing due." in again.output


def test_the_workers_task_sends_what_is_due(world, app, tmp_path):
    app.config["LFPSE_OUTBOX_DIR"] = str(tmp_path)
    event = record(world)
    task = app.extensions["psirf_lfpse_task"]
    assert task.call_local() == {"sent": 1, "failed": 0}
    assert (tmp_path / f"{event.reference}-r1.json").exists()


def test_an_http_sender_without_its_address_and_key_is_refused_at_start():
    with pytest.raises(ConfigurationError, match="LFPSE_URL and LFPSE_API_KEY"):
        senders.from_config({"LFPSE_SENDER": "http"})


def test_an_http_sender_sends_its_key_over_https_only_beyond_this_machine():
    config = {"LFPSE_SENDER": "http", "LFPSE_API_KEY": "key"}
    with pytest.raises(ConfigurationError, match="https"):
        senders.from_config(config | {"LFPSE_URL": "http://lfpse.example/adverse-event"})
    for url in ("https://lfpse.example/adverse-event", "http://127.0.0.1:8080/adverse-event"):
        assert senders.from_config(config | {"LFPSE_URL": url}).url == url
