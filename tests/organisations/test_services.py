"""Organisations as the service layer makes them: ODS code shapes by kind, one organisation per
code, services in PCNs and federations of their own ICB, an audit record for each."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from psirf.audit import AuditRecord
from psirf.organisations import search, services
from psirf.organisations.models import OrganisationKind
from tests.support.factories import IcbFactory, PcnFactory, PracticeFactory, UserFactory
from psirf.problems import InputError


@pytest.mark.parametrize(
    "kind, typed, kept",
    [
        (OrganisationKind.ICB, " qaz ", "QAZ"),
        (OrganisationKind.PCN, "u12345", "U12345"),
        (OrganisationKind.PRACTICE, "b81001", "B81001"),
        (OrganisationKind.PHARMACY, "fa123", "FA123"),
        (OrganisationKind.TRUST, "rxx", "RXX"),
        (OrganisationKind.DENTAL, "v0123", "V0123"),
    ],
)
def test_an_ods_code_of_the_kinds_shape_is_kept_in_capitals(kind, typed, kept):
    assert services.check_ods_code(kind, typed) == kept


@pytest.mark.parametrize(
    "kind, typed, shape",
    [
        (OrganisationKind.ICB, "RXX", "starting with Q"),
        (OrganisationKind.PCN, "U1234", "U followed by 5 numbers"),
        (OrganisationKind.PRACTICE, "12345", "a letter followed by 5 numbers"),
        (OrganisationKind.PHARMACY, "A12345", "F followed by 4 letters or numbers"),
        (OrganisationKind.OTHER, "AB", "3 to 6 letters or numbers"),
    ],
)
def test_an_ods_code_of_another_shape_is_refused_naming_the_shape(kind, typed, shape):
    with pytest.raises(InputError) as refused:
        services.check_ods_code(kind, typed)
    assert refused.value.field == "ods_code" and shape in str(refused.value)


def test_a_practice_is_created_in_its_icb_and_groups_with_an_audit_record(session):
    icb = IcbFactory()
    pcn = PcnFactory(icb=icb)
    federation = PcnFactory(icb=icb, kind="federation", ods_code="FED01")
    admin = UserFactory()
    practice = services.create(
        session,
        name="  Riverside Surgery ",
        ods_code="b81001",
        kind=OrganisationKind.PRACTICE,
        icb=icb,
        groups=[pcn, federation],
        actor_id=admin.id,
    )
    session.commit()
    assert (practice.name, practice.ods_code, practice.icb) == ("Riverside Surgery", "B81001", icb)
    assert set(practice.groups) == {pcn, federation}
    record = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "organisation:create")
    ).one()
    assert (record.actor_id, record.subject_id, record.organisation_id) == (
        admin.id,
        practice.id,
        practice.id,
    )
    assert record.changes["ods_code"] == {"before": None, "after": "B81001"}


def test_an_icb_belongs_to_no_icb(session):
    icb = services.create(
        session, name="New ICB", ods_code="QZZ", kind=OrganisationKind.ICB, icb=IcbFactory()
    )
    assert icb.icb is None


def test_an_ods_code_already_taken_is_refused(session):
    practice = PracticeFactory(ods_code="B81001")
    with pytest.raises(InputError, match="already exists") as refused:
        services.create(
            session,
            name="Copy",
            ods_code=" b81001",
            kind=OrganisationKind.PRACTICE,
            icb=practice.icb,
        )
    assert refused.value.field == "ods_code"


@pytest.mark.parametrize("icb", [None, "a practice"])
def test_a_service_needs_an_icb_to_belong_to(session, icb):
    practice = PracticeFactory()
    with pytest.raises(InputError) as refused:
        services.create(
            session,
            name="Nowhere",
            ods_code="B11111",
            kind=OrganisationKind.PRACTICE,
            icb=practice if icb else None,
        )
    assert refused.value.field == "icb_id"


def test_only_a_pcn_or_federation_takes_members(session):
    icb = IcbFactory()
    practice, other = PracticeFactory(icb=icb), PracticeFactory(icb=icb)
    with pytest.raises(InputError, match="only join a PCN or a GP federation"):
        services.join_group(session, practice, other)


def test_only_a_service_joins_a_pcn_or_federation(session):
    icb = IcbFactory()
    pcn, other_pcn = PcnFactory(icb=icb), PcnFactory(icb=icb)
    with pytest.raises(InputError, match="Only practices, pharmacies"):
        services.join_group(session, other_pcn, pcn)


def test_a_service_joins_only_a_group_in_its_own_icb(session):
    practice, far_pcn = PracticeFactory(), PcnFactory()
    with pytest.raises(InputError, match="in its own ICB") as refused:
        services.join_group(session, practice, far_pcn)
    assert refused.value.field == "groups"
    assert practice.groups == []


def test_in_icbs_lists_the_icbs_and_everything_in_them(session):
    icb, far_icb = IcbFactory(), IcbFactory()
    pcn, practice = PcnFactory(icb=icb), PracticeFactory(icb=icb)
    PracticeFactory(icb=far_icb)
    assert set(services.in_icbs(session, [icb.id])) == {icb, pcn, practice}


def test_the_public_finds_services_by_name_or_code_but_never_a_pcn_or_icb(session):
    icb = IcbFactory(name="Riverside ICB")
    PcnFactory(icb=icb, name="Riverside PCN")
    practice = PracticeFactory(icb=icb, name="Riverside Surgery", ods_code="B81001")
    assert services.services_for_public(session, "riverside") == [practice]
    assert services.services_for_public(session, "b81") == [practice]
    assert services.services_for_public(session, "x" * (services.SEARCH_MAX + 1)) == []


def test_the_organisation_search_finds_any_part_of_a_name_and_takes_wildcards_literally(session):
    icb = IcbFactory()
    surgery = PracticeFactory(name="St Mary's Surgery", icb=icb)
    PracticeFactory(name="Marylebone 100% Pharmacy", icb=icb)
    session.flush()

    assert [o.name for o in search.find(session, search.in_icb(icb.id), "mary's")] == [surgery.name]
    assert search.find(session, search.in_icb(icb.id), "_") == []
    assert [o.name for o in search.find(session, search.in_icb(icb.id), "100%")] == [
        "Marylebone 100% Pharmacy"
    ]
