"""The alerts' rules: each SQL scope lists exactly the objects its object check allows, for every
person of the world, and who records, manages and confirms."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from psirf import policy
from psirf.alerts import services
from psirf.alerts.models import Alert, AlertRecipient
from psirf.extensions import db
from psirf.organisations.models import Organisation
from tests.support.alerts import pharmacy, record


def _alerts(world):
    north, north_lead = pharmacy(world, "North Street Pharmacy", world.pcn, "FAA01")
    south, south_lead = pharmacy(world, "Southfields Pharmacy", world.other_pcn, "FAA02")
    alerts = [
        record(world.icb_specialist, world.icb, reference="ICB-1"),
        record(world.icb_quality, world.icb, reference="ICB-DRAFT", issue=False),
        record(world.panel, world.pcn, kinds=("practice", "pharmacy"), reference="PCN-1"),
        record(world.panel, world.pcn, reference="PCN-DRAFT", issue=False),
        record(world.other_panel, world.other_pcn, kinds=("practice",), reference="SOUTH-1"),
    ]
    people = {**world.people(), "north_lead": north_lead, "south_lead": south_lead}
    return alerts, people


def test_the_alert_scope_and_the_alert_check_agree_for_everyone(world):
    alerts, people = _alerts(world)
    for who, user in people.items():
        listed = set(
            db.session.scalars(
                select(Alert.id).where(policy.alert_scope(user, Alert, AlertRecipient))
            )
        )
        checked = {
            a.id
            for a in alerts
            if policy.may_see_alert(user, a, services.recipients_of(db.session, a))
        }
        assert listed == checked, who


def test_the_progress_scope_and_its_check_agree_for_everyone(world):
    _, people = _alerts(world)
    organisations = list(db.session.scalars(select(Organisation)))
    for who, user in people.items():
        listed = set(
            db.session.scalars(
                select(Organisation.id).where(policy.alert_progress_scope(user, Organisation.id))
            )
        )
        checked = {o.id for o in organisations if policy.may_see_alert_progress(user, o)}
        assert listed == checked, who


def test_who_sees_which_alert(world):
    alerts, people = _alerts(world)
    icb, icb_draft, pcn, pcn_draft, south = alerts

    def seen(who):
        return {a.reference for a in services.listing(db.session, people[who], None, 50).items}

    assert seen("icb_quality") == {"ICB-1", "ICB-DRAFT", "PCN-1", "SOUTH-1"}
    assert seen("panel") == {"ICB-1", "PCN-1", "PCN-DRAFT"}
    assert seen("north_lead") == {"ICB-1", "PCN-1"}
    assert seen("south_lead") == {"ICB-1"}
    assert seen("lead") == {"PCN-1"}
    assert seen("other_lead") == {"SOUTH-1"}
    assert seen("reporter") == set() and seen("outsider_icb_quality") == set()


def test_who_records_manages_and_confirms(world):
    alerts, people = _alerts(world)
    icb, _, pcn, _, _ = alerts
    assert policy.may_record_alerts(world.admin) and policy.may_record_alerts(world.panel)
    assert not policy.may_record_alerts(world.lead) and not policy.may_record_alerts(world.reporter)
    assert policy.may_manage_alert(world.admin, icb) and not policy.may_manage_alert(
        world.admin, pcn
    )
    assert policy.may_manage_alert(world.panel, pcn) and not policy.may_manage_alert(
        world.other_panel, pcn
    )
    assert policy.may_confirm_alert_actions(world.lead, world.practice)
    assert not policy.may_confirm_alert_actions(world.lead, world.other_practice)
    assert not policy.may_confirm_alert_actions(world.panel, world.practice)
    assert date(2026, 3, 2) == icb.issued_on
