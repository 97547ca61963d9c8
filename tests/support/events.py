"""Shared test data for the events tests."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from psirf.audit import AuditRecord
from psirf.events.models import EventPatient, SafetyEvent

VALID_NHS_NUMBER = "9434765919"
INVALID_NHS_NUMBER = "9434765918"  # wrong check digit


def counts(session) -> tuple[int, int, int]:
    """(events, patients, audit records): to prove that nothing was written."""
    session.rollback()
    return (
        session.scalar(select(func.count()).select_from(SafetyEvent)),
        session.scalar(select(func.count()).select_from(EventPatient)),
        session.scalar(select(func.count()).select_from(AuditRecord)),
    )


def staff_form_data(organisation, **overrides) -> dict:
    when = date.today() - timedelta(days=3)
    data = {
        "record_type": "incident",
        "organisation_id": str(organisation.id),
        "occurred_on[day]": str(when.day),
        "occurred_on[month]": str(when.month),
        "occurred_on[year]": str(when.year),
        "description": "Warfarin dose was copied wrongly onto the repeat template.",
        "immediate_actions": "Patient called back and dose corrected.",
        "theme": "medication",
        "physical_harm": "low",
        "psychological_harm": "none",
    }
    data.update(overrides)
    # The patient's answers are the first of the form's patients (patients-0-...).
    return {
        (f"patients-0-{k}" if k in PATIENT_FIELDS else k): v
        for k, v in data.items()
        if v is not None
    }


PATIENT_FIELDS = (
    "physical_harm",
    "psychological_harm",
    "age_band",
    "gender",
    "ethnicity",
    "nhs_number",
)


WHEN = date.today() - timedelta(days=10)


def answer_every_question(
    client, practice, reporter_kind="family", description="My mum was given the wrong tablets."
):
    steps = [
        (
            "/report/service",
            {"q": practice.ods_code, "organisation_id": str(practice.id)},
            "/report/kind",
        ),
        ("/report/kind", {"record_type": "incident"}, "/report/when"),
        (
            "/report/when",
            {
                "occurred_on[day]": str(WHEN.day),
                "occurred_on[month]": str(WHEN.month),
                "occurred_on[year]": str(WHEN.year),
            },
            "/report/what-happened",
        ),
        (
            "/report/what-happened",
            {"description": description},
            "/report/harm",
        ),
        ("/report/harm", {"physical_harm": "moderate"}, "/report/theme"),
        ("/report/theme", {"theme": "medication"}, "/report/about-you"),
        ("/report/about-you", {"reporter_kind": reporter_kind}, "/report/contact"),
        (
            "/report/contact",
            {"reporter_name": "Sam Smith", "reporter_contact": "sam@example.org"},
            "/report/check",
        ),
    ]
    for url, data, following in steps:
        page = client.get(url)
        assert page.status_code == 200, url
        response = client.post(url, data=data)
        assert response.status_code == 302, (url, response.get_data(as_text=True))
        assert response.headers["Location"].endswith(following), url
        # The answers wait on the server: the cookie holds a key, whatever was typed.
        assert len(client.get_cookie("session").value) < 300, url


WHAT_CHANGED = (
    "Now every repeat for this medicine is checked by a second person before it goes out."
)
