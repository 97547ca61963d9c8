"""The export queue's rules: what is queued, what is due, who claims a row, and what a send records.

- Recording an event queues revision 1 and each correction queues the next, in the same
  transaction (psirf/events/services.py and revisions.py call `enqueue`). A newer revision
  supersedes an older one not yet sent: LFPSE keeps the latest revision of a reference, and the
  JSON is built from the event as it now is, so the older row is closed as not reportable.
- A sender claims due rows with one conditional UPDATE (`claim`): of two senders at once exactly
  one changes each row and sends it. With the unique (event, revision) row this is what stops a
  revision going twice. A claim a sender never finished (it died) is due again after CLAIM_LEASE.
- A failed send is retried with exponential backoff: BACKOFF_FIRST after the first failure, doubled
  each time, at most BACKOFF_MOST.
- An imported event (it has the source system's reference) is never sent, nor any correction of
  it: the system that first recorded it reports it to LFPSE, and a second copy under psirf's
  reference would count it twice nationally. The bulk import records its rows in one INSERT.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    DateTime,
    Integer,
    and_,
    bindparam,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, joinedload

from psirf.events.models import SafetyEvent
from psirf.lfpse.models import WAITING, ExportState, LfpseExport
from psirf.organisations.models import SERVICE_KINDS, Organisation
from psirf.timeutil import in_london
from psirf.web.dates import day, moment

BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MOST = timedelta(hours=6)
CLAIM_LEASE = timedelta(minutes=15)
REASON_MAX = 500
IMPORTED = (
    "Imported from the system that first recorded it, which reports it to LFPSE: psirf does not "
    "send it again."
)


def not_reportable_because(event: SafetyEvent) -> str | None:
    """Why LFPSE does not take this event, or None when it does. LFPSE takes all four record types
    (good care too) from an organisation with an ODS code, and psirf's services are English
    primary care; an event anywhere else (a partner trust, which reports on its own system) is not
    psirf's to send."""
    if event.source_reference is not None:
        return IMPORTED
    if event.organisation.kind_enum not in SERVICE_KINDS:
        return "Not a primary care service: the organisation reports to LFPSE itself."
    return None


def enqueue(
    session: Session, event: SafetyEvent, now: datetime, not_reportable: str | None = None
) -> LfpseExport:
    """Queue the event's current revision (once), superseding any older revision not yet sent.

    `not_reportable` says why this revision must not go (e.g. an event imported from LFPSE's own
    JSON is there already); otherwise `not_reportable_because` decides."""
    why = not_reportable or not_reportable_because(event)
    if event.revision > 1:
        _supersede(session, event)
    row = LfpseExport(
        event_id=event.id,
        organisation_id=event.organisation.id,
        revision=event.revision,
        state=ExportState.NOT_REPORTABLE.value if why else ExportState.PENDING.value,
        reason=why,
        attempts=0,
        next_attempt_at=None if why else now,
        created_at=now,
    )
    session.add(row)
    return row


_IMPORTED_COLUMNS = ("event_id", "organisation_id", "revision", "state", "reason", "attempts",
                     "next_attempt_at", "created_at")  # fmt: skip


def record_imported(session: Session, events: list[tuple[int, int]], now: datetime) -> None:
    """The first revisions of events the bulk import just wrote, given as (id, organisation id):
    not reportable, in one INSERT written from what the import holds (not read back from the
    events): on PostgreSQL one statement over two arrays unnested side by side, on SQLite an
    executemany (in the process, a statement a row is cheap)."""
    if not events:
        return
    events = sorted(events)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(
            _IMPORTED_FROM_ARRAYS,
            {"ids": [e[0] for e in events], "organisations": [e[1] for e in events], "now": now},
        )
        return
    # The driver's own executemany of tuples, past SQLAlchemy's parameters a row; the time as
    # SQLAlchemy stores a DateTime on SQLite.
    stored_now = now.isoformat(" ", "microseconds")
    connection.exec_driver_sql(
        f"INSERT INTO lfpse_exports ({', '.join(_IMPORTED_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in _IMPORTED_COLUMNS)})",
        [(event_id, organisation_id, 1, ExportState.NOT_REPORTABLE.value, IMPORTED, 0, None,
          stored_now) for event_id, organisation_id in events],
    )  # fmt: skip


def _imported_from_arrays():
    pairs = (
        func.unnest(
            bindparam("ids", type_=ARRAY(Integer)),
            bindparam("organisations", type_=ARRAY(Integer)),
        )
        .table_valued("event_id", "organisation_id")
        .render_derived()
    )
    rows = select(
        pairs.c.event_id,
        pairs.c.organisation_id,
        literal(1),
        literal(ExportState.NOT_REPORTABLE.value),
        literal(IMPORTED),
        literal(0),
        null(),
        bindparam("now", type_=DateTime()),
    )
    return insert(LfpseExport.__table__).from_select(list(_IMPORTED_COLUMNS), rows)


_IMPORTED_FROM_ARRAYS = _imported_from_arrays()


def _supersede(session: Session, event: SafetyEvent) -> None:
    session.execute(
        update(LfpseExport)
        .where(
            LfpseExport.event_id == event.id,
            LfpseExport.revision < event.revision,
            LfpseExport.state.in_(WAITING),
        )
        .values(
            state=ExportState.NOT_REPORTABLE.value,
            reason=_superseded(event.revision),
            next_attempt_at=None,
        )
    )


def _due(now: datetime):
    waiting = and_(LfpseExport.state.in_(WAITING), LfpseExport.next_attempt_at <= now)
    abandoned = and_(
        LfpseExport.state == ExportState.SENDING.value,
        LfpseExport.claimed_at <= now - CLAIM_LEASE,
    )
    return or_(waiting, abandoned)


def due_ids(session: Session, now: datetime, limit: int) -> list[int]:
    """Up to `limit` rows due at `now`, oldest due first."""
    stmt = (
        select(LfpseExport.id)
        .where(_due(now))
        .order_by(LfpseExport.next_attempt_at, LfpseExport.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def claim(session: Session, export_ids: list[int], now: datetime) -> list[int]:
    """Take the rows for sending, those still due: the ids this sender took (one statement, so of
    two senders at once each row goes to exactly one)."""
    if not export_ids:
        return []
    taken = session.scalars(
        update(LfpseExport)
        .where(LfpseExport.id.in_(export_ids), _due(now))
        .values(
            state=ExportState.SENDING.value,
            claimed_at=now,
            attempts=LfpseExport.attempts + 1,
        )
        .returning(LfpseExport.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(taken)


def backoff(attempts: int) -> timedelta:
    """How long after its `attempts`-th failure a row waits: 1, 2, 4 ... minutes, at most 6 hours."""
    return min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MOST)


def mark_sent(session: Session, export_id: int, now: datetime) -> None:
    session.execute(
        update(LfpseExport)
        .where(LfpseExport.id == export_id)
        .values(state=ExportState.SENT.value, sent_at=now, reason=None, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )


def mark_failed(session: Session, export_id: int, attempts: int, reason: str, now: datetime):
    session.execute(
        update(LfpseExport)
        .where(LfpseExport.id == export_id)
        .values(
            state=ExportState.FAILED.value,
            reason=reason[:REASON_MAX],
            next_attempt_at=now + backoff(attempts),
        )
        .execution_options(synchronize_session=False)
    )


def mark_superseded(session: Session, export_id: int, revision: int) -> None:
    session.execute(
        update(LfpseExport)
        .where(LfpseExport.id == export_id)
        .values(
            state=ExportState.NOT_REPORTABLE.value,
            reason=_superseded(revision),
            next_attempt_at=None,
        )
        .execution_options(synchronize_session=False)
    )


def _superseded(revision: int) -> str:
    return f"Superseded by revision {revision} before it was sent."


# ---- reading -------------------------------------------------------------------------------------


def latest_for(session: Session, event: SafetyEvent) -> LfpseExport | None:
    """The row of the event's newest queued revision (None for an event queued before the export)."""
    return session.scalar(
        select(LfpseExport)
        .where(LfpseExport.event_id == event.id)
        .order_by(LfpseExport.revision.desc())
        .limit(1)
    )


def last_sent(session: Session, event: SafetyEvent) -> LfpseExport | None:
    return session.scalar(
        select(LfpseExport)
        .where(LfpseExport.event_id == event.id, LfpseExport.state == ExportState.SENT.value)
        .order_by(LfpseExport.revision.desc())
        .limit(1)
    )


OUTSTANDING = (ExportState.PENDING.value, ExportState.SENDING.value, ExportState.FAILED.value)


def outstanding(organisation_ids: list[int]):
    """SQL: the rows not yet sent of these organisations, for a keyset page (newest first)."""
    return (
        select(LfpseExport)
        .where(
            LfpseExport.organisation_id.in_(organisation_ids),
            LfpseExport.state.in_(OUTSTANDING),
        )
        .options(joinedload(LfpseExport.event))  # its reference, in the same query
    )


@dataclass(frozen=True)
class StateCount:
    state: str
    label: str
    count: int


def counts_by_state(session: Session, icb_id: int) -> list[StateCount]:
    """The ICB's services' rows by state, every state listed (0 where none), counted in SQL."""
    stmt = (
        select(LfpseExport.state, func.count())
        .join(Organisation, Organisation.id == LfpseExport.organisation_id)
        .where(Organisation.icb_id == icb_id)
        .group_by(LfpseExport.state)
    )
    found = dict(session.execute(stmt).all())
    return [StateCount(s.value, s.label, found.get(s.value, 0)) for s in ExportState]


def summary(session: Session, event: SafetyEvent) -> str:
    """The event's export state in a sentence, for its page."""
    latest = latest_for(session, event)
    if latest is None:
        return "Not queued: recorded before the LFPSE export began."
    if latest.state == ExportState.SENT.value:
        return f"Revision {latest.revision} sent on {day(latest.sent_at)}."
    if latest.state == ExportState.NOT_REPORTABLE.value:
        return f"Revision {latest.revision} not reportable: {latest.reason}"
    sent = last_sent(session, event)
    before = f" Revision {sent.revision} was sent on {day(sent.sent_at)}." if sent else ""
    if latest.state == ExportState.FAILED.value:
        return (
            f"Revision {latest.revision} failed after {latest.attempts} "
            f"attempt{'s' if latest.attempts != 1 else ''} ({latest.reason}); it will be tried "
            f"again at {moment(in_london(latest.next_attempt_at))}.{before}"
        )
    return f"Revision {latest.revision} not yet sent.{before}"
