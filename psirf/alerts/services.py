"""National patient safety alerts: recording one as a draft, adding its actions, issuing it to the
services it applies to, and each service confirming each action, with the evidence kept.

Issuing is an explicit step: a draft's actions may be added and removed; once issued the actions
and the services it applies to are fixed (a service of that type added later is not sent it), and
every service has one confirmation per action, "not yet confirmed" until its lead answers. Who may
do what is the policy's (`psirf.policy.alerts`); these functions ask it. Every change is audited in
the same transaction and versioned, so two people at once cannot overwrite each other unseen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from sqlalchemy import and_, case, func, insert, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from psirf import audit, policy
from psirf.alerts.models import (
    FINISHED,
    Alert,
    AlertAction,
    AlertConfirmation,
    AlertRecipient,
    AlertState,
    ConfirmationEntry,
    ConfirmationStatus,
)
from psirf.db import ChangedBySomeoneElse, check_version, flush, record_change
from psirf.organisations.models import (
    SERVICE_KINDS,
    Organisation,
    OrganisationKind,
    OrganisationMembership,
)
from psirf.problems import InputError
from psirf.timeutil import utcnow
from psirf.web.inputs import record_id
from psirf.web.pagination import Page, keyset_page

SERVICE_KIND_CHOICES = [(k.value, k.label) for k in OrganisationKind if k in SERVICE_KINDS]


# ---- recording and issuing -----------------------------------------------------------------------


def issuing_organisations(session: Session, user) -> list[Organisation]:
    ids = policy.alert_issuers(user)
    if not ids:
        return []
    return list(
        session.scalars(
            select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)
        )
    )


def _required(field: str, value: str | None, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InputError(field, message)
    return value


def check_link(link: str | None) -> str:
    link = _required("link", link, "Enter the link to the alert")
    parts = urlsplit(link)
    if parts.scheme != "https" or not parts.netloc or " " in link:
        raise InputError("link", "Enter the link as a web address starting with https://")
    return link


def check_kinds(kinds: list[str] | None) -> list[str]:
    allowed = [value for value, _ in SERVICE_KIND_CHOICES]
    chosen = [k for k in allowed if k in set(kinds or [])]
    if not chosen or len(chosen) != len(set(kinds or [])):
        raise InputError("service_kinds", "Choose the types of service the alert applies to")
    return chosen


def create(
    session: Session,
    user,
    organisation_id: int | None,
    reference: str,
    title: str,
    issued_on: date | None,
    link: str,
    service_kinds: list[str],
    actions: list[tuple[str, date | None]] = (),
) -> Alert:
    """A draft alert (with any actions given); nothing is sent until it is issued."""
    issuers = policy.require_may_record_alerts(user)
    organisation = session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None or organisation.id not in issuers:
        raise InputError("organisation_id", "Choose who the alert is recorded for")
    reference, title, issued_on, link, kinds = _details(
        session, organisation.id, None, reference, title, issued_on, link, service_kinds
    )
    alert = Alert(
        icb_id=organisation.id
        if organisation.kind == OrganisationKind.ICB.value
        else organisation.icb_id,
        organisation_id=organisation.id,
        reference=reference,
        title=title,
        issued_on=issued_on,
        link=link,
        service_kinds=kinds,
        state=AlertState.DRAFT.value,
        created_by_id=user.id,
    )
    for description, deadline in actions:
        alert.actions.append(_new_action(alert, description, deadline))
    session.add(alert)
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        action="alert:create",
        subject=alert,
        organisation_id=organisation.id,
        changes={
            name: {"before": None, "after": value}
            for name, value in audit.snapshot(alert, list(DETAILS)).items()
        },
    )
    session.flush()
    return alert


DETAILS = ("reference", "title", "issued_on", "link", "service_kinds")


def _details(
    session: Session,
    organisation_id: int,
    alert_id: int | None,
    reference: str,
    title: str,
    issued_on: date | None,
    link: str,
    service_kinds: list[str],
) -> tuple[str, str, date, str, str]:
    """An alert's details checked (a new one's, or a draft's changed): its reference unique for
    the organisation that records it; returns them as the row keeps them."""
    reference = _required("reference", reference, "Enter the alert's reference")
    title = _required("title", title, "Enter the alert's title")
    if issued_on is None:
        raise InputError("issued_on", "Enter the date the alert was issued")
    if issued_on > utcnow().date():
        # As the form's date boxes say: the API and the form take the same dates.
        raise InputError("issued_on", "The date the alert was issued must be today or in the past")
    link = check_link(link)
    kinds = check_kinds(service_kinds)
    taken = select(Alert.id).where(
        Alert.organisation_id == organisation_id, Alert.reference == reference
    )
    if alert_id is not None:
        taken = taken.where(Alert.id != alert_id)
    if session.scalar(taken):
        raise InputError("reference", "An alert with this reference has already been recorded")
    return reference, title, issued_on, link, ",".join(kinds)


def edit(
    session: Session,
    user,
    alert: Alert,
    reference: str,
    title: str,
    issued_on: date | None,
    link: str,
    service_kinds: list[str],
    version: int,
) -> None:
    """Change a draft's details. Once issued they are fixed, like its actions and the services it
    went to: what was sent is what the services confirmed against."""
    _draft(session, user, alert, version)
    values = dict(
        zip(
            DETAILS,
            _details(
                session,
                alert.organisation_id,
                alert.id,
                reference,
                title,
                issued_on,
                link,
                service_kinds,
            ),
        )
    )
    early = [a for a in alert.actions if a.deadline < values["issued_on"]]
    if early:
        raise InputError(
            "issued_on", "The issue date must be on or before the deadline of every action"
        )
    before = audit.snapshot(alert, list(DETAILS))
    for name, value in values.items():
        setattr(alert, name, value)
    after = audit.snapshot(alert, list(DETAILS))
    record_change(
        session,
        alert,
        actor_id=user.id,
        action="alert:edit",
        changes={
            name: {"before": before[name], "after": after[name]}
            for name in DETAILS
            if before[name] != after[name]
        },
    )


def delete_draft(session: Session, user, alert: Alert, version: int) -> None:
    """Delete a draft (with its actions): nothing was sent, so nothing else refers to it. The
    audit record keeps what it was. An issued alert is never deleted."""
    _draft(
        session, user, alert, version, "This alert has been issued: it can no longer be deleted."
    )
    audit.record(
        session,
        actor_id=user.id,
        action="alert:delete",
        subject=alert,
        organisation_id=alert.organisation_id,
        changes={
            **{
                name: {"before": value, "after": None}
                for name, value in audit.snapshot(alert, list(DETAILS)).items()
            },
            "actions": {"before": len(alert.actions), "after": None},
        },
    )
    session.delete(alert)
    flush(session)


def _new_action(alert: Alert, description: str, deadline: date | None) -> AlertAction:
    description = _required("description", description, "Say what services must do")
    if deadline is None:
        raise InputError("deadline", "Enter the deadline for the action")
    if alert.issued_on and deadline < alert.issued_on:
        raise InputError("deadline", "The deadline must be on or after the alert's issue date")
    return AlertAction(description=description, deadline=deadline)


def _draft(
    session: Session,
    user,
    alert: Alert,
    expected_version: int | None,
    refusal: str = "This alert has been issued: its details and actions can no longer change.",
) -> None:
    """A draft the person manages, as they read it. Its row is locked first, so a change made at
    the same moment (issuing it, deleting it) waits and then finds the version moved on: without
    the lock, deleting a draft issued a moment ago met its confirmations (a database error), and
    issuing one deleted a moment ago found no actions."""
    policy.require_may_manage_alert(user, alert)
    check_version(alert, expected_version)
    current = session.scalar(select(Alert.version_id).where(Alert.id == alert.id).with_for_update())
    if current != alert.version_id:
        raise ChangedBySomeoneElse()
    if alert.is_issued:
        raise InputError(None, refusal)


def add_action(
    session: Session, user, alert: Alert, description: str, deadline: date | None, version: int
) -> AlertAction:
    _draft(session, user, alert, version)
    action = _new_action(alert, description, deadline)
    alert.actions.append(action)
    session.flush()
    record_change(
        session,
        alert,
        actor_id=user.id,
        action="alert:add_action",
        changes={
            f"actions[{action.id}]": {
                "before": None,
                "after": {"description": action.description, "deadline": deadline.isoformat()},
            }
        },
    )
    return action


def remove_action(session: Session, user, alert: Alert, action_id: int, version: int) -> None:
    _draft(session, user, alert, version)
    action = next((a for a in alert.actions if a.id == action_id), None)
    if action is None:
        raise policy.NotVisible("Page not found")
    before = {"description": action.description, "deadline": action.deadline.isoformat()}
    alert.actions.remove(action)
    record_change(
        session,
        alert,
        actor_id=user.id,
        action="alert:remove_action",
        changes={f"actions[{action_id}]": {"before": before, "after": None}},
    )


def _recipients_query(alert: Alert):
    """The services the alert applies to: of its types, in the ICB (an ICB's alert) or among the
    group's members (a PCN's or federation's)."""
    stmt = select(Organisation.id).where(
        Organisation.kind.in_(alert.kinds), Organisation.icb_id == alert.icb_id
    )
    if alert.organisation_id != alert.icb_id:
        members = select(OrganisationMembership.member_id).where(
            OrganisationMembership.group_id == alert.organisation_id
        )
        stmt = stmt.where(Organisation.id.in_(members))
    return stmt.order_by(Organisation.id)


def issue(session: Session, user, alert: Alert, version: int, now: datetime | None = None) -> int:
    """Send the alert to every service it applies to; returns how many. Actions are fixed now."""
    _draft(session, user, alert, version)
    if not alert.actions:
        raise InputError(None, "Add at least one action before issuing the alert.")
    recipients = list(session.scalars(_recipients_query(alert)))
    if not recipients:
        raise InputError(
            None, "No service of the types chosen is covered, so there is no one to send it to."
        )
    now = now or utcnow()
    alert.state = AlertState.ISSUED.value
    alert.sent_at, alert.sent_by_id = now, user.id
    record_change(
        session,
        alert,
        actor_id=user.id,
        action="alert:issue",
        changes={
            "state": {"before": AlertState.DRAFT.value, "after": AlertState.ISSUED.value},
            "recipients": {"before": None, "after": len(recipients)},
        },
    )
    session.execute(
        insert(AlertRecipient),
        [{"alert_id": alert.id, "organisation_id": org} for org in recipients],
    )
    session.execute(
        insert(AlertConfirmation),
        [
            {
                "alert_id": alert.id,
                "action_id": action.id,
                "organisation_id": org,
                "deadline": action.deadline,
                "status": ConfirmationStatus.AWAITING.value,
                "created_at": now,
                "updated_at": now,
                "version_id": 1,
            }
            for org in recipients
            for action in alert.actions
        ],
    )
    session.flush()
    return len(recipients)


# ---- confirming ----------------------------------------------------------------------------------

ANSWERS = [
    ConfirmationStatus.DONE,
    ConfirmationStatus.NOT_APPLICABLE,
    ConfirmationStatus.IN_PROGRESS,
]
CONFIRMATION_FIELDS = ("status", "note", "reason", "expected_on", "done_on")


@dataclass
class Answer:
    status: str
    note: str | None = None
    reason: str | None = None
    expected_on: date | None = None
    done_on: date | None = None


def checked_answer(answer: Answer, today: date) -> Answer:
    """The answer as it is kept (the fields of the other statuses dropped), or InputError."""
    note = (answer.note or "").strip() or None
    if answer.status == ConfirmationStatus.DONE.value:
        if answer.done_on is None:
            raise InputError("done_on", "Enter the date the action was done")
        if answer.done_on > today:
            raise InputError("done_on", "The date the action was done must be today or in the past")
        return Answer(answer.status, note, done_on=answer.done_on)
    if answer.status == ConfirmationStatus.NOT_APPLICABLE.value:
        reason = (answer.reason or "").strip()
        if not reason:
            raise InputError("reason", "Say why the action does not apply to your service")
        return Answer(answer.status, note, reason=reason)
    if answer.status == ConfirmationStatus.IN_PROGRESS.value:
        if answer.expected_on is None:
            raise InputError("expected_on", "Enter the date you expect the action to be done")
        return Answer(answer.status, note, expected_on=answer.expected_on)
    raise InputError("status", "Choose whether the action is done, not applicable or in progress")


def confirm(
    session: Session,
    user,
    confirmation: AlertConfirmation,
    answer: Answer,
    version: int | None,
    today: date,
    now: datetime | None = None,
) -> AlertConfirmation:
    """A service's answer to one action. The confirmation's version is checked and bumped, so of
    two people answering at once one wins and the other is told (their answer kept on the page)."""
    policy.require_may_confirm_alert_actions(user, confirmation.organisation)
    check_version(confirmation, version)
    answer = checked_answer(answer, today)
    now = now or utcnow()
    before = audit.snapshot(confirmation, CONFIRMATION_FIELDS)
    for name in CONFIRMATION_FIELDS:
        setattr(confirmation, name, getattr(answer, name))
    confirmation.confirmed_by_id, confirmation.confirmed_at = user.id, now
    changes = audit.diff(before, audit.snapshot(confirmation, CONFIRMATION_FIELDS))
    session.add(
        ConfirmationEntry(
            confirmation_id=confirmation.id,
            confirmed_by_id=user.id,
            confirmed_at=now,
            **{name: getattr(answer, name) for name in CONFIRMATION_FIELDS},
        )
    )
    # Confirming the same answer again still says who confirmed it and when.
    record_change(
        session,
        confirmation,
        actor_id=user.id,
        action="alert:confirm",
        changes=changes or {"confirmed_at": {"before": None, "after": now.isoformat()}},
    )
    return confirmation


# ---- reading -------------------------------------------------------------------------------------


def get_visible(session: Session, user, alert_id: int) -> Alert:
    alert = session.scalar(
        select(Alert)
        .where(Alert.id == alert_id, policy.alert_scope(user, Alert, AlertRecipient))
        .options(selectinload(Alert.actions))
    )
    if alert is None:
        raise policy.NotVisible("Page not found")
    return alert


def recipients_of(session: Session, alert: Alert) -> list[Organisation]:
    return list(
        session.scalars(
            select(Organisation)
            .join(AlertRecipient, AlertRecipient.organisation_id == Organisation.id)
            .where(AlertRecipient.alert_id == alert.id)
            .options(selectinload(Organisation.groups))
        )
    )


def listing(session: Session, user, cursor: str | None, size: int) -> Page:
    stmt = select(Alert).where(policy.alert_scope(user, Alert, AlertRecipient))
    return keyset_page(session, stmt, Alert, cursor, size)


@dataclass(frozen=True)
class Tally:
    """Confirmations in a person's view of an alert (or of one action)."""

    total: int = 0
    done: int = 0
    not_applicable: int = 0
    in_progress: int = 0
    awaiting: int = 0
    overdue: int = 0

    @property
    def finished(self) -> int:
        return self.done + self.not_applicable


def _tally_columns(today: date):
    def count_of(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    status = AlertConfirmation.status
    return (
        func.count(AlertConfirmation.id),
        count_of(status == ConfirmationStatus.DONE.value),
        count_of(status == ConfirmationStatus.NOT_APPLICABLE.value),
        count_of(status == ConfirmationStatus.IN_PROGRESS.value),
        count_of(status == ConfirmationStatus.AWAITING.value),
        count_of(overdue_clause(today)),
    )


def overdue_clause(today: date):
    return and_(AlertConfirmation.status.not_in(FINISHED), AlertConfirmation.deadline < today)


def tallies_by_alert(session: Session, user, alert_ids: list[int], today: date) -> dict[int, Tally]:
    """Each alert's confirmations within `user`'s view, in one GROUP BY query."""
    if not alert_ids:
        return {}
    rows = session.execute(
        select(AlertConfirmation.alert_id, *_tally_columns(today))
        .where(
            AlertConfirmation.alert_id.in_(alert_ids),
            policy.alert_progress_scope(user, AlertConfirmation.organisation_id),
        )
        .group_by(AlertConfirmation.alert_id)
    )
    return {row[0]: Tally(*(int(v) for v in row[1:])) for row in rows}


def tallies_by_action(session: Session, user, alert: Alert, today: date) -> dict[int, Tally]:
    rows = session.execute(
        select(AlertConfirmation.action_id, *_tally_columns(today))
        .where(
            AlertConfirmation.alert_id == alert.id,
            policy.alert_progress_scope(user, AlertConfirmation.organisation_id),
        )
        .group_by(AlertConfirmation.action_id)
    )
    return {row[0]: Tally(*(int(v) for v in row[1:])) for row in rows}


@dataclass
class OrganisationRow:
    organisation: Organisation
    cells: dict[int, AlertConfirmation]  # by action id

    def overdue(self, today: date) -> bool:
        return any(c.is_overdue(today) for c in self.cells.values())


@dataclass
class Matrix:
    rows: list[OrganisationRow]
    next_after: str | None  # the last organisation's name and id, for the next page
    organisations: int  # in the person's view (with the filter)


def _after(cursor: str | None) -> tuple[str, int] | None:
    if not cursor or "|" not in cursor or len(cursor) > 400:
        return None
    name, _, row_id = cursor.rpartition("|")
    row_id = record_id(row_id)  # str.isdigit takes "²", which int() refuses
    return (name, row_id) if row_id is not None else None


def progress_matrix(
    session: Session,
    user,
    alert: Alert,
    today: date,
    cursor: str | None,
    size: int,
    only_overdue: bool = False,
) -> Matrix:
    """A page of the services the alert applies to (in the person's view), by name, each with its
    confirmation of every action: two queries however many services and actions."""
    scope = policy.alert_progress_scope(user, AlertRecipient.organisation_id)
    stmt = (
        select(Organisation)
        .join(AlertRecipient, AlertRecipient.organisation_id == Organisation.id)
        .where(AlertRecipient.alert_id == alert.id, scope)
    )
    if only_overdue:
        late = select(AlertConfirmation.organisation_id).where(
            AlertConfirmation.alert_id == alert.id, overdue_clause(today)
        )
        stmt = stmt.where(Organisation.id.in_(late))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    after = _after(cursor)
    if after:
        stmt = stmt.where(
            or_(
                Organisation.name > after[0],
                and_(Organisation.name == after[0], Organisation.id > after[1]),
            )
        )
    organisations = list(
        session.scalars(stmt.order_by(Organisation.name, Organisation.id).limit(size + 1))
    )
    more = len(organisations) > size
    organisations = organisations[:size]
    cells: dict[int, dict[int, AlertConfirmation]] = {o.id: {} for o in organisations}
    if organisations:
        for c in session.scalars(
            select(AlertConfirmation).where(
                AlertConfirmation.alert_id == alert.id,
                AlertConfirmation.organisation_id.in_(list(cells)),
            )
        ):
            cells[c.organisation_id][c.action_id] = c
    last = organisations[-1] if more else None
    return Matrix(
        rows=[OrganisationRow(o, cells[o.id]) for o in organisations],
        next_after=f"{last.name}|{last.id}" if last else None,
        organisations=int(total or 0),
    )


def confirmations_of(
    session: Session, alert: Alert, organisation: Organisation
) -> list[AlertConfirmation]:
    return list(
        session.scalars(
            select(AlertConfirmation)
            .join(AlertAction, AlertAction.id == AlertConfirmation.action_id)
            .where(
                AlertConfirmation.alert_id == alert.id,
                AlertConfirmation.organisation_id == organisation.id,
            )
            .options(
                joinedload(AlertConfirmation.action), joinedload(AlertConfirmation.confirmed_by)
            )
            .order_by(AlertAction.deadline, AlertAction.id)
        )
    )


def history_of(session: Session, confirmation_ids: list[int]) -> dict[int, list[ConfirmationEntry]]:
    found: dict[int, list[ConfirmationEntry]] = {i: [] for i in confirmation_ids}
    if confirmation_ids:
        for entry in session.scalars(
            select(ConfirmationEntry)
            .where(ConfirmationEntry.confirmation_id.in_(confirmation_ids))
            .options(joinedload(ConfirmationEntry.confirmed_by))
            .order_by(ConfirmationEntry.confirmed_at.desc(), ConfirmationEntry.id.desc())
        ):
            found[entry.confirmation_id].append(entry)
    return found


def get_recipient(session: Session, alert: Alert, organisation_id: int) -> Organisation | None:
    return session.scalar(
        select(Organisation)
        .join(AlertRecipient, AlertRecipient.organisation_id == Organisation.id)
        .where(AlertRecipient.alert_id == alert.id, Organisation.id == organisation_id)
    )


def confirmation_of(
    session: Session, alert: Alert, confirmation_id: int
) -> AlertConfirmation | None:
    """The confirmation with this id if it is one of `alert`'s, else None."""
    return session.scalar(
        select(AlertConfirmation).where(
            AlertConfirmation.id == confirmation_id, AlertConfirmation.alert_id == alert.id
        )
    )


def get_confirmation(
    session: Session, alert: Alert, organisation: Organisation, action_id: int
) -> AlertConfirmation | None:
    return session.scalar(
        select(AlertConfirmation).where(
            AlertConfirmation.alert_id == alert.id,
            AlertConfirmation.organisation_id == organisation.id,
            AlertConfirmation.action_id == action_id,
        )
    )


def overdue(session: Session, user, today: date, cursor: str | None, size: int) -> Page:
    """Every overdue confirmation in `user`'s view of issued alerts: the longest overdue first."""
    stmt = (
        select(AlertConfirmation)
        .join(Alert, Alert.id == AlertConfirmation.alert_id)
        .where(
            overdue_clause(today),
            policy.alert_progress_scope(user, AlertConfirmation.organisation_id),
            policy.alert_scope(user, Alert, AlertRecipient),
        )
        .options(
            joinedload(AlertConfirmation.alert),
            joinedload(AlertConfirmation.action),
            joinedload(AlertConfirmation.organisation),
        )
    )
    # Keyset on (deadline, id), oldest deadline first; the cursor carries both.
    after = _overdue_after(cursor)
    if after:
        stmt = stmt.where(
            or_(
                AlertConfirmation.deadline > after[0],
                and_(AlertConfirmation.deadline == after[0], AlertConfirmation.id > after[1]),
            )
        )
    rows = list(
        session.scalars(
            stmt.order_by(AlertConfirmation.deadline, AlertConfirmation.id).limit(size + 1)
        )
    )
    items = rows[:size]
    last = items[-1] if len(rows) > size else None
    return Page(
        items=items,
        next_cursor=f"{last.deadline.isoformat()}|{last.id}" if last else None,
        has_previous=after is not None,
    )


def _overdue_after(cursor: str | None) -> tuple[date, int] | None:
    if not cursor or len(cursor) > 40:
        return None
    day, _, row_id = cursor.partition("|")
    if not (row_id.isdigit() and len(row_id) < 10):
        return None
    try:
        return date.fromisoformat(day), int(row_id)
    except ValueError:
        return None


CSV_HEADER = [
    "Organisation",
    "ODS code",
    "Action",
    "Deadline",
    "Status",
    "Overdue",
    "Done on",
    "Expected on",
    "Reason not applicable",
    "Note",
    "Confirmed by",
    "Confirmed at (UTC)",
]


def csv_rows(session: Session, user, alert: Alert, today: date):
    """Every confirmation of the alert in `user`'s view, one row each, streamed in batches."""
    from psirf.accounts.models import User

    stmt = (
        select(
            Organisation.name,
            Organisation.ods_code,
            AlertAction.description,
            AlertConfirmation.deadline,
            AlertConfirmation.status,
            AlertConfirmation.done_on,
            AlertConfirmation.expected_on,
            AlertConfirmation.reason,
            AlertConfirmation.note,
            User.name,
            AlertConfirmation.confirmed_at,
        )
        .join(Organisation, Organisation.id == AlertConfirmation.organisation_id)
        .join(AlertAction, AlertAction.id == AlertConfirmation.action_id)
        .outerjoin(User, User.id == AlertConfirmation.confirmed_by_id)
        .where(
            AlertConfirmation.alert_id == alert.id,
            policy.alert_progress_scope(user, AlertConfirmation.organisation_id),
        )
        .order_by(Organisation.name, Organisation.id, AlertAction.deadline, AlertAction.id)
        .execution_options(yield_per=500)
    )
    for row in session.execute(stmt):
        (name, ods, action, deadline, status, done_on, expected_on, reason, note, by, at) = row
        late = status not in FINISHED and deadline < today
        yield [
            name,
            ods,
            action,
            deadline.isoformat(),
            ConfirmationStatus.label_for(status),
            "Yes" if late else "No",
            done_on.isoformat() if done_on else "",
            expected_on.isoformat() if expected_on else "",
            reason or "",
            note or "",
            by or "",
            at.strftime("%Y-%m-%d %H:%M") if at else "",
        ]
