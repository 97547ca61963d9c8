"""Triage: what is recommended for an event, and the patient safety lead's decision, by the
triage page's own services (the recommendation, `decide`)."""

from __future__ import annotations

from flask_login import current_user

from psirf import policy
from psirf.api import locking
from psirf.api.registry import operation
from psirf.api.replies import reply
from psirf.db import unit_of_work
from psirf.events import schemas as event_schemas
from psirf.events import services as events
from psirf.extensions import db
from psirf.responses.models import ResponseMethod
from psirf.triage import schemas, services
from psirf.web.loading import fetch


@operation(
    "/events/<int:event_id>/triage",
    summary="What triage recommends for an event",
    tag="triage",
    response=schemas.RecommendationSchema,
)
def recommendation(event_id):
    """National requirements first, then the PSIRF plan's local focus, then learning potential,
    with where it came from. For the event's patient safety lead, as the triage page is."""
    event = fetch(events.get, event_id, policy.require_can_triage)
    found = services.recommendation_for(db.session, event)
    return reply(schemas.recommendation(event, found), version=event.version_id)


def _referral(given: dict | None) -> services.Referral | None:
    if given is None:
        return None
    return services.Referral(given["body"], given["referred_on"], given.get("reference"))


@operation(
    "/events/<int:event_id>/triage",
    "POST",
    summary="Record the triage decision",
    tag="triage",
    body=schemas.DecisionInput,
    response=schemas.DecisionSchema,
    versioned=True,
)
def decide(event_id, body):
    """The lead's choice and why (and why not, when it is not what was recommended); a learning
    response it names starts at once, and the reporter is told what will happen."""
    user = current_user._get_current_object()
    event = fetch(events.get, event_id, policy.require_can_triage)
    locking.require_current(event, body)
    local_method = body.get("local_method")
    with unit_of_work(db.session):
        response = services.decide(
            db.session,
            event,
            user,
            services.TriageChoice(body["choice"]),
            body["rationale"],
            deviation_reason=body.get("deviation_reason"),
            referral=_referral(body.get("referral")),
            local_method=ResponseMethod(local_method) if local_method else None,
        )
        opened = (
            {"id": response.id, "reference": response.reference, "method": response.method}
            if response is not None
            else None
        )
    event = events.get(db.session, event_id)
    return reply(
        {"event": event_schemas.dump(user, event), "learning_response": opened},
        version=event.version_id,
    )
