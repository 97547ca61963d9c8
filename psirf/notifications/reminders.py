"""Reminders of steps due and overdue: plain functions over a session, run by the periodic task.

Four kinds, each sent once per person (a `dedupe_key` names the thing, its phase and its date, so a
moved date - an agreed extension, a corrected confirmation - earns a fresh reminder):

- a learning response due within `timeliness.SOON_DAYS`, or past its due date. It goes to the
  response's lead (the person who started it, who runs it). If it has none, or they are no longer
  active, it goes to the lead organisation's patient safety leads (the review panel for a thematic
  review, which the panel runs).
- the duty of candour's steps due within CANDOUR_SOON_DAYS of their local target, or past it: one
  reminder for the notification steps, which share a target, and one for the results of enquiries,
  which have their own (psirf/engagement/candour_steps.py). It goes to the lead organisation's patient safety leads, who alone may record the steps,
  and to the engagement leads of the patients and families on the response, who make the contact.
- an agreed safety action due within `timeliness.SOON_DAYS`, or past its due date and not completed;
  and a completed one whose review date has come ("did it work?"). It goes to the action's owner
  when they have an active account, else to the patient safety leads of the owner's organisation.
  An action still being written is not yet its owner's, so it reminds nobody.
- a PSIRF plan whose review is due (or past its review date) goes to its PCN's or federation's
  review panel, who write the next one; a plan submitted or resubmitted to the ICB and not yet
  under review goes to the ICB's quality committee members. Before the reminders are made, plans
  whose review date is near move to "review due" (psirf/plans/services.py mark_reviews_due).

Everything is read with a fixed handful of queries however many rows match; only the new
notifications are written one by one. Titles and bodies carry references, never names or NHS
numbers: they are emailed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, aliased

from psirf.accounts.models import Role, RoleAssignment, User
from psirf.actions.models import SafetyAction
from psirf.actions.states import ActionState
from psirf.plans.models import PsirfPlan
from psirf.plans.services import mark_reviews_due
from psirf.plans.states import PlanState
from psirf.engagement.candour_steps import CandourStep, CandourTargets, outstanding_by, steps_for
from psirf.engagement.models import AffectedPerson, CandourDecision, CandourRecord, PersonKind
from psirf.notifications.models import Notification, NotificationKind
from psirf.notifications.services import notify
from psirf.organisations.models import Organisation
from psirf.responses.models import LearningResponse, ResponseMethod
from psirf.responses.timeliness import SOON_DAYS
from psirf.web import dates

CANDOUR_SOON_DAYS = 3  # calendar days before the local target


@dataclass(frozen=True)
class Reminder:
    user: User
    kind: NotificationKind
    title: str
    body: str
    link: str
    dedupe_key: str


def _name(reference: str | None, response_id: int) -> str:
    return reference or f"Learning response {response_id}"


# ---- learning responses past or near their due date --------------------------------------------


def _response_recipients(session: Session, candidates) -> dict[int, list[User]]:
    """Who is told about each candidate response: its active lead, else the organisation's leads."""
    lead = aliased(User)
    named = (
        select(LearningResponse.id, User)
        .join(User, User.id == LearningResponse.lead_id)
        .where(LearningResponse.id.in_(candidates), User.active.is_(True))
    )
    no_active_lead = or_(
        LearningResponse.lead_id.is_(None),
        ~exists().where(lead.id == LearningResponse.lead_id, lead.active.is_(True)),
    )
    organisation = (
        select(LearningResponse.id, User)
        .join(RoleAssignment, RoleAssignment.organisation_id == LearningResponse.organisation_id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(
            LearningResponse.id.in_(candidates),
            no_active_lead,
            User.active.is_(True),
            or_(
                RoleAssignment.role == Role.PATIENT_SAFETY_LEAD.value,
                and_(
                    LearningResponse.method == ResponseMethod.THEMATIC_REVIEW.value,
                    RoleAssignment.role == Role.REVIEW_PANEL_MEMBER.value,
                ),
            ),
        )
    )
    recipients: dict[int, dict[int, User]] = defaultdict(dict)
    for stmt in (named, organisation):
        for response_id, user in session.execute(stmt):
            recipients[response_id][user.id] = user
    return {k: list(v.values()) for k, v in recipients.items()}


def response_reminders(session: Session, today: date) -> list[Reminder]:
    where = and_(
        LearningResponse.closed_at.is_(None),
        LearningResponse.due_on.is_not(None),
        LearningResponse.due_on <= today + timedelta(days=SOON_DAYS),
    )
    rows = session.execute(
        select(
            LearningResponse.id,
            LearningResponse.reference,
            LearningResponse.due_on,
            LearningResponse.method,
        ).where(where)
    ).all()
    if not rows:
        return []
    recipients = _response_recipients(session, select(LearningResponse.id).where(where))
    reminders = []
    for row in rows:
        name = _name(row.reference, row.id)
        method = ResponseMethod.label_for(row.method)
        if row.due_on < today:
            kind, phase = NotificationKind.STEP_OVERDUE, "overdue"
            title = f"{name} is overdue: it was due on {dates.day(row.due_on)}"
            body = f"This {method.lower()} is still open after its due date. Close it, or agree and record an extension."
        else:
            kind, phase = NotificationKind.STEP_DUE, "due"
            title = f"{name} is due on {dates.day(row.due_on)}"
            body = f"This {method.lower()} is due soon."
        for user in recipients.get(row.id, []):
            reminders.append(
                Reminder(
                    user,
                    kind,
                    title,
                    body,
                    f"/responses/{row.id}",
                    f"remind:response:{row.id}:{row.due_on.isoformat()}:{phase}:u{user.id}",
                )
            )
    return reminders


# ---- the duty of candour's steps, against their local target -------------------------------------


def _candour_recipients(session: Session, candidates) -> dict[int, list[User]]:
    leads = (
        select(LearningResponse.id, User)
        .join(RoleAssignment, RoleAssignment.organisation_id == LearningResponse.organisation_id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(
            LearningResponse.id.in_(candidates),
            RoleAssignment.role == Role.PATIENT_SAFETY_LEAD.value,
            User.active.is_(True),
        )
    )
    engagement_leads = (
        select(AffectedPerson.response_id, User)
        .join(User, User.id == AffectedPerson.engagement_lead_id)
        .where(
            AffectedPerson.response_id.in_(candidates),
            AffectedPerson.kind != PersonKind.STAFF.value,
            User.active.is_(True),
        )
    )
    recipients: dict[int, dict[int, User]] = defaultdict(dict)
    for stmt in (leads, engagement_leads):
        for response_id, user in session.execute(stmt):
            recipients[response_id][user.id] = user
    return {k: list(v.values()) for k, v in recipients.items()}


def candour_reminders(session: Session, today: date, targets: CandourTargets) -> list[Reminder]:
    """One reminder per record and target date with a needed step not done: the notification
    steps share one target, the results of enquiries have their own."""
    where = and_(
        CandourRecord.decision == CandourDecision.APPLIES.value,
        outstanding_by(today + timedelta(days=CANDOUR_SOON_DAYS), targets),
    )
    records = list(
        session.scalars(
            select(CandourRecord)
            .join(LearningResponse, LearningResponse.id == CandourRecord.response_id)
            .where(where)
        )
    )
    if not records:
        return []
    recipients = _candour_recipients(
        session,
        select(CandourRecord.response_id)
        .join(LearningResponse, LearningResponse.id == CandourRecord.response_id)
        .where(where),
    )
    reminders = []
    for record in records:
        for target, steps in _outstanding_by_target(record, today, targets):
            reminders += _candour_reminder(record, target, steps, today, recipients)
    return reminders


def _outstanding_by_target(
    record: CandourRecord, today: date, targets: CandourTargets
) -> list[tuple[date, list[CandourStep]]]:
    horizon = today + timedelta(days=CANDOUR_SOON_DAYS)
    grouped: dict[date, list[CandourStep]] = defaultdict(list)
    for step in steps_for(record, today, targets):
        if step.needed and step.done_on is None and step.target_on and step.target_on <= horizon:
            grouped[step.target_on].append(step)
    return sorted(grouped.items())


def _candour_reminder(
    record: CandourRecord,
    target: date,
    steps: list[CandourStep],
    today: date,
    recipients: dict[int, list[User]],
) -> list[Reminder]:
    name = _name(record.response.reference, record.response_id)
    if today > target:
        kind, phase = NotificationKind.STEP_OVERDUE, "overdue"
        title = f"{name}: duty of candour steps are past their local target of {dates.day(target)}"
    else:
        kind, phase = NotificationKind.STEP_DUE, "due"
        title = f"{name}: duty of candour steps are due by {dates.day(target)}"
    body = (
        f"Still to record: {'; '.join(s.label for s in steps)}. The target is local "
        f"({steps[0].basis}); it is not a legal deadline."
    )
    return [
        Reminder(
            user,
            kind,
            title,
            body,
            f"/responses/{record.response_id}#candour",
            f"remind:candour:{record.id}:{target.isoformat()}:{phase}:u{user.id}",
        )
        for user in recipients.get(record.response_id, [])
    ]


# ---- safety actions: due, overdue, and ready to review --------------------------------------------


def _action_recipients(session: Session, candidates) -> dict[int, list[User]]:
    """Who is told about each candidate action: its owner's active account, else the owner
    organisation's patient safety leads."""
    owner = aliased(User)
    named = (
        select(SafetyAction.id, User)
        .join(User, User.id == SafetyAction.owner_user_id)
        .where(SafetyAction.id.in_(candidates), User.active.is_(True))
    )
    no_active_owner = or_(
        SafetyAction.owner_user_id.is_(None),
        ~exists().where(owner.id == SafetyAction.owner_user_id, owner.active.is_(True)),
    )
    leads = (
        select(SafetyAction.id, User)
        .join(RoleAssignment, RoleAssignment.organisation_id == SafetyAction.owner_organisation_id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(
            SafetyAction.id.in_(candidates),
            no_active_owner,
            User.active.is_(True),
            RoleAssignment.role == Role.PATIENT_SAFETY_LEAD.value,
        )
    )
    recipients: dict[int, dict[int, User]] = defaultdict(dict)
    for stmt in (named, leads):
        for action_id, user in session.execute(stmt):
            recipients[action_id][user.id] = user
    return {k: list(v.values()) for k, v in recipients.items()}


def action_reminders(session: Session, today: date) -> list[Reminder]:
    """Agreed actions due soon or overdue, and completed ones whose review date has come. The key's
    date is the due date (the review date for a review), so a moved date earns a fresh reminder."""
    to_do = and_(
        SafetyAction.state == ActionState.IN_PROGRESS,
        SafetyAction.completed_at.is_(None),
        SafetyAction.closed_at.is_(None),
        SafetyAction.due_on.is_not(None),
        SafetyAction.due_on <= today + timedelta(days=SOON_DAYS),
    )
    to_review = and_(
        SafetyAction.state == ActionState.COMPLETED,
        SafetyAction.closed_at.is_(None),
        SafetyAction.review_on.is_not(None),
        SafetyAction.review_on <= today,
    )
    where = or_(to_do, to_review)
    rows = session.execute(
        select(
            SafetyAction.id,
            SafetyAction.state,
            SafetyAction.due_on,
            SafetyAction.review_on,
            SafetyAction.response_id,
            LearningResponse.reference,
        )
        .join(LearningResponse, LearningResponse.id == SafetyAction.response_id)
        .where(where)
    ).all()
    if not rows:
        return []
    recipients = _action_recipients(session, select(SafetyAction.id).where(where))
    reminders = []
    for row in rows:
        name = _name(row.reference, row.response_id)
        if row.state == ActionState.COMPLETED:
            kind, phase, on = NotificationKind.STEP_DUE, "review", row.review_on
            title = f"A safety action from {name} is ready to review: did it work?"
            body = (
                f"The review was set for {dates.day(row.review_on)}. Record what the measure showed and "
                "whether the action worked, then close it."
            )
        elif row.due_on < today:
            kind, phase, on = NotificationKind.STEP_OVERDUE, "overdue", row.due_on
            title = f"A safety action from {name} is overdue: it was due on {dates.day(row.due_on)}"
            body = "Record the evidence that it is done and mark it completed, or talk to the patient safety lead."
        else:
            kind, phase, on = NotificationKind.STEP_DUE, "due", row.due_on
            title = f"A safety action from {name} is due on {dates.day(row.due_on)}"
            body = "When it is done, record the evidence and mark it completed."
        for user in recipients.get(row.id, []):
            reminders.append(
                Reminder(
                    user,
                    kind,
                    title,
                    body,
                    f"/actions/{row.id}",
                    f"remind:action:{row.id}:{on.isoformat()}:{phase}:u{user.id}",
                )
            )
    return reminders


# ---- PSIRF plans: reviews due, and plans waiting for the ICB ---------------------------------------


def plan_reminders(session: Session, today: date) -> list[Reminder]:
    panel = (
        select(PsirfPlan, User)
        .join(RoleAssignment, RoleAssignment.organisation_id == PsirfPlan.organisation_id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(
            PsirfPlan.state == PlanState.REVIEW_DUE,
            RoleAssignment.role == Role.REVIEW_PANEL_MEMBER.value,
            User.active.is_(True),
        )
    )
    group = aliased(Organisation)
    committee = (
        select(PsirfPlan, User)
        .join(group, group.id == PsirfPlan.organisation_id)
        .join(RoleAssignment, RoleAssignment.organisation_id == group.icb_id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(
            PsirfPlan.state.in_((PlanState.SUBMITTED, PlanState.RESUBMITTED)),
            RoleAssignment.role == Role.ICB_QUALITY_COMMITTEE.value,
            User.active.is_(True),
        )
    )
    reminders = []
    for plan, user in session.execute(panel):
        overdue = plan.review_on < today
        phase = "review_overdue" if overdue else "review_due"
        title = (
            f"The PSIRF plan for {plan.organisation.name} was due for review on {dates.day(plan.review_on)}"
            if overdue
            else f"The PSIRF plan for {plan.organisation.name} is due for review by {dates.day(plan.review_on)}"
        )
        reminders.append(
            Reminder(
                user,
                NotificationKind.STEP_OVERDUE if overdue else NotificationKind.STEP_DUE,
                title,
                "Generate the next plan from your latest insight and submit it to the ICB, so it is approved before this one ends.",
                f"/plans/{plan.id}",
                f"remind:plan:{plan.id}:{plan.review_on.isoformat()}:{phase}:u{user.id}",
            )
        )
    for plan, user in session.execute(committee):
        reminders.append(
            Reminder(
                user,
                NotificationKind.STEP_DUE,
                f"The PSIRF plan for {plan.organisation.name} (version {plan.version_label}) is waiting for the quality committee",
                "Start the committee's review, then approve the plan or request changes.",
                f"/plans/{plan.id}",
                f"remind:plan:{plan.id}:r{plan.revision}:awaiting:u{user.id}",
            )
        )
    return reminders


# ---- sending them, once each ---------------------------------------------------------------------


def _already_sent(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):  # bounded IN lists, whatever the backlog
        chunk = keys[start : start + 500]
        found.update(
            session.scalars(
                select(Notification.dedupe_key).where(Notification.dedupe_key.in_(chunk))
            )
        )
    return found


def send_reminders(
    session: Session,
    *,
    today: date,
    candour_working_days: int,
    candour_results_days: int | None = None,
) -> int:
    """Notify (and email) everyone who must act on a step due or overdue and has not been told yet.
    The candour targets are CANDOUR_TARGET_WORKING_DAYS and CANDOUR_RESULTS_TARGET_WORKING_DAYS.

    Call inside a unit of work. Returns how many notifications were made.
    """
    mark_reviews_due(session, today)
    reminders = (
        response_reminders(session, today)
        + candour_reminders(
            session, today, CandourTargets(candour_working_days, candour_results_days)
        )
        + action_reminders(session, today)
        + plan_reminders(session, today)
    )
    done = _already_sent(session, [r.dedupe_key for r in reminders])
    made = 0
    for r in reminders:
        if r.dedupe_key in done:
            continue
        if (
            notify(
                session, r.user, r.kind, r.title, body=r.body, link=r.link, dedupe_key=r.dedupe_key
            )
            is not None
        ):
            made += 1
    return made
