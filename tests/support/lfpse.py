"""LFPSE export helpers: an event recorded through the services (so it is queued as in use), and a
fake LFPSE: a real HTTP server on 127.0.0.1 in a thread, answering with the statuses it is given."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from psirf.db import unit_of_work
from psirf.events import services
from psirf.extensions import db
from tests.support.app import pause

OCCURRED = date(2026, 3, 2)
TODAY = date(2026, 3, 9)
NOW = datetime(2026, 3, 9, 10, 0)

FULL_DETAILS = dict(
    record_type="incident",
    occurred_on=OCCURRED,
    description="A repeat prescription was issued at ten times the dose.",
    theme="medication",
    service_area="general_practice",
    location="practice_building",
    immediate_actions="The patient was called and the prescription cancelled.",
    agents=["medication"],
    processes=["prescribing"],
    national_flags=["safeguarding"],
    patients=[
        {
            "physical_harm": "low",
            "psychological_harm": "moderate",
            "age_band": "1-4",
            "gender": "female",
            "ethnicity": "asian_indian",
            "nhs_number": "9434765919",
        }
    ],
)


def record(world, **overrides):
    """An event recorded by the world's reporter at its practice, committed (and so queued)."""
    fields = dict(FULL_DETAILS, reporter_kind="staff", reporter_user=world.reporter)
    fields.update(overrides)
    with unit_of_work(db.session):
        event = services.record_event(
            db.session, organisation=world.practice, today=TODAY, **fields
        )
    return event


class FakeLfpse:
    """Answers each POST with the next status of `statuses` (then 201), keeping what it received.
    A 3xx status points elsewhere on the same server, where any request that follows it is kept
    in `followed`. With `trickle` (seconds), a 201's body comes a byte at a time, that long apart,
    never finished while the client listens: each wait shorter than a socket's timeout."""

    def __init__(self, statuses=(), trickle: float | None = None):
        self.statuses = list(statuses)
        self.trickle = trickle
        self.received: list[dict] = []
        self.followed: list[dict] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with fake.lock:
                    status = fake.statuses.pop(0) if fake.statuses else 201
                    if status < 300:
                        fake.received.append(
                            {"headers": dict(self.headers), "resource": json.loads(body)}
                        )
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "/moved")
                if fake.trickle and status < 300:
                    self._trickle()
                    return
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _trickle(self):
                self.send_header("Content-Length", "1000000")
                self.end_headers()
                try:
                    for _ in range(1_000_000):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                        pause(fake.trickle)
                except OSError:  # the client gave up and closed the connection
                    self.close_connection = True

            def do_GET(self):
                with fake.lock:
                    fake.followed.append({"path": self.path, "headers": dict(self.headers)})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):  # quiet in the test output
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/adverse-event/fhir/AdverseEvent"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def revisions(self) -> list[tuple[str, str]]:
        return [
            (r["resource"]["identifier"]["value"], r["resource"]["meta"]["versionId"])
            for r in self.received
        ]


def validated(resource: dict):
    """The resource parsed by fhir.resources' FHIR R4B models (R4's shape), its contained
    Patient, Practitioner and Location each parsed as their own type too: raises if any is invalid."""
    from fhir.resources.R4B.adverseevent import AdverseEvent
    from fhir.resources.R4B.location import Location
    from fhir.resources.R4B.patient import Patient
    from fhir.resources.R4B.practitioner import Practitioner

    kinds = {"Patient": Patient, "Practitioner": Practitioner, "Location": Location}
    for contained in resource.get("contained", []):
        kinds[contained["resourceType"]].model_validate(contained)
    return AdverseEvent.model_validate(resource)


def failed_export(organisation):
    """An event of `organisation` whose revision 1 failed once: on its lead's exports page."""
    from psirf.lfpse.models import LfpseExport
    from tests.support.factories import SafetyEventFactory

    event = SafetyEventFactory(organisation=organisation)
    row = LfpseExport(
        event_id=event.id,
        organisation_id=organisation.id,
        revision=1,
        state="failed",
        reason="LFPSE answered 503 Service Unavailable",
        attempts=1,
        next_attempt_at=NOW,
        created_at=NOW,
    )
    db.session.add(row)
    db.session.commit()
    return row
