"""The rules of engagement and the duty of candour: plain functions over a session, no Flask.

Every change is audited against the learning response, so it appears on the response's timeline.
The audit entries carry no names, questions or accounts: the timeline is also read by contributing
organisations, who see nothing of the people affected.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Row, select
from sqlalchemy.orm import Session, selectinload

from psirf import policy
from psirf.db import check_version
from psirf.accounts.models import AccountKind, RoleAssignment, User
from psirf.engagement import words
from psirf.engagement.models import (
    AffectedPerson,
    AttemptPurpose,
    ContactAttempt,
    ContactMeans,
    EngagementStep,
    Invitation,
    Involvement,
    PersonKind,
    StepKind,
)
from psirf.notifications.models import NotificationKind
from psirf.notifications.services import notify
from psirf.responses import services as responses
from psirf.responses.models import LearningResponse
from psirf.problems import InputError


# ---- who may see and change it -------------------------------------------------------------------


def check_edit(user, response: LearningResponse, expected_version: int | None) -> None:
    """The policy decides whether `user` may change the engagement plan now (see
    `policy.may_edit_engagement`); a stale version is refused here."""
    policy.require_may_edit_engagement(user, response, responses.state_of(response))
    check_version(response, expected_version)


def check_candour(user, response: LearningResponse, expected_version: int | None) -> None:
    """The policy decides whether `user` may record the duty of candour (see
    `policy.may_record_candour`: also once the response has closed); a stale version is refused."""
    policy.require_may_record_candour(user, response)
    check_version(response, expected_version)


def family_page(person_id: int) -> str:
    """The path of a person's page in the family portal (psirf.family.views.person), for notification links."""
    return f"/your-response/{person_id}"


def _done(session: Session, user, response: LearningResponse, action: str, changes: dict) -> None:
    # Bumps the response's version (a stale tab is refused) and audits against the response.
    responses.finish_edit(session, user, response, action, changes)


def _not_future(value: date | None, field_name: str, today: date) -> None:
    if value is not None and value > today:
        raise InputError(field_name, "The date must be today or in the past")


def _clean(value):
    return (value.strip() or None) if isinstance(value, str) else value


# ---- the people affected -------------------------------------------------------------------------


def staff_of(session: Session, organisation_id: int) -> list[Row]:
    """The lead organisation's active staff, each an `id` and `name`: who may be named engagement
    lead. Rows, not accounts: an account would load its roles, which no choice of lead reads."""
    has_role = select(RoleAssignment.user_id).where(
        RoleAssignment.organisation_id == organisation_id
    )
    return list(
        session.execute(
            select(User.id, User.name)
            .where(
                User.id.in_(has_role), User.active.is_(True), User.kind == AccountKind.STAFF.value
            )
            .order_by(User.name, User.id)
        )
    )


PERSON_FIELDS = (
    "kind",
    "name",
    "relationship_to_patient",
    "contact_by",
    "contact_when",
    "language",
    "interpreter_needed",
    "accessibility_needs",
    "involvement",
    "engagement_lead_id",
    "supporter",
    "wellbeing_signposted",
    "support_notes",
)


def _invited(session: Session, person: AffectedPerson) -> bool:
    """Whether they have joined the portal or hold an invitation not yet withdrawn or used."""
    if person.id is None:
        return False
    if person.account_id is not None:
        return True
    waiting = select(Invitation.id).where(
        Invitation.person_id == person.id,
        Invitation.used_at.is_(None),
        Invitation.revoked_at.is_(None),
    )
    return session.scalar(waiting.limit(1)) is not None


def _apply_person(
    session: Session, response: LearningResponse, person: AffectedPerson, values: dict
) -> list[str]:
    values = {k: _clean(values.get(k)) for k in PERSON_FIELDS}
    if values["kind"] not in {k.value for k in PersonKind}:
        raise InputError("kind", "Choose who they are")
    if not values["name"]:
        raise InputError("name", "Enter their name")
    if values["involvement"] not in {i.value for i in Involvement}:
        raise InputError("involvement", "Choose how involved they want to be")
    means = [m for m in values["contact_by"] or [] if m in {c.value for c in ContactMeans}]
    lead_id = values["engagement_lead_id"]
    if lead_id is not None:
        lead_id = int(lead_id)
        if lead_id not in {u.id for u in staff_of(session, response.organisation_id)}:
            raise InputError("engagement_lead_id", "Choose a member of the organisation's staff")
    if lead_id is None and _invited(session, person):
        raise InputError(
            "engagement_lead_id",
            "Choose their engagement lead: they have been invited to the family portal, which "
            "names their contact",
        )
    staff = values["kind"] == PersonKind.STAFF.value
    updates = {
        **values,
        "contact_by": means,
        "interpreter_needed": bool(values["interpreter_needed"]),
        "engagement_lead_id": lead_id,
        # Support offered is recorded for staff involved only.
        "supporter": values["supporter"] if staff else None,
        "wellbeing_signposted": values["wellbeing_signposted"] if staff else None,
        "support_notes": values["support_notes"] if staff else None,
    }
    changed = [k for k, v in updates.items() if getattr(person, k, None) != v]
    for k, v in updates.items():
        setattr(person, k, v)
    return changed


def add_person(
    session: Session, user, response: LearningResponse, values: dict, expected_version: int | None
) -> AffectedPerson:
    check_edit(user, response, expected_version)
    person = AffectedPerson(response_id=response.id)
    _apply_person(session, response, person, values)
    session.add(person)
    session.flush()
    _done(
        session,
        user,
        response,
        "engagement:person_added",
        {"person": {"before": None, "after": f"{person.kind_label} added"}},
    )
    return person


def get_person(session: Session, response: LearningResponse, person_id: int) -> AffectedPerson:
    person = session.get(AffectedPerson, person_id)
    if person is None or person.response_id != response.id:
        raise policy.NotVisible("Page not found")
    return person


def update_person(
    session: Session,
    user,
    response: LearningResponse,
    person: AffectedPerson,
    values: dict,
    expected_version: int | None,
) -> None:
    check_edit(user, response, expected_version)
    changed = _apply_person(session, response, person, values)
    if changed:
        session.flush()
        _done(
            session,
            user,
            response,
            "engagement:person_updated",
            {
                name: {"before": None, "after": "changed", "of": person.kind_label}
                for name in changed
            },
        )


# ---- engagement steps ----------------------------------------------------------------------------


def add_attempt(
    session: Session,
    user,
    response: LearningResponse,
    *,
    purpose: str,
    person_id: int | None,
    attempted_on: date,
    means: str,
    outcome: str,
    expected_version: int | None,
    today: date | None = None,
) -> ContactAttempt:
    """An attempt to reach someone, kept whatever came of it."""
    if purpose == AttemptPurpose.CANDOUR.value:
        check_candour(user, response, expected_version)
    else:
        check_edit(user, response, expected_version)
    today = today or date.today()
    _not_future(attempted_on, "attempted_on", today)
    if means not in {m.value for m in ContactMeans}:
        raise InputError("means", "Choose how you tried to make contact")
    if not _clean(outcome):
        raise InputError("outcome", "Say what happened")
    if purpose == AttemptPurpose.ENGAGEMENT.value and person_id is None:
        raise InputError("person_id", "Choose who you tried to reach")
    if person_id is not None:
        get_person(session, response, int(person_id))
    attempt = ContactAttempt(
        response_id=response.id,
        purpose=AttemptPurpose(purpose).value,
        person_id=person_id,
        attempted_on=attempted_on,
        means=means,
        outcome=outcome.strip(),
        created_by_id=user.id,
    )
    session.add(attempt)
    session.flush()
    action = "candour:attempt" if purpose == AttemptPurpose.CANDOUR.value else "engagement:attempt"
    _done(
        session,
        user,
        response,
        action,
        {
            "contact_attempt": {
                "before": None,
                "after": f"{attempt.means_label}, {attempted_on.isoformat()}",
            }
        },
    )
    return attempt


def add_step(
    session: Session,
    user,
    response: LearningResponse,
    *,
    person_id: int,
    kind: str,
    occurred_on: date,
    shared: bool,
    notes: str | None,
    expected_version: int | None,
    today: date | None = None,
    in_report: bool = False,
) -> EngagementStep:
    """A dated step; `in_report`: they chose to have their account or question quoted in the report."""
    check_edit(user, response, expected_version)
    today = today or date.today()
    person = get_person(session, response, int(person_id))
    try:
        step_kind = StepKind(kind)
    except ValueError:
        raise InputError("kind", "Choose the kind of step") from None
    _not_future(occurred_on, "occurred_on", today)
    notes = _clean(notes)
    if step_kind is StepKind.QUESTION and not notes:
        raise InputError("notes", "Write the question they want answered")
    if step_kind is StepKind.ACCOUNT and not notes:
        raise InputError("notes", "Record their account in their words")
    pending: list[ContactAttempt] = []
    if step_kind.pauses:
        # Declined or not reached is recorded with the attempts made since the last such step.
        pending = list(
            session.scalars(
                select(ContactAttempt).where(
                    ContactAttempt.person_id == person.id,
                    ContactAttempt.step_id.is_(None),
                    ContactAttempt.purpose == AttemptPurpose.ENGAGEMENT.value,
                )
            )
        )
        if not pending:
            raise InputError(
                "kind", "Record the attempts made to contact them first (dates and means)"
            )
    step = EngagementStep(
        response_id=response.id,
        person_id=person.id,
        kind=step_kind.value,
        occurred_on=occurred_on,
        shared=bool(shared),
        notes=notes,
        created_by_id=user.id,
    )
    session.add(step)
    session.flush()
    for attempt in pending:
        attempt.step_id = step.id
    quoted = words.set_choice(step, True) if in_report else None
    _done(
        session,
        user,
        response,
        "engagement:step",
        {
            "engagement_step": {
                "before": None,
                "after": f"{step_kind.label} with a {person.kind_label.lower()}, {occurred_on.isoformat()}"
                f" ({'shared with the family' if step.shared else 'internal'})",
            },
            **(quoted or {}),
        },
    )
    return step


def choose_for_report(
    session: Session,
    user,
    response: LearningResponse,
    step_id: int,
    in_report: bool,
    *,
    expected_version: int | None,
) -> None:
    """The engagement lead records whether the person wants their words quoted in the report."""
    check_edit(user, response, expected_version)
    step = session.get(EngagementStep, step_id)
    if step is None or step.response_id != response.id:
        raise policy.NotVisible("Page not found")
    change = words.set_choice(step, in_report)
    if change:
        session.flush()
        _done(session, user, response, "engagement:in_report", change)


def answer_question(
    session: Session,
    user,
    response: LearningResponse,
    step_id: int,
    *,
    answer: str,
    answered_on: date,
    expected_version: int | None,
    today: date | None = None,
) -> None:
    check_edit(user, response, expected_version)
    step = session.get(EngagementStep, step_id)
    if step is None or step.response_id != response.id or step.kind != StepKind.QUESTION.value:
        raise policy.NotVisible("Page not found")
    _not_future(answered_on, "answered_on", today or date.today())
    if not _clean(answer):
        raise InputError("answer", "Write the answer")
    before = "answered" if step.answer else None
    step.answer, step.answered_on = answer.strip(), answered_on
    session.flush()
    _done(
        session,
        user,
        response,
        "engagement:answer",
        {
            "answer": {
                "before": before,
                "after": f"answered {answered_on.isoformat()}",
            }
        },
    )
    _tell_of_answer(session, step, first=before is None)


def _tell_of_answer(session: Session, step: EngagementStep, first: bool) -> None:
    """The asker has a family account and the question is shared with them: tell them it is answered."""
    account = (
        session.get(User, step.person.account_id)
        if step.shared and step.person.account_id
        else None
    )
    if account is None:
        return
    title = (
        "We have answered your question" if first else "We have changed the answer to your question"
    )
    notify(
        session,
        account,
        NotificationKind.ANSWER,
        title,
        body="You can read the answer on your page.",
        link=family_page(step.person_id),
    )


def steps_of(session: Session, response: LearningResponse) -> list[EngagementStep]:
    return list(
        session.scalars(
            select(EngagementStep)
            .where(EngagementStep.response_id == response.id)
            .options(selectinload(EngagementStep.attempts))
            .order_by(EngagementStep.occurred_on, EngagementStep.id)
        )
    )


def questions_for(session: Session, response: LearningResponse) -> list[EngagementStep]:
    """The questions those affected want answered, oldest first: part of the terms of reference."""
    return list(
        session.scalars(
            select(EngagementStep)
            .where(
                EngagementStep.response_id == response.id,
                EngagementStep.kind == StepKind.QUESTION.value,
            )
            .order_by(EngagementStep.occurred_on, EngagementStep.id)
        )
    )


def involvement_status(steps: list[EngagementStep]) -> str:
    """Where a person's involvement stands, from their steps in date order."""
    if not steps:
        return "Not yet contacted"
    last = StepKind(steps[-1].kind)
    if last is StepKind.DECLINED:
        return "Declined for now"
    if last is StepKind.NOT_REACHED:
        return "Could not be reached"
    if any(StepKind(s.kind).pauses for s in steps):
        return "Involved again after a pause"
    if last is StepKind.CLOSING:
        return "Closed"
    return "Involved"
