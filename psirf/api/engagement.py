"""Engagement with the people affected, read only: a family account's own reviews and each one's
timeline; for staff who see a response's engagement, its people's whole timelines.

A family token reads its own people only (another's is 404) and fewer fields than staff
(psirf.engagement.schemas). The same rules as the family portal and the response page
(psirf.family.timelines, psirf.engagement.timelines).
"""

from __future__ import annotations

from flask_login import current_user

from psirf.api.registry import operation
from psirf.api.replies import reply
from psirf import policy
from psirf.engagement import schemas
from psirf.engagement import timelines as engagement
from psirf.family import timelines
from psirf.extensions import db
from psirf.responses import services as responses
from psirf.web.loading import fetch

_PEOPLE = schemas.FamilyPeopleSchema()
_OF_RESPONSE = schemas.ResponseEngagementSchema()


def _user():
    return current_user._get_current_object()


@operation(
    "/engagement/people",
    summary="Your own reviews (a family account's)",
    tag="engagement",
    response=schemas.FamilyPeopleSchema,
    errors=(403,),
)
def family_people():
    """For a patient's or family member's account: each review they are part of. Staff read a
    person's timeline by the person's number instead."""
    return reply(_PEOPLE.dump({"items": timelines.family_people(db.session, _user())}))


@operation(
    "/engagement/people/<int:person_id>",
    summary="A person's engagement timeline",
    tag="engagement",
    response=schemas.PersonTimelineSchema,
    errors=(403,),
)
def timeline(person_id):
    """A family account: its own person's steps shared with them, as the portal words them.
    Staff who see the response's engagement: every step with the person, shared or not."""
    found = timelines.timeline_for(db.session, _user(), person_id)
    return reply(schemas.dump(_user(), found))


@operation(
    "/responses/<int:response_id>/engagement",
    summary="The engagement timeline of a response",
    tag="engagement",
    response=schemas.ResponseEngagementSchema,
    errors=(403,),
)
def of_response(response_id):
    """Every person affected and every step with each, shared or internal, for staff who see
    the response's engagement on its page (not a contributing organisation: 403)."""
    response = fetch(responses.get, response_id, policy.require_response_visible)
    people = engagement.of_response(db.session, _user(), response)
    return reply(_OF_RESPONSE.dump({"response_id": response.id, "people": people}))
