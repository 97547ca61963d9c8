"""The people affected by a learning response, their engagement, and the statutory duty of candour.

Names and preferences belong to the lead organisation's casework: a contributing organisation of a
cross-organisational response sees none of it (policy.may_see_engagement).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psirf.extensions import Base
from psirf.labels import LabelledEnum
from psirf.timeutil import utcnow


class PersonKind(LabelledEnum):
    PATIENT = ("patient", "Patient")
    FAMILY_MEMBER = ("family_member", "Family member")
    CARER = ("carer", "Carer")
    STAFF = ("staff", "Staff member involved")


class ContactMeans(LabelledEnum):
    PHONE = ("phone", "Phone")
    EMAIL = ("email", "Email")
    LETTER = ("letter", "Letter")
    IN_PERSON = ("in_person", "In person")


class Involvement(LabelledEnum):
    FULLY = ("fully", "Fully involved")
    KEPT_INFORMED = ("kept_informed", "Kept informed")
    NOT_NOW = ("not_now", "Not at this time")


class StepKind(LabelledEnum):
    FIRST_CONTACT = ("first_contact", "First contact")
    BEING_OPEN = ("being_open", "Being-open conversation")
    QUESTION = ("question", "A question they want answered")
    ACCOUNT = ("account", "Their account, in their words")
    DRAFT_SHARED = ("draft_shared", "Draft shared, and their comments")
    COMMENT = ("comment", "Their comments on the draft")
    FINAL_SHARED = ("final_shared", "Final report shared")
    CLOSING = ("closing", "Closing conversation")
    DECLINED = ("declined", "Declined to be involved")
    NOT_REACHED = ("not_reached", "Could not be reached")

    @property
    def pauses(self) -> bool:
        """Declined or not reached: involvement pauses until a later step resumes it."""
        return self in (StepKind.DECLINED, StepKind.NOT_REACHED)


class AffectedPerson(Base):
    """A patient, family member, carer or member of staff affected, with how they wish to be involved."""

    __tablename__ = "affected_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("learning_responses.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    relationship_to_patient: Mapped[str | None] = mapped_column(String(200))
    contact_by: Mapped[list] = mapped_column(JSON, default=list)
    contact_when: Mapped[str | None] = mapped_column(String(500))
    language: Mapped[str | None] = mapped_column(String(100))
    interpreter_needed: Mapped[bool] = mapped_column(default=False)
    accessibility_needs: Mapped[str | None] = mapped_column(Text)
    involvement: Mapped[str] = mapped_column(String(20), default=Involvement.FULLY.value)
    # The single point of contact: a member of the lead organisation's staff.
    engagement_lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # For staff involved: the support offered to them.
    supporter: Mapped[str | None] = mapped_column(String(200))
    wellbeing_signposted: Mapped[bool | None]
    support_notes: Mapped[str | None] = mapped_column(Text)
    # Their own sign-in to the family portal, once they have accepted an invitation.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    engagement_lead = relationship("User", lazy="joined", foreign_keys=[engagement_lead_id])
    steps: Mapped[list[EngagementStep]] = relationship(
        back_populates="person", order_by=lambda: [EngagementStep.occurred_on, EngagementStep.id]
    )

    @property
    def kind_label(self) -> str:
        return PersonKind.label_for(self.kind)

    @property
    def contact_by_label(self) -> str:
        return ", ".join(ContactMeans.label_for(m) for m in self.contact_by or [])

    @property
    def involvement_label(self) -> str:
        return Involvement.label_for(self.involvement)

    @property
    def is_staff(self) -> bool:
        return self.kind == PersonKind.STAFF.value


class EngagementStep(Base):
    """One dated step with a person affected, shared with them or kept internal."""

    __tablename__ = "engagement_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("learning_responses.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("affected_people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    occurred_on: Mapped[date]
    shared: Mapped[bool] = mapped_column(default=True)
    # The conversation's note, the question asked, their account in their words, or their comments.
    notes: Mapped[str | None] = mapped_column(Text)
    # Their account or question may be quoted in the report, in their words: their choice, made in
    # the family portal or told to their engagement lead (psirf/engagement/words.py).
    in_report: Mapped[bool] = mapped_column(default=False)
    # A question's answer, given later.
    answer: Mapped[str | None] = mapped_column(Text)
    answered_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[AffectedPerson] = relationship(back_populates="steps", lazy="joined")
    attempts: Mapped[list[ContactAttempt]] = relationship(
        back_populates="step", order_by="ContactAttempt.attempted_on"
    )

    @property
    def kind_label(self) -> str:
        return StepKind.label_for(self.kind)


class AttemptPurpose(LabelledEnum):
    ENGAGEMENT = ("engagement", "Engagement")
    CANDOUR = ("candour", "Duty of candour")


class ContactAttempt(Base):
    """An attempt to reach someone: kept, whether or not it succeeded."""

    __tablename__ = "contact_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("learning_responses.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("affected_people.id"), index=True)
    # Set when a "declined" or "could not be reached" step gathers the attempts before it.
    step_id: Mapped[int | None] = mapped_column(ForeignKey("engagement_steps.id"), index=True)
    attempted_on: Mapped[date]
    means: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    step: Mapped[EngagementStep | None] = relationship(back_populates="attempts")
    person: Mapped[AffectedPerson | None] = relationship(lazy="joined")

    @property
    def means_label(self) -> str:
        return ContactMeans.label_for(self.means)


class CandourDecision(LabelledEnum):
    APPLIES = ("applies", "Applies: this is a notifiable safety incident")
    RULED_OUT = ("ruled_out", "Ruled out")


class Unreachable(LabelledEnum):
    """Regulation 20(5): why the notification in person could not be given."""

    NOT_REACHED = ("not_reached", "They could not be reached")
    DECLINED = ("declined", "They declined to speak with us")


class CandourRecord(Base):
    """The statutory duty of candour for one response: the test's outcome and the steps taken."""

    __tablename__ = "candour_records"
    __table_args__ = (
        # The ICB's overdue list reads confirmed records by the date they were confirmed.
        Index("ix_candour_records_decision", "decision", "decided_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("learning_responses.id"), unique=True)
    decision: Mapped[str] = mapped_column(String(20))
    # Which of regulation 20's two tests was applied (a key of seed/candour_criteria.yaml): the
    # lead organisation's kind decides (psirf/engagement/notifiable.py). Records made before there
    # were two applied the test for registered persons that are not health service bodies.
    test: Mapped[str] = mapped_column(
        String(30), default="registered_person", server_default="registered_person"
    )
    # Keys of that test's criteria that the lead judged met.
    criteria: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[date]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The steps (psirf/engagement/candour_steps.py). The notification in person:
    notified_on: Mapped[date | None]
    notified_means: Mapped[str | None] = mapped_column(String(20))
    notified_by: Mapped[str | None] = mapped_column(String(200))
    apology_given: Mapped[bool | None]
    # Or, after the attempts to reach them, that they could not be reached or declined, and when.
    unreachable: Mapped[str | None] = mapped_column(String(20))
    unreachable_on: Mapped[date | None]
    written_on: Mapped[date | None]
    # The secure written record: where it is kept and what it is, and who confirmed it is kept.
    record_reference: Mapped[str | None] = mapped_column(String(500))
    record_kept_by: Mapped[str | None] = mapped_column(String(200))
    record_kept_on: Mapped[date | None]
    # The reasonable support offered, and when.
    support_offered: Mapped[str | None] = mapped_column(Text)
    support_offered_on: Mapped[date | None]
    results_shared_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    response = relationship("LearningResponse", lazy="joined")

    @property
    def decision_label(self) -> str:
        return CandourDecision.label_for(self.decision)

    @property
    def applies(self) -> bool:
        return self.decision == CandourDecision.APPLIES.value


class InvitationMeans(LabelledEnum):
    EMAIL = ("email", "A link by email")
    LETTER = ("letter", "A printed letter with a code")


class Invitation(Base):
    """An invitation for a person affected to join the family portal: used once, and it expires.

    Only a hash of the secret is kept (the link's token or the letter's code), so a copy of the
    database cannot be used to sign in as a family.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("learning_responses.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("affected_people.id"), index=True)
    means: Mapped[str] = mapped_column(String(20))
    # The address a link was sent to; a letter's recipient gives theirs when they join.
    email: Mapped[str | None] = mapped_column(String(254))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    person: Mapped[AffectedPerson] = relationship(lazy="joined")

    @property
    def means_label(self) -> str:
        return InvitationMeans.label_for(self.means)


class DocumentKind(LabelledEnum):
    DRAFT = ("draft", "Draft report")
    FINAL = ("final", "Final report")


class SharedDocument(Base):
    """A document as it was when shared with a person affected: later edits do not change it."""

    __tablename__ = "shared_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("learning_responses.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("affected_people.id"), index=True)
    # The "draft shared" or "final report shared" step that records the sharing.
    step_id: Mapped[int | None] = mapped_column(ForeignKey("engagement_steps.id"))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100), default="application/pdf")
    # Deferred: lists of documents never load the bytes.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def kind_label(self) -> str:
        return DocumentKind.label_for(self.kind)
