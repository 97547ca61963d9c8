"""The statutory duty of candour (regulation 20): the lead's decision under the test the lead
organisation applies (notifiable.py), and the steps taken, complete and in order (candour_steps.py
says when each is due).

Each step is audited on its own. A step recorded before the one it follows is refused with a
message naming what comes first; nothing of the form is written then.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf import policy
from psirf.engagement import notifiable
from psirf.engagement.labels import CANDOUR_STEP_FIELDS
from psirf.engagement.models import (
    AttemptPurpose,
    CandourDecision,
    CandourRecord,
    ContactAttempt,
    ContactMeans,
    Unreachable,
)
from psirf.engagement.services import _clean, _done, _not_future, check_candour
from psirf.problems import InputError
from psirf.responses.models import LearningResponse
from psirf.web import dates

# The fields each step records, by the step's date field (candour_steps.STEPS).
STEP_FIELDS = {
    "notified_on": (
        "notified_on",
        "notified_means",
        "notified_by",
        "apology_given",
        "unreachable",
        "unreachable_on",
    ),
    "written_on": ("written_on",),
    "record_kept_on": ("record_reference", "record_kept_by", "record_kept_on"),
    "support_offered_on": ("support_offered", "support_offered_on"),
    "results_shared_on": ("results_shared_on",),
}
DATE_FIELDS = (
    "notified_on",
    "unreachable_on",
    "written_on",
    "record_kept_on",
    "support_offered_on",
    "results_shared_on",
)
# Free text that may name the people affected: the timeline, which contributing organisations
# also read, says only that it changed.
UNSPOKEN = frozenset({"record_reference", "support_offered"})


def candour_of(session: Session, response: LearningResponse) -> CandourRecord | None:
    return session.scalar(select(CandourRecord).where(CandourRecord.response_id == response.id))


def candour_suggested(response: LearningResponse) -> bool:
    """Whether the harm recorded prompts the lead organisation's test."""
    return bool(notifiable.harm_reasons(response, notifiable.applied_to(response).test))


# ---- the decision ----------------------------------------------------------------------------------


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
    """The lead confirms the duty applies (naming the criteria of their organisation's test that
    are met) or rules it out with a reason. Open on any response, whatever the harm recorded."""
    check_candour(user, response, expected_version)
    _not_future(decided_on, "decided_on", today or date.today())
    test = notifiable.applied_to(response).test
    chosen = [c.key for c in test.criteria if c.key in set(criteria or [])]
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
    record.decision, record.test, record.criteria = decision, test.key, chosen
    record.reason, record.decided_on, record.decided_by_id = reason, decided_on, user.id
    session.flush()
    _done(
        session,
        user,
        response,
        "candour:decided",
        {
            "candour": {
                "before": CandourDecision.label_for(before) if before else None,
                "after": f"{CandourDecision.label_for(decision)} ({decided_on.isoformat()}), "
                f"under {test.name[0].lower()}{test.name[1:]}",
            }
        },
    )
    return record


# ---- the steps -------------------------------------------------------------------------------------


def record_candour_steps(
    session: Session,
    user,
    response: LearningResponse,
    values: dict,
    expected_version: int | None,
    today: date | None = None,
) -> None:
    """Record the steps taken: each checked against the steps it follows, each audited."""
    check_candour(user, response, expected_version)
    today = today or date.today()
    record = candour_of(session, response)
    if record is None or not record.applies:
        raise policy.NotPermitted("Confirm the duty of candour applies before recording its steps.")
    values = {k: _clean(values.get(k)) for k in CANDOUR_STEP_FIELDS}
    for name in DATE_FIELDS:
        _not_future(values[name], name, today)
    _check_notification(session, response, values)
    _check_written(session, response, values)
    _check_record(values)
    _check_support(values)
    _check_results(values)
    for step, fields in STEP_FIELDS.items():
        changes = {}
        for name in fields:
            old, new = getattr(record, name), values[name]
            if old != new:
                changes[name] = _change(name, old, new)
                setattr(record, name, new)
        if changes:
            session.flush()
            _done(session, user, response, f"candour:{step.removesuffix('_on')}", changes)


def _check_notification(session: Session, response: LearningResponse, values: dict) -> None:
    if values["notified_on"]:
        if values["notified_means"] not in (ContactMeans.IN_PERSON.value, ContactMeans.PHONE.value):
            raise InputError("notified_means", "Say whether they were told in person or by phone")
        if not values["notified_by"]:
            raise InputError("notified_by", "Say who told them")
        if values["apology_given"] is None:
            raise InputError("apology_given", "Say whether an apology was given")
    if values["unreachable"] is None and values["unreachable_on"] is None:
        return
    if values["unreachable"] not in {u.value for u in Unreachable}:
        raise InputError("unreachable", "Say whether they could not be reached or declined")
    if values["unreachable_on"] is None:
        raise InputError(
            "unreachable_on", "Enter the date you concluded they could not be reached or declined"
        )
    _attempted_by(
        session,
        response,
        values["unreachable_on"],
        "unreachable",
        "Record the attempts to reach them before saying they could not be reached or declined",
    )
    if values["notified_on"] and values["notified_on"] < values["unreachable_on"]:
        raise InputError(
            "unreachable_on",
            "They were told on an earlier day: clear this answer, or correct the dates",
        )


def _check_written(session: Session, response: LearningResponse, values: dict) -> None:
    written = values["written_on"]
    if not written:
        return
    if not values["notified_on"]:
        # When the person cannot be reached or declines, the recorded attempts stand in the
        # notification's place; without either, a written notification has nothing to follow.
        _attempted_by(
            session,
            response,
            written,
            "written_on",
            "Record the notification in person or by phone, or the attempts to reach them, "
            "before the written notification",
        )
    elif written < values["notified_on"]:
        raise InputError(
            "written_on", "The written notification follows the one in person or by phone"
        )


def _check_record(values: dict) -> None:
    kept_on = values["record_kept_on"]
    if not any(values[name] for name in STEP_FIELDS["record_kept_on"]):
        return
    if not values["record_reference"]:
        raise InputError("record_reference", "Say what the secure record is and where it is kept")
    if not values["record_kept_by"]:
        raise InputError("record_kept_by", "Say who confirmed the record is kept securely")
    if not kept_on:
        raise InputError("record_kept_on", "Enter the date the record was confirmed as kept")
    if _unreached(values):
        _on_or_after(kept_on, values["unreachable_on"], "record_kept_on", "the attempts it records")
        return
    if not values["notified_on"]:
        raise InputError(
            "record_kept_on",
            "Record the notification in person, or that they could not be reached or declined, "
            "before the secure record of it",
        )
    if not values["written_on"]:
        raise InputError(
            "record_kept_on",
            "Record the written notification before the secure record: it keeps both",
        )
    _on_or_after(
        kept_on, max(values["notified_on"], values["written_on"]), "record_kept_on", "both"
    )


def _check_support(values: dict) -> None:
    offered_on = values["support_offered_on"]
    if not values["support_offered"] and not offered_on:
        return
    if not values["support_offered"]:
        raise InputError("support_offered", "Say what support was offered")
    if not offered_on:
        raise InputError("support_offered_on", "Enter the date the support was offered")
    first = values["notified_on"] or (values["unreachable_on"] if _unreached(values) else None)
    if first is None:
        raise InputError(
            "support_offered_on",
            "Record the notification in person, or the attempts to reach them, before the "
            "support offered",
        )
    _on_or_after(offered_on, first, "support_offered_on", "the notification")


def _check_results(values: dict) -> None:
    shared_on = values["results_shared_on"]
    if not shared_on:
        return
    if not values["written_on"]:
        raise InputError(
            "results_shared_on",
            "Record the written notification before the results of enquiries: they follow it "
            "in writing",
        )
    _on_or_after(shared_on, values["written_on"], "results_shared_on", "the written notification")


def _unreached(values: dict) -> bool:
    return values["notified_on"] is None and values["unreachable"] is not None


def _on_or_after(day: date, earliest: date, field: str, what: str) -> None:
    if day < earliest:
        raise InputError(field, f"This comes after {what}: enter {dates.day(earliest)} or later")


def _attempted_by(
    session: Session, response: LearningResponse, by: date, field: str, message: str
) -> None:
    attempted = session.scalar(
        select(ContactAttempt.id)
        .where(
            ContactAttempt.response_id == response.id,
            ContactAttempt.purpose == AttemptPurpose.CANDOUR.value,
            ContactAttempt.attempted_on <= by,
        )
        .limit(1)
    )
    if attempted is None:
        raise InputError(field, message)


def _change(name: str, old, new) -> dict:
    if name in UNSPOKEN:
        return {"before": None, "after": "recorded" if new else "removed"}
    return {"before": _plain(old), "after": _plain(new)}


def _plain(value):
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.isoformat()
    for labels in (ContactMeans, Unreachable):
        if value in {m.value for m in labels}:
            return labels.label_for(value)
    return value
