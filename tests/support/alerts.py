"""Alerts for the tests: pharmacies with their leads, and an alert recorded and issued through the
services (as the pages do), with a fixed issue date so nothing depends on today."""

from __future__ import annotations

from datetime import date

from psirf.accounts.models import Role
from psirf.alerts import services
from psirf.db import unit_of_work
from psirf.extensions import db
from tests.support.factories import PracticeFactory, UserFactory

ISSUED_ON = date(2026, 3, 2)
LINK = "https://www.england.nhs.uk/patient-safety/patient-safety-alerts/"


def pharmacy(world, name: str, group, ods: str):
    """A community pharmacy of the world's ICB, a member of `group`, with its patient safety lead."""
    place = PracticeFactory(icb=world.icb, name=name, kind="pharmacy", ods_code=ods, groups=[group])
    lead = UserFactory(name=f"{name} Lead", role=(Role.PATIENT_SAFETY_LEAD, place))
    return place, lead


def record(
    user,
    organisation,
    actions=(("Check stock", date(2026, 3, 16)),),
    kinds=("pharmacy",),
    reference="NatPSA/2026/001",
    issue=True,
    issued_on=ISSUED_ON,
):
    with unit_of_work(db.session):
        alert = services.create(
            db.session,
            user,
            organisation.id,
            reference,
            "Risk of harm from a look-alike medicine",
            issued_on,
            LINK,
            list(kinds),
            list(actions),
        )
    if issue:
        with unit_of_work(db.session):
            services.issue(db.session, user, alert, alert.version_id)
    return alert


def alerts_for_scopes(world, federation, shared, far_pcn, far_practice) -> None:
    """Alerts across tests/policy/test_scopes_agree.py's realm, written directly (no commit): drafts
    and issued alerts of the ICB, North PCN, the federation and a PCN of another ICB, each issued
    one sent to some of the services."""
    from psirf.alerts.models import Alert, AlertRecipient

    icb, far_icb = world.icb, far_pcn.icb
    specs = [
        (icb, icb, "draft", []),
        (icb, icb, "issued", [world.practice, world.other_practice, shared]),
        (icb, world.pcn, "issued", [world.practice, shared]),
        (icb, world.pcn, "draft", []),
        (icb, federation, "issued", [shared]),
        (far_icb, far_pcn, "issued", [far_practice]),
    ]
    for number, (in_icb, organisation, state, recipients) in enumerate(specs, 1):
        alert = Alert(
            icb_id=in_icb.id,
            organisation_id=organisation.id,
            reference=f"SCOPE/{number}",
            title="An alert",
            issued_on=ISSUED_ON,
            link=LINK,
            service_kinds="practice",
            state=state,
            created_by_id=world.admin.id,
        )
        db.session.add(alert)
        db.session.flush()
        db.session.add_all(
            AlertRecipient(alert_id=alert.id, organisation_id=o.id) for o in recipients
        )
