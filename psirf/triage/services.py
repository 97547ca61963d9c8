"""Triage: the lead's queue of new events and the proportionate response chosen for each."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from datetime import date

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import Session

from psirf import audit, policy
from psirf.events import feedback
from psirf.events.models import EventStatus, SafetyEvent
from psirf.labels import LabelledEnum
from psirf.organisations.models import Organisation
from psirf.plans.services import local_focus_by_organisation, local_focus_for
from psirf.responses import services as responses
from psirf.responses.models import LearningResponse, ResponseMethod
from psirf.timeutil import utcnow
from psirf.triage import national
from psirf.triage.recommend import method_label  # noqa: F401  (for the event page)
from psirf.triage.recommend import (
    NO_FURTHER_RESPONSE,
    REFERRAL,
    Recommendation,
    Source,
    recommend,
)
from psirf.web.pagination import Page, decode_cursor, older_than, page_of
from psirf.workflow import definitions
from psirf.problems import InputError

REFERRAL_BODY_MAX = 200
REFERRAL_REFERENCE_MAX = 100
TEXT_MAX = 5000


class TriageChoice(LabelledEnum):
    """What the lead may choose at triage. A thematic review is not here: it is started from a set
    of events, not from the triage of one."""

    SWARM_HUDDLE = ("swarm_huddle", "SWARM huddle")
    AFTER_ACTION_REVIEW = ("after_action_review", "After action review")
    MDT_REVIEW = ("mdt_review", "Multidisciplinary team (MDT) review")
    PSII = ("psii", "Patient safety incident investigation (PSII)")
    CROSS_ORGANISATIONAL = ("cross_organisational", "Cross-organisational learning response")
    REFERRAL = (REFERRAL, "Referred to another body")
    NO_FURTHER_RESPONSE = (NO_FURTHER_RESPONSE, "No further response, kept for insight")

    @property
    def method(self) -> ResponseMethod | None:
        """The learning response this choice opens, if any."""
        try:
            return ResponseMethod(self.value)
        except ValueError:
            return None


# The learning responses that may run alongside a referral.
LOCAL_RESPONSE_CHOICES = [c for c in TriageChoice if c.method is not None]


@dataclass
class QueueFilters:
    status: str | None = EventStatus.AWAITING_TRIAGE.value
    record_type: str | None = None
    harm: str | None = None
    theme: str | None = None
    occurred_from: date | None = None
    occurred_to: date | None = None
    organisation_id: int | None = None


# What a queue row shows and what its recommendation reads (psirf.triage.recommend), read as plain
# rows, not events: the whole event's columns (JSON among them) and its ORM state cost more than the
# page costs to render.
QUEUE_COLUMNS = (
    SafetyEvent.id,
    SafetyEvent.reference,
    SafetyEvent.organisation_id,
    SafetyEvent.record_type,
    SafetyEvent.theme,
    SafetyEvent.occurred_on,
    SafetyEvent.description,
    SafetyEvent.physical_harm,
    SafetyEvent.psychological_harm,
    SafetyEvent.never_event,
    SafetyEvent.never_event_type,
    SafetyEvent.national_flags,
    SafetyEvent.repeat_presentation,
    SafetyEvent.status,
    SafetyEvent.created_at,
)


# Each filter as a condition on a named parameter: the statement of a combination of filters is
# built once, since building a select of these columns, and its cache key, cost more than running
# it (issue 16). Only the values change between requests.
QUEUE_FILTERS = {
    "status": lambda: SafetyEvent.status == bindparam("status"),
    "record_type": lambda: SafetyEvent.record_type == bindparam("record_type"),
    "harm": lambda: SafetyEvent.physical_harm == bindparam("harm"),
    "theme": lambda: SafetyEvent.theme == bindparam("theme"),
    "occurred_from": lambda: SafetyEvent.occurred_on >= bindparam("occurred_from"),
    "occurred_to": lambda: SafetyEvent.occurred_on <= bindparam("occurred_to"),
}


@cache
def _queue_statement(applied: tuple[str, ...], after: bool) -> Select:
    stmt = select(*QUEUE_COLUMNS).where(
        SafetyEvent.organisation_id.in_(bindparam("organisations", expanding=True)),
        *(QUEUE_FILTERS[name]() for name in applied),
    )
    if after:
        stmt = stmt.where(
            older_than(
                SafetyEvent.created_at,
                SafetyEvent.id,
                bindparam("after_when"),
                bindparam("after_id"),
            )
        )
    order = (SafetyEvent.created_at.desc(), SafetyEvent.id.desc())
    return stmt.order_by(*order).limit(bindparam("size"))


def queue(session: Session, user, filters: QueueFilters, cursor: str | None, size: int) -> Page:
    """A page of the queue, newest first (keyset by created_at then id): rows of QUEUE_COLUMNS."""
    organisations = policy.triage_queue_organisations(user)
    if filters.organisation_id in organisations:
        organisations = [filters.organisation_id]
    values = {name: getattr(filters, name) for name in QUEUE_FILTERS if getattr(filters, name)}
    after = decode_cursor(cursor)
    if after:
        values["after_when"], values["after_id"] = after
    statement = _queue_statement(tuple(sorted(set(values) & QUEUE_FILTERS.keys())), bool(after))
    rows = session.execute(
        statement, {**values, "organisations": list(organisations), "size": size + 1}
    ).all()
    return page_of(rows, size, after)


def recommendation_for(
    session: Session, event: SafetyEvent, today: date | None = None
) -> Recommendation:
    """What triage recommends for `event`: national requirements, then the local priorities of the
    PSIRF plan in force for its PCN or federation, then learning potential (psirf.triage.recommend)."""
    return recommend(event, today=today, focus=local_focus_for(session, event.organisation))


def recommendations_for(session: Session, events) -> dict[int, Recommendation]:
    """A queue page's recommendations (of events or of `queue`'s rows): the plans of all its
    organisations read in one statement. The organisations are the person's own, loaded with
    their roles, so getting them issues none."""
    organisations = [session.get(Organisation, i) for i in {e.organisation_id for e in events}]
    focus = local_focus_by_organisation(session, organisations)
    return {event.id: recommend(event, focus=focus[event.organisation_id]) for event in events}


def recommendation_source_text(stored: dict | None) -> str | None:
    """Where a stored recommendation came from, as the event page says it."""
    source = Source.from_stored(stored)
    return source.text if source else None


def national_flags_label(keys) -> str:
    return ", ".join(national.label_for(key) for key in keys or ())


@dataclass
class Referral:
    """Where a referred event went: the body, the date and the other body's reference."""

    body: str | None
    referred_on: date | None
    reference: str | None = None


def _require_workflow(method: ResponseMethod, field: str) -> None:
    try:
        definitions.for_method(method.value)
    except definitions.WorkflowError:
        raise InputError(
            field, f"{method.label} is not available yet: choose another response"
        ) from None


def _check_referral(referral: Referral | None) -> Referral:
    body = ((referral.body if referral else None) or "").strip()
    reference = ((referral.reference if referral else None) or "").strip() or None
    when = referral.referred_on if referral else None
    if not body:
        raise InputError("referral_body", "Enter the body the event was referred to")
    if len(body) > REFERRAL_BODY_MAX:
        raise InputError("referral_body", f"Enter no more than {REFERRAL_BODY_MAX} characters")
    if not isinstance(when, date):
        raise InputError("referred_on", "Enter the date it was referred")
    if when > date.today():
        raise InputError("referred_on", "The date must be today or in the past")
    if reference and len(reference) > REFERRAL_REFERENCE_MAX:
        raise InputError(
            "referral_reference", f"Enter no more than {REFERRAL_REFERENCE_MAX} characters"
        )
    return Referral(body, when, reference)


def _comment(rationale: str, recommendation: Recommendation, deviation_reason: str | None) -> str:
    if not deviation_reason:
        return rationale
    return (
        f"{rationale}\n\nRecommended: {recommendation.label}. "
        f"Why the lead chose differently: {deviation_reason}"
    )


def decide(
    session: Session,
    event: SafetyEvent,
    actor,
    choice: TriageChoice,
    rationale: str,
    *,
    deviation_reason: str | None = None,
    referral: Referral | None = None,
    local_method: ResponseMethod | None = None,
    today: date | None = None,
) -> LearningResponse | None:
    """Record the lead's choice and why; start the learning response it names.

    Everything is checked before anything is written: the rationale, a reason whenever the
    choice differs from the recommendation, the referral's details, and that a workflow exists
    for every learning response to be opened. Returns the learning response opened, if any.
    """
    policy.require_can_triage(actor, event)
    choice = TriageChoice(choice)
    rationale = (rationale or "").strip()
    if not rationale:
        raise InputError("rationale", "Say why you chose this response")
    if len(rationale) > TEXT_MAX:
        raise InputError("rationale", f"Enter no more than {TEXT_MAX:,} characters")
    recommendation = recommendation_for(session, event, today)
    deviation_reason = (deviation_reason or "").strip() or None
    if choice.value == recommendation.method:
        deviation_reason = None  # nothing to explain
    elif not deviation_reason:
        raise InputError(
            "deviation_reason", "Say why you are choosing differently from the recommendation"
        )
    elif len(deviation_reason) > TEXT_MAX:
        raise InputError("deviation_reason", f"Enter no more than {TEXT_MAX:,} characters")

    to_open: ResponseMethod | None = choice.method
    values: dict = {}
    if choice is TriageChoice.REFERRAL:
        referral = _check_referral(referral)
        values = {
            "referral_body": referral.body,
            "referred_on": referral.referred_on,
            "referral_reference": referral.reference,
        }
        if local_method is not None:
            to_open = ResponseMethod(local_method)
            if to_open is ResponseMethod.THEMATIC_REVIEW:
                raise InputError(
                    "local_method", "A thematic review is started from a set of events, not here"
                )
            _require_workflow(to_open, "local_method")
        status = EventStatus.REFERRED
    elif choice is TriageChoice.NO_FURTHER_RESPONSE:
        status = EventStatus.NO_FURTHER_RESPONSE
    else:
        _require_workflow(to_open, "choice")
        status = EventStatus.LEARNING_RESPONSE

    now = utcnow()
    # Conditional on the event still awaiting triage: two leads deciding at once cannot both win.
    claimed = session.execute(
        update(SafetyEvent)
        .where(SafetyEvent.id == event.id, SafetyEvent.status == EventStatus.AWAITING_TRIAGE.value)
        .values(
            status=status.value,
            triage_rationale=rationale,
            triaged_by_id=actor.id,
            triaged_at=now,
            triage_recommendation=recommendation.method,
            triage_recommendation_source=recommendation.source.stored(),
            triage_deviation_reason=deviation_reason,
            # A correction begun before the decision is refused as made on an older version.
            version_id=SafetyEvent.version_id + 1,
            **values,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise InputError("choice", "This event has already been triaged by someone else")
    session.refresh(event)
    response = None
    if to_open is not None:
        try:
            response = responses.open_response(session, event, to_open, actor)
        except (
            definitions.WorkflowError
        ):  # checked above; a file removed meanwhile still writes nothing
            raise InputError(
                "choice", f"{to_open.label} is not available yet: choose another response"
            ) from None
    # The reporter is told what will happen and why, in plain words; never the rationale above.
    feedback.response_chosen(
        session,
        event,
        choice.value,
        actor,
        local_method=to_open.value
        if choice is TriageChoice.REFERRAL and to_open is not None
        else None,
        planned_method=recommendation.planned_method,
    )
    changes = {
        "status": {"before": EventStatus.AWAITING_TRIAGE.value, "after": status.value},
        "triage_choice": {"before": None, "after": choice.value},
        "triage_recommendation": {"before": None, "after": recommendation.method},
        "triage_recommendation_source": {"before": None, "after": recommendation.source.text},
    }
    if recommendation.requirement:
        changes["national_requirement"] = {"before": None, "after": recommendation.requirement}
    if deviation_reason:
        changes["triage_deviation_reason"] = {"before": None, "after": deviation_reason}
    for name, value in values.items():
        if value is not None:
            changes[name] = {
                "before": None,
                "after": value.isoformat() if isinstance(value, date) else value,
            }
    audit.record(
        session,
        actor_id=actor.id,
        action="event:triage",
        subject=event,
        organisation_id=event.organisation_id,
        changes=changes,
        comment=_comment(rationale, recommendation, deviation_reason),
    )
    session.flush()
    return response


# ---- after a correction --------------------------------------------------------------------------


def _decided(event: SafetyEvent) -> str | None:
    """What was decided at triage, in the recommendation's terms."""
    if event.status == EventStatus.NO_FURTHER_RESPONSE.value:
        return NO_FURTHER_RESPONSE
    if event.status == EventStatus.REFERRED.value:
        return REFERRAL
    return event.learning_response.method if event.learning_response else None


def recommended_at_triage(event: SafetyEvent) -> str | None:
    """The recommendation (or, where none was recorded, the decision) the event was triaged with."""
    return event.triage_recommendation or _decided(event)


def recommendation_after_correction(session: Session, event: SafetyEvent) -> Recommendation | None:
    """For an event corrected since it was triaged: what triage recommends for it as it now reads,
    when that is not what it recommended at triage (where that was not recorded, not what was
    decided). Read as of the triage date, so only the correction can make the difference.

    Triage is not reopened: the decision stands until the lead changes course, and this is what
    tells them they may need to."""
    if event.triaged_at is None:
        return None
    now = recommendation_for(session, event, today=event.triaged_at.date())
    return now if now.method != recommended_at_triage(event) else None
