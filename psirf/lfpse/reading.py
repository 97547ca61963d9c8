"""Reading LFPSE-shaped JSON for the bulk import: NDJSON, one AdverseEvent a line (as FHIR Bulk
Data writes them), read a line at a time, so memory stays flat however long the file.

`rows(stream)` yields `(line number, row)`, the row a `dict[str, str]` in the shape the bulk import
reads from its CSV template too: source_reference, organisation_ods_code, record_type, occurred_on,
reported_at, theme, service_area, location, description, immediate_actions, agents, processes and
national_flags (codes joined with ";"), never_event_type, reporter_kind, identity_protected, and
patient_N_physical_harm, _psychological_harm, _age_band, _gender, _ethnicity, _nhs_number for the
Nth patient. Values are psirf's own stored codes, never LFPSE's, and "" is "not given". It reads
what psirf/lfpse/mapping.py writes, and any LFPSE AdverseEvent in the same shape:

- An LFPSE code shared by several psirf values reads as the first of them (e.g. location 5, "another
  sort of healthcare building", reads as a dental surgery; reporter type 2 as a family member);
  a code psirf has no value for (an age bracket other than 1-4 or 85+) reads as "".
- Without psirf's category codings (an event from another system), the record type is left for
  the import to refuse, and the theme is "".
- NHS numbers are not in LFPSE's JSON, so never in a row; identity protection is not either:
  `identity_protected` is "no" (an anonymous event has no reporter to protect).

A line that is not an AdverseEvent (not JSON, not an object, another resourceType) yields a row
with one key, `_error`, saying what is wrong with it: no column the import knows is given, so its
checks refuse the row, and the message can go in the row's report. Blank lines are skipped (but
counted, so positions stay line numbers).
"""

from __future__ import annotations

import json
from typing import IO, Iterable, Iterator

from psirf.events.lfpse import (
    Agent,
    AgeBand,
    Ethnicity,
    Gender,
    HealthcareProcess,
    Location,
    PhysicalHarm,
    PsychologicalHarm,
    ReporterKind,
    ServiceArea,
)
from psirf.lfpse import taxonomy as t
from psirf.triage import never_events

ERROR = "_error"


def rows(stream: IO[str] | IO[bytes] | Iterable) -> Iterator[tuple[int, dict[str, str]]]:
    for number, line in enumerate(stream, start=1):
        if isinstance(line, bytes):
            line = line.decode("utf-8-sig" if number == 1 else "utf-8", errors="replace")
        line = line.strip().lstrip("\ufeff")
        if line:
            yield number, row_of(line)


def row_of(line: str) -> dict[str, str]:
    try:
        resource = json.loads(line)
    except ValueError as error:
        return {ERROR: f"Not JSON: {error.msg} at character {error.pos + 1}"}
    except RecursionError:  # a line of thousands of nested brackets: the parser's limit
        return {ERROR: "Not JSON: nested too deeply to read"}
    if not isinstance(resource, dict) or resource.get("resourceType") != "AdverseEvent":
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        return {ERROR: f"Not an AdverseEvent (resourceType {kind or 'missing'})"}
    try:
        return _row(resource)
    except (AttributeError, TypeError, ValueError, KeyError) as error:
        return {ERROR: f"An AdverseEvent psirf cannot read: {type(error).__name__}"}


def _contained(resource: dict, kind: str) -> dict:
    return next((r for r in resource.get("contained") or () if r.get("resourceType") == kind), {})


def _category(resource: dict, system: str) -> str:
    for concept in resource.get("category") or ():
        for coding in concept.get("coding") or ():
            if coding.get("system") == system:
                return str(coding.get("code") or "")
    return ""


def _text(value) -> str:
    return "" if value is None else str(value)


def _row(resource: dict) -> dict[str, str]:
    metadata = t.parts_of(resource, t.REFERENCE_METADATA)
    location = t.parts_of(_contained(resource, "Location"), t.LOCATION_DETAILS)
    reporter = t.parts_of(_contained(resource, "Practitioner"), t.PRACTITIONER_DETAILS)
    identifier = resource.get("identifier") or {}
    row = {
        "source_reference": _text(identifier.get("value") or t.first(metadata, "ReferenceNumber")),
        "organisation_ods_code": _text(
            t.first(location, "Organisation") or t.first(reporter, "ReporterOrganisation")
        ),
        "record_type": _category(resource, t.EVENT_TYPE_SYSTEM),
        "occurred_on": _text(resource.get("date"))[:10],
        "reported_at": _text(resource.get("recordedDate")),
        "theme": _category(resource, t.THEME_SYSTEM),
        "service_area": t.value_for(ServiceArea, t.first(location, "ServiceArea")),
        "location": t.value_for(Location, t.first(location, "LocationWithinService")),
        "description": _text((resource.get("event") or {}).get("text")),
        "immediate_actions": _text(t.first(t.parts_of(resource, t.OUTCOME), "ImmediateActions")),
        "agents": ";".join(_agents(t.parts_of(resource, t.AGENT))),
        "processes": t.value_for(
            HealthcareProcess, t.first(t.parts_of(resource, t.PROCESS), "Process")
        ),
        "national_flags": ";".join(_flags(resource)),
        "never_event_type": _never_event_type(t.parts_of(resource, t.GOVERNANCE)),
        "reporter_kind": t.value_for(ReporterKind, t.first(reporter, "ReporterType")),
        "identity_protected": "no",
    }
    patient = _contained(resource, "Patient")
    for ext in patient.get("extension") or ():
        if ext.get("url") == t.PATIENT_INFORMATION:
            row.update(_patient(ext.get("extension") or []))
    return row


def _agents(parts: list[dict]) -> list[str]:
    agents = [t.value_for(Agent, code) for code in t.values(parts, "InvolvedAgents")]
    if t.values(parts, "InvolvedPersonsActions"):
        # "None of the above" beside people is the filler the mapping adds (InvolvedAgents 1..).
        agents = [a for a in agents if a != Agent.NONE.value] + [Agent.PEOPLE.value]
    return [a for a in dict.fromkeys(agents) if a]


def _flags(resource: dict) -> list[str]:
    flags = []
    if t.first(t.parts_of(resource, t.GOVERNANCE), "LocalAuthoritySafeguarding") is True:
        flags.append("safeguarding")
    challenges = t.values(t.parts_of(resource, t.SAFETY_CHALLENGES), "SafetyChallenges")
    if t.SCREENING_CHALLENGE in challenges:
        flags.append("screening")
    return flags


def _never_event_type(parts: list[dict]) -> str:
    code = t.first(parts, "NeverEventType")
    if code is None:
        return ""
    return next(
        (kind.key for kind in never_events.types() if str(kind.lfpse_code) == str(code).strip()),
        "",
    )


def _patient(parts: list[dict]) -> dict[str, str]:
    n = t.first(parts, "PatientSequence")
    prefix = f"patient_{int(n)}_"
    return {
        prefix + "physical_harm": t.value_for(PhysicalHarm, t.first(parts, "PhysicalHarm")),
        prefix + "psychological_harm": t.value_for(
            PsychologicalHarm, t.first(parts, "PsychologicalHarm")
        ),
        prefix + "age_band": t.value_for(AgeBand, t.first(parts, "AgeBracket")),
        prefix + "gender": t.value_for(Gender, t.first(parts, "Gender")),
        prefix + "ethnicity": t.value_for(Ethnicity, t.first(parts, "PatientEthnicity")),
        prefix + "nhs_number": "",
    }
