"""What the response page shows of engagement and candour, gathered in one place for the template."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from psirf import policy
from psirf.engagement.models import (
    AffectedPerson,
    AttemptPurpose,
    CandourRecord,
    ContactAttempt,
    DocumentKind,
    EngagementStep,
    Invitation,
    SharedDocument,
    StepKind,
)
from psirf.responses.models import LearningResponse

from psirf.engagement import candour as candour_rules
from psirf.engagement import candour_steps as step_rules
from psirf.engagement import words
from psirf.engagement import invitations as invitation_rules
from psirf.engagement import notifiable
from psirf.engagement.sharing import documents_of
from psirf.engagement.services import involvement_status, staff_of, steps_of
from psirf.responses.services import state_of

# ---- what the response page shows ----------------------------------------------------------------


@dataclass
class PersonView:
    person: AffectedPerson
    steps: list[EngagementStep]
    status: str
    pending_attempts: list[ContactAttempt]
    # The family portal: their invitations (newest first), and the documents shared with them.
    invitations: list[Invitation] = field(default_factory=list)
    documents: list[SharedDocument] = field(default_factory=list)
    now: datetime | None = None

    @property
    def joined(self) -> bool:
        return self.person.account_id is not None

    @property
    def invitable(self) -> bool:
        return invitation_rules.refusal(self.person) is None

    @property
    def needs_lead(self) -> bool:
        """They could be invited once their engagement lead is named."""
        return invitation_rules.refusal(self.person) == invitation_rules.NEEDS_LEAD

    @property
    def waiting(self) -> list[Invitation]:
        return [i for i in self.invitations if invitation_rules.status_of(i, self.now) == "waiting"]

    def invitation_status(self, invitation: Invitation) -> str:
        return {
            "used": "Used to join",
            "withdrawn": "Withdrawn",
            "expired": "Expired",
            "waiting": "Waiting to be used",
        }[invitation_rules.status_of(invitation, self.now)]


@dataclass
class EngagementView:
    visible: bool
    editable: bool = False
    # The duty of candour is recorded also after the response closes.
    candour_editable: bool = False
    people: list[PersonView] = field(default_factory=list)
    questions: list[EngagementStep] = field(default_factory=list)
    # The test the lead organisation applies, and why; the harm that prompts it, if any.
    candour_test: notifiable.AppliedTest | None = None
    candour: CandourRecord | None = None
    candour_reasons: list[str] = field(default_factory=list)
    candour_steps: list[step_rules.CandourStep] = field(default_factory=list)
    candour_attempts: list[ContactAttempt] = field(default_factory=list)
    staff: list[Row] = field(default_factory=list)  # id and name of each
    targets: step_rules.CandourTargets = step_rules.CandourTargets()
    # The reports the viewer may share with people who have joined the family portal.
    share_kinds: list[str] = field(default_factory=list)
    # Steps whose words their person may choose to have quoted in the report, and what it quotes.
    quotable: set[int] = field(default_factory=set)
    quotes: list[words.Quote] = field(default_factory=list)

    @property
    def overdue(self) -> list[step_rules.CandourStep]:
        return [s for s in self.candour_steps if s.overdue]

    @property
    def candour_prompted(self) -> bool:
        """The harm recorded suggests the test, and it has not been decided yet."""
        return bool(self.candour_reasons) and self.candour is None

    @property
    def decided_test(self) -> notifiable.NotifiableTest | None:
        """The test the recorded decision was made under."""
        return notifiable.named(self.candour.test) if self.candour is not None else None


def view_for(
    session: Session,
    user,
    response: LearningResponse,
    today: date,
    targets: step_rules.CandourTargets,
    now: datetime | None = None,
) -> EngagementView:
    if not policy.may_see_engagement(user, response):
        return EngagementView(visible=False)
    people = list(
        session.scalars(
            select(AffectedPerson)
            .where(AffectedPerson.response_id == response.id)
            .order_by(AffectedPerson.id)
        )
    )
    # Steps and invitations each belong to one of the response's people: with nobody to engage
    # yet, as at the start of most responses, there are none to read (two statements fewer).
    steps = steps_of(session, response) if people else []
    attempts = list(
        session.scalars(
            select(ContactAttempt)
            .where(ContactAttempt.response_id == response.id)
            .order_by(ContactAttempt.attempted_on, ContactAttempt.id)
        )
    )
    by_person = {p.id: [s for s in steps if s.person_id == p.id] for p in people}
    record = candour_rules.candour_of(session, response)
    state = state_of(response)
    editable = policy.may_edit_engagement(user, response, state)
    invitations = invitation_rules.invitations_of(session, response) if people else []
    now = now or datetime.combine(today, datetime.min.time())
    applied = notifiable.applied_to(response)
    return EngagementView(
        visible=True,
        editable=editable,
        candour_editable=policy.may_record_candour(user, response),
        people=[
            PersonView(
                p,
                by_person[p.id],
                involvement_status(by_person[p.id]),
                [
                    a
                    for a in attempts
                    if a.person_id == p.id
                    and a.step_id is None
                    and a.purpose == AttemptPurpose.ENGAGEMENT.value
                ],
                invitations=[i for i in reversed(invitations) if i.person_id == p.id],
                documents=documents_of(session, p) if p.account_id else [],
                now=now,
            )
            for p in people
        ],
        questions=[s for s in steps if s.kind == StepKind.QUESTION.value],
        candour_test=applied,
        candour=record,
        candour_reasons=notifiable.harm_reasons(response, applied.test),
        candour_steps=step_rules.steps_for(record, today, targets)
        if record is not None and record.applies
        else [],
        candour_attempts=[a for a in attempts if a.purpose == AttemptPurpose.CANDOUR.value],
        staff=staff_of(session, response.organisation_id) if editable else [],
        targets=targets,
        share_kinds=[
            k.value for k in DocumentKind if policy.may_share_document(user, response, k, state)
        ],
        quotable={s.id for s in steps if words.quotable(s)},
        quotes=words.quotes_among(session, response, steps),
    )
