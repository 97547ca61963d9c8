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
