"""The readiness map: every organisation a person reads by commitment, filtered by PCN (or
federation) and kind, with the totals and share in place per commitment, the gaps to follow up,
and the same table as CSV.

SQL does the counting: the totals are GROUP BY queries over the commitment records of the
filtered organisations (whatever their number), and the table pages by name (a keyset), reading
the records of one page's organisations in one query. A PSIRF plan in force for an organisation or
one of its groups puts "PSIRF adopted" in place by itself.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from psirf import policy
from psirf.organisations.models import Organisation, OrganisationKind, OrganisationMembership
from psirf.plans.models import IN_FORCE, PsirfPlan
from psirf.readiness import commitments
from psirf.readiness.commitments import Commitment, Status
from psirf.readiness.models import CommitmentRecord
from psirf.readiness.services import describe
from psirf.web.inputs import record_id
from psirf.web.pagination import read_cursor

MAP_KINDS = (
    OrganisationKind.PRACTICE,
    OrganisationKind.PHARMACY,
    OrganisationKind.DENTAL,
    OrganisationKind.OPTOMETRY,
    OrganisationKind.PCN,
    OrganisationKind.FEDERATION,
)


@dataclass(frozen=True)
class Filters:
    group_id: int | None = None
    kind: str | None = None

    def args(self) -> dict:
        found = {}
        if self.group_id:
            found["group"] = self.group_id
        if self.kind:
            found["kind"] = self.kind
        return found


def filters_from(args, groups: list[Organisation], strict: bool = False) -> Filters:
    """The filters a query string names; an unknown group or kind is no filter. `strict` (the
    API's): a group the person does not read is not found, rather than the whole map answered
    as if it were that group's."""
    group = args.get("group")
    group_id = record_id(group)  # None for "²", 5,000 digits, anything no row's id could be
    if group_id not in {g.id for g in groups}:
        if strict and group is not None:
            raise policy.NotVisible("There is no PCN or federation with this id that you can see.")
        group_id = None
    kind = args.get("kind")
    if kind not in {k.value for k in MAP_KINDS}:
        kind = None
    return Filters(group_id, kind)


def visible_groups(session: Session, user) -> list[Organisation]:
    """The PCNs and federations the person may filter by: those whose readiness they read."""
    return list(
        session.scalars(
            select(Organisation)
            .where(
                Organisation.kind.in_(
                    [OrganisationKind.PCN.value, OrganisationKind.FEDERATION.value]
                ),
                policy.readiness_scope(user, Organisation.id),
            )
            .order_by(Organisation.name, Organisation.id)
        )
    )


def _organisations(user, filters: Filters):
    """SQL: the ids of the organisations on the map, after the filters."""
    stmt = select(Organisation.id).where(
        Organisation.kind.in_([k.value for k in MAP_KINDS]),
        policy.readiness_scope(user, Organisation.id),
    )
    if filters.kind:
        stmt = stmt.where(Organisation.kind == filters.kind)
    if filters.group_id:
        members = select(OrganisationMembership.member_id).where(
            OrganisationMembership.group_id == filters.group_id
        )
        stmt = stmt.where(or_(Organisation.id == filters.group_id, Organisation.id.in_(members)))
    return stmt


def _plan_covers(org_column):
    """SQL: a PSIRF plan in force for the organisation, or for a group it belongs to."""
    with_plan = select(PsirfPlan.organisation_id).where(PsirfPlan.state.in_(IN_FORCE))
    return or_(
        org_column.in_(with_plan),
        exists().where(
            OrganisationMembership.member_id == org_column,
            OrganisationMembership.group_id.in_(with_plan),
        ),
    )


def _met(commitment: Commitment, org_column):
    """SQL: the organisation has the commitment in place."""
    recorded = exists().where(
        CommitmentRecord.organisation_id == org_column,
        CommitmentRecord.commitment == commitment.key,
        CommitmentRecord.status == Status.MET.value,
    )
    if commitment.measure == "plan":
        return or_(recorded, _plan_covers(org_column))
    return recorded


# ---- totals -------------------------------------------------------------------------------------


@dataclass
class Total:
    commitment: Commitment
    applicable: int
    met: int

    @property
    def gaps(self) -> int:
        return self.applicable - self.met

    @property
    def percent(self) -> int | None:
        return round(100 * self.met / self.applicable) if self.applicable else None


def totals(session: Session, user, filters: Filters) -> tuple[int, list[Total]]:
    """How many organisations the filters hold and, per commitment, how many it applies to and
    how many have it in place: three GROUP BY queries however many organisations."""
    orgs = _organisations(user, filters).subquery()
    by_kind = dict(
        session.execute(
            select(Organisation.kind, func.count())
            .where(Organisation.id.in_(select(orgs.c.id)))
            .group_by(Organisation.kind)
        ).all()
    )
    recorded = dict(
        session.execute(
            select(CommitmentRecord.commitment, func.count())
            .join(Organisation, Organisation.id == CommitmentRecord.organisation_id)
            .where(
                CommitmentRecord.organisation_id.in_(select(orgs.c.id)),
                CommitmentRecord.status == Status.MET.value,
            )
            .group_by(CommitmentRecord.commitment)
        ).all()
    )
    found = []
    for commitment in commitments.all_commitments():
        applicable = sum(n for kind, n in by_kind.items() if commitment.applies(kind))
        if commitment.measure == "plan":
            met = session.scalar(
                select(func.count())
                .select_from(Organisation)
                .where(Organisation.id.in_(select(orgs.c.id)), _met(commitment, Organisation.id))
            )
        else:
            met = recorded.get(commitment.key, 0)
        found.append(Total(commitment, applicable, int(met or 0)))
    return sum(by_kind.values()), found


# ---- the table, a page at a time ----------------------------------------------------------------


@dataclass
class Cell:
    status: str
    text: str
    applies: bool = True
    confirmed: bool = False


@dataclass
class Row:
    organisation: Organisation
    cells: list[Cell] = field(default_factory=list)


@dataclass
class MapPage:
    rows: list[Row]
    next_cursor: str | None
    has_previous: bool


def _cursor(organisation: Organisation) -> str:
    raw = json.dumps([organisation.name, organisation.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _after(cursor: str | None):
    key = read_cursor(cursor)
    if not key or len(key) != 2 or not isinstance(key[0], str):
        return None
    row_id = record_id(key[1])  # an id the column can hold: a larger one fails the query
    return [key[0], row_id] if row_id is not None else None


# What a cell shows of a record, read as plain rows: the CSV of an ICB's thousand organisations
# holds nine records each, and ten thousand mapped objects took a second to build.
CELL_COLUMNS = (
    CommitmentRecord.organisation_id,
    CommitmentRecord.commitment,
    CommitmentRecord.status,
    CommitmentRecord.count,
    CommitmentRecord.total,
    CommitmentRecord.confirmed_at,
)


def rows_for(session: Session, organisations: list[Organisation]) -> list[Row]:
    """The cells of these organisations: one query for their records, one for plans in force."""
    ids = [o.id for o in organisations]
    records = {
        (r.organisation_id, r.commitment): r
        for r in session.execute(
            select(*CELL_COLUMNS).where(CommitmentRecord.organisation_id.in_(ids))
        )
    }
    covered = _plans_covering(session, ids)
    rows = []
    for organisation in organisations:
        row = Row(organisation)
        for commitment in commitments.all_commitments():
            if not commitment.applies(organisation.kind):
                row.cells.append(Cell("", "Does not apply", applies=False))
                continue
            record = records.get((organisation.id, commitment.key))
            plan = covered.get(organisation.id) if commitment.measure == "plan" else None
            status = record.status if record is not None else Status.NOT_STARTED.value
            if plan is not None:
                status = Status.MET.value
            row.cells.append(
                Cell(
                    status,
                    describe(commitment, record, plan),
                    confirmed=record is not None and record.confirmed_at is not None,
                )
            )
        rows.append(row)
    return rows


def _plans_covering(session: Session, ids: list[int]) -> dict[int, PsirfPlan]:
    """Each organisation's plan in force: its own first, else its group's."""
    if not ids:
        return {}
    member_groups = session.execute(
        select(OrganisationMembership.member_id, OrganisationMembership.group_id).where(
            OrganisationMembership.member_id.in_(ids)
        )
    ).all()
    candidates = set(ids) | {g for _, g in member_groups}
    plans = {
        p.organisation_id: p
        for p in session.scalars(
            select(PsirfPlan)
            .where(PsirfPlan.organisation_id.in_(candidates), PsirfPlan.state.in_(IN_FORCE))
            .order_by(PsirfPlan.number)
        )
    }
    found = {i: plans[i] for i in ids if i in plans}
    for member, group in member_groups:
        if member not in found and group in plans:
            found[member] = plans[group]
    return found


def _by_name(session: Session, stmt, cursor: str | None, size: int) -> MapPage:
    """A page of the organisations `stmt` selects, by name then id, with their rows."""
    after = _after(cursor)
    if after is not None:
        name, last_id = after
        stmt = stmt.where(
            or_(
                Organisation.name > name, and_(Organisation.name == name, Organisation.id > last_id)
            )
        )
    found = list(session.scalars(stmt.order_by(Organisation.name, Organisation.id).limit(size + 1)))
    more = len(found) > size
    found = found[:size]
    return MapPage(
        rows_for(session, found),
        _cursor(found[-1]) if more and found else None,
        has_previous=after is not None,
    )


def page(session: Session, user, filters: Filters, cursor: str | None, size: int) -> MapPage:
    stmt = select(Organisation).where(Organisation.id.in_(_organisations(user, filters)))
    return _by_name(session, stmt, cursor, size)


def all_rows(session: Session, user, filters: Filters, chunk: int = 500):
    """Every row, in name order, read a chunk at a time (the CSV)."""
    cursor = None
    while True:
        found = page(session, user, filters, cursor, chunk)
        yield from found.rows
        if found.next_cursor is None:
            return
        cursor = found.next_cursor


# ---- the gaps -----------------------------------------------------------------------------------


def gaps(
    session: Session, user, filters: Filters, commitment: Commitment, cursor: str | None, size: int
) -> MapPage:
    """The organisations the commitment applies to that do not have it in place, by name."""
    stmt = select(Organisation).where(
        Organisation.id.in_(_organisations(user, filters)),
        Organisation.kind.in_(list(commitment.applies_to)),
        ~_met(commitment, Organisation.id),
    )
    return _by_name(session, stmt, cursor, size)


def csv_header() -> list[str]:
    return ["Organisation", "ODS code", "Type"] + [c.label for c in commitments.all_commitments()]


def csv_totals_line(count: int, totals: list[Total]) -> list[str]:
    """The map's totals as the table's last row: each commitment in place of those it applies to."""
    shares = [
        "Does not apply" if t.percent is None else f"{t.met} of {t.applicable} ({t.percent}%)"
        for t in totals
    ]
    return ["Total in place", "", f"{count} organisations"] + shares


def csv_line(row: Row) -> list[str]:
    o = row.organisation
    return [o.name, o.ods_code, o.kind_label] + [c.text for c in row.cells]
