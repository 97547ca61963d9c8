"""The administrators' import page through the test client: upload, the job, progress, the
summary and the report with its download."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from sqlalchemy import func, select

from psirf.events.models import SafetyEvent
from psirf.imports.columns import template_header
from psirf.imports.models import EventImport
from tests.support.factories import TEST_PASSWORD, PracticeFactory
from tests.support.imports import THEME_CODES, csv_text, good_row, place
from tests.support.notifications import run_queued
from tests.support.world import build_world


def _upload(client, text: str, **fields):
    data = {"file": (io.BytesIO(text.encode()), "events.csv"), **fields}
    return client.post("/admin/imports", data=data, content_type="multipart/form-data")


def _events(session) -> int:
    return session.scalar(select(func.count()).select_from(SafetyEvent))


def test_an_upload_runs_as_a_job_and_its_page_shows_progress_then_the_summary_and_report(
    session, sign_in, queue
):
    p = place()
    rows = [good_row(n, (p.practice.ods_code,)) for n in range(30)]
    rows[4]["theme"] = "weather"
    client = sign_in(p.admin)

    sent = _upload(client, csv_text(rows))
    assert sent.status_code == 302
    page = client.get(sent.location).get_data(as_text=True)
    assert "data-psirf-refresh" in page and "Waiting to start" in page

    run_queued(queue)
    record = session.scalar(select(EventImport))
    session.refresh(record)
    assert (record.state, record.imported, record.refused, record.faults) == ("finished", 0, 30, 1)
    page = client.get(sent.location).get_data(as_text=True)
    assert "data-psirf-refresh" not in page and "Finished" in page
    # Each cell starts with its column's heading, which only a narrow screen shows.
    assert re.search(
        r"<td[^>]*><span[^>]*>Row </span>6</td>\s*<td[^>]*><span[^>]*>Column </span>theme</td>",
        page,
    )
    report = client.get(f"{sent.location}/report.csv")
    assert report.mimetype == "text/csv"
    assert list(csv.reader(io.StringIO(report.get_data(as_text=True)))) == [
        ["row", "field", "message"],
        ["6", "theme", "Select what the event was mostly about. Use one of: " + THEME_CODES],
    ]
    assert _events(session) == 0


def test_a_clean_file_is_imported_and_its_upload_is_not_kept(session, sign_in, queue, app):
    p = place()
    client = sign_in(p.admin)
    sent = _upload(client, csv_text([good_row(n, (p.practice.ods_code,)) for n in range(12)]))
    run_queued(queue)
    assert _events(session) == 12
    record = session.scalar(select(EventImport))
    page = client.get(sent.location).get_data(as_text=True)
    assert "No faults" in page
    assert not list(Path(app.config["IMPORT_FOLDER"]).glob(f"{record.id}-upload*"))


def test_a_dry_run_from_the_page_saves_no_event(session, sign_in, queue):
    p = place()
    client = sign_in(p.admin)
    sent = _upload(client, csv_text([good_row(1, (p.practice.ods_code,))]), dry_run="y")
    run_queued(queue)
    assert _events(session) == 0
    assert "A dry run: nothing was saved" in client.get(sent.location).get_data(as_text=True)


def test_a_file_whose_header_is_not_the_templates_is_refused_on_the_form(session, sign_in):
    p = place()
    answer = _upload(sign_in(p.admin), "reference,when\nA,B\n")
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "There is a problem" in page and "&#39;reference&#39;" in page
    assert session.scalar(select(func.count()).select_from(EventImport)) == 0


def test_a_file_of_another_kind_and_no_file_are_refused(session, sign_in):
    p = place()
    client = sign_in(p.admin)
    other = client.post(
        "/admin/imports",
        data={"file": (io.BytesIO(b"x"), "events.xlsx")},
        content_type="multipart/form-data",
    )
    assert other.status_code == 400 and "Choose a file of a kind" in other.get_data(as_text=True)
    empty = client.post("/admin/imports", data={}, content_type="multipart/form-data")
    assert "Select a file of events" in empty.get_data(as_text=True)


def test_the_template_is_the_header_row(sign_in):
    p = place()
    answer = sign_in(p.admin).get("/admin/imports/template.csv")
    assert answer.get_data(as_text=True) == ",".join(template_header()) + "\r\n"
    assert "patient_3_nhs_number" in template_header()


def test_another_icbs_administrator_does_not_find_an_import_and_staff_may_not_import(
    session, sign_in, queue
):
    from psirf.accounts.models import Role
    from tests.support.factories import IcbFactory, UserFactory

    p = place()
    sent = _upload(sign_in(p.admin), csv_text([good_row(1, (p.practice.ods_code,))]))
    outsider = UserFactory(role=(Role.ADMINISTRATOR, IcbFactory()))
    assert sign_in(outsider).get(sent.location).status_code == 404
    lead = UserFactory(role=(Role.PATIENT_SAFETY_LEAD, p.practice))
    assert sign_in(lead).get("/admin/imports").status_code == 403
    assert _upload(sign_in(lead), "x").status_code == 403


def _signed_in_with_csrf(app, user):
    """A client signed in through the real form, its CSRF token read from the page."""
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = client.post(
        "/sign-in", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 302
    return client


def test_only_an_administrators_upload_may_be_larger_than_other_forms_take(apps):
    """The app refuses bodies over 2 MiB before reading them. The upload page takes more from an
    administrator, its limit set before CSRF reads the form (here refused for its missing token,
    not for size); from anyone else a large body is refused unread, never spooled to disk."""
    with apps.running(WTF_CSRF_ENABLED=True, IMPORT_MAX_BYTES=8 * 2**20) as app:
        people = build_world()

        def big_upload(client):
            big = io.BytesIO(b"x" * (3 * 2**20))
            return client.post(
                "/admin/imports",
                data={"file": (big, "events.csv")},
                content_type="multipart/form-data",
            )

        assert big_upload(_signed_in_with_csrf(app, people.admin)).status_code == 400
        assert big_upload(app.test_client()).status_code == 413
        assert big_upload(_signed_in_with_csrf(app, people.lead)).status_code == 413
        too_big = app.test_client().post(
            "/admin/organisations/new", data={"name": "x" * (3 * 2**20)}
        )
        assert too_big.status_code == 413


def test_an_imported_event_reads_as_kept_for_insight_on_its_page(session, sign_in, queue):
    from psirf.accounts.models import Role
    from tests.support.factories import UserFactory

    p = place()
    _upload(sign_in(p.admin), csv_text([good_row(7, (p.practice.ods_code,))]))
    run_queued(queue)
    event = session.scalar(select(SafetyEvent))
    lead = UserFactory(role=(Role.PATIENT_SAFETY_LEAD, p.practice))
    page = sign_in(lead).get(f"/events/{event.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "No further response, kept for insight" in text and "Historic event number 7." in text
    assert "imported from another system" in text


def test_an_import_for_one_service_is_seen_by_that_services_icb(session, sign_in, queue):
    # An administrator of two ICBs imports for a service of the second: the second's other
    # administrators see it (and its report); it is not filed under the first ICB alone.
    from psirf.accounts.models import Role, RoleAssignment
    from tests.support.factories import IcbFactory, UserFactory

    p = place()
    second_icb = IcbFactory()
    session.add(
        RoleAssignment(user=p.admin, organisation=second_icb, role=Role.ADMINISTRATOR.value)
    )
    there = PracticeFactory(icb=second_icb)
    colleague = UserFactory(role=(Role.ADMINISTRATOR, second_icb))
    session.commit()
    text = csv_text([good_row(1, (there.ods_code,))])
    sent = _upload(sign_in(p.admin), text, organisation=there.ods_code)
    assert sent.status_code == 302

    assert sign_in(colleague).get(sent.location).status_code == 200
    assert session.scalars(select(EventImport.icb_id)).one() == second_icb.id


def test_an_organisation_the_administrator_does_not_administer_is_refused_on_the_form(
    session, sign_in
):
    p = place()
    text = csv_text([good_row(1, ("",))])
    answer = _upload(sign_in(p.admin), text, organisation=p.far_practice.ods_code)
    assert answer.status_code == 400
    assert "No service of an ICB you administer" in answer.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(EventImport)) == 0


def test_a_file_that_stops_being_utf8_stops_the_import_and_keeps_the_batches_before(
    session, sign_in, queue
):
    p = place()
    text = csv_text([good_row(n, (p.practice.ods_code,)) for n in range(1_200)])
    client = sign_in(p.admin)
    data = {"file": (io.BytesIO(text.encode() + b"\xff\xfe,broken\n"), "events.csv")}
    sent = client.post("/admin/imports", data=data, content_type="multipart/form-data")
    run_queued(queue)
    record = session.scalar(select(EventImport))
    session.refresh(record)
    assert (record.state, record.imported) == ("failed", 1_000)
    assert record.error == "The file must be saved as CSV UTF-8"
    page = client.get(sent.location).get_data(as_text=True)
    assert "The file could not be read to its end" in page and "were imported" in page
