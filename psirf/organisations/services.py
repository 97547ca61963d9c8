"""Organisations: checking ODS codes, creating services and placing them in PCNs and federations."""

from __future__ import annotations

import re

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from psirf import audit
from psirf.organisations.models import Organisation, OrganisationKind, OrganisationMembership
from psirf.problems import InputError
from psirf.web.pagination import Page, keyset_page


# The shapes ODS gives each kind of organisation.
ODS_PATTERNS: dict[OrganisationKind, tuple[re.Pattern, str]] = {
    OrganisationKind.ICB: (re.compile(r"^Q[A-Z0-9]{2}$"), "3 characters starting with Q, like QXX"),
    OrganisationKind.PCN: (re.compile(r"^U\d{5}$"), "U followed by 5 numbers, like U12345"),
    OrganisationKind.PRACTICE: (
        re.compile(r"^[A-Z]\d{5}$"),
        "a letter followed by 5 numbers, like A12345",
    ),
    OrganisationKind.PHARMACY: (
        re.compile(r"^F[A-Z0-9]{4}$"),
        "F followed by 4 letters or numbers, like FA123",
    ),
    OrganisationKind.TRUST: (
        re.compile(r"^R[A-Z0-9]{2}$"),
        "3 characters starting with R, like RXX",
    ),
}
GENERAL_ODS = (re.compile(r"^[A-Z0-9]{3,6}$"), "3 to 6 letters or numbers")


def check_ods_code(kind: OrganisationKind, code: str) -> str:
    code = code.strip().upper()
    pattern, shape = ODS_PATTERNS.get(kind, GENERAL_ODS)
    if not pattern.match(code):
        raise InputError("ods_code", f"Enter the ODS code of a {kind.label.lower()} as {shape}")
    return code


def get(session: Session, organisation_id: int) -> Organisation | None:
    return session.get(Organisation, organisation_id)


def by_ids(session: Session, ids) -> list[Organisation]:
    """The organisations of `ids` (the ones a policy grants a person), by name; none for none."""
    if not ids:
        return []
    return list(
        session.scalars(
            select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)
        )
    )


def by_ods_code(session: Session, code: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.ods_code == code.strip().upper()))


def _in_icbs(icb_ids: list[int]):
    return or_(Organisation.icb_id.in_(icb_ids), Organisation.id.in_(icb_ids))


def in_icbs(session: Session, icb_ids: list[int]) -> list[Organisation]:
    stmt = select(Organisation).where(_in_icbs(icb_ids))
    return list(session.scalars(stmt.order_by(Organisation.kind, Organisation.name)))


def listing(session: Session, icb_ids: list[int], cursor: str | None, size: int) -> Page:
    """A page of the ICBs' organisations, newest first, with the groups each belongs to loaded in
    one more statement: an ICB holds a thousand services, and a load per row would cost a
    thousand statements."""
    stmt = select(Organisation).where(_in_icbs(icb_ids)).options(selectinload(Organisation.groups))
    return keyset_page(session, stmt, Organisation, cursor, size)


def groups_in_icbs(session: Session, icb_ids: list[int]) -> list[Organisation]:
    """The PCNs and federations of the ICBs, by name: the groups a new service may join, chosen
    in SQL rather than from every organisation of the ICB."""
    kinds = [k.value for k in OrganisationKind if k.is_group]
    stmt = select(Organisation).where(
        Organisation.icb_id.in_(icb_ids), Organisation.kind.in_(kinds)
    )
    return list(session.scalars(stmt.order_by(Organisation.kind, Organisation.name)))


def in_icb(session: Session, icb_id: int) -> list[Organisation]:
    """Every organisation within one ICB, not the ICB itself, by name: in one statement, so a page
    offering them in more than one choice loads them once."""
    stmt = select(Organisation).where(Organisation.icb_id == icb_id)
    return list(session.scalars(stmt.order_by(Organisation.name)))


# The longest search the public service search takes (events.forms.ServiceSearchForm).
SEARCH_MAX = 100


def services_for_public(session: Session, query: str | None = None) -> list[Organisation]:
    """Services a member of the public can report about, found by name or ODS code."""
    from psirf.organisations.models import SERVICE_KINDS

    stmt = select(Organisation).where(Organisation.kind.in_([k.value for k in SERVICE_KINDS]))
    query = (query or "").strip()
    if len(query) > SEARCH_MAX:
        return []  # longer than any search the page sends: no name or code holds it
    if query:
        like = f"%{query}%"
        stmt = stmt.where(or_(Organisation.name.ilike(like), Organisation.ods_code.ilike(like)))
    return list(session.scalars(stmt.order_by(Organisation.name).limit(50)))


def create(
    session: Session,
    *,
    name: str,
    ods_code: str,
    kind: OrganisationKind,
    icb: Organisation | None,
    groups: list[Organisation] = (),
    actor_id: int | None = None,
) -> Organisation:
    code = check_ods_code(kind, ods_code)
    if by_ods_code(session, code):
        raise InputError("ods_code", "An organisation with that ODS code already exists")
    if kind is OrganisationKind.ICB:
        icb = None
    elif icb is None or icb.kind_enum is not OrganisationKind.ICB:
        raise InputError("icb_id", "Choose the integrated care board it belongs to")
    organisation = Organisation(name=name.strip(), ods_code=code, kind=kind.value, icb=icb)
    session.add(organisation)
    session.flush()
    for group in groups:
        join_group(session, organisation, group)
    audit.record(
        session,
        actor_id=actor_id,
        action="organisation:create",
        subject=organisation,
        organisation_id=organisation.id,
        changes={
            "ods_code": {"before": None, "after": code},
            "name": {"before": None, "after": organisation.name},
        },
    )
    return organisation


def join_group(session: Session, member: Organisation, group: Organisation) -> None:
    if not group.kind_enum.is_group:
        raise InputError("groups", "Services can only join a PCN or a GP federation")
    if not member.kind_enum.is_service:
        raise InputError(
            "groups",
            "Only practices, pharmacies, dental and optometry services join a PCN or federation",
        )
    if group.icb_id != member.icb_id:
        raise InputError("groups", "A service can only join a PCN or federation in its own ICB")
    session.add(OrganisationMembership(member_id=member.id, group_id=group.id))
    session.flush()
