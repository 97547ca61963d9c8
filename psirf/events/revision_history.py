"""An event's revisions in plain words: who corrected what, when and why, each change with its
before and after, and revision 1 as the reporter first sent it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf import policy
from psirf.accounts.models import User
from psirf.events import lfpse
from psirf.events.models import SafetyEvent
from psirf.events.revisions import first_sent, revised_since_triage, revisions_of
from psirf.events.services import nhs_number_spaced
from psirf.triage import national, never_events
from psirf.web import dates

NOT_GIVEN = "Not given"
# What an empty answer reads as, where "Not given" would mislead.
EMPTY = {
    "never_event_type": "Not a Never Event",
    "national_flags": "None",
    "repeat_presentation": "Not asked (not about diagnosis)",
}


def _labels(enum) -> Callable:
    return lambda value: enum.label_for(value)


def _each(label_for) -> Callable:
    return lambda values: ", ".join(label_for(v) for v in values)


# Each field the correction form holds: its label on the event page, and its value in words.
FIELDS: dict[str, tuple[str, Callable]] = {
    "record_type": ("Record type", _labels(lfpse.RecordType)),
    "occurred_on": ("Date of event", lambda value: dates.day(date.fromisoformat(value))),
    "service_area": ("Service area", _labels(lfpse.ServiceArea)),
    "location": ("Location", _labels(lfpse.Location)),
    "description": ("What happened", str),
    "immediate_actions": ("Done straight away", str),
    "theme": ("Theme", _labels(lfpse.Theme)),
    "agents": ("What was involved", _each(lfpse.Agent.label_for)),
    "processes": ("Part of care", _each(lfpse.HealthcareProcess.label_for)),
    "never_event_type": ("Never Event", never_events.label_for),
    "national_flags": ("National requirements flagged", _each(national.label_for)),
    "repeat_presentation": (
        "3 or more consultations for the same symptoms",
        _labels(lfpse.RepeatPresentation),
    ),
    "physical_harm": ("Worst physical harm", _labels(lfpse.PhysicalHarm)),
    "psychological_harm": ("Worst psychological harm", _labels(lfpse.PsychologicalHarm)),
}
PATIENT_FIELDS: dict[str, tuple[str, Callable]] = {
    "physical_harm": ("physical harm", _labels(lfpse.PhysicalHarm)),
    "psychological_harm": ("psychological harm", _labels(lfpse.PsychologicalHarm)),
    "age_band": ("age group", _labels(lfpse.AgeBand)),
    "gender": ("gender", _labels(lfpse.Gender)),
    "ethnicity": ("ethnic group", _labels(lfpse.Ethnicity)),
    "nhs_number": ("NHS number", nhs_number_spaced),
}


@dataclass
class Line:
    label: str
    before: str
    after: str = ""


@dataclass
class Entry:
    number: int
    at: datetime
    by: str
    reason: str | None
    lines: list[Line]


@dataclass
class History:
    revision: int  # the event's latest
    entries: list[Entry]  # newest first, revision 1 (as reported) last
    revised_since_triage: bool


def _words(formats: dict, name: str, value) -> str:
    if value in (None, "", []):
        return EMPTY.get(name, NOT_GIVEN)
    return formats[name][1](value)


def _patient_summary(patient: dict) -> str:
    parts = []
    for name, (_, words) in PATIENT_FIELDS.items():
        value = patient.get(name)
        if value:
            parts.append(f"NHS number {words(value)}" if name == "nhs_number" else words(value))
    return ", ".join(parts)


def _patient_lines(before: list[dict], after: list[dict]) -> list[Line]:
    lines = []
    for n in range(1, max(len(before), len(after)) + 1):
        old = before[n - 1] if n <= len(before) else None
        new = after[n - 1] if n <= len(after) else None
        if old is None:
            lines.append(Line(f"Patient {n}", "Not recorded", _patient_summary(new) or "Added"))
        elif new is None:
            lines.append(Line(f"Patient {n}", _patient_summary(old) or "Recorded", "Removed"))
        else:
            lines += [
                Line(
                    f"Patient {n}: {label}",
                    _words(PATIENT_FIELDS, name, old.get(name)),
                    _words(PATIENT_FIELDS, name, new.get(name)),
                )
                for name, (label, _) in PATIENT_FIELDS.items()
                if old.get(name) != new.get(name)
            ]
    return lines


def change_lines(changes: dict) -> list[Line]:
    """A revision's changes, field by field in the event page's order, before and after in words."""
    lines = []
    for name in (*FIELDS, "patients"):
        if name not in changes:
            continue
        before, after = changes[name]["before"], changes[name]["after"]
        if name == "patients":
            lines += _patient_lines(before or [], after or [])
        else:
            lines.append(
                Line(FIELDS[name][0], _words(FIELDS, name, before), _words(FIELDS, name, after))
            )
    return lines


def _as_first_sent(original: dict) -> list[Line]:
    """What the reporter first sent of each field corrected since."""
    lines = []
    for name in FIELDS:
        if name in original:
            lines.append(Line(FIELDS[name][0], _words(FIELDS, name, original[name])))
    if "patients" in original:
        patients = original["patients"] or []
        lines += [
            Line(f"Patient {n}", _patient_summary(p) or NOT_GIVEN)
            for n, p in enumerate(patients, 1)
        ]
        if not patients:
            lines.append(Line("Patients", "None recorded"))
    return lines


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    """The names of the people who revised, in one query."""
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def history(session: Session, viewer, event: SafetyEvent) -> History:
    """The event's revisions for `viewer` (who must be allowed them: policy.may_see_revisions).
    A reporter who protected their identity is not named to those who may not know them."""
    revisions = revisions_of(session, event)
    names = _names(session, {r.actor_id for r in revisions} | {event.reporter_user_id} - {None})
    hidden = not policy.can_see_reporter(viewer, event)

    def by(actor_id: int | None) -> str:
        if actor_id is None:  # a public report's revision 1
            return lfpse.ReporterKind.label_for(event.reporter_kind)
        if hidden and actor_id == event.reporter_user_id:
            return "Identity protected"
        return names.get(actor_id, "An account")

    entries = [
        Entry(r.number, r.created_at, by(r.actor_id), r.reason, change_lines(r.changes))
        for r in reversed(revisions)
    ]
    entries.append(
        Entry(
            1,
            event.created_at,
            by(event.reporter_user_id),
            None,
            _as_first_sent(first_sent(event, revisions)),
        )
    )
    return History(event.revision, entries, revised_since_triage(event, revisions))
