"""Two people changing one alert at once, each from what their page showed (real threads, each with
its own session and transaction): one change lands, the other is refused as changed by someone
else; never a database error, a half-issued alert or a confirmation of an action deleted."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from psirf.accounts.models import Role, User
from psirf.alerts import services
from psirf.alerts.models import (
    Alert,
    AlertAction,
    AlertConfirmation,
    AlertRecipient,
    ConfirmationEntry,
)
from psirf.db import ChangedBySomeoneElse
from psirf.extensions import db
from tests.support.alerts import pharmacy, record
from tests.support.bursts import run_together
from tests.support.factories import UserFactory, one_commit

DONE_ON = date(2026, 3, 10)


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _as(user_id: int, alert_id: int):
    """What a person's page read (the alert with its actions, as the pages load it), its version
    then, and who they are."""

    def read():
        user = db.session.get(User, user_id)
        alert = services.get_visible(db.session, user, alert_id)
        return user, alert, alert.version_id

    return read


def _issue(seen):
    user, alert, version = seen
    services.issue(db.session, user, alert, version)


def _delete(seen):
    user, alert, version = seen
    services.delete_draft(db.session, user, alert, version)


def _edit(seen):
    user, alert, version = seen
    services.edit(
        db.session,
        user,
        alert,
        "NatPSA/CHANGED",
        alert.title,
        alert.issued_on,
        alert.link,
        ["pharmacy", "practice"],
        version,
    )


@pytest.fixture
def draft(world):
    with one_commit():
        pharmacy(world, "North Street Pharmacy", world.pcn, "FAA01")
        pharmacy(world, "Southfields Pharmacy", world.other_pcn, "FAA02")
    return record(
        world.icb_specialist,
        world.icb,
        actions=(("Check stock", date(2026, 3, 16)), ("Tell patients", date(2026, 3, 30))),
        issue=False,
    )


def _one_refused(outcome) -> int:
    """Which job went through, after checking the other was told someone else changed it."""
    assert sorted(e is None for e in outcome) == [False, True], outcome
    refused = next(e for e in outcome if e is not None)
    assert isinstance(refused, ChangedBySomeoneElse), repr(refused)
    return outcome.index(None)


@pytest.mark.parametrize("in_turn", [True, False], ids=["one after the other", "at once"])
@pytest.mark.parametrize("first", ["issue", "delete"])
def test_issuing_a_draft_while_it_is_deleted(app, world, draft, first, in_turn):
    jobs = {"issue": _issue, "delete": _delete}
    order = [first, "delete" if first == "issue" else "issue"]
    read = _as(world.icb_specialist.id, draft.id)
    won = order[_one_refused(run_together(app, [(read, jobs[o]) for o in order], in_turn))]
    if in_turn:
        assert won == first
    if won == "issue":
        assert _count(Alert, Alert.state == "issued") == 1
        assert _count(AlertRecipient) == 2 and _count(AlertConfirmation) == 4
    else:
        assert _count(Alert) == _count(AlertAction) == 0
        assert _count(AlertRecipient) == _count(AlertConfirmation) == 0


@pytest.mark.parametrize("first", ["issue", "edit"])
def test_issuing_a_draft_while_its_details_change(app, world, draft, first):
    jobs = {"issue": _issue, "edit": _edit}
    order = [first, "edit" if first == "issue" else "issue"]
    read = _as(world.icb_specialist.id, draft.id)
    run_together(app, [(read, jobs[o]) for o in order], in_turn=True)
    db.session.expire_all()
    alert = db.session.get(Alert, draft.id)
    # Whatever was sent is what the alert says: the services of the types it names when issued.
    if first == "issue":
        assert alert.state == "issued" and alert.reference == "NatPSA/2026/001"
    else:
        assert alert.state == "draft" and alert.reference == "NatPSA/CHANGED"
        assert _count(AlertConfirmation) == 0


def test_two_confirmations_of_one_action_at_once_keep_one_answer(app, world):
    with one_commit():
        place, lead = pharmacy(world, "North Street Pharmacy", world.pcn, "FAA01")
        other_lead = UserFactory(role=(Role.EXECUTIVE_LEAD, place))
    alert = record(world.icb_specialist, world.icb)
    confirmation_id = services.get_confirmation(db.session, alert, place, alert.actions[0].id).id

    def read_as(user_id):
        def read():
            confirmation = db.session.get(AlertConfirmation, confirmation_id)
            return db.session.get(User, user_id), confirmation, confirmation.version_id

        return read

    def answer(status, **details):
        def change(seen):
            user, confirmation, version = seen
            services.confirm(
                db.session,
                user,
                confirmation,
                services.Answer(status, **details),
                version,
                DONE_ON,
            )

        return change

    outcome = run_together(
        app,
        [
            (read_as(lead.id), answer("done", done_on=DONE_ON)),
            (read_as(other_lead.id), answer("not_applicable", reason="We stock none")),
        ],
    )
    won = _one_refused(outcome)
    db.session.expire_all()
    kept = db.session.get(AlertConfirmation, confirmation_id)
    assert kept.status == ["done", "not_applicable"][won]
    assert kept.version_id == 2
    assert _count(ConfirmationEntry) == 1
