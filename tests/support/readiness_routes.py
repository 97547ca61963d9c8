"""The readiness pages in the route table: the map for everyone who reads readiness (the ICB's
roles and administrators, review panels, patient safety and executive leads); an organisation's
page for its own lead, its PCN (panel and neighbours' leads) and its ICB; recording for the lead;
confirming for the ICB's patient safety specialists and administrators; a person's own training
for anyone working in a service or group."""

from __future__ import annotations

from datetime import date

from psirf.extensions import db
from psirf.readiness.models import CommitmentRecord, NamedPerson, StaffMember, SyllabusCompletion
from psirf.timeutil import utcnow

# A family account is refused every page outside its portal (403, or 404 for an address that
# names something).
MAP_REFUSED = {"reporter": 403, "family": 403}
# Another PCN's panel and lead, and another ICB, do not find the practice; the reporter reads no
# readiness at all.
OUTSIDE = {"other_lead": 404, "other_panel": 404, "outsider_icb_quality": 404, "reporter": 404}
RECORD_REFUSED = {**OUTSIDE, "panel": 403, "icb_quality": 403, "icb_specialist": 403, "admin": 403}


# Readiness columns that hold no free text (merged into tests/support/markup.py NOT_FREE_TEXT).
READINESS_NOT_FREE_TEXT = {
    **dict.fromkeys(
        (
            "readiness_records.commitment",
            "readiness_records.status",
            "readiness_records.route",
            "readiness_named_people.commitment",
            "readiness_syllabus_completions.source",
        ),
        "a code or a state",
    ),
    **dict.fromkeys(
        ("readiness_staff.email", "readiness_records.evidence_url"),
        "an identifier checked against its format (an email address, an https link)",
    ),
}


def readiness_rows(objects) -> dict:
    """At the world's practice, made the first time a case asks: a named partner (whose remove
    button the commitment's page shows), a member of staff with level 1 (the training form shows
    once someone is listed) and a Freedom to Speak Up guardian recorded (the ICB's confirm button
    shows once there is something to confirm). Returns their ids."""
    if "readiness" not in objects:
        world = objects["world"]
        lead = world.lead
        person = NamedPerson(
            organisation_id=world.practice.id,
            commitment="patient_safety_partners",
            name="Pat Partner",
            added_by_id=lead.id,
        )
        member = StaffMember(
            organisation_id=world.practice.id, name="Dana Nurse", email="dana@example.org"
        )
        member.completions.append(
            SyllabusCompletion(
                level=1, completed_on=date(2026, 1, 5), source="lead", recorded_by_id=lead.id
            )
        )
        record = CommitmentRecord(
            organisation_id=world.practice.id,
            commitment="freedom_to_speak_up",
            status="met",
            note="A guardian shared with the PCN",
            recorded_by_id=lead.id,
            recorded_at=utcnow(),
        )
        db.session.add_all([person, member, record])
        db.session.commit()
        objects["readiness"] = {"named_person": person.id, "member": member.id}
    return objects["readiness"]


def named_person_id(objects) -> int:
    return readiness_rows(objects)["named_person"]


def _practice(o, suffix: str = "") -> str:
    readiness_rows(o)
    return f"/readiness/organisations/{o['world'].practice.id}{suffix}"


def readiness_routes(case) -> dict:
    return {
        "readiness.index": case(
            "GET", lambda o: "/readiness", ("icb_specialist", 200), MAP_REFUSED
        ),
        "readiness.map_csv": case(
            "GET", lambda o: "/readiness/map.csv", ("panel", 200), MAP_REFUSED
        ),
        "readiness.gaps": case(
            "GET",
            lambda o: "/readiness/gaps/patient_safety_partners",
            ("lead", 200),
            {**MAP_REFUSED, "family": 404},
        ),
        "readiness.organisation": case("GET", _practice, ("icb_quality", 200), OUTSIDE),
        # 400: an empty form, which proves the policy let the lead through.
        "readiness.commitment": case(
            "POST",
            lambda o: _practice(o, "/commitments/freedom_to_speak_up"),
            ("lead", 400),
            RECORD_REFUSED,
        ),
        "readiness.confirm": case(
            "POST",
            lambda o: _practice(o, "/commitments/freedom_to_speak_up/confirm"),
            ("icb_specialist", 400),
            {**OUTSIDE, "lead": 403, "panel": 403, "icb_quality": 403},
        ),
        "readiness.add_named": case(
            "POST",
            lambda o: _practice(o, "/commitments/patient_safety_partners/named"),
            ("lead", 400),
            RECORD_REFUSED,
        ),
        "readiness.remove_named": case(
            "POST",
            lambda o: _practice(
                o, f"/commitments/patient_safety_partners/named/{named_person_id(o)}/remove"
            ),
            ("lead", 302),
            RECORD_REFUSED,
        ),
        "readiness.staff": case("GET", lambda o: _practice(o, "/staff"), ("panel", 200), OUTSIDE),
        "readiness.add_staff": case(
            "POST", lambda o: _practice(o, "/staff/add"), ("lead", 400), RECORD_REFUSED
        ),
        "readiness.record_training": case(
            "POST", lambda o: _practice(o, "/staff/training"), ("lead", 400), RECORD_REFUSED
        ),
        "readiness.staff_left": case(
            "POST", lambda o: _practice(o, "/staff/left"), ("lead", 400), RECORD_REFUSED
        ),
        "readiness.import_training": case(
            "POST", lambda o: _practice(o, "/training-import"), ("lead", 400), RECORD_REFUSED
        ),
        # Anyone working in a service or group records their own training (400: an empty form).
        "readiness.my_training": case(
            "POST",
            lambda o: "/readiness/my-training",
            ("reporter", 400),
            {"admin": 403, "icb_quality": 403, "icb_specialist": 403, "family": 403},
        ),
    }
