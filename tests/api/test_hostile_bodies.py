"""Every change the API takes for readiness, alerts, near misses and bulletins, sent hostile values
one field at a time (and each field left out), by the person allowed to make it, from the version
they read. The pages' forms are tried the same way by tests/web/test_hostile_input.py.

Nothing may answer 5xx. A refusal is a 4xx problem document (a 422 names the field), and writes
nothing. What is taken is kept as text, without control characters, and every date taken lies
within the years the forms take.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import count
from typing import Callable

import pytest
from sqlalchemy import func, select

from psirf.alerts.models import Alert, AlertConfirmation
from psirf.audit import AuditRecord
from psirf.bulletins.models import Bulletin
from psirf.extensions import db
from psirf.readiness.models import CommitmentRecord
from psirf.timeutil import utcnow
from psirf.web.forms import YEAR_MAX, YEAR_MIN
from tests.support import readiness as make
from tests.support.alerts import pharmacy, record
from tests.support.api import bearer, token_for
from tests.support.bulletins import make_bulletin
from tests.support.nearmiss import NearMissFactory, pharmacies

HOSTILE = {
    "markup": '<script>alert(1)</script>"><img src=x onerror=1>',
    "a 40-digit number": 10**40,
    "1e308": 1e308,
    "-1": -1,
    "year 1": "0001-01-01",
    "year 9999": "9999-12-31",
    "30 February": "2026-02-30",
    "100,000 characters": "c" * 100_000,
    "a NUL and controls": "before\u0000after\u001b[31m",
    "unicode oddities": "\u202etxt.exe\u202c \u05e9\u05dc\u05d5\u05dd \U0001f600 e\u0301 \ufeff",
    "letters longer in lower case": "\u0130" * 200,  # İ lowers to two: a key can outgrow its column
    "null": None,
    "true": True,
    "a list": ["a"],
    "an object": {"a": 1},
}
LEFT_OUT = object()


@dataclass
class Change:
    """One change the API takes: who makes it, where, and a body it accepts as it stands now."""

    who: object
    method: str
    url: Callable[[], str]
    body: Callable[[], dict]
    attacked: tuple[str, ...] = ()  # the fields sent hostile values; every field when empty


def _today() -> date:
    return utcnow().date()


def _version(model, row_id: int) -> int:
    db.session.expire_all()
    return db.session.get(model, row_id).version_id


def _changes(world) -> dict[str, Change]:
    place, place_lead = pharmacy(world, "North Street Pharmacy", world.pcn, "FAA01")
    issued = record(world.icb_specialist, world.icb)
    db.session.expire_all()
    confirmation = db.session.scalar(
        select(AlertConfirmation).where(AlertConfirmation.organisation_id == place.id)
    )
    draft = record(world.icb_specialist, world.icb, reference="DRAFT/1", issue=False)
    people = pharmacies(world)
    near_miss = NearMissFactory(organisation=people.pharmacy, recorded_by_id=people.pharmacist.id)
    bulletin = make_bulletin(world.pcn, world.panel)
    point = bulletin.points[0]
    record_id = make.record(world.lead, world.practice, "freedom_to_speak_up").id
    numbers = count(1)
    today = _today().isoformat()

    def new_member() -> int:
        n = next(numbers)
        return make.staff(world.lead, world.practice, (f"Staff {n}", f"s{n}@example.org"))[0].id

    return {
        "record an alert": Change(
            world.icb_specialist,
            "POST",
            lambda: "/api/v1/alerts",
            lambda: {
                "organisation_id": world.icb.id,
                "reference": f"NatPSA/{next(numbers)}",
                "title": "Look-alike pens",
                "issued_on": today,
                "link": "https://www.england.nhs.uk/alert",
                "service_kinds": ["pharmacy"],
                "actions": [{"description": "Quarantine", "deadline": today}],
            },
        ),
        "change a draft alert": Change(
            world.icb_specialist,
            "PATCH",
            lambda: f"/api/v1/alerts/{draft.id}",
            lambda: {
                "reference": f"DRAFT/{next(numbers)}",
                "title": "Changed",
                "issued_on": "2026-03-01",
                "link": "https://www.england.nhs.uk/changed",
                "service_kinds": ["pharmacy", "practice"],
                "version": _version(Alert, draft.id),
            },
        ),
        "confirm an action": Change(
            place_lead,
            "POST",
            lambda: f"/api/v1/alerts/{issued.id}/confirmations/{confirmation.id}",
            lambda: {
                "status": "in_progress",
                "expected_on": today,
                "note": "On it",
                "version": _version(AlertConfirmation, confirmation.id),
            },
        ),
        "log a near miss": Change(
            people.pharmacist,
            "POST",
            lambda: "/api/v1/near-misses",
            lambda: {
                "organisation_id": people.pharmacy.id,
                "medicine": "Amlodipine 5mg tablets",
                "error_type": "wrong_strength",
                "stage": "accuracy_check",
                "cause": "look_alike",
                "occurred_on": today,
                "dmd_code": "123456",
                "note": "Shelved together",
            },
        ),
        # Only its version: a promotion that went through would end the table's near miss.
        "promote a near miss": Change(
            people.dispenser,
            "POST",
            lambda: f"/api/v1/near-misses/{near_miss.id}/promotion",
            lambda: {"version": 999_999},
        ),
        "record a commitment": Change(
            world.lead,
            "POST",
            lambda: (
                f"/api/v1/readiness/organisations/{world.practice.id}"
                "/commitments/freedom_to_speak_up"
            ),
            lambda: {
                "status": "in_progress",
                "route": None,
                "note": f"Guardian {next(numbers)}",
                "evidence_on": today,
                "evidence_url": "https://example.org/guardian",
                "version": _version(CommitmentRecord, record_id),
            },
        ),
        "mark a leaver": Change(
            world.lead,
            "POST",
            lambda: (
                f"/api/v1/readiness/organisations/{world.practice.id}/staff/{new_member()}/left"
            ),
            lambda: {"left_on": today},
        ),
        "record your own training": Change(
            world.reporter,
            "POST",
            lambda: "/api/v1/readiness/my-training",
            lambda: {"organisation_id": world.practice.id, "level": 1, "completed_on": today},
        ),
        # Repeat presentation, the events' field issue 18 added (their others are older).
        "record a diagnosis event": Change(
            world.lead,
            "POST",
            lambda: "/api/v1/events",
            lambda: {
                "organisation_id": world.practice.id,
                "record_type": "incident",
                "occurred_on": "2026-03-01",
                "description": "Fourth consultation in a month for the same headache.",
                "theme": "diagnosis",
                "patients": [{"physical_harm": "moderate"}],
                "repeat_presentation": "yes",
            },
            attacked=("repeat_presentation",),
        ),
        "draft a bulletin": Change(
            world.panel,
            "POST",
            lambda: "/api/v1/bulletins",
            lambda: {
                "organisation_id": world.pcn.id,
                "period_start": "2026-01-01",
                "period_end": "2026-02-01",
            },
        ),
        "edit a bulletin's text": Change(
            world.panel,
            "POST",
            lambda: f"/api/v1/bulletins/{bulletin.id}/text",
            lambda: {
                "introduction": f"What we learned {next(numbers)}",
                "themes_text": "Themes",
                "version": _version(Bulletin, bulletin.id),
            },
        ),
        "edit a bulletin's point": Change(
            world.panel,
            "POST",
            lambda: f"/api/v1/bulletins/{bulletin.id}/points/{point.id}",
            lambda: {
                "title": f"Medication {next(numbers)}",
                "body": "Counted",
                "version": _version(Bulletin, bulletin.id),
            },
        ),
    }


def _written() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuditRecord))


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _dates(value):
    """Every date in an answer: the fields named for one (issued_on, deadline, period_start)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and key.endswith(("_on", "deadline", "_start", "_end")):
                yield item
            else:
                yield from _dates(item)
    elif isinstance(value, list):
        for item in value:
            yield from _dates(item)


def _problems_with(answer, field: str, sent) -> list[str]:
    status, body = answer.status_code, answer.get_json(silent=True)
    if status >= 500:
        return [f"{status}"]
    if status >= 400:
        problems = []
        if answer.mimetype != "application/problem+json" or not body.get("detail"):
            problems.append(f"{status} without a problem document")
        if status == 422 and field not in (body.get("errors") or {}) and not body.get("errors"):
            problems.append(f"422 naming no field: {body.get('detail')}")
        return problems
    problems = []
    if any(any(ord(c) < 32 and c not in "\t\n\r" for c in s) for s in _strings(body)):
        problems.append(f"{status}: kept a control character")
    years = [int(d[:4]) for d in _dates(body)]
    if any(not YEAR_MIN <= y <= YEAR_MAX for y in years):
        problems.append(f"{status}: kept a date outside {YEAR_MIN}-{YEAR_MAX}")
    return problems


def test_every_change_takes_hostile_values_with_a_4xx_or_keeps_them_safely(app, world):
    changes = _changes(world)
    tokens = {}
    found = []
    for name, change in changes.items():
        headers = tokens.setdefault(change.who.id, bearer(token_for(change.who)))
        for field in change.attacked or change.body():
            for label, value in {**HOSTILE, "left out": LEFT_OUT}.items():
                body = change.body()
                if value is LEFT_OUT:
                    del body[field]
                else:
                    body[field] = value
                url, before = change.url(), _written()
                answer = app.test_client().open(
                    url, method=change.method, headers=headers, json=body
                )
                problems = _problems_with(answer, field, value)
                if 400 <= answer.status_code < 500 and _written() != before:
                    problems.append(f"{answer.status_code} but written")
                found += [f"{name}: {field} = {label}: {p}" for p in problems]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("body", [[], "text", 1])
def test_a_body_that_is_not_an_object_is_refused(app, world, body):
    answer = app.test_client().post(
        "/api/v1/near-misses", headers=bearer(token_for(world.lead)), json=body
    )
    assert answer.status_code == 400
    assert answer.mimetype == "application/problem+json"


@pytest.mark.parametrize("depth", [40, 5_000, 100_000])
def test_a_body_nested_past_any_the_api_takes_is_refused(app, world, depth):
    nested = '{"note": ' + "[" * depth + "]" * depth + "}"
    answer = app.test_client().post(
        f"/api/v1/readiness/organisations/{world.practice.id}/commitments/freedom_to_speak_up",
        data=nested,
        headers={**bearer(token_for(world.lead)), "Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert "nested so deeply" in answer.get_json()["detail"]
