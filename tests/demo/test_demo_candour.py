"""The demo shows the duty of candour for every provider: a cross-organisational response led by
Demo Hospitals NHS Trust applies the test for health service bodies; a practice's response applies
the test for other registered persons."""

from __future__ import annotations

from sqlalchemy import select

from psirf.engagement import candour, notifiable
from psirf.engagement.candour_steps import CandourTargets, steps_for
from psirf.responses.models import LearningResponse
from psirf.timeutil import utcnow


def test_the_trust_leads_a_cross_organisational_response_under_the_health_service_body_test(demo):
    session, by_code, _ = demo
    trust, riverside = by_code["RDM"], by_code["D81001"]
    response = session.scalars(
        select(LearningResponse).where(
            LearningResponse.organisation_id == trust.id,
            LearningResponse.method == "cross_organisational",
        )
    ).one()
    assert [c.organisation_id for c in response.contributors] == [riverside.id]
    assert notifiable.applied_to(response).test.key == "health_service_body"
    record = candour.candour_of(session, response)
    assert record.applies and record.test == "health_service_body"
    assert record.criteria == ["moderate_harm"]
    status = {s.name: s.status for s in steps_for(record, utcnow().date(), CandourTargets())}
    assert status == {
        "notified_on": "done",
        "written_on": "done",
        "record_kept_on": "done",
        "support_offered_on": "done",
        "results_shared_on": "due",  # when the response closes
    }


def test_the_riverside_investigation_applies_the_test_for_other_registered_persons(demo):
    session, by_code, _ = demo
    psii = session.scalars(
        select(LearningResponse).where(
            LearningResponse.organisation_id == by_code["D81001"].id,
            LearningResponse.method == "psii",
        )
    ).first()
    assert notifiable.applied_to(psii).test.key == "registered_person"
    assert candour.candour_suggested(psii)  # its moderate harm prompts the test
