"""The readiness pages in the route table: the map for everyone who reads readiness (the ICB's
roles and administrators, review panels, patient safety and executive leads); an organisation's
page for its own lead, its PCN (panel and neighbours' leads) and its ICB; recording for the lead;
confirming for the ICB's patient safety specialists and administrators; a person's own training
for anyone working in a service or group."""

from __future__ import annotations

from psirf.extensions import db
from psirf.readiness.models import NamedPerson

# A family account is refused every page outside its portal (403, or 404 for an address that
# names something).
MAP_REFUSED = {"reporter": 403, "family": 403}
# Another PCN's panel and lead, and another ICB, do not find the practice; the reporter reads no
# readiness at all.
OUTSIDE = {"other_lead": 404, "other_panel": 404, "outsider_icb_quality": 404, "reporter": 404}
RECORD_REFUSED = {**OUTSIDE, "panel": 403, "icb_quality": 403, "icb_specialist": 403, "admin": 403}


def named_person_id(objects) -> int:
    """A partner named at the world's practice, made the first time a case asks."""
    if "named_person" not in objects:
        world = objects["world"]
        person = NamedPerson(
            organisation_id=world.practice.id,
            commitment="patient_safety_partners",
            name="Pat Partner",
            added_by_id=world.lead.id,
        )
        db.session.add(person)
        db.session.commit()
        objects["named_person"] = person.id
    return objects["named_person"]


def _practice(o, suffix: str = "") -> str:
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
            lambda o: _practice(o, f"/named/{named_person_id(o)}/remove"),
            ("lead", 302),
            RECORD_REFUSED,
        ),
        "readiness.staff": case("GET", lambda o: _practice(o, "/staff"), ("panel", 200), OUTSIDE),
        "readiness.add_staff": case(
            "POST", lambda o: _practice(o, "/staff"), ("lead", 400), RECORD_REFUSED
        ),
        "readiness.record_training": case(
            "POST", lambda o: _practice(o, "/training"), ("lead", 400), RECORD_REFUSED
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
