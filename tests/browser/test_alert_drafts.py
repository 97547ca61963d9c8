"""A draft alert's details changed and a draft deleted, tried in the browser (every page checked
with axe-core): the ICB's specialist records a draft, corrects its title (a refused link first),
then deletes it before it is issued."""

from __future__ import annotations

from datetime import timedelta

import pytest

from psirf.timeutil import utcnow
from tests.support.browser import fill_date

pytestmark = pytest.mark.browser


def test_a_draft_is_corrected_then_deleted(visitor):
    page = visitor.page
    visitor.sign_in("icb.pss@demo-icb.example.org")
    visitor.goto("/alerts")
    visitor.follow("Record an alert")
    page.get_by_label("Reference").fill("NatPSA/BROWSER/DRAFT")
    page.get_by_label("Title").fill("Risk of look-alike packs")
    fill_date(page, "Date issued", utcnow().date() - timedelta(days=3))
    page.get_by_label("Link to the alert").fill("https://www.england.nhs.uk/patient-safety/")
    page.get_by_label("Community pharmacy").check()
    visitor.submit("Save as a draft")

    visitor.follow("Change the alert's details")
    page.get_by_label("Title").fill("Risk of selecting look-alike packs")
    page.get_by_label("Link to the alert").fill("http://example.org/alert")
    visitor.submit("Save the details", status=400)
    assert "starting with https://" in visitor.text
    assert page.get_by_label("Title").input_value() == "Risk of selecting look-alike packs"
    page.get_by_label("Link to the alert").fill("https://www.england.nhs.uk/patient-safety/")
    visitor.submit("Save the details")
    assert "The alert's details have been saved" in visitor.text
    assert "NatPSA/BROWSER/DRAFT: Risk of selecting look-alike packs" in visitor.text

    visitor.follow("Delete the draft")
    assert page.get_by_role("heading", level=1).inner_text() == "Delete the draft alert"
    visitor.submit("Delete the draft")
    assert "The draft alert NatPSA/BROWSER/DRAFT has been deleted" in visitor.text
    assert "Risk of selecting look-alike packs" not in visitor.text
