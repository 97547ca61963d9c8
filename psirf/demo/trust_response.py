"""The demo's cross-organisational response led by the partner NHS trust (seed/trust_response.yaml).

It shows a trust applying regulation 20's test for health service bodies on a response it leads,
beside the practices' responses, which apply the test for other registered persons. The candour
decision and steps go through the engagement services, as the trust's lead would have recorded
them, dated back over the days since the response was opened; loaded once.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf import audit
from psirf.accounts import services as accounts
from psirf.demo.organisations import read_seed
from psirf.engagement import candour, services
from psirf.organisations import services as organisations
from psirf.responses.models import Contributor, LearningResponse, ResponseMethod
from psirf.timeutil import utcnow
from psirf.workflow import definitions, runner


def load_trust_response(session: Session) -> bool:
    """Write the trust's response once; False if it is there already (or the trust is not)."""
    spec = read_seed("trust_response.yaml")
    trust = organisations.by_ods_code(session, spec["organisation"])
    lead = accounts.find_by_email(session, spec["lead"])
    if trust is None or lead is None or _already_there(session, trust.id):
        return False
    now = utcnow()
    today = now.date()
    response = _open(session, spec, trust.id, lead, now - timedelta(days=spec["opened_days_ago"]))
    for code in spec["contributors"]:
        response.contributors.append(
            Contributor(organisation_id=organisations.by_ods_code(session, code).id)
        )
    session.flush()
    services.add_person(
        session, lead, response, {**spec["person"], "engagement_lead_id": lead.id}, None
    )
    _candour(session, spec["candour"], response, lead, today)
    return True


def _already_there(session: Session, trust_id: int) -> bool:
    return (
        session.scalar(
            select(LearningResponse.id).where(
                LearningResponse.organisation_id == trust_id,
                LearningResponse.method == ResponseMethod.CROSS_ORGANISATIONAL.value,
            )
        )
        is not None
    )


def _open(session: Session, spec: dict, trust_id: int, lead, opened) -> LearningResponse:
    response = LearningResponse(
        method=ResponseMethod.CROSS_ORGANISATIONAL.value,
        organisation_id=trust_id,
        lead_id=lead.id,
        created_at=opened,
        updated_at=opened,
        record={"terms": dict(spec["terms"])},
    )
    runner.start(session, response, definitions.get("cross_organisational"), lead)
    session.add(response)
    session.flush()
    response.reference = f"LR-{response.created_at.year}-{response.id:06d}"
    audit.record(
        session,
        actor_id=lead.id,
        action="response:open",
        subject=response,
        organisation_id=trust_id,
        changes={"state": {"before": None, "after": response.state}},
    )
    return response


def _candour(session: Session, spec: dict, response: LearningResponse, lead, today: date) -> None:
    def ago(days: int) -> date:
        return today - timedelta(days=days)

    candour.decide_candour(
        session,
        lead,
        response,
        decision="applies",
        criteria=spec["criteria"],
        reason=None,
        decided_on=ago(spec["decided_days_ago"]),
        expected_version=None,
        today=today,
    )
    steps = dict(_dated(key, value, ago) for key, value in spec["steps"].items())
    candour.record_candour_steps(session, lead, response, steps, None, today=today)


def _dated(key: str, value, ago) -> tuple:
    """The seed's "written_days_ago: 5" is the step's date field, "written_on", counted back."""
    if key.endswith("_days_ago"):
        return key.removesuffix("_days_ago") + "_on", ago(value)
    return key, value
