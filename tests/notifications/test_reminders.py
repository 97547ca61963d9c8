"""Reminders of steps due and overdue: made once each, for the people who must act, read with a
fixed number of queries, and carrying references only."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import event, func, select

from psirf.accounts.models import Role
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.notifications.models import Notification, OutboxMessage
from psirf.notifications.reminders import send_reminders
from psirf.engagement.candour_steps import add_working_days
from tests.support.engagement import affected_person
from tests.support.engagement import candour_applies as candour
from tests.support.factories import ResponseFactory, UserFactory
from tests.support.notifications import run_queued

TODAY = date(2026, 3, 23)  # a Monday
DAYS = 10


def remind(session, today=TODAY) -> int:
    with unit_of_work(session):
        return send_reminders(session, today=today, candour_working_days=DAYS)


def notes(session, user=None) -> list[Notification]:
    stmt = select(Notification).order_by(Notification.id)
    if user is not None:
        stmt = stmt.where(Notification.user_id == user.id)
    return list(session.scalars(stmt))


# ---- learning responses ---------------------------------------------------------------------------


def test_an_overdue_response_reminds_its_lead_once(world, session):
    response = ResponseFactory(
        organisation=world.practice, lead_id=world.lead.id, due_on=TODAY - timedelta(days=3)
    )
    assert remind(session) == 1
    assert remind(session) == 0
    [note] = notes(session)
    assert note.user_id == world.lead.id and note.kind == "step_overdue"
    assert note.title == f"{response.reference} is overdue: it was due on 20 March 2026"
    assert note.link == f"/responses/{response.id}"
    [email] = session.scalars(select(OutboxMessage)).all()
    assert email.to_address == world.lead.email and email.link == f"/responses/{response.id}"


def test_a_response_due_within_a_week_reminds_once_and_again_when_it_becomes_overdue(
    world, session
):
    response = ResponseFactory(
        organisation=world.practice, lead_id=world.lead.id, due_on=TODAY + timedelta(days=7)
    )
    ResponseFactory(
        organisation=world.practice, lead_id=world.lead.id, due_on=TODAY + timedelta(days=8)
    )
    assert remind(session) == 1
    assert notes(session)[0].title == f"{response.reference} is due on 30 March 2026"
    assert remind(session, TODAY + timedelta(days=1)) == 1  # the other one is within the week now
    assert (
        remind(session, TODAY + timedelta(days=9)) == 2
    )  # both past their dates: overdue, once each
    assert [n.kind for n in notes(session)] == [
        "step_due",
        "step_due",
        "step_overdue",
        "step_overdue",
    ]


def test_an_extension_earns_a_fresh_reminder_at_the_new_date(world, session):
    response = ResponseFactory(
        organisation=world.practice, lead_id=world.lead.id, due_on=TODAY - timedelta(days=1)
    )
    assert remind(session) == 1
    response.due_on = TODAY + timedelta(days=30)
    session.commit()
    assert remind(session) == 0
    assert remind(session, TODAY + timedelta(days=31)) == 1


def test_closed_responses_and_those_without_a_date_remind_nobody(world, session):
    ResponseFactory(
        organisation=world.practice,
        lead_id=world.lead.id,
        due_on=TODAY - timedelta(days=5),
        closed_at=datetime(2026, 3, 1),
    )
    ResponseFactory(organisation=world.practice, lead_id=world.lead.id, due_on=None)
    assert remind(session) == 0


def test_without_an_active_lead_the_organisations_patient_safety_leads_are_reminded(world, session):
    second_lead = UserFactory(role=(Role.PATIENT_SAFETY_LEAD, world.practice))
    gone = UserFactory(role=(Role.PATIENT_SAFETY_LEAD, world.practice), active=False)
    ResponseFactory(organisation=world.practice, lead_id=None, due_on=TODAY - timedelta(days=1))
    ResponseFactory(organisation=world.practice, lead_id=gone.id, due_on=TODAY - timedelta(days=2))
    assert remind(session) == 4
    assert {n.user_id for n in notes(session)} == {world.lead.id, second_lead.id}
    assert notes(session, world.reporter) == [] and notes(session, world.other_lead) == []


def test_a_thematic_review_without_a_lead_reminds_its_review_panel(world, session):
    ResponseFactory(
        organisation=world.pcn,
        method="thematic_review",
        lead_id=None,
        due_on=TODAY - timedelta(days=1),
    )
    assert remind(session) == 1
    assert [n.user_id for n in notes(session)] == [world.panel.id]


# ---- the duty of candour ----------------------------------------------------------------------------


def test_candour_steps_past_their_target_remind_the_leads_and_the_familys_engagement_lead_once(
    world, session
):
    response = ResponseFactory(
        organisation=world.practice, lead_id=world.lead.id, due_on=TODAY + timedelta(days=60)
    )
    engagement_lead = UserFactory(role=(Role.REPORTER, world.practice))
    staff_supporter = UserFactory(role=(Role.REPORTER, world.practice))
    affected_person(
        response, kind="patient", name="Jo Bloggs", engagement_lead_id=engagement_lead.id
    )
    affected_person(
        response, kind="staff", name="Dr Sam Staff", engagement_lead_id=staff_supporter.id
    )
    decided = TODAY - timedelta(days=21)
    record = candour(
        response,
        decided,
        notified_on=decided + timedelta(days=1),
        notified_means="phone",
        notified_by="Dr A",
        apology_given=True,
    )
    assert remind(session) == 2
    assert remind(session) == 0
    reminded = notes(session)
    assert {n.user_id for n in reminded} == {world.lead.id, engagement_lead.id}
    note = reminded[0]
    target = add_working_days(record.decided_on, DAYS)
    assert note.kind == "step_overdue" and note.link == f"/responses/{response.id}#candour"
    assert (
        note.title
        == f"{response.reference}: duty of candour steps are past their local target of {target.day} {target:%B %Y}"
    )
    assert (
        "Still to record: Written notification; Secure written record kept; Reasonable support "
        "offered." in note.body
    )
    assert "Results of enquiries" not in note.body  # due when the response closes
    assert "(10 working days from the decision); it is not a legal deadline" in note.body


def test_candour_steps_due_within_three_days_remind_once_and_done_steps_remind_nobody(
    world, session
):
    due_soon = ResponseFactory(organisation=world.practice)
    not_yet = ResponseFactory(organisation=world.practice)
    done = ResponseFactory(organisation=world.practice)
    ruled_out = ResponseFactory(organisation=world.practice)
    # Confirmed on these dates, their local targets are 25 March (in two days) and 1 April.
    candour(due_soon, date(2026, 3, 11))
    candour(not_yet, date(2026, 3, 18))
    candour(
        done,
        date(2026, 2, 2),
        notified_on=date(2026, 2, 3),
        written_on=date(2026, 2, 4),
        record_reference="Meeting note and letter in the patient's record",
        record_kept_by="Practice manager",
        record_kept_on=date(2026, 2, 4),
        support_offered="A named contact",
        support_offered_on=date(2026, 2, 3),
        results_shared_on=date(2026, 3, 1),
    )
    candour(ruled_out, date(2026, 2, 2), decision="ruled_out")
    assert remind(session) == 1
    [note] = notes(session)
    assert note.kind == "step_due" and note.link == f"/responses/{due_soon.id}#candour"
    assert note.title.endswith("duty of candour steps are due by 25 March 2026")


def test_the_results_of_enquiries_remind_on_their_own_once_the_response_closes(world, session):
    response = ResponseFactory(organisation=world.practice, lead_id=world.lead.id, state="closed")
    response.closed_at = datetime(2026, 3, 20, 16, 0)
    notified = {
        "notified_on": date(2026, 2, 3),
        "written_on": date(2026, 2, 4),
        "record_reference": "Meeting note and letter in the patient's record",
        "record_kept_by": "Practice manager",
        "record_kept_on": date(2026, 2, 4),
        "support_offered": "A named contact",
        "support_offered_on": date(2026, 2, 3),
    }
    candour(response, date(2026, 2, 2), **notified)
    assert remind(session, today=date(2026, 3, 20)) == 1
    [note] = notes(session)
    assert note.kind == "step_due"
    assert note.title == f"{response.reference}: duty of candour steps are due by 20 March 2026"
    assert (
        "Still to record: Results of enquiries shared. The target is local (when the response closes)"
        in note.body
    )
    assert remind(session, today=date(2026, 3, 23)) == 1
    assert notes(session)[-1].kind == "step_overdue"
    assert remind(session, today=date(2026, 3, 24)) == 0


# ---- what they say, and what they cost ----------------------------------------------------------------


NHS_NUMBER = re.compile(r"\b\d{3}\s?\d{3}\s?\d{4}\b")


def test_reminders_carry_references_never_the_names_of_the_people_affected(world, session):
    response = ResponseFactory(
        organisation=world.practice, lead_id=world.lead.id, due_on=TODAY - timedelta(days=1)
    )
    affected_person(response, kind="patient", name="Jo Bloggs", engagement_lead_id=world.lead.id)
    candour(response, TODAY - timedelta(days=30))
    assert remind(session) == 2
    written = [text for n in notes(session) for text in (n.title, n.body)]
    written += [
        text for m in session.scalars(select(OutboxMessage)) for text in (m.subject, m.body)
    ]
    assert all(response.reference in text or "candour" in text for text in written[::2])
    assert not any("Bloggs" in text or NHS_NUMBER.search(text) for text in written)


def _count_queries(session) -> int:
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert remind(session) == 0
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def _overdue_everything(world, n):
    for _ in range(n):
        response = ResponseFactory(
            organisation=world.practice, lead_id=world.lead.id, due_on=TODAY - timedelta(days=2)
        )
        affected_person(response, kind="family_member", engagement_lead_id=world.reporter.id)
        candour(response, TODAY - timedelta(days=30))


def test_finding_whom_to_remind_takes_the_same_queries_for_two_rows_or_twenty(world, session):
    _overdue_everything(world, 2)
    remind(session)
    few = _count_queries(session)
    _overdue_everything(world, 18)
    assert remind(session) == 18 * 3
    assert _count_queries(session) == few


def test_the_periodic_task_makes_the_reminders_and_the_worker_sends_their_emails(
    world, session, queue
):
    ResponseFactory(
        organisation=world.practice, lead_id=world.lead.id, due_on=date.today() - timedelta(days=1)
    )
    queue.send_due_reminders()
    results = run_queued(queue)
    assert results == [1, "kept"]
    assert (
        session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "kept")
        )
        == 1
    )
