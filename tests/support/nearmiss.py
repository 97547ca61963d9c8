"""Factories for the pharmacy near-miss log: pharmacies in a world's ICB, their staff, near misses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import factory

from psirf.accounts.models import Role
from psirf.nearmiss.models import NearMiss, medicine_key
from psirf.timeutil import utcnow
from tests.support.factories import Base, OrganisationFactory, UserFactory, one_commit


class PharmacyFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Test Pharmacy {n}")
    ods_code = factory.Sequence(lambda n: f"FT{n:03d}")
    kind = "pharmacy"


class NearMissFactory(Base):
    class Meta:
        model = NearMiss

    organisation = factory.SubFactory(PharmacyFactory)
    occurred_on = factory.LazyFunction(lambda: utcnow().date() - timedelta(days=1))
    error_type = "wrong_strength"
    stage = "accuracy_check"
    medicine = "Amlodipine 5mg tablets"
    medicine_key = factory.LazyAttribute(lambda o: medicine_key(o.medicine))
    cause = "look_alike"
    recorded_by_id = factory.LazyAttribute(lambda o: UserFactory().id)


@dataclass
class Pharmacies:
    pharmacy: object
    other_pharmacy: object
    pharmacist: object  # the pharmacy's patient safety lead
    dispenser: object  # a reporter at the pharmacy
    other_pharmacist: object  # the other pharmacy's patient safety lead

    def people(self) -> dict[str, object]:
        return {
            "pharmacist": self.pharmacist,
            "dispenser": self.dispenser,
            "other_pharmacist": self.other_pharmacist,
        }


def pharmacies(world) -> Pharmacies:
    """Two pharmacies in the world's ICB (one in each PCN) and their staff."""
    with one_commit():
        pharmacy = PharmacyFactory(icb=world.icb, name="North Street Pharmacy")
        other = PharmacyFactory(icb=world.icb, name="Southfields Pharmacy")
        return Pharmacies(
            pharmacy=pharmacy,
            other_pharmacy=other,
            pharmacist=UserFactory(
                name="Pam Pharmacist", role=(Role.PATIENT_SAFETY_LEAD, pharmacy)
            ),
            dispenser=UserFactory(name="Dee Dispenser", role=(Role.REPORTER, pharmacy)),
            other_pharmacist=UserFactory(
                name="Pete Pharmacist", role=(Role.PATIENT_SAFETY_LEAD, other)
            ),
        )


def first_of_month(today: date | None = None) -> date:
    return (today or utcnow().date()).replace(day=1)


def near_miss_realm(world) -> dict:
    """For the policy's agreement tests (inside their one_commit): two pharmacies with a near miss
    each, their staff, and a pharmacist who also leads a practice. Returns the people by name."""
    pharmacy = PharmacyFactory(icb=world.icb, name="Realm Pharmacy")
    other = PharmacyFactory(icb=world.icb, name="Other Realm Pharmacy")
    people = {
        "pharmacist": UserFactory(role=(Role.PATIENT_SAFETY_LEAD, pharmacy)),
        "dispenser": UserFactory(role=(Role.REPORTER, pharmacy)),
        "other_pharmacist": UserFactory(role=(Role.PATIENT_SAFETY_LEAD, other)),
    }
    for organisation, who in ((pharmacy, "pharmacist"), (other, "other_pharmacist")):
        NearMissFactory(organisation=organisation, recorded_by_id=people[who].id)
    return people
