"""Issue 18's done-when for learning bulletins, as a new user would try it: North PCN's panel drafts
the quarterly bulletin from its records, edits its text and a point, removes a point and publishes it; its PDF reads
back with its themes and learning points and without the name or NHS number planted in the
records. A member practice's lead then reads it; a practice of another PCN is not shown it. Every
page is checked with axe-core."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta

import pytest
from pypdf import PdfReader

from psirf.bulletins import periods
from psirf.organisations.services import by_ods_code
from tests.support.factories import SafetyActionFactory, SafetyEventFactory

pytestmark = pytest.mark.browser

PATIENT = "Edith Blackwood"
NHS_NUMBER = "943 476 5919"


def _north_pcns_quarter(session) -> None:
    """Events in the last whole quarter and the one before at two North PCN practices; good care and
    a completed safety action whose text names a patient and her NHS number."""
    riverside, hillview = by_ods_code(session, "D81001"), by_ods_code(session, "D81002")
    start, _ = periods.default_period(date.today())
    before = start - timedelta(days=40)
    for offset in (3, 20, 45):
        SafetyEventFactory(
            organisation=riverside, theme="medication", occurred_on=start + timedelta(days=offset)
        )
    for offset in (10, 50):
        SafetyEventFactory(
            organisation=hillview, theme="diagnosis", occurred_on=start + timedelta(days=offset)
        )
    SafetyEventFactory(organisation=riverside, theme="medication", occurred_on=before)
    SafetyEventFactory(
        organisation=hillview,
        record_type="good_care",
        theme="diagnosis",
        occurred_on=start + timedelta(days=30),
        description=f"The nurse saw that {PATIENT} (NHS number {NHS_NUMBER}) was breathless and called an ambulance.",
    )
    SafetyActionFactory(
        response__organisation=riverside,
        description=f"Add a dose check to repeat templates, as {PATIENT}'s case showed",
        strength="stronger",
        state="completed",
        completed_at=datetime.combine(start + timedelta(days=40), datetime.min.time()),
    )
    session.commit()


def _click(visitor, name) -> None:
    with visitor.page.expect_navigation():
        visitor.page.get_by_role("button", name=name).first.click()
    visitor.check()


def test_north_pcns_quarterly_bulletin_is_drafted_edited_published_and_read(visitors, live_db):
    with live_db() as session:
        _north_pcns_quarter(session)
    panel = visitors("panel@demo-icb.example.org")
    page = panel.page

    panel.goto("/bulletins")
    panel.follow("Draft a bulletin")
    panel.submit("Draft the bulletin")
    quarter = periods.label(*periods.default_period(date.today()))
    assert f"North PCN learning bulletin: {quarter}" in panel.text
    assert "Medication (prescribing, dispensing, monitoring)" in panel.text
    assert "Good care at Hillview Medical Centre" in panel.text
    assert PATIENT not in panel.text and NHS_NUMBER not in panel.text
    path = page.url.removeprefix(panel.base_url)

    # Edited: the introduction rewritten (a name and an NHS number typed in are replaced).
    page.get_by_label("Introduction").fill(
        f"Our quarter's learning. Thanks to {PATIENT}, NHS number {NHS_NUMBER}, for her help."
    )
    panel.submit("Save the text")
    assert "were replaced in: Introduction" in panel.text
    assert "Thanks to [name], NHS number [NHS number], for her help." in panel.text

    # A point removed: the diagnosis theme.
    _click(panel, re.compile(r"^Remove Diagnosis"))
    assert "is no longer in the bulletin" in panel.text

    # A point's own words edited: the good care point, a name typed into its text replaced.
    panel.follow(re.compile(r"^Edit Good care at Hillview"))
    assert page.get_by_role("heading", level=1).inner_text() == "Edit a learning point"
    page.get_by_label("Title").fill("Good care: a breathless patient seen in time")
    page.get_by_label("Text").fill(f"The nurse noticed {PATIENT} was breathless and acted.")
    panel.submit("Save the point")
    assert "were replaced in: Text" in panel.text
    assert "Good care: a breathless patient seen in time" in panel.text

    panel.submit("Publish the bulletin")
    assert "has been published to North PCN's member services" in panel.text

    answer = page.request.get(panel.base_url + path + "/bulletin.pdf")
    assert answer.status == 200
    pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.body())).pages)
    assert "Themes and trends" in pdf and "Medication (prescribing, dispensing" in pdf
    assert "Good care: a breathless patient seen in time" in pdf and "Stronger action at" in pdf
    assert "Our quarter's learning." in pdf and "DRAFT" not in pdf
    for identifier in (PATIENT, "Blackwood", NHS_NUMBER, NHS_NUMBER.replace(" ", "")):
        assert identifier not in pdf

    # Riverside's lead (North PCN) finds bulletins in the header and reads it from the learning
    # library; Southfields' (South PCN) does not.
    lead = visitors("lead@demo-icb.example.org")
    lead.goto("/library")
    assert lead.page.locator('nav.nhsuk-header__navigation a[href$="/bulletins"]').count() >= 1
    lead.follow("learning bulletin")
    lead.follow(f"North PCN learning bulletin: {quarter}")
    assert "Our quarter's learning." in lead.text
    other = visitors("lead2@demo-icb.example.org")
    other.goto("/bulletins")
    assert "North PCN learning bulletin" not in other.text
    other.goto(path, status=404)
