"""The readiness pages as people use them: a lead records evidence (a failed form keeps what was
typed), names a partner, lists staff and records training by hand or from a CSV file with a row
by row report; a person records their own training; the ICB confirms; the map shows the gaps."""

from __future__ import annotations

import io

from sqlalchemy import select

from psirf.extensions import db
from psirf.readiness.models import CommitmentRecord, StaffMember
from tests.support import readiness as make
from tests.support.pages import shows_one_error_summary


def _url(world, suffix=""):
    return f"/readiness/organisations/{world.practice.id}{suffix}"


def _record(organisation, key):
    return db.session.scalar(
        select(CommitmentRecord).where(
            CommitmentRecord.organisation_id == organisation.id, CommitmentRecord.commitment == key
        )
    )


def test_a_lead_records_evidence_for_a_commitment(world, sign_in):
    client = sign_in(world.lead)
    answer = client.post(
        _url(world, "/commitments/ppg_agenda"),
        data={
            "version": "0",
            "status": "met",
            "note": "Patient safety is a standing item.",
            "evidence_on[day]": "3",
            "evidence_on[month]": "2",
            "evidence_on[year]": "2026",
            "evidence_url": "https://intranet.example.nhs.uk/ppg-minutes",
        },
    )
    assert answer.status_code == 302
    record = _record(world.practice, "ppg_agenda")
    assert (record.status, str(record.evidence_on)) == ("met", "2026-02-03")
    page = client.get(_url(world)).get_data(as_text=True)
    assert "Patient safety is a standing item." in page and "Recorded by Lee Lead" in page


def test_a_refused_form_keeps_what_was_typed_and_shows_the_error_summary(world, sign_in):
    answer = sign_in(world.lead).post(
        _url(world, "/commitments/staff_survey"),
        data={
            "version": "0",
            "status": "met",
            "note": "Survey in May",
            "evidence_url": "not a link",
        },
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert shows_one_error_summary(page) and "starting https://" in page
    assert "Survey in May" in page and 'value="not a link"' in page


def test_a_lead_names_a_partner_and_the_map_counts_them(world, sign_in):
    client = sign_in(world.lead)
    answer = client.post(
        _url(world, "/commitments/patient_safety_partners/named"), data={"name": "Morgan Ellis"}
    )
    assert answer.status_code == 302
    assert "In progress: 1 of 2 named" in client.get("/readiness").get_data(as_text=True)


def test_staff_and_their_training_by_hand(world, sign_in):
    client = sign_in(world.lead)
    assert (
        client.post(
            _url(world, "/staff/add"), data={"name": "Dana Nurse", "email": "dana@example.org"}
        ).status_code
        == 302
    )
    member = db.session.scalar(select(StaffMember).where(StaffMember.email == "dana@example.org"))
    answer = client.post(
        _url(world, "/staff/training"),
        data={
            "member_id": str(member.id),
            "level": "1",
            "completed_on[day]": "10",
            "completed_on[month]": "1",
            "completed_on[year]": "2026",
        },
    )
    assert answer.status_code == 302
    assert "Completed 10 January 2026" in client.get(_url(world, "/staff")).get_data(as_text=True)


def test_a_chosen_member_that_is_no_id_is_refused_on_the_form(world, sign_in):
    client = sign_in(world.lead)
    for chosen in ("\u00b2", "9" * 40, "-1"):
        answer = client.post(
            _url(world, "/staff/training"),
            data={"member_id": chosen, "level": "1", "completed_on[day]": "10",
                  "completed_on[month]": "1", "completed_on[year]": "2026"},
        )  # fmt: skip
        assert answer.status_code == 400, chosen
        assert shows_one_error_summary(answer.get_data(as_text=True))


def _import(client, world, data: bytes):
    return client.post(
        _url(world, "/training-import"),
        data={"file": (io.BytesIO(data), "training.csv")},
        content_type="multipart/form-data",
    )


def test_training_imported_from_a_csv_file_reports_each_row(world, sign_in):
    make.staff(world.lead, world.practice, ("Ann Able", "ann@example.org"))
    data = (
        "email,name,level,completed_on\n"
        "ann@example.org,Ann Able,1,2026-01-31\n"
        "new@example.org,New Person,2,31/01/2026\n"
        "bad@example.org,Bad Date,1,yesterday\n"
        "ann@example.org,Ann Able,3,2026-01-31\n"
    ).encode()
    answer = _import(sign_in(world.lead), world, data)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "2 of 4 rows recorded." in page
    assert "(added to the staff list)" in page
    assert "Not recorded: The date is not a date like 2026-03-31" in page
    assert "Not recorded: Choose level 1 or level 2" in page
    level_1 = _record(world.practice, "syllabus_level_1")
    assert (level_1.count, level_1.total) == (1, 2)


def test_an_imported_row_refused_writes_nothing_and_its_date_keeps_to_the_forms_years(
    world, sign_in
):
    data = (
        "email,name,level,completed_on\n"
        "old@example.org,Old Date,1,0001-01-01\n"
        "far@example.org,Far Date,1,31/12/9999\n"
        "three@example.org,Level Three,3,2026-01-31\n"
        "square@example.org,Level Squared,\u00b2,2026-01-31\n"
        f"long@example.org,Level Long,{'9' * 5000},2026-01-31\n"
        "ok@example.org,Oka Kay,1,1900-01-01\n"
    ).encode()
    answer = _import(sign_in(world.lead), world, data)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "1 of 6 rows recorded." in page
    assert "Not recorded: The year must be 1900 or later" in page
    assert "Not recorded: The year must be 2199 or earlier" in page
    assert "Not recorded: Choose level 1 or level 2" in page
    # The person a refused row named is not added to the staff list on its own.
    listed = db.session.scalars(select(StaffMember.email)).all()
    assert listed == ["ok@example.org"]


def test_a_file_without_the_columns_is_refused_on_the_form(world, sign_in):
    answer = _import(sign_in(world.lead), world, b"who,when\nx,y\n")
    assert answer.status_code == 400 and shows_one_error_summary(answer.get_data(as_text=True))
    assert "The first row must name the columns" in answer.get_data(as_text=True)


def test_a_person_records_their_own_training(world, sign_in):
    client = sign_in(world.reporter)
    undated = client.post(
        "/readiness/my-training", data={"organisation_id": str(world.practice.id), "level": "1"}
    )
    assert undated.status_code == 400 and shows_one_error_summary(undated.get_data(as_text=True))
    answer = client.post(
        "/readiness/my-training",
        data={
            "organisation_id": str(world.practice.id),
            "level": "1",
            "completed_on[day]": "4",
            "completed_on[month]": "2",
            "completed_on[year]": "2026",
        },
    )
    assert answer.status_code == 302
    assert "Level 1: completed 4 February 2026" in client.get("/readiness/my-training").get_data(
        as_text=True
    )


def test_the_icb_specialist_confirms_from_the_organisations_page(world, sign_in):
    record = make.record(world.lead, world.practice, "freedom_to_speak_up")
    client = sign_in(world.icb_specialist)
    assert "Confirm" in client.get(_url(world)).get_data(as_text=True)
    answer = client.post(
        _url(world, "/commitments/freedom_to_speak_up/confirm"),
        data={"version": str(record.version_id)},
    )
    assert answer.status_code == 302
    assert "Confirmed by Sam Specialist" in client.get(_url(world)).get_data(as_text=True)


def test_the_map_links_each_commitments_gaps(world, sign_in):
    client = sign_in(world.icb_specialist)
    page = client.get("/readiness").get_data(as_text=True)
    assert "/readiness/gaps/patient_safety_partners" in page
    gaps = client.get("/readiness/gaps/patient_safety_partners").get_data(as_text=True)
    assert "Riverside" in gaps and "Southfields" in gaps


def test_the_organisations_page_keeps_the_history_of_each_commitment(world, sign_in):
    first = make.record(world.lead, world.practice, "staff_survey", status="in_progress")
    make.record(world.lead, world.practice, "staff_survey", status="met", version=first.version_id)
    page = sign_in(world.panel).get(_url(world)).get_data(as_text=True)
    history = page.split("<h2>History</h2>")[1]
    # In the page's words, not the stored codes.
    assert history.index("Where it stands: In progress to In place") < history.index(
        "Where it stands: Not started to In progress"
    )
    assert "Staff survey offered and acted on: recorded by Lee Lead" in history
    assert "in_progress" not in history
