"""Feedback to the people who report: an acknowledgement, the response chosen and why, and at
closure what changed because of their report.

Each message is a ReporterUpdate on the event, in plain words for a member of the public
(seed/reporter_feedback.yaml holds the words; the reading-ease test checks them). A reporter
with an account reads them on "My reports" and is notified; a member of the public follows
their report with its reference and the private code given when they sent it.

PSIRF's just culture applies to every word: nothing here frames a person as the cause, and an
update never carries the lead's internal reasons (the triage rationale, a deviation reason, a
referral body), another patient or any casework note. The lead decides; this says what and why.

Plain functions over a session; the caller's unit of work commits them with the change that
caused them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf import policy
from psirf.accounts.models import User
from psirf.db import check_version, record_change
from psirf.events.models import ReporterUpdate, ReporterUpdateKind, SafetyEvent
from psirf.notifications.models import NotificationKind
from psirf.notifications.services import notify
from psirf.responses.models import LearningResponse, ResponseMethod
from psirf.timeutil import utcnow
from psirf.problems import InputError
from psirf.workflow import runner

SEED_FILE = Path(__file__).resolve().parents[2] / "seed" / "reporter_feedback.yaml"

REFERRAL = "referral"
NO_FURTHER_RESPONSE = "no_further_response"
OUTCOMES = tuple(m.value for m in ResponseMethod) + (REFERRAL, NO_FURTHER_RESPONSE)

# Short enough to read on a phone in one go, long enough to say what changed and how.
WHAT_CHANGED_MAX = 1000

# The private code: no 0/O, 1/I/L or 5/S, so it survives being read aloud or written by hand.
# 10 characters from 29 give about 48 bits; with the follow page throttled per address,
# guessing is out of reach. Shown in two groups of five.
CODE_ALPHABET = "ABCDEFGHJKMNPQRTUVWXYZ2346789"
CODE_LENGTH = 10
CODE_GROUP = 5


# ---- the words ------------------------------------------------------------------------------


@lru_cache(maxsize=2)
def words(path: Path = SEED_FILE) -> dict:
    """The plain words, checked once: a missing outcome fails at the first use, not in a letter."""
    data = yaml.safe_load(path.read_text()) or {}
    missing = [o for o in OUTCOMES if not (data.get("response_chosen") or {}).get(o)]
    missing += [k for k in ("staff", "public") if not (data.get("acknowledged") or {}).get(k)]
    missing += [
        k.value
        for k in ReporterUpdateKind
        if not (data.get("notification_titles") or {}).get(k.value)
    ]
    if missing or not data.get("also_here") or not data.get("notification_body"):
        raise ValueError(
            f"{path.name}: words missing for {missing or 'also_here/notification_body'}"
        )
    return data


def acknowledgement_words(event: SafetyEvent) -> str:
    key = "staff" if event.reporter_user_id else "public"
    return words()["acknowledged"][key].format(reference=event.reference)


def choice_words(outcome: str, local_method: str | None = None) -> str:
    """What will happen and why, for the outcome triage chose: a method, a referral (perhaps with
    a local response alongside) or no further response."""
    chosen = words()["response_chosen"]
    if outcome not in chosen:
        raise ValueError(f"No plain words for the outcome {outcome!r}")
    text = chosen[outcome]
    if outcome == REFERRAL and local_method:
        text = f"{text}\n\n{words()['also_here']} {chosen[local_method]}"
    return text


# ---- writing updates ------------------------------------------------------------------------


def my_report_path(event: SafetyEvent) -> str:
    """Where a reporter with an account reads the updates (the events.my_report route): the
    service layer builds no URLs, so this path is checked against the route by the tests."""
    return f"/events/mine/{event.id}"


def _add(
    session: Session,
    event: SafetyEvent,
    kind: ReporterUpdateKind,
    body: str,
    actor_id: int | None,
    at: datetime | None = None,
) -> ReporterUpdate:
    row = ReporterUpdate(
        event_id=event.id,
        kind=kind.value,
        body=body,
        created_by_id=actor_id,
        created_at=at or utcnow(),
    )
    session.add(row)
    session.flush()
    session.expire(event, ["updates"])
    if event.reporter_user_id:
        reporter = session.get(User, event.reporter_user_id)
        if reporter is not None:
            # The title names only the reference: the email leaves the system, the words do not.
            notify(
                session,
                reporter,
                NotificationKind.REPORT_UPDATE,
                words()["notification_titles"][kind.value].format(reference=event.reference),
                body=words()["notification_body"],
                link=my_report_path(event),
                email=True,
                # The update was written just now: its key cannot have been used.
                dedupe_key=f"reporter-update:{row.id}",
                key_is_new=True,
            )
    return row


def acknowledge(session: Session, event: SafetyEvent) -> ReporterUpdate:
    """The first update, written with the event: its reference and what happens next."""
    return _add(
        session,
        event,
        ReporterUpdateKind.ACKNOWLEDGED,
        acknowledgement_words(event),
        event.reporter_user_id,
    )


def response_chosen(
    session: Session,
    event: SafetyEvent,
    choice: str,
    actor,
    *,
    local_method: str | None = None,
    planned_method: str | None = None,
) -> ReporterUpdate:
    """The update written when triage decides. A lead who keeps an event for insight because the
    plan looks at such events in a thematic review (`planned_method`) says so."""
    outcome = choice
    if choice == NO_FURTHER_RESPONSE and planned_method == ResponseMethod.THEMATIC_REVIEW.value:
        outcome = ResponseMethod.THEMATIC_REVIEW.value
    return _add(
        session,
        event,
        ReporterUpdateKind.RESPONSE_CHOSEN,
        choice_words(outcome, local_method),
        actor.id if actor is not None else None,
    )


# ---- what changed, at closure ---------------------------------------------------------------


def is_final(response: LearningResponse) -> bool:
    return runner.definition_of(response).state(response.state).final


def what_changed_written(session: Session, response: LearningResponse) -> ReporterUpdate | None:
    """The what-changed update already written for this response, if any. An event belongs to
    one response at a time and a final response keeps its events, so one on any of them is it."""
    ids = [e.id for e in response.events]
    if not ids:
        return None
    return session.scalars(
        select(ReporterUpdate)
        .where(
            ReporterUpdate.event_id.in_(ids),
            ReporterUpdate.kind == ReporterUpdateKind.WHAT_CHANGED.value,
        )
        .order_by(ReporterUpdate.created_at, ReporterUpdate.id)
        .limit(1)
    ).first()


@dataclass
class WhatChangedView:
    """What the response page shows about telling reporters what changed."""

    final: bool
    may_write: bool
    written: ReporterUpdate | None
    event_count: int

    @property
    def due(self) -> bool:
        """A closed response with reports linked and nothing told yet: the page reminds."""
        return self.final and self.written is None and self.event_count > 0

    @property
    def show_form(self) -> bool:
        return self.due and self.may_write


def view_for(session: Session, user, response: LearningResponse) -> WhatChangedView:
    final = is_final(response)
    return WhatChangedView(
        final=final,
        may_write=policy.may_tell_reporters(user, response),
        written=what_changed_written(session, response) if final else None,
        event_count=len(response.events),
    )


def write_what_changed(
    session: Session,
    user,
    response: LearningResponse,
    text: str | None,
    expected_version: int | None = None,
) -> list[ReporterUpdate]:
    """Tell every reporter of the response's events what changed: once, after it has ended.

    Refuses (InputError) before writing anything: empty or too long text, a response still
    under way, one whose events moved on to another response, or one already told.
    """
    policy.require_may_tell_reporters(user, response)
    text = (text or "").strip()
    if not text:
        raise InputError("what_changed", "Write what changed because of the report")
    if len(text) > WHAT_CHANGED_MAX:
        raise InputError("what_changed", f"Use {WHAT_CHANGED_MAX:,} characters or fewer")
    if not is_final(response):
        raise InputError("what_changed", "You can say what changed once the response has ended")
    events = list(response.events)
    if not events:
        # Continued, escalated or widened: the events went with it, and so does the news.
        raise InputError(
            "what_changed",
            "No reports are linked to this response any more: tell the reporters from the response that carried them on",
        )
    if what_changed_written(session, response) is not None:
        raise InputError("what_changed", "The reporters have already been told what changed")
    # On the version the writer saw: two leads writing at once cannot both tell the reporters.
    check_version(response, expected_version)
    now = utcnow()
    written = [
        _add(session, event, ReporterUpdateKind.WHAT_CHANGED, text, user.id, now)
        for event in events
    ]
    record_change(
        session,
        response,
        actor_id=user.id,
        action="response:what_changed",
        changes={
            "what_changed": {"before": None, "after": text},
            "reports_told": {"before": None, "after": len(events)},
        },
    )
    return written


# ---- the reporter's own reports -------------------------------------------------------------


def own_report(session: Session, user, event_id: int) -> SafetyEvent:
    """One of `user`'s own reports (identity protected or not); anyone else's is not found."""
    event = session.get(SafetyEvent, event_id)
    if event is None or user is None or event.reporter_user_id != getattr(user, "id", None):
        raise policy.NotVisible("Page not found")
    return event


# ---- following a report with its reference and private code ----------------------------------


def new_follow_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


def normalise_code(code: str | None) -> str:
    """As typed, forgiving spaces, dashes and lower case."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def issue_follow_code(session: Session, event: SafetyEvent) -> str:
    """A new private code for a public report. Only its hash is kept: the code is shown once."""
    code = new_follow_code()
    event.follow_code_hash = hash_code(code)
    session.flush()
    return code


# Compared against when the reference is unknown, so a wrong reference takes as long as a wrong code.
_NO_MATCH = hashlib.sha256(b"no report has this reference").hexdigest()


def follow(session: Session, reference: str | None, code: str | None) -> SafetyEvent | None:
    """The report with this reference, if `code` is its private code; otherwise None, the same
    None whichever of the two was wrong."""
    reference = (reference or "").strip().upper()
    event = (
        session.scalar(select(SafetyEvent).where(SafetyEvent.reference == reference))
        if reference
        else None
    )
    stored = event.follow_code_hash if event is not None and event.follow_code_hash else _NO_MATCH
    matches = hmac.compare_digest(stored, hash_code(code or ""))
    return event if matches and event is not None and event.follow_code_hash else None
