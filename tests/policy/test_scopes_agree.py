"""Every SQL scope in the policy selects exactly what its object check allows, for every role.

A list page reads a scope; an object's own page reads the check. If the two drift apart, a person
finds in a list what they cannot open, or opens by number what no list shows them. So each pair is
held together here, over a world wide enough to tell the rules apart: a PCN and a federation
sharing a practice, a partner trust, two ICBs, and a person of each role (one with two roles).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import select

from psirf import policy
from psirf.accounts.models import Role, RoleAssignment
from psirf.actions.models import SafetyAction
from psirf.bulletins.models import Bulletin
from psirf.alerts.models import Alert, AlertRecipient
from psirf.alerts.services import recipients_of
from psirf.events.models import SafetyEvent
from psirf.extensions import db
from psirf.improvement.models import ImprovementPlan
from psirf.library.models import LibraryEntry
from psirf.nearmiss.models import NearMiss
from psirf.organisations.models import Organisation
from psirf.plans.models import PsirfPlan
from psirf.responses.models import Contributor, LearningResponse
from psirf.workflow import definitions
from tests.support.alerts import alerts_for_scopes
from tests.support.factories import (
    OrganisationFactory,
    PcnFactory,
    PracticeFactory,
    ResponseFactory,
    SafetyActionFactory,
    SafetyEventFactory,
    UserFactory,
    one_commit,
)
from tests.support.nearmiss import near_miss_realm


@dataclass
class Realm:
    """The shared world's organisations and people, and the ones added here."""

    people: dict = field(default_factory=dict)


def _build(world) -> Realm:
    realm = Realm()
    realm.people = world.people()
    other_icb = world.outsider_icb_quality.roles[0].organisation
    with one_commit():
        federation = OrganisationFactory(kind="federation", icb=world.icb, name="Test Federation")
        # In both the North PCN and the federation: each group's panel covers it.
        shared = PracticeFactory(icb=world.icb, name="Hillside", groups=[world.pcn, federation])
        trust = OrganisationFactory(kind="trust", icb=world.icb, name="Acute Trust")
        far_pcn = PcnFactory(icb=other_icb, name="Far PCN")
        far_practice = PracticeFactory(icb=other_icb, name="Far Practice", groups=[far_pcn])
        people = {
            "executive": UserFactory(role=(Role.EXECUTIVE_LEAD, world.practice)),
            "shared_lead": UserFactory(role=(Role.PATIENT_SAFETY_LEAD, shared)),
            "federation_panel": UserFactory(role=(Role.REVIEW_PANEL_MEMBER, federation)),
            "trust_lead": UserFactory(role=(Role.PATIENT_SAFETY_LEAD, trust)),
            "far_lead": UserFactory(role=(Role.PATIENT_SAFETY_LEAD, far_practice)),
            "far_specialist": UserFactory(role=(Role.ICB_PATIENT_SAFETY_SPECIALIST, other_icb)),
            "trust_reporter": UserFactory(role=(Role.REPORTER, trust)),
            "lead_and_other_panel": UserFactory(role=(Role.PATIENT_SAFETY_LEAD, world.practice)),
            "nobody": UserFactory(),
        }
        db.session.add(
            RoleAssignment(
                user=people["lead_and_other_panel"],
                organisation=world.other_pcn,
                role=Role.REVIEW_PANEL_MEMBER.value,
            )
        )
        realm.people |= people

        services = [world.practice, world.other_practice, shared, trust, far_practice]
        groups = [world.pcn, world.other_pcn, federation, far_pcn]
        for organisation in services + groups:
            SafetyEventFactory(organisation=organisation)
            response = ResponseFactory(organisation=organisation)
            SafetyActionFactory(response=response)
        # A cross-organisational response led by Riverside, with Southfields and the trust
        # contributing: their leads see it (and its actions) as contributors.
        joint = ResponseFactory(organisation=world.practice, method="cross_organisational")
        for organisation in (world.other_practice, trust):
            db.session.add(Contributor(response=joint, organisation_id=organisation.id))
        SafetyActionFactory(response=joint)
        # An action of Riverside's owned by the trust, and one owned by a reporter in person.
        riverside = ResponseFactory(organisation=world.practice)
        SafetyActionFactory(response=riverside, owner_organisation_id=trust.id)
        SafetyActionFactory(response=riverside, owner_user_id=world.reporter.id)
        SafetyActionFactory(
            response=ResponseFactory(organisation=far_practice),
            owner_organisation_id=far_practice.id,
            owner_user_id=people["trust_reporter"].id,
        )

        plan_approval = definitions.get("plan_approval")
        for group in groups:
            # A draft (revision 0: the panel's alone) and one submitted to the ICB.
            for number, (state, revision) in enumerate((("draft", 0), ("under_review", 1)), 1):
                db.session.add(
                    PsirfPlan(
                        organisation_id=group.id,
                        number=number,
                        revision=revision,
                        starts_on=date(2027, 1, 1),
                        content={},
                        profile={},
                        workflow_name=plan_approval.name,
                        workflow_version=plan_approval.version,
                        state=state,
                        created_by_id=world.admin.id,
                    )
                )

        for organisation in services + groups:
            db.session.add(
                ImprovementPlan(
                    organisation_id=organisation.id,
                    title=f"Safer prescribing at {organisation.name}",
                    aim="Fewer errors",
                    measure="Errors a month",
                    created_by_id=world.admin.id,
                )
            )

        def entry(organisation, group=None, icb=None):
            db.session.add(
                LibraryEntry(
                    kind="good_care",
                    organisation_id=organisation.id,
                    title=f"Learning from {organisation.name}",
                    summary="What went well",
                    service_kind=organisation.kind,
                    learned_on=date(2026, 1, 12),
                    audience_group_id=group.id if group else None,
                    audience_icb_id=icb.id if icb else None,
                    published_by_id=world.admin.id,
                )
            )

        entry(world.practice, world.pcn)
        entry(world.practice, world.pcn, world.icb)
        entry(shared, federation)
        entry(world.other_practice, world.other_pcn)
        entry(world.pcn, world.pcn)  # a PCN-wide review's learning, kept to the PCN
        entry(trust)  # no audience yet: the publisher's own
        entry(far_practice, far_pcn, other_icb)

        # Learning bulletins: a draft and a published one of every group and both ICBs.
        for area in [*groups, world.icb, other_icb]:
            for n, state in enumerate(("draft", "published")):
                db.session.add(
                    Bulletin(
                        organisation_id=area.id,
                        period_start=date(2026, 1 + 3 * n, 1),
                        period_end=date(2026, 4 + 3 * n, 1),
                        state=state,
                        title=f"{area.name} bulletin",
                        created_by_id=world.admin.id,
                    )
                )
        realm.people |= near_miss_realm(world)  # the pharmacies' near-miss logs
        alerts_for_scopes(world, federation, shared, far_pcn, far_practice)
        db.session.flush()
        db.session.expire_all()
    return realm


@pytest.fixture
def realm(world) -> Realm:
    return _build(world)


def _allows(check, user, obj) -> bool:
    try:
        return bool(check(user, obj))
    except policy.NotVisible:
        return False


def _event_check(user, event):
    return policy.require_event_visible(user, event)


# Each scope as (the model it lists, the SQL condition for a user, the object check for one).
SCOPES = {
    "casework_scope": (
        SafetyEvent,
        lambda user: policy.casework_scope(user, SafetyEvent.organisation_id),
        lambda user, event: policy.roles_covering(user, event.organisation),
    ),
    "event_scope": (SafetyEvent, policy.event_scope, _event_check),
    "response_scope": (LearningResponse, policy.response_scope, policy.require_response_visible),
    "action_scope": (SafetyAction, policy.action_scope, policy.require_action_visible),
    "plan_scope": (
        PsirfPlan,
        lambda user: policy.plan_scope(user, PsirfPlan),
        policy.require_plan_visible,
    ),
    "improvement_plan_scope": (
        ImprovementPlan,
        lambda user: policy.improvement_plan_scope(user, ImprovementPlan.organisation_id),
        policy.may_read_improvement_plan,
    ),
    "library_scope": (LibraryEntry, policy.library_scope, policy.may_read_library_entry),
    "bulletin_scope": (
        Bulletin,
        lambda user: policy.bulletin_scope(user, Bulletin),
        policy.may_read_bulletin,
    ),
    "near_miss_scope": (
        NearMiss,
        lambda user: policy.near_miss_scope(user, NearMiss.organisation_id),
        policy.may_read_near_miss,
    ),
    "alert_scope": (
        Alert,
        lambda user: policy.alert_scope(user, Alert, AlertRecipient),
        lambda user, alert: policy.may_see_alert(user, alert, recipients_of(db.session, alert)),
    ),
    "alert_progress_scope": (
        Organisation,
        lambda user: policy.alert_progress_scope(user, Organisation.id),
        policy.may_see_alert_progress,
    ),
    "readiness_scope": (
        Organisation,
        lambda user: policy.readiness_scope(user, Organisation.id),
        policy.may_read_readiness,
    ),
}


def test_every_scope_in_the_policy_is_tested_here():
    scopes = {name for name in policy.__all__ if name.endswith("_scope")}
    assert scopes == set(SCOPES)


@pytest.mark.parametrize("scope", SCOPES)
def test_the_scope_selects_what_the_object_check_allows_for_every_role(session, realm, scope):
    model, condition, check = SCOPES[scope]
    everything = session.scalars(select(model)).unique().all()
    disagreements = {}
    seen_by = {}
    for who, user in realm.people.items():
        in_sql = set(session.scalars(select(model.id).where(condition(user))))
        by_object = {obj.id for obj in everything if _allows(check, user, obj)}
        seen_by[who] = by_object
        if in_sql != by_object:
            disagreements[who] = {"sql only": in_sql - by_object, "check only": by_object - in_sql}
    assert disagreements == {}
    # Not a vacuous agreement: someone sees some but not all, and someone sees nothing.
    assert any(0 < len(ids) < len(everything) for ids in seen_by.values())
    assert seen_by["nobody"] == set()
