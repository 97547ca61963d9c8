"""The near-miss log's pages: the bench form (few answers to give, ready for the next one after
each), the log paged by keyset with no N+1, the summaries, and promotion (ten clicks, one event)."""

from __future__ import annotations

import re
import threading

from sqlalchemy import func, select

from psirf.audit import AuditRecord
from psirf.events.models import SafetyEvent
from psirf.extensions import db
from psirf.lfpse.models import LfpseExport
from psirf.nearmiss import services
from psirf.nearmiss.models import NearMiss
from psirf.timeutil import utcnow
from tests.support.nearmiss import NearMissFactory
from tests.support.queries import queries_for

CLICKS = 10


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _errors(page: str) -> list[str]:
    summary = page.split('nhsuk-error-summary__list"', 1)[1].split("</ul>", 1)[0]
    return [text.strip() for text in re.findall(r"<a href=\"#[^\"]*\">([^<]*)</a>", summary)]


def test_three_answers_are_all_a_near_miss_needs_the_rest_is_filled_in(sign_in, pharmacies):
    client = sign_in(pharmacies.pharmacist)
    form = client.get("/near-misses").get_data(as_text=True)
    today = utcnow().date()
    # Filled in already: the pharmacy, the day, and where most are caught.
    assert f'value="{pharmacies.pharmacy.id}"' in form
    assert f'name="occurred_on[day]" type="text" value="{today.day}"' in form
    assert re.search(r'value="accuracy_check" checked', form)

    # Sent as the page shows it: only the three answers are missing.
    refused = client.post(
        "/near-misses",
        data={
            "organisation_id": pharmacies.pharmacy.id,
            "stage": "accuracy_check",
            "occurred_on[day]": today.day,
            "occurred_on[month]": today.month,
            "occurred_on[year]": today.year,
        },
    )
    assert refused.status_code == 400
    assert _errors(refused.get_data(as_text=True)) == [
        "Enter the medicine involved",
        "Select what was nearly given wrongly",
        "Select the likely cause",
    ]

    answers = {
        "organisation_id": pharmacies.pharmacy.id,
        "medicine": "Amlodipine 5mg tablets",
        "error_type": "wrong_strength",
        "stage": "accuracy_check",
        "cause": "look_alike",
        "occurred_on[day]": today.day,
        "occurred_on[month]": today.month,
        "occurred_on[year]": today.year,
    }
    logged = client.post("/near-misses", data=answers)
    assert logged.status_code == 302 and logged.location.endswith("/near-misses")
    page = client.get("/near-misses").get_data(as_text=True)
    assert "Near miss logged: Amlodipine 5mg tablets" in page
    # Ready for the next one: the medicine box is empty again, the defaults back.
    assert 'name="medicine" type="text" spellcheck="false" value=""' in page
    assert "Amlodipine 5mg tablets</td>" in page  # in the log below
    assert _count(NearMiss) == 1
    assert _count(LfpseExport) == 0


def test_a_failed_form_keeps_what_was_typed(sign_in, pharmacies):
    client = sign_in(pharmacies.pharmacist)
    answer = client.post(
        "/near-misses",
        data={
            "organisation_id": pharmacies.pharmacy.id,
            "medicine": "Sertraline 50mg",
            "error_type": "wrong_medicine",
            "dmd_code": "not a code",
        },
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert 'value="Sertraline 50mg"' in page
    assert re.search(r'value="wrong_medicine" checked', page)
    assert "Enter the dm+d code as 6 to 18 digits, or leave it blank" in page
    assert _count(NearMiss) == 0


def test_a_pharmacist_of_two_pharmacies_chooses_one(sign_in, pharmacies):
    from psirf.accounts.models import Role, RoleAssignment

    db.session.add(
        RoleAssignment(
            user_id=pharmacies.pharmacist.id,
            organisation_id=pharmacies.other_pharmacy.id,
            role=Role.REPORTER.value,
        )
    )
    db.session.commit()
    page = sign_in(pharmacies.pharmacist).get("/near-misses").get_data(as_text=True)
    assert len(re.findall(r'name="organisation_id" type="radio"', page)) == 2
    assert "Southfields Pharmacy" in page and "North Street Pharmacy" in page


def test_the_log_pages_by_keyset_in_a_constant_number_of_queries(apps):
    from tests.support.factories import TEST_PASSWORD
    from tests.support.nearmiss import pharmacies as build
    from tests.support.world import build_world

    row = '<tr class="nhsuk-table__row">'
    with apps.running(PAGE_SIZE=3) as app:
        places = build(build_world())

        def logged(medicine):
            NearMissFactory(
                organisation=places.pharmacy, medicine=medicine, recorded_by_id=places.pharmacist.id
            )

        for n in range(4):
            logged(f"Medicine {n}")
        client = app.test_client()
        client.post("/sign-in", data={"email": places.pharmacist.email, "password": TEST_PASSWORD})
        few = queries_for(client, "/near-misses")
        first = client.get("/near-misses").get_data(as_text=True)
        assert first.count(row) == 3
        older = re.search(r'href="(/near-misses\?after=[^"]+)"', first).group(1)
        second = client.get(older).get_data(as_text=True)
        assert second.count(row) == 1
        assert "Medicine 0" in second and "Medicine 0" not in first
        for n in range(6):
            logged(f"More {n}")
        assert queries_for(client, "/near-misses") == few


def test_the_summary_page_shows_the_month_and_its_medicines(sign_in, pharmacies):
    today = utcnow().date()
    for medicine in ("Amlodipine 5mg tablets", "amlodipine 5mg tablets", "Sertraline 50mg"):
        NearMissFactory(
            organisation=pharmacies.pharmacy,
            occurred_on=today,
            medicine=medicine,
            recorded_by_id=pharmacies.pharmacist.id,
        )
    page = sign_in(pharmacies.dispenser).get("/near-misses/summary").get_data(as_text=True)
    month = today.strftime("%B %Y")
    assert f"3 near misses caught in {month}" in page
    assert re.search(r"Amlodipine 5mg tablets</td><td[^>]*>2</td>", page)
    assert re.search(r"Sertraline 50mg</td><td[^>]*>1</td>", page)
    earlier = sign_in(pharmacies.pharmacist).get("/near-misses/summary?month=2020-01")
    assert "0 near misses caught in January 2020" in earlier.get_data(as_text=True)


def test_promoting_from_the_page_opens_the_new_event(sign_in, pharmacies):
    near_miss = NearMissFactory(
        organisation=pharmacies.pharmacy,
        medicine="Warfarin 1mg tablets",
        recorded_by_id=pharmacies.dispenser.id,
    )
    # The dispenser reads it but is told who decides.
    seen = sign_in(pharmacies.dispenser).get(f"/near-misses/{near_miss.id}").get_data(as_text=True)
    assert "Make this a safety event" not in seen
    assert "patient safety lead can make it one" in seen
    client = sign_in(pharmacies.pharmacist)
    answer = client.post(
        f"/near-misses/{near_miss.id}/promote", data={"version": near_miss.version_id}
    )
    event = db.session.scalars(select(SafetyEvent)).one()
    assert answer.status_code == 302 and answer.location.endswith(f"/events/{event.id}")
    page = client.get(answer.location).get_data(as_text=True)
    assert "Warfarin 1mg tablets" in page
    shown = client.get(f"/near-misses/{near_miss.id}").get_data(as_text=True)
    assert event.reference in shown and "Make this a safety event" not in shown


def test_ten_clicks_on_promote_make_one_event(app, sign_in, pharmacies, monkeypatch):
    near_miss = NearMissFactory(
        organisation=pharmacies.pharmacy, recorded_by_id=pharmacies.pharmacist.id
    )
    clients = [sign_in(pharmacies.pharmacist) for _ in range(CLICKS)]
    # Every request waits inside the promotion until all have read the near miss.
    barrier = threading.Barrier(CLICKS, timeout=30)
    original = services.events.record_event

    def held(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(services.events, "record_event", held)
    answers: list = [None] * CLICKS
    url, form = f"/near-misses/{near_miss.id}/promote", {"version": near_miss.version_id}

    def send(i):
        answer = clients[i].post(url, data=form)
        answers[i] = (answer.status_code, answer.get_data(as_text=True))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(CLICKS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(status for status, _ in answers) == [302] + [409] * (CLICKS - 1)
    assert all("changed by someone else" in body for status, body in answers if status == 409)
    assert _count(SafetyEvent) == 1
    assert _count(LfpseExport) == 1
    assert _count(AuditRecord, AuditRecord.action == "near_miss:promote") == 1
    assert _count(NearMiss, NearMiss.event_id.is_not(None)) == 1
