"""A safety event as LFPSE's FHIR R4 AdverseEvent (profile patient-safety-adverse-event-5).

A pure function of the event (and, for a reporter who is neither anonymous nor protected, their
contact): no database, no clock, so the export, the tests and the benchmark build the same JSON.
The shape and what is assumed are in psirf/lfpse/taxonomy.py; the privacy decisions are these:

- Anonymity and identity protection: a report with no named reporter is anonymous, and so, towards
  LFPSE, is one whose reporter protected their identity (psirf shows it only to the lead; LFPSE
  would show it to its own users). Either way IsAnonymous is true and the reporter carries only
  what kind of reporter they are and the reporting organisation's ODS code, never a contact.
- NHS numbers are never sent: the v5 patient profile has no identifier element, only the patient's
  harm, age bracket, gender and ethnicity, so LFPSE does not take them (data minimisation).
- One contained Patient carries every patient of the event, one patient-information-5 extension
  each with its PatientSequence, as the v5 Patient profile allows (0..100); an event with no
  patient still has that Patient, without information, as FHIR R4 requires a subject.
- LFPSE takes one healthcare process (Process 1..1): the first psirf recorded is sent.
- Good care: psirf does not ask what LFPSE's adverse-event-went-well-5 needs (its
  HowFutureOccurrence is mandatory), so a good-care record goes with its description only.
- Repeat presentation (3 or more consultations for the same symptoms, asked of diagnosis events)
  stays in psirf: the v5 AdverseEvent has no element for it (checked against the public rendering
  of the taxonomy; its OutcomeType "unplanned reattendance or readmission" is a hospital outcome,
  not this), so nothing is sent for it and a correction of it alone still sends a revision.
"""

from __future__ import annotations

from psirf.events.lfpse import (
    Agent,
    AgeBand,
    Ethnicity,
    Gender,
    HealthcareProcess,
    Location,
    PhysicalHarm,
    PsychologicalHarm,
    RecordType,
    ReporterKind,
    ServiceArea,
)
from psirf.lfpse import taxonomy as t
from psirf.triage import never_events

PATIENT_ID, REPORTER_ID, LOCATION_ID = "patient", "reporter", "location"


def is_anonymous(event) -> bool:
    """Anonymous towards LFPSE: nobody named, or a reporter who protected their identity."""
    named = event.reporter_user_id is not None or event.reporter_name or event.reporter_contact
    return bool(event.identity_protected or not named)


def adverse_event(event, reporter_contact: str | None = None) -> dict:
    """The AdverseEvent for the event's current revision, as a JSON-ready dict."""
    anonymous = is_anonymous(event)
    return {
        "resourceType": "AdverseEvent",
        "id": event.reference,
        "meta": {"profile": [t.PROFILE], "versionId": str(event.revision)},
        "identifier": {"system": t.REFERENCE_SYSTEM, "value": event.reference},
        "contained": [
            _patient(event),
            _reporter(event, None if anonymous else reporter_contact),
            _location(event),
        ],
        "extension": [
            ext
            for ext in (
                _reference_metadata(event, anonymous),
                _agents(event),
                _process(event),
                _outcome(event),
                _risk(event),
                _governance(event),
                _safety_challenges(event),
            )
            if ext is not None
        ],
        "actuality": "potential" if event.record_type == RecordType.RISK.value else "actual",
        "category": [
            {"coding": [{"system": t.EVENT_TYPE_SYSTEM, "code": event.record_type}]},
            {"coding": [{"system": t.THEME_SYSTEM, "code": event.theme}]},
        ],
        "event": {"text": event.description},
        "subject": {"reference": f"#{PATIENT_ID}"},
        "date": event.occurred_on.isoformat(),
        "recordedDate": event.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "location": {"reference": f"#{LOCATION_ID}"},
        "recorder": {"reference": f"#{REPORTER_ID}"},
    }


def _code(name: str, code: str | None) -> dict | None:
    return None if code is None else t.part(name, "Code", code)


def _patient(event) -> dict:
    patient = {
        "resourceType": "Patient",
        "id": PATIENT_ID,
        "meta": {"profile": [t.PATIENT_PROFILE]},
    }
    information = [
        t.extension(
            t.PATIENT_INFORMATION,
            [
                t.part("PatientSequence", "Integer", p.sequence),
                _code("PhysicalHarm", t.lookup(PhysicalHarm, p.physical_harm)),
                _code("PsychologicalHarm", t.lookup(PsychologicalHarm, p.psychological_harm)),
                _code("AgeBracket", t.lookup(AgeBand, p.age_band)),
                _code("Gender", t.lookup(Gender, p.gender)),
                _code("PatientEthnicity", t.lookup(Ethnicity, p.ethnicity)),
            ],
        )
        for p in event.patients
    ]
    if information:
        patient["extension"] = information
    return patient


def _reporter(event, contact: str | None) -> dict:
    details = t.extension(
        t.PRACTITIONER_DETAILS,
        [
            _code("ReporterType", t.lookup(ReporterKind, event.reporter_kind)),
            t.part("ReporterOrganisation", "Code", event.organisation.ods_code),
            t.part("ReporterContact", "String", contact) if contact else None,
        ],
    )
    return {
        "resourceType": "Practitioner",
        "id": REPORTER_ID,
        "meta": {"profile": [t.PRACTITIONER_PROFILE]},
        "extension": [details],
    }


def _location(event) -> dict:
    where = t.lookup(Location, event.location)
    details = t.extension(
        t.LOCATION_DETAILS,
        [
            t.part("LocationKnown", "Code", t.YES if event.location else t.UNKNOWN),
            t.part("Organisation", "Code", event.organisation.ods_code),
            _code("ServiceArea", t.lookup(ServiceArea, event.service_area)),
            _code("LocationWithinService", where),
        ],
    )
    return {
        "resourceType": "Location",
        "id": LOCATION_ID,
        "meta": {"profile": [t.LOCATION_PROFILE]},
        "extension": [details],
    }


def _reference_metadata(event, anonymous: bool) -> dict | None:
    return t.extension(
        t.REFERENCE_METADATA,
        [
            t.part("ReferenceNumber", "String", event.reference),
            t.part("IsAnonymous", "Boolean", anonymous),
            # Mandatory in v5; psirf asks nobody to opt out, so it is always false (assumed).
            t.part("DataSharingOptOut", "Boolean", False),
        ],
    )


def _agents(event) -> dict | None:
    codes = [t.lookup(Agent, agent) for agent in event.agents or ()]
    involved = [code for code in codes if code is not None]
    people = Agent.PEOPLE.value in (event.agents or ())
    if people and not involved:
        involved = [t.NO_AGENT]  # InvolvedAgents is 1..100: people are said below
    return t.extension(
        t.AGENT,
        [t.part("InvolvedAgents", "Code", code) for code in dict.fromkeys(involved)]
        + ([t.part("InvolvedPersonsActions", "Code", t.PEOPLE_UNSPECIFIED)] if people else []),
    )


def _process(event) -> dict | None:
    codes = [t.lookup(HealthcareProcess, p) for p in event.processes or ()]
    codes = [code for code in codes if code is not None]
    return t.extension(t.PROCESS, [t.part("Process", "Code", codes[0])] if codes else [])


def _outcome(event) -> dict | None:
    actions = event.immediate_actions
    return t.extension(
        t.OUTCOME, [t.part("ImmediateActions", "String", actions)] if actions else []
    )


def _risk(event) -> dict | None:
    if event.record_type != RecordType.RISK.value:
        return None
    return t.extension(
        t.RISK_DETAILS,
        [
            t.part("RiskDescription", "String", event.description),
            t.part("RiskTheme", "Code", t.RISK_THEMES.get(event.theme, t.OTHER_RISK_THEME)),
            # Mandatory in v5, and psirf does not ask it: "I don't know".
            t.part("RiskImminent", "Code", t.UNKNOWN),
        ],
    )


def _governance(event) -> dict | None:
    kind = never_events.find(event.never_event_type)
    flags = event.national_flags or ()
    return t.extension(
        t.GOVERNANCE,
        [
            t.part("NeverEvent", "Boolean", True) if event.never_event else None,
            _code("NeverEventType", str(kind.lfpse_code) if kind and kind.lfpse_code else None),
            t.part("LocalAuthoritySafeguarding", "Boolean", True)
            if "safeguarding" in flags
            else None,
        ],
    )


def _safety_challenges(event) -> dict | None:
    screening = "screening" in (event.national_flags or ())
    return t.extension(
        t.SAFETY_CHALLENGES,
        [t.part("SafetyChallenges", "Code", t.SCREENING_CHALLENGE)] if screening else [],
    )
