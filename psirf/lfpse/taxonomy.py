"""The LFPSE v5 taxonomy as psirf uses it: profile and extension URLs, and the code look-ups.

Read from the public rendering of the v5 taxonomy (github.com/cuperman007/lfpse-taxonomy,
.mkdocs/docs/v5/taxonomy.md and code-systems.md), a third-party rendering of NHS England's taxonomy
API, which names its hosts psims-uat.azure-api.net (the UAT taxonomy; production's base is assumed
to follow it and is one constant here). Each complex extension's parts are named by their slice
name (e.g. "InvolvedAgents"), as the rendering shows them.

Still assumed, not confirmed by the taxonomy (psirf-domain.md 7.4 marks them unknown):
- where the record type goes: v5 defines no extension for CL001, so it is a `category` coding in
  EVENT_TYPE_SYSTEM with psirf's own codes, and `actuality` says "potential" for a risk;
- where psirf's theme, the reference and the revision go: a THEME_SYSTEM `category`, the
  `identifier` (REFERENCE_SYSTEM) and `meta.versionId`;
- the free-text description in `event.text`, and reported-at in `recordedDate` (FHIR R4's own);
- the request envelope, authentication and the reply: the HTTP sender posts the bare resource with
  an API key header (psirf/lfpse/senders.py).
"""

from __future__ import annotations

from typing import Iterable

from psirf.labels import LabelledEnum

BASE = "https://psims-uat.azure-api.net/taxonomy/fhir/StructureDefinition/"
PROFILE = BASE + "patient-safety-adverse-event-5"
PATIENT_PROFILE = BASE + "adverse-event-patient-5"
PRACTITIONER_PROFILE = BASE + "adverse-event-practitioner-5"
LOCATION_PROFILE = BASE + "adverse-event-location-5"

REFERENCE_METADATA = BASE + "adverse-event-reference-metadata-5"
AGENT = BASE + "adverse-event-agent-5"
OUTCOME = BASE + "adverse-event-outcome-5"
PROCESS = BASE + "adverse-event-process-5"
RISK_DETAILS = BASE + "adverse-event-risk-details-5"
GOVERNANCE = BASE + "adverse-event-governance-5"
SAFETY_CHALLENGES = BASE + "adverse-event-safety-challenges-5"
PATIENT_INFORMATION = BASE + "patient-information-5"
PRACTITIONER_DETAILS = BASE + "practitioner-details-5"
LOCATION_DETAILS = BASE + "location-details-5"

# psirf's own systems, for what v5 has no element for (see the module's docstring).
EVENT_TYPE_SYSTEM = "https://psirf.nhs.example/fhir/CodeSystem/lfpse-event-type"
THEME_SYSTEM = "https://psirf.nhs.example/fhir/CodeSystem/theme"
REFERENCE_SYSTEM = "https://psirf.nhs.example/fhir/Id/event-reference"

# yes-no-unknown-codes-5
YES, UNKNOWN = "y", "u"
# human-agents-5 "I don't know": psirf's one "people" agent does not say which people.
PEOPLE_UNSPECIFIED = "4"
# agent-type-5 "None of the above": InvolvedAgents needs one code when only people were involved.
NO_AGENT = "10"
# safety-challenges-5 "Screening services incident", for the national "screening" category.
SCREENING_CHALLENGE = "7"
# risk-themes-5, from psirf's themes (a risk record's RiskTheme); "other" (8) for the rest.
RISK_THEMES = {
    "medication": "3",
    "it_systems": "6",
    "communication": "6",
    "premises": "5",
    "administration": "7",
}
OTHER_RISK_THEME = "8"


def code_of(member: LabelledEnum | None) -> str | None:
    """The member's LFPSE code as FHIR carries it (a string), or None when it has none."""
    return None if member is None or member.code is None else str(member.code)


def lookup(enum: type[LabelledEnum], value: str | None) -> str | None:
    """The LFPSE code of one stored value (None for none, or for a value with no LFPSE code)."""
    if not value:
        return None
    try:
        return code_of(enum(value))
    except ValueError:
        return None


def value_for(enum: type[LabelledEnum], code: str | None) -> str:
    """The stored value for an LFPSE code: the first member declared with it, or "" when none is
    (or when the code is not one of the enum's, which the import's checks then see as not given)."""
    for member in enum:
        if code is not None and member.code is not None and str(member.code) == code.strip():
            return member.value
    return ""


def part(name: str, value_type: str, value) -> dict:
    """One part of a complex extension, e.g. {"url": "Process", "valueCode": "5"}."""
    return {"url": name, f"value{value_type}": value}


def extension(url: str, parts: Iterable[dict | None]) -> dict | None:
    """A complex extension of the parts given (None ones left out); None when no part is."""
    given = [p for p in parts if p is not None]
    return {"url": url, "extension": given} if given else None


def parts_of(resource: dict, url: str) -> list[dict]:
    """The parts of every extension with `url` on `resource` (in order)."""
    return [
        p
        for ext in resource.get("extension") or ()
        if ext.get("url") == url
        for p in ext.get("extension") or ()
    ]


def values(parts: list[dict], name: str) -> list:
    """The values of the parts called `name`, whatever their FHIR type."""
    found = []
    for p in parts:
        if p.get("url") == name:
            found.extend(v for k, v in p.items() if k.startswith("value"))
    return found


def first(parts: list[dict], name: str):
    found = values(parts, name)
    return found[0] if found else None
