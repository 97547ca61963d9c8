"""Choosing an organisation by searching for it, never from a list of every organisation of an ICB
(which holds a thousand): any part of its name, in any case, or its exact ODS code, within a scope
the caller's policy gives, a short list at a time.

Any part, not only the start: people look for "Mary" in "St Mary's Surgery" or "health centre",
as the public's service search lets them. A scope is one ICB's organisations at most, which its
(icb_id, lower(name)) index (migration 0016) reads in name order, so matching within it costs a
thousand short names whatever the size of the database.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from psirf.organisations.models import Organisation, OrganisationKind
from psirf.web.inputs import record_id

# How many matches a search shows: enough to pick from, never the ICB.
SHOWN = 20
# The longest search taken: no organisation's name is longer (Organisation.name is 200).
QUERY_MAX = 200

GROUP_KINDS = [k.value for k in OrganisationKind if k.is_group]


def normalised(query: str | None) -> str:
    return " ".join((query or "").split())


def _lower_name(session: Session):
    name = func.lower(Organisation.name)
    return name.collate("C") if session.get_bind().dialect.name == "postgresql" else name


def matching(session: Session, query: str) -> ColumnElement[bool]:
    # autoescape: a typed % or _ is a character to find, not a wildcard.
    return or_(
        _lower_name(session).contains(query.lower(), autoescape=True),
        Organisation.ods_code == query.upper(),
    )


def find(
    session: Session, scope: ColumnElement[bool], query: str | None, limit: int = SHOWN
) -> list[Organisation]:
    """Up to `limit` organisations within `scope` whose name holds `query` (in any case) or
    whose ODS code it is, by name. Nothing for an empty or overlong query."""
    query = normalised(query)
    if not query or len(query) > QUERY_MAX:
        return []
    stmt = (
        select(Organisation)
        .where(scope, matching(session, query))
        .order_by(_lower_name(session), Organisation.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def chosen(session: Session, scope: ColumnElement[bool], ids: list[int]) -> list[Organisation]:
    """The organisations among `ids` within `scope`: what a person had ticked, kept on the page
    after another search (and nothing outside the scope, whatever was sent)."""
    if not ids:
        return []
    stmt = select(Organisation).where(scope, Organisation.id.in_(ids))
    return list(session.scalars(stmt.order_by(Organisation.name, Organisation.id)))


def ids_of(values) -> list[int]:
    """The ids among what a form sent as chosen (anything else is no choice), a short list's worth."""
    values = values if isinstance(values, (list, tuple)) else [values]
    ids = [record_id(v) for v in values if v]
    return [i for i in ids if i is not None][:SHOWN]


# ---- the scopes each choice searches within --------------------------------------------------


def in_icb(icb_id: int) -> ColumnElement[bool]:
    """Every organisation within one ICB, not the ICB itself."""
    return Organisation.icb_id == icb_id


def in_icbs(icb_ids: list[int]) -> ColumnElement[bool]:
    """The ICBs and every organisation within them."""
    return or_(Organisation.icb_id.in_(icb_ids), Organisation.id.in_(icb_ids))


def groups_in_icbs(icb_ids: list[int]) -> ColumnElement[bool]:
    return and_(Organisation.icb_id.in_(icb_ids), Organisation.kind.in_(GROUP_KINDS))
