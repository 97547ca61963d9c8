"""Each event as LFPSE's AdverseEvent: valid FHIR R4, the v5 profile claimed, the taxonomy's codes,
and nothing LFPSE should not have (an anonymous or protected reporter's details, NHS numbers)."""

from __future__ import annotations

import json

from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.lfpse import taxonomy as t
from psirf.lfpse.mapping import adverse_event
from psirf.lfpse.sending import body_of, reporter_contact
from tests.support.lfpse import record, validated


def _parts(resource, url):
    return {
        p["url"]: next(v for k, v in p.items() if k != "url") for p in t.parts_of(resource, url)
    }


def _contained(resource, kind):
    return next(r for r in resource["contained"] if r["resourceType"] == kind)


def test_an_event_is_a_valid_adverse_event_claiming_the_v5_profile(world):
    resource = adverse_event(record(world))
    parsed = validated(resource)
    assert parsed.meta.profile == [t.PROFILE]
    assert t.PROFILE.endswith("/StructureDefinition/patient-safety-adverse-event-5")
    assert resource["meta"]["versionId"] == "1"
    assert parsed.actuality == "actual"


def test_the_codes_are_the_taxonomys(world):
    resource = adverse_event(record(world))
    assert _parts(resource, t.AGENT) == {"InvolvedAgents": "4"}  # medications
    assert _parts(resource, t.PROCESS) == {"Process": "5"}  # planning or prescribing
    location = _parts(_contained(resource, "Location"), t.LOCATION_DETAILS)
    assert location["ServiceArea"] == "17"  # GP including out-of-hours
    assert location["LocationWithinService"] == "11"  # general practice building
    assert location["Organisation"] == world.practice.ods_code
    patient = _parts(_contained(resource, "Patient"), t.PATIENT_INFORMATION)
    assert patient == {
        "PatientSequence": 1,
        "PhysicalHarm": "4",
        "PsychologicalHarm": "2",
        "AgeBracket": "4",
        "Gender": "1",
        "PatientEthnicity": "31",
    }
    assert _parts(resource, t.GOVERNANCE) == {"LocalAuthoritySafeguarding": True}


def test_a_risk_is_potential_with_its_theme_and_imminence_unknown(world):
    resource = adverse_event(record(world, record_type="risk", patients=[]))
    validated(resource)
    assert resource["actuality"] == "potential"
    assert _parts(resource, t.RISK_DETAILS)["RiskTheme"] == "3"  # medication
    assert _parts(resource, t.RISK_DETAILS)["RiskImminent"] == "u"
    assert "extension" not in _contained(resource, "Patient")


def test_people_involved_are_human_agents_not_an_agent_type(world):
    resource = adverse_event(record(world, agents=["people"]))
    validated(resource)
    parts = t.parts_of(resource, t.AGENT)
    assert t.values(parts, "InvolvedAgents") == ["10"]
    assert t.values(parts, "InvolvedPersonsActions") == ["4"]


def test_no_nhs_number_is_ever_sent(world):
    event = record(world)
    assert event.patients[0].nhs_number
    assert event.patients[0].nhs_number not in body_of(event, "robin@example.org").decode()


def test_a_named_reporter_is_reachable_and_not_anonymous(world):
    event = record(world)
    resource = json.loads(body_of(event, reporter_contact(db.session, event)))
    reporter = _parts(_contained(resource, "Practitioner"), t.PRACTITIONER_DETAILS)
    assert reporter["ReporterContact"] == world.reporter.email
    assert reporter["ReporterType"] == "3"  # a member of staff
    assert _parts(resource, t.REFERENCE_METADATA)["IsAnonymous"] is False


def test_a_protected_reporter_is_anonymous_to_lfpse(world):
    event = record(world, identity_protected=True)
    assert reporter_contact(db.session, event) is None
    body = body_of(event, world.reporter.email).decode()  # even if a caller passed it
    assert world.reporter.email not in body and world.reporter.name not in body
    resource = json.loads(body)
    assert _parts(resource, t.REFERENCE_METADATA)["IsAnonymous"] is True
    assert "ReporterContact" not in _parts(
        _contained(resource, "Practitioner"), t.PRACTITIONER_DETAILS
    )


def test_an_anonymous_public_report_names_nobody(world):
    event = record(world, reporter_kind="patient", reporter_user=None)
    resource = json.loads(body_of(event, reporter_contact(db.session, event)))
    validated(resource)
    assert _parts(resource, t.REFERENCE_METADATA)["IsAnonymous"] is True
    reporter = _parts(_contained(resource, "Practitioner"), t.PRACTITIONER_DETAILS)
    assert reporter == {"ReporterType": "1", "ReporterOrganisation": world.practice.ods_code}


def test_a_public_reporter_who_left_a_contact_gives_it(world):
    event = record(
        world,
        reporter_kind="family",
        reporter_user=None,
        reporter_name="Sam Parent",
        reporter_contact="sam@example.org",
    )
    with unit_of_work(db.session):
        contact = reporter_contact(db.session, event)
    resource = json.loads(body_of(event, contact))
    reporter = _parts(_contained(resource, "Practitioner"), t.PRACTITIONER_DETAILS)
    assert reporter["ReporterContact"] == "sam@example.org"
    assert reporter["ReporterType"] == "2"
