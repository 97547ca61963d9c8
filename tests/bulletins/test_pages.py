"""Learning bulletins through their pages: drafted, edited, published and read; the PDF read back
with pypdf; nothing identifiable reaches the page or the PDF; who reads a draft and who reads a
published bulletin."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from psirf.bulletins import services
from psirf.bulletins.models import Bulletin
from psirf.extensions import db
from tests.support.bulletins import END, START, TODAY, make_bulletin
from tests.support.factories import SafetyActionFactory, SafetyEventFactory
from tests.support.library import NHS_NUMBER, PATIENT, SUMMARY
from tests.support.library import entry as library_entry
from tests.support.pages import shows_one_error_summary

STAFF = "Gemma Hartwell"
IDENTIFIERS = (
    PATIENT,
    "Edith",
    "Blackwood",
    NHS_NUMBER,
    NHS_NUMBER.replace(" ", ""),
    STAFF,
    "Hartwell",
)


def pdf_text(client, bulletin_id: int) -> str:
    answer = client.get(f"/bulletins/{bulletin_id}/bulletin.pdf")
    assert answer.status_code == 200 and answer.content_type == "application/pdf"
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.data)).pages)


def page_text(client, bulletin_id: int) -> str:
    answer = client.get(f"/bulletins/{bulletin_id}")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def version_of(client, bulletin_id: int) -> str:
    return re.search(r'name="version" value="(\d+)"', page_text(client, bulletin_id)).group(1)


@pytest.fixture
def planted(world):
    """North PCN's records of the quarter, each carrying a patient's name and NHS number or a
    member of staff's name: a library summary (as if stored unredacted), a good care record and a
    completed safety action."""
    shared = library_entry(
        world.practice, world.lead, title=f"Learning from {PATIENT}'s care", summary=SUMMARY
    )
    shared.published_at = datetime(2026, 8, 10, 9, 0)
    SafetyEventFactory(
        organisation=world.practice,
        occurred_on=date(2026, 9, 1),
        record_type="good_care",
        description=f"Nurse {STAFF} noticed {PATIENT} (NHS number {NHS_NUMBER}) was unwell and called an ambulance.",
    )
    SafetyEventFactory(organisation=world.practice, occurred_on=date(2026, 8, 4))
    SafetyActionFactory(
        response__organisation=world.practice,
        description=f"{STAFF} adds a dose check for patients like {PATIENT}, NHS no {NHS_NUMBER}",
        state="completed",
        completed_at=datetime(2026, 9, 2, 10, 0),
    )
    db.session.commit()


def test_a_quarterly_bulletin_is_drafted_edited_published_and_read_back_without_identifiers(
    world, sign_in, planted
):
    panel = sign_in(world.panel)
    drafted = panel.post(
        "/bulletins/new",
        data={"organisation_id": str(world.pcn.id), "period": f"{START}/{END}"},
    )
    assert drafted.status_code == 302
    bulletin_id = int(drafted.headers["Location"].rsplit("/", 1)[1])
    bulletin = db.session.get(Bulletin, bulletin_id)
    assert {p.section for p in bulletin.points} == {"themes", "learning", "good_care", "actions"}

    # Edited: a name and an NHS number typed into the text are replaced as it is saved.
    saved = panel.post(
        f"/bulletins/{bulletin_id}/text",
        data={
            "version": version_of(panel, bulletin_id),
            "introduction": f"Thanks to {PATIENT} (NHS number {NHS_NUMBER}) for letting us share this.",
            "themes_text": "Medication events rose this quarter.",
            "learning_text": "",
            "good_care_text": "",
            "actions_text": "",
        },
    )
    assert saved.status_code == 302
    assert "were replaced in: Introduction" in panel.get(saved.headers["Location"]).get_data(
        as_text=True
    )
    # A point removed.
    db.session.expire_all()
    bulletin = db.session.get(Bulletin, bulletin_id)
    removed = bulletin.points_in("actions")[0].id
    assert (
        panel.post(
            f"/bulletins/{bulletin_id}/points/{removed}/remove",
            data={"version": version_of(panel, bulletin_id)},
        ).status_code
        == 302
    )
    # Published.
    published = panel.post(
        f"/bulletins/{bulletin_id}/publish", data={"version": version_of(panel, bulletin_id)}
    )
    assert published.status_code == 302
    db.session.expire_all()
    bulletin = db.session.get(Bulletin, bulletin_id)
    assert bulletin.state == "published" and removed not in [p.id for p in bulletin.points]

    lead = sign_in(world.lead)
    page, pdf = page_text(lead, bulletin_id), pdf_text(lead, bulletin_id)
    for text in (page, pdf):
        assert "Medication" in text and "Medication events rose this quarter." in text
        assert "[name]" in text and "[NHS number]" in text
        for identifier in IDENTIFIERS:
            assert identifier not in text, identifier
    assert "Learning from [name]'s care" in pdf and "Good care at Riverside" in pdf
    assert "DRAFT" not in pdf


def test_text_that_reached_a_draft_another_way_is_redacted_when_published(world, sign_in):
    bulletin = make_bulletin(world.pcn, world.panel)
    bulletin.good_care_text = f"{PATIENT}, NHS number {NHS_NUMBER}, thanked the team."
    bulletin.points[1].body = f"Mrs Blackwood's NHS number is {NHS_NUMBER}."
    db.session.commit()
    services.publish(db.session, world.panel, bulletin, bulletin.version_id, datetime(2026, 11, 1))
    db.session.commit()
    assert bulletin.good_care_text == "[name], NHS number [NHS number], thanked the team."
    assert bulletin.points[1].body == "[name]'s NHS number is [NHS number]."


def test_a_draft_reads_draft_and_only_its_authors_read_it(world, sign_in):
    bulletin = make_bulletin(world.pcn, world.panel)
    assert "DRAFT" in pdf_text(sign_in(world.panel), bulletin.id)
    for person in (world.lead, world.reporter, world.icb_quality, world.other_panel):
        assert sign_in(person).get(f"/bulletins/{bulletin.id}").status_code == 404


def test_a_member_practices_lead_reads_the_published_bulletin_and_a_non_member_does_not(
    world, sign_in
):
    bulletin = make_bulletin(world.pcn, world.panel, state="published")
    lead, other = sign_in(world.lead), sign_in(world.other_lead)
    assert bulletin.title in lead.get("/bulletins").get_data(as_text=True)
    assert "Check the dose" in page_text(lead, bulletin.id)
    assert sign_in(world.reporter).get(f"/bulletins/{bulletin.id}").status_code == 200
    assert sign_in(world.icb_quality).get(f"/bulletins/{bulletin.id}").status_code == 200
    assert bulletin.title not in other.get("/bulletins").get_data(as_text=True)
    assert other.get(f"/bulletins/{bulletin.id}").status_code == 404
    assert other.get(f"/bulletins/{bulletin.id}/bulletin.pdf").status_code == 404
    # Read, not changed: a reader may not edit, and a published bulletin is not edited at all.
    assert lead.post(f"/bulletins/{bulletin.id}/publish", data={"version": "1"}).status_code == 403
    panel = sign_in(world.panel)
    assert panel.post(f"/bulletins/{bulletin.id}/text", data={"version": "1"}).status_code == 403


def test_an_icb_bulletin_is_read_by_everyone_working_in_the_icb(world, sign_in):
    bulletin = make_bulletin(world.icb, world.icb_specialist, state="published")
    for person in (world.lead, world.other_lead, world.panel, world.reporter):
        assert sign_in(person).get(f"/bulletins/{bulletin.id}").status_code == 200
    assert sign_in(world.outsider_icb_quality).get(f"/bulletins/{bulletin.id}").status_code == 404


def test_a_stale_tab_is_refused_and_keeps_what_was_typed(world, sign_in):
    bulletin = make_bulletin(world.pcn, world.panel)
    panel = sign_in(world.panel)
    stale = version_of(panel, bulletin.id)
    services.save_text(db.session, world.panel, bulletin, {"introduction": "First"}, None)
    db.session.commit()
    answer = panel.post(
        f"/bulletins/{bulletin.id}/text",
        data={"version": stale, "introduction": "Second thoughts", "themes_text": ""},
    )
    assert answer.status_code == 409
    html = answer.get_data(as_text=True)
    assert "changed by someone else" in html and "Second thoughts" in html


def test_the_draft_page_offers_the_last_whole_quarter_and_refuses_one_drafted_twice(
    world, sign_in, monkeypatch
):
    monkeypatch.setattr("psirf.bulletins.views.utcnow", lambda: datetime(2026, 11, 16, 9, 0))
    panel = sign_in(world.panel)
    form = panel.get("/bulletins/new").get_data(as_text=True)
    assert re.search(r'<option value="2026-07-01/2026-10-01" selected>July to September 2026', form)
    make_bulletin(world.pcn, world.panel)
    again = panel.post(
        "/bulletins/new", data={"organisation_id": str(world.pcn.id), "period": f"{START}/{END}"}
    )
    assert again.status_code == 400 and shows_one_error_summary(again.get_data(as_text=True))
    assert "already has a bulletin for July to September 2026" in again.get_data(as_text=True)
    assert TODAY.month == 11


def test_text_too_long_is_refused_once_with_what_was_typed_kept(world, sign_in):
    bulletin = make_bulletin(world.pcn, world.panel)
    panel = sign_in(world.panel)
    answer = panel.post(
        f"/bulletins/{bulletin.id}/text",
        data={
            "version": version_of(panel, bulletin.id),
            "introduction": "x" * (services.TEXT_LIMIT + 1),
            "themes_text": "Kept themes",
        },
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and shows_one_error_summary(html)
    assert "Kept themes" in html
