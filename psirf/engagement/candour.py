"""The statutory duty of candour (regulation 20): the notifiable safety incident test for providers
that are not health service bodies, and the notification steps against a local target in working
days. The regulation sets no day count; the target is configurable and never called a deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf import policy
from psirf.config import PROJECT_ROOT
from psirf.engagement.labels import CANDOUR_STEP_FIELDS
from psirf.engagement.models import (
    AttemptPurpose,
    CandourDecision,
    CandourRecord,
    ContactAttempt,
    ContactMeans,
)
from psirf.events.lfpse import PhysicalHarm, PsychologicalHarm
from psirf.responses.models import LearningResponse

from psirf.engagement.services import _clean, _done, _not_future, check_edit
from psirf.problems import InputError

CANDOUR_CRITERIA_FILE = PROJECT_ROOT / "seed" / "candour_criteria.yaml"
# The harm grades that suggest the notifiable safety incident test should be considered.
CANDOUR_PHYSICAL = frozenset(
    {PhysicalHarm.MODERATE.value, PhysicalHarm.SEVERE.value, PhysicalHarm.FATAL.value}
)
CANDOUR_PSYCHOLOGICAL = frozenset(
    {PsychologicalHarm.MODERATE.value, PsychologicalHarm.SEVERE.value}
)


# ---- the statutory duty of candour ---------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    hint: str | None = None


@lru_cache(maxsize=1)
def candour_criteria() -> tuple[Criterion, ...]:
    """The notifiable safety incident test for providers that are not health service bodies."""
    with open(CANDOUR_CRITERIA_FILE, encoding="utf-8") as f:
        return tuple(Criterion(c["key"], c["label"], c.get("hint")) for c in yaml.safe_load(f))


def candour_reasons(response: LearningResponse) -> list[str]:
    """The harm recorded on the response's events that suggests the candour test: empty when none."""
    reasons = []
    for event in response.events:
        if event.physical_harm in CANDOUR_PHYSICAL:
            reasons.append(f"{event.reference}: {PhysicalHarm.label_for(event.physical_harm)}")
        if event.psychological_harm in CANDOUR_PSYCHOLOGICAL:
            reasons.append(
                f"{event.reference}: {PsychologicalHarm.label_for(event.psychological_harm)}"
            )
    return reasons


def candour_suggested(response: LearningResponse) -> bool:
    return bool(candour_reasons(response))


def candour_of(session: Session, response: LearningResponse) -> CandourRecord | None:
    return session.scalar(select(CandourRecord).where(CandourRecord.response_id == response.id))


def decide_candour(
    session: Session,
    user,
    response: LearningResponse,
    *,
    decision: str,
    criteria: list[str],
    reason: str | None,
    decided_on: date,
    expected_version: int | None,
    today: date | None = None,
) -> CandourRecord:
    """The lead confirms the duty applies (naming the criteria met) or rules it out with a reason."""
    check_edit(user, response, expected_version)
    _not_future(decided_on, "decided_on", today or date.today())
    known = [c.key for c in candour_criteria()]
    chosen = [k for k in known if k in set(criteria or [])]
    reason = _clean(reason)
    if decision == CandourDecision.APPLIES.value:
        if not chosen:
            raise InputError("criteria", "Choose which of the criteria are met")
    elif decision == CandourDecision.RULED_OUT.value:
        if not reason:
            raise InputError("reason", "Say why the duty of candour does not apply")
        chosen = []
    else:
        raise InputError("decision", "Choose whether the duty of candour applies")
    record = candour_of(session, response)
    before = record.decision if record else None
    if record is None:
        record = CandourRecord(response_id=response.id, decision=decision, decided_on=decided_on)
        session.add(record)
    record.decision, record.criteria, record.reason = decision, chosen, reason
    record.decided_on, record.decided_by_id = decided_on, user.id
    session.flush()
    _done(
        session,
        user,
        response,
        "candour:decided",
        {
            "candour": {
                "before": CandourDecision.label_for(before) if before else None,
                "after": f"{CandourDecision.label_for(decision)} ({decided_on.isoformat()})",
            }
        },
    )
    return record


def record_candour_steps(
    session: Session,
    user,
    response: LearningResponse,
    values: dict,
    expected_version: int | None,
    today: date | None = None,
) -> None:
    check_edit(user, response, expected_version)
    today = today or date.today()
    record = candour_of(session, response)
    if record is None or not record.applies:
        raise policy.NotPermitted("Confirm the duty of candour applies before recording its steps.")
    values = {k: _clean(values.get(k)) for k in CANDOUR_STEP_FIELDS}
    for name in ("notified_on", "written_on", "results_shared_on"):
        _not_future(values[name], name, today)
    if values["notified_on"]:
        if values["notified_means"] not in (ContactMeans.IN_PERSON.value, ContactMeans.PHONE.value):
            raise InputError("notified_means", "Say whether they were told in person or by phone")
        if not values["notified_by"]:
            raise InputError("notified_by", "Say who told them")
        if values["apology_given"] is None:
            raise InputError("apology_given", "Say whether an apology was given")
    if (
        values["written_on"]
        and values["notified_on"]
        and values["written_on"] < values["notified_on"]
    ):
        raise InputError(
            "written_on", "The written notification follows the one in person or by phone"
        )
    if values["written_on"] and not values["notified_on"]:
        _attempted_before(session, response, values["written_on"])
    changes = {}
    for name in CANDOUR_STEP_FIELDS:
        old, new = getattr(record, name), values[name]
        if old != new:
            changes[name] = {"before": _plain(old), "after": _plain(new)}
            setattr(record, name, new)
    if changes:
        session.flush()
        _done(session, user, response, "candour:steps", changes)


def _attempted_before(session: Session, response: LearningResponse, written_on: date) -> None:
    """Regulation 20 puts the notification in person first; when the person cannot be reached or
    declines, the recorded attempts to reach them stand in its place. Without either, a written
    notification has nothing to follow."""
    attempted = session.scalar(
        select(ContactAttempt.id)
        .where(
            ContactAttempt.response_id == response.id,
            ContactAttempt.purpose == AttemptPurpose.CANDOUR.value,
            ContactAttempt.attempted_on <= written_on,
        )
        .limit(1)
    )
    if attempted is None:
        raise InputError(
            "written_on",
            "Record the notification in person or by phone, or the attempts to reach them, "
            "before the written notification",
        )


def _plain(value):
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.isoformat()
    return ContactMeans.label_for(value) if value in {m.value for m in ContactMeans} else value


# ---- the local target, in working days ---------------------------------------------------------


def add_working_days(start: date, days: int) -> date:
    """`days` working days (Monday to Friday) after `start`. Bank holidays are not known here."""
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def latest_overdue_decision(today: date, days: int) -> date:
    """The latest confirmation date whose target has passed by `today`: the SQL cut-off."""
    candidate = today - timedelta(days=1)
    while add_working_days(candidate, days) >= today:
        candidate -= timedelta(days=1)
    return candidate


@dataclass
class CandourStep:
    name: str
    label: str
    done_on: date | None
    target_on: date
    overdue: bool


def candour_steps(record: CandourRecord, today: date, days: int) -> list[CandourStep]:
    """Each notification against the local target; overdue once the target day has passed undone."""
    target = add_working_days(record.decided_on, days)
    return [
        CandourStep(
            name,
            label,
            getattr(record, name),
            target,
            getattr(record, name) is None and today > target,
        )
        for name, label in (
            ("notified_on", "Notification in person or by phone, with an apology"),
            ("written_on", "Written notification"),
            ("results_shared_on", "Results of enquiries shared"),
        )
    ]
