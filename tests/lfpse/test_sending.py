"""Running the queue with each sender: the outbox's one file per revision, a revised event sent as
revision 2, and HTTP to a fake LFPSE on 127.0.0.1 that fails, is retried with backoff, and never
receives one revision twice, even from two senders at once."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf.extensions import db
from psirf.lfpse import sending
from psirf.lfpse.models import LfpseExport
from psirf.lfpse.senders import HttpSender, OutboxSender
from tests.lfpse.test_queue import revise
from tests.support.lfpse import FakeLfpse, record, validated

KEY = "test-key-not-a-secret"


def _row(event, revision=1) -> LfpseExport:
    return db.session.scalar(
        select(LfpseExport).where(
            LfpseExport.event_id == event.id, LfpseExport.revision == revision
        )
    )


def _http(fake) -> HttpSender:
    return HttpSender(fake.url, KEY, "Ocp-Apim-Subscription-Key", timeout=5)


def test_the_outbox_holds_one_file_per_revision_and_nothing_half_written(world, tmp_path):
    events = [record(world), record(world)]
    due = max(_row(e).next_attempt_at for e in events)
    run = sending.send_due(db.session, OutboxSender(tmp_path), due)
    assert sorted(run.sent) == sorted((e.reference, 1) for e in events)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{e.reference}-r1.json" for e in events
    )
    for event in events:
        resource = json.loads((tmp_path / f"{event.reference}-r1.json").read_text())
        validated(resource)
        assert resource["identifier"]["value"] == event.reference
    assert sending.send_due(db.session, OutboxSender(tmp_path), due + timedelta(days=1)).sent == []


def test_a_revised_event_is_sent_as_revision_2_of_the_same_reference(world, tmp_path):
    event = record(world)
    outbox = OutboxSender(tmp_path)
    sending.send_due(db.session, outbox, _row(event).next_attempt_at)
    revise(world, event, description="The dose was ten times the intended dose, not twice.")
    run = sending.send_due(db.session, outbox, _row(event, 2).next_attempt_at)
    assert run.sent == [(event.reference, 2)]
    second = json.loads((tmp_path / f"{event.reference}-r2.json").read_text())
    validated(second)
    assert second["meta"]["versionId"] == "2"
    assert second["identifier"]["value"] == event.reference
    assert second["event"]["text"] == "The dose was ten times the intended dose, not twice."
    assert (_row(event).state, _row(event, 2).state) == ("sent", "sent")


def test_a_failed_send_is_retried_with_backoff_then_succeeds(world):
    event = record(world)
    queued_at = _row(event).next_attempt_at
    with FakeLfpse(statuses=[503]) as fake:
        first = sending.send_due(db.session, _http(fake), queued_at)
        row = _row(event)
        assert first.failed == [(event.reference, 1)]
        assert (row.state, row.attempts) == ("failed", 1)
        assert row.reason == "LFPSE answered 503 Service Unavailable"
        assert row.next_attempt_at == queued_at + timedelta(minutes=1)

        early = sending.send_due(db.session, _http(fake), queued_at + timedelta(seconds=59))
        assert early.sent == early.failed == []

        retried = sending.send_due(db.session, _http(fake), queued_at + timedelta(minutes=1))
        assert retried.sent == [(event.reference, 1)]
        again = sending.send_due(db.session, _http(fake), queued_at + timedelta(days=1))
        assert again.sent == []
    row = _row(event)
    assert (row.state, row.attempts, row.reason) == ("sent", 2, None)
    assert row.sent_at == queued_at + timedelta(minutes=1)
    assert fake.revisions() == [(event.reference, "1")]
    [received] = fake.received
    assert received["headers"]["Ocp-Apim-Subscription-Key"] == KEY
    assert received["headers"]["Content-Type"] == "application/fhir+json"
    validated(received["resource"])


def test_a_redirect_is_a_failure_to_retry_and_the_key_never_follows_it(world):
    # Followed, a 302 becomes a GET without the body: its 200 would mark a revision sent that
    # LFPSE never received, and the key would go wherever the redirect pointed.
    event = record(world)
    with FakeLfpse(statuses=[302]) as fake:
        run = sending.send_due(db.session, _http(fake), _row(event).next_attempt_at)
    assert run.failed == [(event.reference, 1)]
    assert (_row(event).state, _row(event).reason) == ("failed", "LFPSE answered 302 Found")
    assert fake.followed == []


def test_an_unreachable_lfpse_is_a_failure_to_retry(world):
    event = record(world)
    with FakeLfpse() as fake:
        url = fake.url  # nothing listens there once the server has stopped
    sender = HttpSender(url, KEY, "Ocp-Apim-Subscription-Key", timeout=2)
    run = sending.send_due(db.session, sender, _row(event).next_attempt_at)
    assert run.failed == [(event.reference, 1)]
    assert _row(event).reason.startswith("Could not reach LFPSE")


def test_an_answer_trickled_a_byte_at_a_time_is_cut_off_at_the_send_deadline(world):
    """Each byte comes well inside the socket's timeout, which so never fires; the deadline for
    the whole send does, long before the answer could end or the claim's lease run out."""
    event = record(world)
    with FakeLfpse(trickle=0.2) as fake:
        sender = HttpSender(fake.url, KEY, "Ocp-Apim-Subscription-Key", timeout=2, deadline=1.5)
        started = time.monotonic()
        run = sending.send_due(db.session, sender, _row(event).next_attempt_at)
        took = time.monotonic() - started
    assert run.failed == [(event.reference, 1)]
    row = _row(event)
    assert (row.state, row.reason) == ("failed", "LFPSE did not answer within 1.5 seconds")
    assert row.next_attempt_at is not None  # retried later, with backoff
    assert 1.5 <= took < 6


def test_a_deadline_of_the_claims_lease_or_longer_is_refused():
    from psirf.config import ConfigurationError
    from psirf.lfpse import senders

    config = {"LFPSE_SENDER": "http", "LFPSE_URL": "https://lfpse.example/ae", "LFPSE_API_KEY": "k"}
    assert senders.from_config(config).deadline == senders.DEFAULT_DEADLINE_SECONDS
    for seconds in (0, 450, 900, 3600):
        with pytest.raises(ConfigurationError, match="LFPSE_DEADLINE_SECONDS"):
            senders.from_config(config | {"LFPSE_DEADLINE_SECONDS": seconds})


def test_two_senders_at_once_send_each_revision_once(world, app):
    events = [record(world) for _ in range(6)]
    due = max(_row(e).next_attempt_at for e in events)
    start = threading.Barrier(2)
    runs = []

    def worker(fake):
        with app.app_context():
            session = Session(db.engine)
            try:
                start.wait()
                runs.append(sending.send_due(session, _http(fake), due))
            finally:
                session.close()

    with FakeLfpse() as fake:
        threads = [threading.Thread(target=worker, args=(fake,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(fake.revisions()) == sorted((e.reference, "1") for e in events)
    assert sorted(sent for run in runs for sent in run.sent) == sorted(
        (e.reference, 1) for e in events
    )
    db.session.expire_all()
    assert {_row(e).state for e in events} == {"sent"}


def test_a_revision_corrected_after_it_was_claimed_is_not_sent_as_the_new_one(world, tmp_path):
    event = record(world)
    due = _row(event).next_attempt_at
    # A correction saved between the claim and the send: the event is at revision 2 already (its
    # own row, queued with it, would send it).
    event.revision = 2
    db.session.commit()
    run = sending.send_due(db.session, OutboxSender(tmp_path), due)
    assert run.sent == run.failed == []
    assert list(tmp_path.iterdir()) == []
    row = _row(event)
    assert (row.state, row.reason) == (
        "not_reportable",
        "Superseded by revision 2 before it was sent.",
    )
