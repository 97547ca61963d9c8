"""A plan's document control, read from what people did rather than typed in.

The author is whoever generated the draft; the reviewer whoever signed the latest version off for
the review panel by submitting it to the ICB; the approver the ICB quality committee member who
recorded the committee's approval. Each is named with the role they hold for the plan (in its PCN
or federation, or its ICB) and dated. The version history is the plan's audit trail: generated,
then every step of its approval, each submission a new version. The distribution list is the
authors' own, kept in the plan's content. Three queries, however long the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, select
from sqlalchemy.orm import Session

from psirf import audit
from psirf.accounts.models import Role, RoleAssignment, User
from psirf.organisations.models import Organisation
from psirf.plans.blocks import NOT_RECORDED, Section, Summary, Table, Text
from psirf.plans.content import distribution_of, period_of
from psirf.plans.history import LABELS, NOBODY
from psirf.plans.models import PsirfPlan
from psirf.plans.states import DRAFT_STATES, SUBMITTED_STATES
from psirf.web import dates
from psirf.workflow import runner

GENERATED = "plan:generate"
TRANSITION = "transition:"


@dataclass(frozen=True)
class Person:
    name: str
    role: str | None  # "Review panel member, North PCN"; None once they hold no role for the plan


@dataclass(frozen=True)
class Signatory:
    """The author, the reviewer or the approver: who, and on what day (None until it happens;
    the person None where the system no longer knows them)."""

    duty: str
    person: Person | None
    on: date | None
    pending: str


@dataclass(frozen=True)
class VersionEntry:
    version: str
    on: date
    event: str
    person: Person
    comment: str | None


@dataclass(frozen=True)
class DocumentControl:
    author: Signatory
    reviewer: Signatory
    approver: Signatory
    history: tuple[VersionEntry, ...]
    distribution: tuple[str, ...]
    minute_reference: str | None

    @property
    def signatories(self) -> tuple[Signatory, Signatory, Signatory]:
        return self.author, self.reviewer, self.approver


def _people(session: Session, plan: PsirfPlan, ids: set[int]) -> dict[int, Person]:
    """Each account by name, with its role in the plan's group, or else in the group's ICB."""
    where = (plan.organisation_id, plan.organisation.icb_id)
    group_first = case((RoleAssignment.organisation_id == plan.organisation_id, 0), else_=1)
    rows = session.execute(
        select(User.id, User.name, RoleAssignment.role, Organisation.name)
        .outerjoin(
            RoleAssignment,
            and_(RoleAssignment.user_id == User.id, RoleAssignment.organisation_id.in_(where)),
        )
        .outerjoin(Organisation, Organisation.id == RoleAssignment.organisation_id)
        .where(User.id.in_(ids))
        .order_by(User.id, group_first, RoleAssignment.id)
    ).all()
    people: dict[int, Person] = {}
    for user_id, name, role, organisation in rows:
        if user_id not in people:
            label = f"{Role.label_for(role)}, {organisation}" if role else None
            people[user_id] = Person(name, label)
    return people


def _day(value: datetime) -> date:
    return value.date()


def _history(plan: PsirfPlan, steps: list, people: dict[int, Person]) -> list[VersionEntry]:
    definition = runner.definition_of(plan)
    submissions, entries = 0, []
    for step in steps:
        if step.action == GENERATED:
            event = LABELS[GENERATED]
        else:
            after = (step.changes.get("state") or {}).get("after")
            submissions += after in SUBMITTED_STATES
            event = definition.state(after).label if after in definition.states else after
        entries.append(
            VersionEntry(
                version=f"{plan.number}.{submissions}",
                on=_day(step.occurred_at),
                event=event,
                person=people.get(step.actor_id, Person(NOBODY, None)),
                comment=step.comment,
            )
        )
    return entries


def control_of(session: Session, plan: PsirfPlan) -> DocumentControl:
    steps = [
        r
        for r in audit.trail(session, [("psirf_plans", plan.id)])
        if r.action == GENERATED or r.action.startswith(TRANSITION)
    ]
    submitted = [
        s for s in steps if (s.changes.get("state") or {}).get("after") in SUBMITTED_STATES
    ]
    approved = plan.decided_on is not None and plan.state not in DRAFT_STATES
    ids = {s.actor_id for s in steps} | {plan.created_by_id, plan.decided_by_id}
    people = _people(session, plan, {i for i in ids if i is not None})
    last = submitted[-1] if submitted else None
    return DocumentControl(
        author=Signatory(
            "Author: drafted the plan",
            people.get(plan.created_by_id),
            _day(plan.created_at),
            "Not recorded",
        ),
        reviewer=Signatory(
            "Reviewer: signed it off for the review panel",
            people.get(last.actor_id) if last else None,
            _day(last.occurred_at) if last else None,
            "Not yet: the panel signs it off by submitting it to the ICB",
        ),
        approver=Signatory(
            "Approver: approved it for the ICB",
            people.get(plan.decided_by_id) if approved else None,
            plan.decided_on if approved else None,
            "Not yet approved by the ICB quality committee",
        ),
        history=tuple(_history(plan, steps, people)),
        distribution=tuple(distribution_of(plan.content or {})),
        minute_reference=plan.minute_reference if approved else None,
    )


# ---- as the document shows it -------------------------------------------------------------------


def _by(person: Person, public: bool) -> str:
    if person.name == NOBODY:
        return NOBODY
    if public:
        return person.role or "A member of staff"
    return f"{person.name}, {person.role}" if person.role else person.name


def _signatory_row(signatory: Signatory, public: bool) -> tuple[str, ...]:
    if signatory.on is None:
        return (signatory.duty, signatory.pending, "", "")[: 3 if public else 4]
    person = signatory.person or Person(NOT_RECORDED, NOT_RECORDED)
    role = person.role or "No longer holds a role for this plan"
    when = dates.day(signatory.on)
    return (signatory.duty, role, when) if public else (signatory.duty, person.name, role, when)


def _dates(plan: PsirfPlan, control: DocumentControl) -> tuple[tuple[str, str], ...]:
    start, end = period_of(plan.starts_on, plan.period_months)
    rows = [
        (
            "Effective date",
            dates.day(plan.effective_from)
            if plan.effective_from
            else f"On publication, from {dates.day(start)} at the earliest",
        ),
        ("Review date", dates.day(plan.review_on) if plan.review_on else f"By {dates.day(end)}"),
    ]
    if control.approver.on:
        rows += [
            (
                "Committee decision",
                f"Approved by the ICB quality committee on {dates.day(control.approver.on)}",
            ),
            ("Minute reference", control.minute_reference or NOT_RECORDED),
        ]
    else:
        rows.append(("Committee decision", "Not yet approved by the ICB quality committee"))
    return tuple(rows)


def control_section(
    plan: PsirfPlan, control: DocumentControl, status: str, period: str, public: bool
) -> Section:
    """Document control, before the template's numbered sections: the plan's first page."""
    people_head = ("Responsibility", "Role", "Date")
    if not public:
        people_head = ("Responsibility", "Name", "Role", "Date")
    blocks: list = [
        Summary(
            (
                ("Version", plan.version_label),
                ("Status", status),
                ("Period covered", period),
                *_dates(plan, control),
            )
        ),
        Table(
            "Author, reviewer and approver",
            people_head,
            tuple(_signatory_row(s, public) for s in control.signatories),
        ),
        Table(
            "Version history",
            ("Version", "Date", "What happened", "By"),
            tuple(
                (
                    e.version,
                    dates.day(e.on),
                    f"{e.event}: {e.comment}" if e.comment and not public else e.event,
                    _by(e.person, public),
                )
                for e in control.history
            ),
        ),
        Table(
            "Distribution", ("Who receives the plan",), tuple((r,) for r in control.distribution)
        ),
    ]
    if public:
        blocks.append(
            Text(("The names of staff are left out of the plan as it is published.",), muted=True)
        )
    return Section(None, "control", "Document control", blocks)
