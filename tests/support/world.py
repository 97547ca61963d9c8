"""A small organisation tree and one person per role, shared by the tests that need them."""

from __future__ import annotations

from dataclasses import dataclass

from psirf.accounts.models import Role
from tests.support.factories import IcbFactory, PcnFactory, PracticeFactory, UserFactory, one_commit


@dataclass
class World:
    icb: object
    pcn: object
    other_pcn: object
    practice: object
    other_practice: object
    lead: object
    other_lead: object
    reporter: object
    panel: object
    other_panel: object
    icb_quality: object
    icb_specialist: object
    admin: object
    outsider_icb_quality: object

    def people(self) -> dict[str, object]:
        """Every person of the world by their field name."""
        return {name: getattr(self, name) for name in PEOPLE}


# The world's people, one per role and place, by their field names in World.
PEOPLE = (
    "lead",
    "other_lead",
    "reporter",
    "panel",
    "other_panel",
    "icb_quality",
    "icb_specialist",
    "admin",
    "outsider_icb_quality",
)


def build_world() -> World:
    with one_commit():
        return _world()


def _world() -> World:
    icb = IcbFactory(name="Test ICB", ods_code="QAA")
    pcn = PcnFactory(icb=icb, name="North PCN")
    other_pcn = PcnFactory(icb=icb, name="South PCN")
    practice = PracticeFactory(icb=icb, name="Riverside", groups=[pcn])
    other_practice = PracticeFactory(icb=icb, name="Southfields", groups=[other_pcn])
    other_icb = IcbFactory(name="Other ICB", ods_code="QBB")
    return World(
        icb=icb,
        pcn=pcn,
        other_pcn=other_pcn,
        practice=practice,
        other_practice=other_practice,
        lead=UserFactory(name="Lee Lead", role=(Role.PATIENT_SAFETY_LEAD, practice)),
        other_lead=UserFactory(name="Lou Lead", role=(Role.PATIENT_SAFETY_LEAD, other_practice)),
        reporter=UserFactory(name="Robin Reporter", role=(Role.REPORTER, practice)),
        panel=UserFactory(name="Pat Panel", role=(Role.REVIEW_PANEL_MEMBER, pcn)),
        other_panel=UserFactory(name="Pip Panel", role=(Role.REVIEW_PANEL_MEMBER, other_pcn)),
        icb_quality=UserFactory(name="Quinn Quality", role=(Role.ICB_QUALITY_COMMITTEE, icb)),
        icb_specialist=UserFactory(
            name="Sam Specialist", role=(Role.ICB_PATIENT_SAFETY_SPECIALIST, icb)
        ),
        admin=UserFactory(name="Alex Admin", role=(Role.ADMINISTRATOR, icb)),
        outsider_icb_quality=UserFactory(
            name="Olly Outsider", role=(Role.ICB_QUALITY_COMMITTEE, other_icb)
        ),
    )
