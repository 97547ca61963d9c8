"""The demo's family portal: a patient safety incident investigation at Riverside Surgery with a
family member who has joined, and a timeline under way.

The investigation is opened on the demo's moderate-harm journey event (a patient given advice by
phone without observations, admitted with sepsis the next day: seed/events.yaml `moderate_harm`).
The Never Event is left waiting in the lead's triage queue, as the README promises.

The family account (seed/accounts.yaml `family`) sees: first contact and the being-open
conversation, his account and a question asked and answered, both of which he chose to have quoted
in the report (its "How those affected were involved", with the names in them replaced). It does not see the internal step, or the patient,
who is also in the plan. Rows are written as the services would have written them, dated over
the days since the event was reported, with their audit trail; loaded once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf.accounts import passwords
from psirf.accounts import services as accounts
from psirf.accounts.models import AccountKind, User
from psirf.demo.history import audit_entry
from psirf.demo.organisations import read_seed
from psirf.engagement.models import AffectedPerson, EngagementStep, Invitation, StepKind
from psirf.engagement.services import family_page
from psirf.engagement.words import set_choice
from psirf.events.models import EventStatus, SafetyEvent
from psirf.notifications.models import Notification, NotificationKind
from psirf.organisations import services as organisations
from psirf.responses.models import LearningResponse, ResponseMethod
from psirf.timeutil import utcnow
from psirf.triage.services import recommendation_for
from psirf.workflow import definitions, runner

# The journey event this investigation is about (seed/events.yaml, `moderate_harm`).
EVENT_STARTS = "A patient with a fever and fast breathing"
RATIONALE = (
    "Sepsis missed in a telephone consultation, with moderate harm. The family asked for a full "
    "investigation and remote assessment is a local priority: a PSII."
)
# The son's account, in his words, which he chose to have quoted in the report: the report replaces
# the names in it (psirf/engagement/words.py).
ACCOUNT = (
    "Dad rang the surgery on the Monday morning with a fever and fast breathing. Sunita on "
    "reception put him through to a doctor, who said it sounded like a virus. Nobody asked him to "
    "come in or checked his breathing. By the next day he could hardly breathe and the ambulance "
    "took him to hospital."
)
DEVIATION = (
    "Remote assessment of sepsis has come up before; the learning reaches across the practice."
)


def family_spec() -> dict:
    data = read_seed("accounts.yaml")
    return dict(data["family"], password=data["password"])


def load_family(session: Session, now: datetime | None = None) -> bool:
    """Write the demo family's investigation and account once; False if already there (or no event)."""
    spec = family_spec()
    if accounts.find_by_email(session, spec["email"]) is not None:
        return False
    practice = organisations.by_ods_code(session, spec["organisation"])
    lead = accounts.find_by_email(session, spec["engagement_lead"])
    event = (
        session.scalar(
            select(SafetyEvent).where(
                SafetyEvent.organisation_id == practice.id,
                SafetyEvent.status == EventStatus.AWAITING_TRIAGE.value,
                SafetyEvent.description.startswith(EVENT_STARTS),
            )
        )
        if practice is not None and lead is not None
        else None
    )
    if event is None:
        return False
    now = now or utcnow()

    def at(days_after: int, hours_after: int) -> datetime:
        """A moment after the event was reported; never in the future."""
        moment = event.created_at + timedelta(days=days_after, hours=1 + hours_after)
        return min(moment, now - timedelta(minutes=60 - days_after * 10 - hours_after))

    audits: list[tuple] = []
    opened = at(0, 1)
    recommendation = recommendation_for(session, event, opened.date())
    definition = definitions.get("psii")
    response = LearningResponse(
        method=ResponseMethod.PSII.value,
        organisation_id=practice.id,
        lead_id=lead.id,
        created_at=opened,
        updated_at=opened,
        record={
            "terms": {
                "investigator": "Dr Priya Shah (GP partner)",
                "scope": "How telephone advice is given when a patient may have sepsis, and "
                "how observations are taken when a patient is not seen.",
            }
        },
    )
    runner.start(session, response, definition, lead)
    session.add(response)
    session.flush()
    response.reference = f"LR-{response.created_at.year}-{response.id:06d}"
    deviation = None if recommendation.method == ResponseMethod.PSII.value else DEVIATION
    event.status = EventStatus.LEARNING_RESPONSE.value
    event.triage_rationale, event.triaged_by_id, event.triaged_at = RATIONALE, lead.id, opened
    event.triage_recommendation, event.triage_deviation_reason = recommendation.method, deviation
    event.triage_recommendation_source = recommendation.source.stored()
    event.learning_response_id = response.id
    audits.append(
        (
            event,
            opened,
            "event:triage",
            {
                "status": {
                    "before": EventStatus.AWAITING_TRIAGE.value,
                    "after": EventStatus.LEARNING_RESPONSE.value,
                },
                "triage_choice": {"before": None, "after": ResponseMethod.PSII.value},
                "triage_recommendation": {"before": None, "after": recommendation.method},
                "triage_recommendation_source": {
                    "before": None,
                    "after": recommendation.source.text,
                },
            },
            RATIONALE,
        )
    )
    audits.append(
        (
            response,
            opened,
            "response:open",
            {
                "state": {"before": None, "after": response.state},
                "event": {"before": None, "after": event.reference},
            },
            None,
        )
    )

    son = AffectedPerson(
        response_id=response.id,
        kind="family_member",
        name=spec["name"],
        relationship_to_patient=spec["relationship"],
        contact_by=["email", "phone"],
        contact_when="Weekday evenings",
        involvement="fully",
        engagement_lead_id=lead.id,
        created_at=opened,
    )
    patient = AffectedPerson(
        response_id=response.id,
        kind="patient",
        name=spec["patient"],
        contact_by=["phone"],
        involvement="kept_informed",
        engagement_lead_id=lead.id,
        created_at=opened,
    )
    session.add_all([son, patient])
    session.flush()
    audits += [
        (
            response,
            opened,
            "engagement:person_added",
            {"person": {"before": None, "after": f"{p.kind_label} added"}},
            None,
        )
        for p in (son, patient)
    ]

    def step(
        person, kind: StepKind, when: datetime, shared: bool, notes: str, quoted=False, **extra
    ) -> EngagementStep:
        row = EngagementStep(
            response_id=response.id,
            person=person,
            kind=kind.value,
            occurred_on=when.date(),
            shared=shared,
            notes=notes,
            created_by_id=lead.id,
            created_at=when,
            **extra,
        )
        session.add(row)
        # He chose to have it quoted in the report, and told his engagement lead.
        choice = set_choice(row, True) if quoted else {}
        audits.append(
            (
                response,
                when,
                "engagement:step",
                {
                    "engagement_step": {
                        "before": None,
                        "after": (
                            f"{kind.label} with a {person.kind_label.lower()}, {when.date().isoformat()}"
                            f" ({'shared with the family' if shared else 'internal'})"
                        ),
                    },
                    **(choice or {}),
                },
                None,
            )
        )
        return row

    step(
        son,
        StepKind.FIRST_CONTACT,
        at(0, 3),
        True,
        "We rang Chris to say sorry. We told him we will look into what happened, and that Lee is his contact.",
    )
    step(
        son,
        StepKind.BEING_OPEN,
        at(1, 0),
        True,
        "We met Chris at the surgery. We told him what we know so far and said sorry again.",
    )
    step(son, StepKind.ACCOUNT, at(1, 0), True, ACCOUNT, quoted=True)
    answered = at(2, 0)
    step(
        son,
        StepKind.QUESTION,
        at(1, 0),
        True,
        "Why did nobody check Dad's breathing and temperature?",
        quoted=True,
        answer="The call was treated as routine advice, so nobody asked for his breathing rate or temperature. "
        "The investigation will look at why.",
        answered_on=answered.date(),
    )
    step(
        patient,
        StepKind.FIRST_CONTACT,
        at(1, 3),
        False,
        "Internal: Mr Morgan is still in hospital. Contact through his son for now; review in a week.",
    )

    user = User(
        email=spec["email"],
        name=spec["name"],
        password_hash=passwords.hash_password(spec["password"]),
        kind=AccountKind.FAMILY.value,
        session_token=secrets.token_hex(16),
        created_at=at(1, 2),
    )
    session.add(user)
    session.flush()
    son.account_id = user.id
    # The invitation he joined with: used, and only a hash of a secret nobody holds.
    session.add(
        Invitation(
            response_id=response.id,
            person_id=son.id,
            means="email",
            email=spec["email"],
            secret_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
            created_by_id=lead.id,
            created_at=at(1, 1),
            expires_at=at(1, 1) + timedelta(days=7),
            used_at=at(1, 2),
        )
    )
    audits.append(
        (
            response,
            at(1, 1),
            "engagement:invited",
            {
                "invitation": {
                    "before": None,
                    "after": "a link by email, to a family member",
                }
            },
            None,
        )
    )
    audits.append(
        (
            response,
            at(1, 2),
            "family:joined",
            {"family_portal": {"before": None, "after": "a family member joined"}},
            None,
        )
    )
    audits.append(
        (
            response,
            answered,
            "engagement:answer",
            {
                "answer": {
                    "before": None,
                    "after": f"answered {answered.date().isoformat()}",
                }
            },
            None,
        )
    )
    session.add(
        Notification(
            user_id=user.id,
            kind=NotificationKind.ANSWER.value,
            title="We have answered your question",
            body="You can read the answer on your page.",
            link=family_page(son.id),
            created_at=answered,
        )
    )
    response.updated_at = max(when for _, when, *_ in audits)
    session.flush()
    for subject, when, action, changes, comment in audits:
        actor = user.id if action == "family:joined" else lead.id
        session.add(audit_entry(subject, when, actor, action, changes, comment))
    session.flush()
    return True
