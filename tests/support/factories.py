"""factory-boy factories for every model the tests build."""

from __future__ import annotations

import functools
import secrets
from contextlib import contextmanager
from datetime import date, timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from psirf.accounts import passwords
from psirf.accounts.models import Role, RoleAssignment, User
from psirf.events.models import SafetyEvent
from psirf.extensions import db
from psirf.organisations.models import Organisation, OrganisationMembership
from psirf.actions.models import SafetyAction
from psirf.responses.models import LearningResponse, MethodStage
from psirf.workflow import definitions

TEST_PASSWORD = "correct-horse-battery"


@functools.cache
def hashed_test_password() -> str:
    """TEST_PASSWORD hashed once, at the cost the suite asks for (PASSWORD_HASH_COST)."""
    return passwords.hash_password(TEST_PASSWORD)


_batch = {"open": False}


@contextmanager
def one_commit():
    """Build many rows with one commit at the end, not one each (on PostgreSQL a commit is a round
    trip and a refresh of every row after it; the shared `world` alone would cost a quarter second)."""
    _batch["open"] = True
    try:
        yield
        db.session.commit()
    finally:
        _batch["open"] = False


def settle() -> None:
    """Make what a factory wrote visible to the app's own sessions: now, or at the batch's end."""
    if _batch["open"]:
        db.session.flush()
    else:
        db.session.commit()


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"

    @classmethod
    def _save(cls, model_class, session, args, kwargs):
        obj = model_class(*args, **kwargs)
        session.add(obj)
        settle()
        return obj


class IcbFactory(Base):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Test ICB {n}")
    ods_code = factory.Sequence(lambda n: f"Q{n % 100:02d}")
    kind = "icb"


class PcnFactory(Base):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Test PCN {n}")
    ods_code = factory.Sequence(lambda n: f"U{n:05d}")
    kind = "pcn"
    icb = factory.SubFactory(IcbFactory)


class PracticeFactory(Base):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Test Practice {n}")
    ods_code = factory.Sequence(lambda n: f"A{n:05d}")
    kind = "practice"
    icb = factory.SubFactory(IcbFactory)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for group in extracted or ():
            db.session.add(OrganisationMembership(member_id=self.id, group_id=group.id))
        if extracted:
            settle()
            db.session.expire(self, ["groups"])


class OrganisationFactory(Base):
    """Any kind of organisation: a trust or other partner, say."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Test Organisation {n}")
    ods_code = factory.Sequence(lambda n: f"R{n:02d}")
    kind = "trust"
    icb = factory.SubFactory(IcbFactory)


class UserFactory(Base):
    class Meta:
        model = User

    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password_hash = factory.LazyFunction(hashed_test_password)
    session_token = factory.LazyFunction(lambda: secrets.token_hex(16))

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        """UserFactory(role=(Role.X, organisation))."""
        if extracted:
            role, organisation = extracted
            db.session.add(
                RoleAssignment(user=self, organisation=organisation, role=Role(role).value)
            )
            settle()


class SafetyEventFactory(Base):
    class Meta:
        model = SafetyEvent

    organisation = factory.SubFactory(PracticeFactory)
    # Far above the ids the app numbers its own references from, so the two never meet.
    reference = factory.Sequence(lambda n: f"PSE-2026-{500_000 + n:06d}")
    record_type = "incident"
    theme = "medication"
    occurred_on = factory.LazyFunction(lambda: date.today() - timedelta(days=2))
    description = "A repeat prescription was issued at the wrong dose."
    physical_harm = "low"
    reporter_kind = "staff"


COMPLETE_AAR_RECORD = {
    "plan": {
        "timing": "hot",
        "conductor": "Dr A Conductor",
        "participants": "Practice team",
        "review_on": "2026-11-20",
    },
    "review": {
        "expected": "The dose would be checked.",
        "actual": "It was not checked.",
        "difference": "The check was skipped at a busy time.",
        "learned": "Checks need protected time.",
        "learning_summary": "Protected time for prescription checks.",
    },
}


class ResponseFactory(Base):
    """A learning response of any method (an after action review unless told), in the state asked for."""

    class Meta:
        model = LearningResponse

    method = "after_action_review"
    workflow_name = factory.LazyAttribute(lambda o: o.method)
    workflow_version = factory.LazyAttribute(lambda o: definitions.get(o.workflow_name).version)
    state = factory.LazyAttribute(lambda o: definitions.get(o.workflow_name).initial)
    # Far above the ids the app numbers its own references from, as for events.
    reference = factory.Sequence(lambda n: f"LR-2026-{900_000 + n:06d}")
    organisation = factory.SubFactory(PracticeFactory)
    record = factory.LazyFunction(dict)

    class Params:
        ready_for_panel = factory.Trait(
            state="in_review",
            record=factory.LazyFunction(
                lambda: {k: dict(v) for k, v in COMPLETE_AAR_RECORD.items()}
            ),
            with_action=factory.RelatedFactory(
                "tests.support.factories.SafetyActionFactory", factory_related_name="response"
            ),
        )


AfterActionReviewFactory = ResponseFactory


class MethodStageFactory(Base):
    """A method a response ran as before it went on as another: a SWARM huddle, unless told, that
    was continued as the response's current method (psirf.responses.course)."""

    class Meta:
        model = MethodStage

    response = factory.SubFactory(ResponseFactory)
    position = 1
    method = "swarm_huddle"
    workflow_name = factory.LazyAttribute(lambda o: o.method)
    workflow_version = factory.LazyAttribute(lambda o: definitions.get(o.workflow_name).version)
    state_reached = "became_aar"
    record = factory.LazyFunction(dict)
    started_at = factory.LazyAttribute(lambda o: o.response.created_at)
    ended_at = factory.LazyAttribute(lambda o: o.started_at + timedelta(hours=20))
    went_on_as = "became"
    reason = "The huddle found more to learn than a huddle can"


class SafetyActionFactory(Base):
    """A SMART safety action, agreed and under way unless told; owned by its response's organisation."""

    class Meta:
        model = SafetyAction

    response = factory.SubFactory(ResponseFactory)
    organisation_id = factory.LazyAttribute(lambda o: o.response.organisation_id)
    description = "Protect checking time"
    owner = "Practice manager"
    owner_organisation_id = factory.LazyAttribute(lambda o: o.response.organisation_id)
    due_on = factory.LazyFunction(lambda: date.today() + timedelta(days=30))
    measure_kind = "process"
    measure = "Share of repeat prescriptions checked within protected time, audited monthly"
    strength = "intermediate"
    workflow_name = "safety_action"
    workflow_version = factory.LazyAttribute(lambda o: definitions.get("safety_action").version)
    state = "in_progress"
