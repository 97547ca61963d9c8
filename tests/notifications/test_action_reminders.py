"""Safety action reminders: due soon, overdue, and ready to review; to the owner's account, else the
owner organisation's patient safety leads; once each; references only; a fixed number of queries."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from psirf.accounts.models import Role
from psirf.db import unit_of_work
from psirf.notifications.models import Notification, OutboxMessage
from psirf.notifications.reminders import action_reminders, send_reminders
from tests.support.factories import (
    OrganisationFactory,
    ResponseFactory,
    SafetyActionFactory,
    UserFactory,
)
from tests.support.queries import counting_queries

TODAY = date(2026, 3, 23)


def remind(session, today=TODAY) -> int:
    with unit_of_work(session):
        return send_reminders(session, today=today, candour_working_days=10)


def notes(session, user=None) -> list[Notification]:
    stmt = select(Notification).order_by(Notification.id)
    if user is not None:
        stmt = stmt.where(Notification.user_id == user.id)
    return list(session.scalars(stmt))


def action(world, **values):
    # The response itself is not due, so only the action reminds.
    response = values.pop("response", None) or ResponseFactory(
        organisation=world.practice, due_on=None
    )
    return SafetyActionFactory(response=response, **values)


def test_an_overdue_action_reminds_its_owners_account_once(world, session):
    owner = UserFactory(name="Max Manager", role=(Role.REPORTER, world.practice))
    overdue = action(
        world, owner_user_id=owner.id, owner="Max Manager", due_on=TODAY - timedelta(days=2)
    )
    assert remind(session) == 1
    assert remind(session) == 0  # running twice sends once
    [note] = notes(session)
    assert (
        note.user_id == owner.id
        and note.kind == "step_overdue"
        and note.link == f"/actions/{overdue.id}"
    )
    assert (
        note.title
        == f"A safety action from {overdue.response.reference} is overdue: it was due on 21 March 2026"
    )
    assert note.dedupe_key == f"remind:action:{overdue.id}:2026-03-21:overdue:u{owner.id}"
    [email] = session.scalars(select(OutboxMessage)).all()
    assert email.to_address == owner.email and email.link == f"/actions/{overdue.id}"


def test_without_an_active_owner_account_the_owner_organisations_leads_are_reminded(world, session):
    trust = OrganisationFactory(icb=world.icb)
    trust_lead = UserFactory(role=(Role.PATIENT_SAFETY_LEAD, trust))
    gone = UserFactory(role=(Role.REPORTER, trust), active=False)
    action(world, owner_organisation_id=trust.id, due_on=TODAY - timedelta(days=1))
    action(
        world,
        owner_organisation_id=trust.id,
        owner_user_id=gone.id,
        due_on=TODAY - timedelta(days=1),
    )
    assert remind(session) == 2
    assert {n.user_id for n in notes(session)} == {trust_lead.id}
    assert notes(session, world.lead) == []  # the response's own lead is not the owner here


def test_an_action_due_within_the_week_reminds_once_and_again_when_overdue(world, session):
    due = action(world, due_on=TODAY + timedelta(days=7))
    action(world, due_on=TODAY + timedelta(days=8))
    assert remind(session) == 1
    [note] = notes(session)
    assert note.kind == "step_due" and note.user_id == world.lead.id
    assert note.title == f"A safety action from {due.response.reference} is due on 30 March 2026"
    assert remind(session) == 0
    assert (
        remind(session, TODAY + timedelta(days=8)) == 2
    )  # the first overdue now, the second due today
    assert [n.kind for n in notes(session)] == ["step_due", "step_overdue", "step_due"]


def test_drafts_completed_and_closed_actions_are_not_chased_for_their_due_date(world, session):
    past = TODAY - timedelta(days=5)
    action(world, state="draft", due_on=past)
    action(world, state="completed", completed_at=datetime(2026, 3, 1), due_on=past)
    action(world, state="cancelled", closed_at=datetime(2026, 3, 1), due_on=past)
    action(
        world,
        state="reviewed",
        completed_at=datetime(2026, 3, 1),
        closed_at=datetime(2026, 3, 10),
        due_on=past,
        review_on=past,
    )
    assert remind(session) == 0


def test_a_completed_action_reminds_once_when_its_review_date_comes(world, session):
    done = action(
        world,
        state="completed",
        completed_at=datetime(2026, 3, 1),
        due_on=TODAY - timedelta(days=30),
        review_on=TODAY + timedelta(days=2),
    )
    assert remind(session) == 0
    assert remind(session, TODAY + timedelta(days=2)) == 1
    assert remind(session, TODAY + timedelta(days=3)) == 0
    [note] = notes(session)
    assert note.kind == "step_due" and note.link == f"/actions/{done.id}"
    assert (
        note.title
        == f"A safety action from {done.response.reference} is ready to review: did it work?"
    )
    assert note.dedupe_key == f"remind:action:{done.id}:2026-03-25:review:u{world.lead.id}"


def test_action_reminders_carry_references_never_names_or_what_was_written(world, session):
    owner = UserFactory(name="Max Manager", role=(Role.REPORTER, world.practice))
    action(
        world,
        owner_user_id=owner.id,
        owner="Max Manager",
        description="Call Mrs Example about her dose",
        due_on=TODAY - timedelta(days=1),
    )
    remind(session)
    written = [text for n in notes(session) for text in (n.title, n.body)]
    written += [
        text for m in session.scalars(select(OutboxMessage)) for text in (m.subject, m.body)
    ]
    assert all("safety action" in text for text in written[::2])
    assert not any("Max Manager" in text or "Mrs Example" in text for text in written)


def _count_queries(session) -> int:
    with counting_queries() as statements:
        action_reminders(session, TODAY)
    return len(statements)


def test_finding_whom_to_remind_of_actions_takes_the_same_queries_for_two_or_twenty(world, session):
    trust = OrganisationFactory(icb=world.icb)
    UserFactory(role=(Role.PATIENT_SAFETY_LEAD, trust))
    owner = UserFactory(role=(Role.REPORTER, world.practice))

    def make(n):
        for i in range(n):
            action(
                world,
                due_on=TODAY - timedelta(days=1),
                owner_user_id=owner.id if i % 2 else None,
                owner_organisation_id=trust.id if i % 3 == 0 else world.practice.id,
            )

    make(2)
    session.commit()
    few = _count_queries(session)
    make(18)
    session.commit()
    assert len(action_reminders(session, TODAY)) == 20
    assert _count_queries(session) == few
