"""Building plans and library entries for the improvement plan tests."""

from __future__ import annotations

import re
from datetime import date

from psirf.extensions import db
from psirf.improvement.models import ImprovementPlan
from psirf.library.models import LibraryEntry


def make_plan(organisation, creator, title="Safer repeat prescribing", **fields) -> ImprovementPlan:
    plan = ImprovementPlan(
        organisation_id=organisation.id,
        title=title,
        aim=fields.pop("aim", "Fewer prescribing errors reach patients"),
        measure=fields.pop("measure", "Share of high-risk repeats with a monitoring check"),
        created_by_id=creator.id,
        **fields,
    )
    db.session.add(plan)
    db.session.commit()
    return plan


def good_care_entry(
    organisation, publisher, title="Pharmacist huddle caught a dose error", **fields
) -> LibraryEntry:
    entry = LibraryEntry(
        kind="good_care",
        organisation_id=organisation.id,
        title=title,
        summary=fields.pop(
            "summary",
            "A daily huddle with the practice pharmacist found a wrong dose before it was issued.",
        ),
        service_kind="practice",
        learned_on=fields.pop("learned_on", date(2026, 1, 12)),
        published_by_id=publisher.id,
        **fields,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def version_of(page: str, prefix: str | None = None) -> str:
    """The plan's version from a hidden field on the page: `prefix`'s form's, or any form's."""
    name = re.escape(f"{prefix}-version") if prefix else r"(?:[\w]+-)?version"
    return re.search(rf'name="{name}" (?:type="hidden" )?value="(\d+)"', page).group(1)


def date_fields(name: str, d: date) -> dict:
    return {
        f"{name}[day]": str(d.day),
        f"{name}[month]": str(d.month),
        f"{name}[year]": str(d.year),
    }
