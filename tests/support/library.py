"""Closed responses, good care records and library entries for the library tests."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

from psirf.extensions import db
from psirf.library.models import LibraryEntry
from psirf.timeutil import utcnow
from tests.support.engagement import affected_person
from tests.support.factories import ResponseFactory, SafetyEventFactory

# A made-up NHS number with a valid check digit, printed as NHS numbers are.
NHS_NUMBER = "943 476 5919"
PATIENT = "Edith Blackwood"
SUMMARY = (
    f"{PATIENT} (NHS number {NHS_NUMBER}) was given a repeat prescription at the old warfarin dose. "
    "Edith noticed the new tablets looked different and asked the pharmacist."
)
LEARNING = "Protected time for checking repeat prescriptions after a dose change"


def closed_aar(
    organisation,
    *,
    summary: str = SUMMARY,
    theme: str = "medication",
    state: str = "closed",
    **values,
):
    """An after action review closed by its panel, its event's patient named in its engagement plan."""
    response = ResponseFactory(
        organisation=organisation,
        state=state,
        closed_at=utcnow() if state != "in_review" else None,
        record={
            "review": {
                "expected": "a",
                "actual": "b",
                "difference": "c",
                "learned": "d",
                "learning_summary": summary,
            }
        },
        **values,
    )
    SafetyEventFactory(
        organisation=organisation,
        theme=theme,
        learning_response_id=response.id,
        status="learning_response",
        occurred_on=date.today() - timedelta(days=40),
    )
    affected_person(response, kind="patient", name=PATIENT)
    db.session.expire(response)
    return response


def good_care_event(organisation, **values):
    return SafetyEventFactory(
        organisation=organisation,
        record_type="good_care",
        theme=values.pop("theme", "referral"),
        physical_harm=None,
        description=values.pop(
            "description",
            f"Dr Okafor phoned Mrs Jones (NHS number {NHS_NUMBER}) the same day her urgent referral was rejected, "
            "and re-sent it with the missing test result.",
        ),
        **values,
    )


def entry(organisation, publisher, **values) -> LibraryEntry:
    """A library entry written straight to the database, shared with the organisation's first group."""
    row = LibraryEntry(
        kind=values.pop("kind", "response"),
        organisation_id=organisation.id,
        title=values.pop("title", "After action review: Medication"),
        summary=values.pop("summary", LEARNING),
        theme=values.pop("theme", "medication"),
        method=values.pop("method", "after_action_review"),
        service_kind=values.pop("service_kind", organisation.kind),
        learned_on=values.pop("learned_on", date.today() - timedelta(days=30)),
        audience_group_id=values.pop(
            "audience_group_id", organisation.groups[0].id if organisation.groups else None
        ),
        published_by_id=publisher.id,
        **values,
    )
    db.session.add(row)
    db.session.commit()
    return row


def share_form(
    title: str, summary: str, audiences: list[str], action: str, confirmed: bool = False
) -> dict:
    data = {"title": title, "summary": summary, "audiences": audiences, "action": action}
    if confirmed:
        data["confirmed"] = "y"
    return data


def textarea(page: str, name: str) -> str:
    return unescape(
        re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    ).strip()


def field_value(page: str, name: str) -> str:
    return unescape(re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page).group(1))
