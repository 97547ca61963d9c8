"""Another organisation's id where a form or an API body names one (a select, radios, a hidden
field), for readiness, alerts, near misses and bulletins: sent by someone allowed to use the form
for their own organisation. Each is refused as a mistake on the form (400, the error summary) or
in the body (422 naming the field), and nothing is written. Ids in addresses are tried by the
route tables (tests/test_route_access.py, tests/api/test_route_access.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

import pytest
from sqlalchemy import func, select

from psirf.audit import AuditRecord
from psirf.extensions import db
from tests.support import readiness as make
from tests.support.api import bearer, token_for
from tests.support.factories import PcnFactory, PracticeFactory, UserFactory, one_commit
from tests.support.nearmiss import PharmacyFactory, pharmacies

TODAY = date(2026, 3, 2)


@dataclass
class Sent:
    who: Callable[[dict], object]
    url: Callable[[dict], str]
    values: Callable[[dict], dict]  # the form's or the body's, the foreign id among them
    field: str
    api: bool = False


def _date(name: str, day: date = TODAY) -> dict:
    return {f"{name}[day]": day.day, f"{name}[month]": day.month, f"{name}[year]": day.year}


def _alert(organisation_id: int, api: bool) -> dict:
    if api:
        return {
            "organisation_id": organisation_id,
            "reference": "NatPSA/IDS/1",
            "title": "Look-alike pens",
            "issued_on": TODAY.isoformat(),
            "link": "https://www.england.nhs.uk/alert",
            "service_kinds": ["pharmacy"],
        }
    return {
        "organisation_id": str(organisation_id),
        "reference": "NatPSA/IDS/1",
        "title": "Look-alike pens",
        **_date("issued_on"),
        "link": "https://www.england.nhs.uk/alert",
        "service_kinds": "pharmacy",
    }


def _near_miss(organisation_id: int, api: bool) -> dict:
    values = {
        "organisation_id": organisation_id if api else str(organisation_id),
        "medicine": "Amlodipine 5mg tablets",
        "error_type": "wrong_strength",
        "stage": "accuracy_check",
        "cause": "look_alike",
    }
    return values | ({"occurred_on": TODAY.isoformat()} if api else _date("occurred_on"))


def _staff(o: dict, suffix: str) -> str:
    return f"/readiness/organisations/{o['practice'].id}/staff{suffix}"


SENT = {
    # Alerts: recorded for the ICB, or a PCN or federation, the person records for.
    "an alert, by a PCN's panel, for another PCN": Sent(
        lambda o: o["panel"],
        lambda o: "/alerts/new",
        lambda o: _alert(o["other_pcn"].id, False),
        "organisation_id",
    ),
    "an alert, by a PCN's panel, for the ICB": Sent(
        lambda o: o["panel"],
        lambda o: "/alerts/new",
        lambda o: _alert(o["icb"].id, False),
        "organisation_id",
    ),
    "an alert, by the ICB, for another ICB": Sent(
        lambda o: o["icb_specialist"],
        lambda o: "/alerts/new",
        lambda o: _alert(o["far_icb"].id, False),
        "organisation_id",
    ),
    "an alert through the API, by a PCN's panel, for another ICB's PCN": Sent(
        lambda o: o["panel"],
        lambda o: "/api/v1/alerts",
        lambda o: _alert(o["far_pcn"].id, True),
        "organisation_id",
        api=True,
    ),
    # Near misses: logged at a pharmacy where the person works.
    "a near miss at another pharmacy": Sent(
        lambda o: o["pharmacist"],
        lambda o: "/near-misses",
        lambda o: _near_miss(o["other_pharmacy"].id, False),
        "organisation_id",
    ),
    "a near miss at another ICB's pharmacy": Sent(
        lambda o: o["pharmacist"],
        lambda o: "/near-misses",
        lambda o: _near_miss(o["far_pharmacy"].id, False),
        "organisation_id",
    ),
    "a near miss through the API at another pharmacy": Sent(
        lambda o: o["pharmacist"],
        lambda o: "/api/v1/near-misses",
        lambda o: _near_miss(o["other_pharmacy"].id, True),
        "organisation_id",
        api=True,
    ),
    # Readiness: the staff of the organisation whose page it is; a person's own places of work.
    "training for another practice's member of staff": Sent(
        lambda o: o["lead"],
        lambda o: _staff(o, "/training"),
        lambda o: {"member_id": str(o["their_staff"].id), "level": "1", **_date("completed_on")},
        "member_id",
    ),
    "another practice's member of staff as a leaver": Sent(
        lambda o: o["lead"],
        lambda o: _staff(o, "/left"),
        lambda o: {"leaver_id": str(o["their_staff"].id), **_date("left_on")},
        "leaver_id",
    ),
    "your own training at a practice where you do not work": Sent(
        lambda o: o["reporter"],
        lambda o: "/readiness/my-training",
        lambda o: {
            "organisation_id": str(o["other_practice"].id),
            "level": "1",
            **_date("completed_on"),
        },
        "organisation_id",
    ),
    "your own training through the API at another ICB's practice": Sent(
        lambda o: o["reporter"],
        lambda o: "/api/v1/readiness/my-training",
        lambda o: {
            "organisation_id": o["far_practice"].id,
            "level": 1,
            "completed_on": TODAY.isoformat(),
        },
        "organisation_id",
        api=True,
    ),
    # Bulletins: drafted for a PCN, federation or ICB whose bulletins the person writes.
    "a bulletin, by a PCN's panel, for another PCN": Sent(
        lambda o: o["panel"],
        lambda o: "/bulletins/new",
        lambda o: {"organisation_id": str(o["other_pcn"].id), "period": "2026-01-01/2026-04-01"},
        "organisation_id",
    ),
    "a bulletin through the API, by the ICB, for another ICB": Sent(
        lambda o: o["icb_quality"],
        lambda o: "/api/v1/bulletins",
        lambda o: {
            "organisation_id": o["far_icb"].id,
            "period_start": "2026-01-01",
            "period_end": "2026-04-01",
        },
        "organisation_id",
        api=True,
    ),
}


@pytest.fixture
def places(world) -> dict:
    people = pharmacies(world)
    (their_staff,) = make.staff(
        world.other_lead, world.other_practice, ("Zed Zee", "zed@example.org")
    )
    with one_commit():
        far_icb = world.outsider_icb_quality.roles[0].organisation
        far_pcn = PcnFactory(icb=far_icb, name="Far PCN")
        far_practice = PracticeFactory(icb=far_icb, name="Far Practice", groups=[far_pcn])
        far_pharmacy = PharmacyFactory(icb=far_icb, name="Far Pharmacy")
        UserFactory(role=("reporter", far_practice))
    return {
        **vars(world),
        **people.people(),
        "other_pharmacy": people.other_pharmacy,
        "their_staff": their_staff,
        "far_icb": far_icb,
        "far_pcn": far_pcn,
        "far_practice": far_practice,
        "far_pharmacy": far_pharmacy,
    }


def _written() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuditRecord))


@pytest.mark.parametrize("case", list(SENT))
def test_another_organisations_id_in_a_form_or_body_is_refused(app, sign_in, places, case):
    sent = SENT[case]
    who, url, values = sent.who(places), sent.url(places), sent.values(places)
    client = app.test_client() if sent.api else sign_in(who)
    headers = bearer(token_for(who)) if sent.api else {}
    before = _written()
    if sent.api:
        answer = client.post(url, json=values, headers=headers)
        assert answer.status_code == 422, answer.get_json()
        assert sent.field in answer.get_json()["errors"]
    else:
        answer = client.post(url, data=values)
        assert answer.status_code == 400
        page = answer.get_data(as_text=True)
        assert "nhsuk-error-summary" in page and f'href="#{sent.field}' in page
    assert _written() == before


# ---- another's id under an address of your own ----------------------------------------------------


@pytest.fixture
def mixed(places, world) -> dict:
    """Two alerts sent to the same pharmacy, a draft with its action, and a partner named by
    another practice: each id of one tried under the address of another."""
    from psirf.alerts import services as alerts
    from psirf.readiness.models import NamedPerson
    from tests.support.alerts import pharmacy, record

    place, lead = pharmacy(world, "North Street Pharmacy", world.pcn, "FAA01")
    first = record(world.icb_specialist, world.icb, reference="IDS/1")
    second = record(world.icb_specialist, world.icb, reference="IDS/2")
    draft = record(world.icb_specialist, world.icb, reference="IDS/3", issue=False)
    make.named(world.other_lead, world.other_practice, "patient_safety_partners", "Zed Partner")
    return {
        **places,
        "place": place,
        "place_lead": lead,
        "first": first,
        "draft": draft,
        "their_action": second.actions[0].id,
        "their_confirmation": alerts.get_confirmation(
            db.session, second, place, second.actions[0].id
        ).id,
        "their_partner": db.session.scalar(select(NamedPerson.id)),
    }


UNDER_YOURS = {
    "another alert's action, confirmed under this alert": (
        "place_lead",
        lambda o: (
            f"/alerts/{o['first'].id}/organisations/{o['place'].id}/actions/{o['their_action']}"
        ),
        lambda o: {"version": "1", "status": "done", **_date("done_on")},
    ),
    "another alert's confirmation, through the API under this alert": (
        "place_lead",
        lambda o: f"/api/v1/alerts/{o['first'].id}/confirmations/{o['their_confirmation']}",
        lambda o: {"status": "done", "done_on": TODAY.isoformat(), "version": 1},
    ),
    "another alert's action, removed from this draft": (
        "icb_specialist",
        lambda o: f"/alerts/{o['draft'].id}/actions/{o['their_action']}/remove",
        lambda o: {"version": str(o["draft"].version_id)},
    ),
    "another practice's partner, removed under this practice": (
        "lead",
        lambda o: (
            f"/readiness/organisations/{o['practice'].id}"
            f"/commitments/patient_safety_partners/named/{o['their_partner']}/remove"
        ),
        lambda o: {},
    ),
}


@pytest.mark.parametrize("case", list(UNDER_YOURS))
def test_anothers_id_under_an_address_of_your_own_is_not_found(app, sign_in, mixed, case):
    who, url, values = UNDER_YOURS[case]
    person, address, sent = mixed[who], url(mixed), values(mixed)
    api = address.startswith("/api/")
    client = app.test_client() if api else sign_in(person)
    headers = bearer(token_for(person)) if api else {}
    before = _written()
    if api:
        answer = client.post(address, json=sent, headers=headers)
    else:
        answer = client.post(address, data=sent)
    assert answer.status_code == 404
    assert _written() == before
